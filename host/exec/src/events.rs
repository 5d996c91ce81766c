//! What a run tells the node about itself, for the node to send as `exec.denied` and
//! `exec.finished` events.

/// One run's outcome, as an event.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecEvent {
    /// The policy refused the run.
    Denied {
        session_key: String,
        run_id: String,
        command: String,
        reason: String,
    },
    /// The run ended.
    Finished {
        session_key: String,
        run_id: String,
        command: String,
        exit_code: Option<i32>,
        timed_out: bool,
        success: bool,
        /// The tail of stdout, stderr and any error, joined.
        output: String,
        suppress_notify_on_exit: bool,
    },
}
