//! The `exec-approvals` capability: reading and replacing the approvals document. It is a
//! grant of its own, because whoever edits the approvals decides what `exec` may run.
//!
//! Plugins built against `openclaw:plugin@0.1.0` call `exec.approvals-get|set` instead
//! (deprecated since 0.1.1); `exec` passes them here, and they answer only for a plugin the
//! operator granted `exec-approvals`.

use std::sync::Arc;

use openclaw_protocol::errors::ErrorCode;
use serde_json::Value;
use wasmtime::component::{HasSelf, Linker};

use super::Capability;
use crate::bindings::openclaw::plugin::exec_approvals;
use crate::bindings::{host_failure, Failure};
use crate::services::ExecContext;
use crate::state::{CallState, Caller, CapabilityState};

pub const CAPABILITY: Capability = Capability {
    name: "exec-approvals",
    interface: "openclaw:plugin/exec-approvals",
    link,
};

fn link(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    exec_approvals::add_to_linker::<_, HasSelf<Approvals>>(
        linker,
        CallState::capability::<Approvals>,
    )
}

pub struct Approvals {
    plugin: Arc<str>,
    context: Arc<ExecContext>,
    /// Granted `exec-approvals`: what the 0.1.0 functions check, since a plugin that imports
    /// only `exec` reaches them too.
    granted: bool,
}

impl CapabilityState for Approvals {
    fn new(caller: &Caller) -> Approvals {
        Approvals {
            plugin: caller.plugin.clone(),
            context: caller.services.exec.clone(),
            granted: caller.is_granted(CAPABILITY.name),
        }
    }
}

impl Approvals {
    fn get(&self) -> Result<String, Failure> {
        let snapshot = self.context.executor.approvals.snapshot()?;
        Ok(snapshot.to_string())
    }

    fn set(&self, file_json: &str, base_hash: Option<&str>) -> Result<String, Failure> {
        let file: Value = serde_json::from_str(file_json).map_err(|e| {
            host_failure(ErrorCode::InvalidRequest, format!("file is not JSON: {e}"))
        })?;
        let snapshot = self.context.executor.approvals.set(file, base_hash)?;
        Ok(snapshot.to_string())
    }

    pub(super) fn legacy_get(&self) -> Result<String, Failure> {
        self.refuse_unless_granted()?;
        self.get()
    }

    pub(super) fn legacy_set(
        &self,
        file_json: &str,
        base_hash: Option<&str>,
    ) -> Result<String, Failure> {
        self.refuse_unless_granted()?;
        self.set(file_json, base_hash)
    }

    fn refuse_unless_granted(&self) -> Result<(), Failure> {
        if self.granted {
            return Ok(());
        }
        Err(host_failure(
            ErrorCode::Unavailable,
            format!(
                "plugin {} may not edit the exec approvals: that needs the `{}` capability",
                self.plugin, CAPABILITY.name
            ),
        ))
    }
}

impl exec_approvals::Host for Approvals {
    async fn get(&mut self) -> Result<String, Failure> {
        Approvals::get(self)
    }

    async fn set(
        &mut self,
        file_json: String,
        base_hash: Option<String>,
    ) -> Result<String, Failure> {
        Approvals::set(self, &file_json, base_hash.as_deref())
    }
}
