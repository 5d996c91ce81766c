//! The `exec-approvals` capability: reading and replacing the approvals document. It is a
//! grant of its own, because whoever edits the approvals decides what `exec` may run.
//!
//! Plugins built against `openclaw:plugin@0.1.0` call `exec.approvals-get|set` instead; the
//! host still links those two functions into `exec`, and they answer only for a plugin the
//! operator also granted `exec-approvals`.

use serde_json::Value;
use wasmtime::component::Linker;

use super::failure;
use crate::bindings::openclaw::plugin::exec_approvals;
use crate::bindings::Failure;
use crate::state::CallState;

/// The `exec` instance that 0.1.0 plugins import (found by semver for `@0.1.0`).
const EXEC_INTERFACE: &str = "openclaw:plugin/exec@0.1.1";

fn get(state: &CallState) -> Result<String, Failure> {
    state
        .exec
        .executor
        .approvals
        .snapshot()
        .map(|v| v.to_string())
        .map_err(|e| failure("UNAVAILABLE", e))
}

fn set(state: &CallState, file_json: &str, base_hash: Option<&str>) -> Result<String, Failure> {
    let file: Value = serde_json::from_str(file_json).map_err(|e| {
        failure(
            "INVALID_REQUEST",
            format!("INVALID_REQUEST: file is not JSON: {e}"),
        )
    })?;
    state
        .exec
        .executor
        .approvals
        .set(file, base_hash)
        .map(|v| v.to_string())
        .map_err(|e| {
            let code = if e.starts_with("INVALID_REQUEST") {
                "INVALID_REQUEST"
            } else {
                "UNAVAILABLE"
            };
            failure(code, e)
        })
}

impl exec_approvals::Host for CallState {
    async fn get(&mut self) -> Result<String, Failure> {
        get(self)
    }

    async fn set(
        &mut self,
        file_json: String,
        base_hash: Option<String>,
    ) -> Result<String, Failure> {
        set(self, &file_json, base_hash.as_deref())
    }
}

/// Why a 0.1.0 plugin without the grant is refused.
fn refusal(state: &CallState) -> Failure {
    failure(
        "UNAVAILABLE",
        format!(
            "plugin {} may not edit the exec approvals: that needs the `exec-approvals` capability",
            state.plugin
        ),
    )
}

/// Links `exec.approvals-get|set` of 0.1.0 into the `exec` instance.
pub fn add_legacy_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    let mut exec = linker.instance(EXEC_INTERFACE)?;
    exec.func_wrap_async("approvals-get", |store, (): ()| {
        let state = store.data();
        let answer = if state.may_edit_approvals {
            get(state)
        } else {
            Err(refusal(state))
        };
        Box::new(async move { Ok((answer,)) })
    })?;
    exec.func_wrap_async(
        "approvals-set",
        |store, (file_json, base_hash): (String, Option<String>)| {
            let state = store.data();
            let answer = if state.may_edit_approvals {
                set(state, &file_json, base_hash.as_deref())
            } else {
                Err(refusal(state))
            };
            Box::new(async move { Ok((answer,)) })
        },
    )?;
    Ok(())
}
