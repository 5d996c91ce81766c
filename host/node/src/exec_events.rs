//! The node's `exec.denied` and `exec.finished` events, from what the executor reports.

use openclaw_exec::ExecEvent;
use serde_json::{json, Value};

/// The event name and payload of a `node.event` for `event`.
pub fn node_event(event: &ExecEvent) -> (&'static str, Value) {
    match event {
        ExecEvent::Denied {
            session_key,
            run_id,
            command,
            reason,
        } => (
            "exec.denied",
            json!({"sessionKey": session_key, "runId": run_id, "host": "node", "command": command, "reason": reason}),
        ),
        ExecEvent::Finished {
            session_key,
            run_id,
            command,
            exit_code,
            timed_out,
            success,
            output,
            suppress_notify_on_exit,
        } => (
            "exec.finished",
            json!({
                "sessionKey": session_key, "runId": run_id, "host": "node", "command": command,
                "exitCode": exit_code, "timedOut": timed_out, "success": success,
                "output": output, "suppressNotifyOnExit": suppress_notify_on_exit,
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_carry_the_fields_the_gateway_expects() {
        let finished = ExecEvent::Finished {
            session_key: "s".into(),
            run_id: "r".into(),
            command: "echo hi".into(),
            exit_code: None,
            timed_out: true,
            success: false,
            output: "hi".into(),
            suppress_notify_on_exit: true,
        };
        assert_eq!(
            node_event(&finished),
            (
                "exec.finished",
                json!({"sessionKey": "s", "runId": "r", "host": "node", "command": "echo hi",
                       "exitCode": null, "timedOut": true, "success": false, "output": "hi",
                       "suppressNotifyOnExit": true})
            )
        );
        let denied = ExecEvent::Denied {
            session_key: "s".into(),
            run_id: "r".into(),
            command: "touch x".into(),
            reason: "allowlist-miss".into(),
        };
        assert_eq!(
            node_event(&denied),
            (
                "exec.denied",
                json!({"sessionKey": "s", "runId": "r", "host": "node", "command": "touch x", "reason": "allowlist-miss"})
            )
        );
    }
}
