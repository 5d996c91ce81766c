//! What one call's `Store` holds: a locked-down WASI context (no files, env, network or
//! args; stdout and stderr captured for the host log), the memory limiter, who is calling and
//! for which agent, and the state of each capability the call uses, made on first use.

use std::sync::Arc;

use openclaw_exec::InvokeFields;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::capabilities::view::{CapabilityState, Holds, Invoke};
use crate::capabilities::{
    browser, browser_automation, camera, exec, exec_approvals, fs, location, log, mcp, notify,
    screen, uploads,
};
use crate::engine::MAX_MEMORY_BYTES;

pub use crate::capabilities::view::Caller;

/// Output a call may print before further writes fail.
const CAPTURE_BYTES: usize = 64 * 1024;

/// The state of each capability for one call, a typed field each, made on its first use, and
/// how the call's store data holds each (the projections the capabilities link with).
macro_rules! capability_states {
    ($($field:ident: $state:ty),* $(,)?) => {
        #[derive(Default)]
        struct CapabilityStates {
            $($field: Option<$state>,)*
        }

        $(impl Holds<$state> for CallState {
            fn holds(&mut self) -> &mut $state {
                let caller = &self.caller;
                self.capabilities
                    .$field
                    .get_or_insert_with(|| <$state>::new(caller))
            }
        })*
    };
}

capability_states! {
    log: log::Log,
    exec: exec::Exec,
    exec_approvals: exec_approvals::Approvals,
    browser: browser::Browser,
    location: location::Location,
    notify: notify::Notify,
    screen: screen::Screen,
    camera: camera::Camera,
    fs: fs::Fs,
    uploads: uploads::Uploads,
    browser_automation: browser_automation::Automation,
    mcp: mcp::Mcp,
}

pub struct CallState {
    pub caller: Arc<Caller>,
    /// The agent of the invoke this call serves, bound when the call starts (none until
    /// then): every command the call runs is for it, whatever the plugin asks.
    agent_id: Option<Arc<str>>,
    /// What the invoke says to exec beyond the plugin's request (an approval is used once).
    invoke_fields: Option<InvokeFields>,
    capabilities: CapabilityStates,
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
    /// Set when the plugin asked for more memory than its cap.
    pub memory_exhausted: bool,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
}

impl CallState {
    pub fn new(caller: Arc<Caller>) -> CallState {
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
            caller,
            agent_id: None,
            invoke_fields: None,
            capabilities: CapabilityStates::default(),
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

    /// Binds the call to the invoke it serves: its agent, and what it says to exec.
    pub fn bind_invoke(&mut self, agent_id: Option<Arc<str>>, fields: InvokeFields) {
        self.agent_id = agent_id;
        self.invoke_fields = Some(fields);
    }

    /// Sends what the plugin printed to the host log, tagged with its name.
    pub fn flush_output(&self) {
        for (stream, pipe) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            let bytes = pipe.contents();
            for line in String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| !l.is_empty())
            {
                tracing::info!(plugin = %self.caller.plugin, stream, "{line}");
            }
        }
    }
}

impl Invoke for CallState {
    fn agent_id(&self) -> Option<Arc<str>> {
        self.agent_id.clone()
    }

    fn take_invoke_fields(&mut self) -> Option<InvokeFields> {
        self.invoke_fields.take()
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
