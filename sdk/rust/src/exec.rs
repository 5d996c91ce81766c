//! Processes on the node (the `exec` capability). The host applies the operator's exec
//! approvals to every call; a plugin only shapes requests and results.

use crate::bindings::openclaw::plugin::exec as raw;
use crate::Failure;

pub use raw::{screen_recording_permitted, which, RunOutput, RunRequest};

/// Runs the request when the approvals allow it; a denial is a failure with code
/// `SYSTEM_RUN_DENIED`.
pub fn run(request: &RunRequest) -> Result<RunOutput, Failure> {
    Ok(raw::run(request)?)
}

/// What [`run`] would execute, as the `system.run.prepare` payload (JSON text), without
/// running it.
pub fn prepare(request: &RunRequest) -> Result<String, Failure> {
    Ok(raw::prepare(request)?)
}

impl RunRequest {
    /// A request to run `argv` with nothing else set: the node's directory and environment,
    /// no timeout of its own, no notification on exit.
    pub fn new(argv: Vec<String>) -> RunRequest {
        RunRequest {
            argv,
            raw_command: None,
            cwd: None,
            env: Vec::new(),
            timeout_ms: None,
            agent_id: None,
            session_key: None,
            run_id: None,
            suppress_notify_on_exit: true,
        }
    }
}
