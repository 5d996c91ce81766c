//! What one call's `Store` holds: a locked-down WASI context (no files, env, network or
//! args; stdout and stderr captured for the host log), the memory limiter, and the plugin's
//! name for everything it logs.

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::bindings::openclaw::plugin::log;
use crate::engine::MAX_MEMORY_BYTES;
use crate::services::{ExecContext, Services};
use openclaw_browser::NodeBrowser;
use openclaw_devices::location::Location;

/// Output a call may print before further writes fail.
const CAPTURE_BYTES: usize = 64 * 1024;

pub struct CallState {
    pub plugin: Arc<str>,
    /// Granted `exec-approvals` (checked by the 0.1.0 `exec.approvals-*` functions).
    pub may_edit_approvals: bool,
    pub exec: Arc<ExecContext>,
    pub browser: Arc<NodeBrowser>,
    pub location: Arc<Location>,
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
    /// Set when the plugin asked for more memory than its cap.
    pub memory_exhausted: bool,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
}

impl CallState {
    pub fn new(plugin: Arc<str>, may_edit_approvals: bool, services: &Services) -> CallState {
        let stdout = MemoryOutputPipe::new(CAPTURE_BYTES);
        let stderr = MemoryOutputPipe::new(CAPTURE_BYTES);
        let wasi = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        CallState {
            plugin,
            may_edit_approvals,
            exec: services.exec.clone(),
            browser: services.browser.clone(),
            location: services.location.clone(),
            wasi,
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new()
                .memory_size(MAX_MEMORY_BYTES)
                .instances(16)
                .build(),
            memory_exhausted: false,
            stdout,
            stderr,
        }
    }

    /// Sends what the plugin printed to the host log, tagged with its name.
    pub fn flush_output(&self) {
        for (stream, pipe) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            let bytes = pipe.contents();
            for line in String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| !l.is_empty())
            {
                tracing::info!(plugin = %self.plugin, stream, "{line}");
            }
        }
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ResourceLimiter for CallState {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let ok = self.limits.memory_growing(current, desired, maximum)?;
        if !ok {
            self.memory_exhausted = true;
        }
        Ok(ok)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

impl log::Host for CallState {
    async fn write(&mut self, level: log::Level, message: String) {
        let plugin = &*self.plugin;
        match level {
            log::Level::Debug => tracing::debug!(plugin, "{message}"),
            log::Level::Info => tracing::info!(plugin, "{message}"),
            log::Level::Warn => tracing::warn!(plugin, "{message}"),
            log::Level::Error => tracing::error!(plugin, "{message}"),
        }
    }
}
