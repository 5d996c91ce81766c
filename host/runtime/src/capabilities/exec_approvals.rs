//! The `exec-approvals` capability: reading and replacing the approvals document. It is a
//! grant of its own, because whoever edits the approvals decides what `exec` may run.
//!
//! Plugins built against `openclaw:plugin@0.1.0` call `exec.approvals-get|set` instead
//! (deprecated since 0.1.1). Those are linked into the `exec` instance only for a plugin
//! granted both `exec` and `exec-approvals`; without the grant such a plugin does not load.

use std::sync::Arc;

use openclaw_protocol::errors::ErrorCode;
use serde_json::Value;
use wasmtime::component::{HasSelf, Linker};

use super::view::{Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::exec_approvals;
use crate::bindings::{host_failure, Failure};
use crate::services::ExecContext;

pub const NAME: &str = "exec-approvals";
pub const INTERFACES: &[&str] = &["openclaw:plugin/exec-approvals"];

pub fn link<T: Holds<Approvals>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    exec_approvals::add_to_linker::<T, HasSelf<Approvals>>(linker, T::holds)
}

/// The 0.1.0 editing functions inside `exec`.
pub const LEGACY_FUNCTIONS: [&str; 2] = ["approvals-get", "approvals-set"];

/// Links [`LEGACY_FUNCTIONS`] into the `exec` instance (which `exec` links first).
pub(super) fn link_into_exec<T: Holds<Approvals>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    let mut exec = linker.instance(&super::exec::instance_name())?;
    exec.func_wrap_async(LEGACY_FUNCTIONS[0], |mut store, (): ()| {
        let answer = store.data_mut().holds().get();
        Box::new(async move { Ok((answer,)) })
    })?;
    exec.func_wrap_async(
        LEGACY_FUNCTIONS[1],
        |mut store, (file_json, base_hash): (String, Option<String>)| {
            let approvals = store.data_mut().holds();
            let answer = approvals.set(&file_json, base_hash.as_deref());
            Box::new(async move { Ok((answer,)) })
        },
    )?;
    Ok(())
}

pub struct Approvals {
    context: Arc<ExecContext>,
}

impl CapabilityState for Approvals {
    fn new(caller: &Caller) -> Approvals {
        Approvals {
            context: caller.services.exec.clone(),
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
