//! The `exec-approvals` capability: reading and replacing the approvals document. It is a
//! grant of its own, because whoever edits the approvals decides what `exec` may run.
//!
//! Plugins built against `openclaw:plugin@0.1.0` call `exec.approvals-get|set` instead; this
//! capability also links those two functions into the `exec` instance, and they answer only
//! for a plugin the operator granted `exec-approvals`.

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

/// The `exec` instance that 0.1.0 plugins import (found by semver for `@0.1.0`).
const EXEC_INTERFACE: &str = "openclaw:plugin/exec@0.1.7";

fn link(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    exec_approvals::add_to_linker::<_, HasSelf<Approvals>>(
        linker,
        CallState::capability::<Approvals>,
    )?;
    let mut exec = linker.instance(EXEC_INTERFACE)?;
    exec.func_wrap_async("approvals-get", |mut store, (): ()| {
        let answer = store.data_mut().capability::<Approvals>().legacy_get();
        Box::new(async move { Ok((answer,)) })
    })?;
    exec.func_wrap_async(
        "approvals-set",
        |mut store, (file_json, base_hash): (String, Option<String>)| {
            let approvals = store.data_mut().capability::<Approvals>();
            let answer = approvals.legacy_set(&file_json, base_hash.as_deref());
            Box::new(async move { Ok((answer,)) })
        },
    )?;
    Ok(())
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

    fn legacy_get(&self) -> Result<String, Failure> {
        self.refuse_unless_granted()?;
        self.get()
    }

    fn legacy_set(&self, file_json: &str, base_hash: Option<&str>) -> Result<String, Failure> {
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
