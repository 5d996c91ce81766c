//! Processes on the node (the `exec` capability). The host applies the operator's exec
//! approvals to every call; a plugin only shapes requests and results.

pub use crate::bindings::openclaw::plugin::exec::{
    prepare, run, screen_recording_permitted, which, RunOutput, RunRequest,
};

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
