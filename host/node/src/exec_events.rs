//! The node's `exec.denied` and `exec.finished` events, from what the executor reports.

use openclaw_exec::ExecEvent;
use openclaw_protocol::node_events::{ExecDenied, ExecFinished, NodeEventParams};

/// Where an exec event says the command ran.
const HOST: &str = "node";

/// The `node.event` that reports `event`.
pub fn node_event(event: &ExecEvent) -> NodeEventParams {
    match event.clone() {
        ExecEvent::Denied {
            session_key,
            run_id,
            command,
            reason,
        } => NodeEventParams::new(
            "exec.denied",
            &ExecDenied {
                session_key,
                run_id,
                host: HOST.into(),
                command,
                reason,
            },
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
        } => NodeEventParams::new(
            "exec.finished",
            &ExecFinished {
                session_key,
                run_id,
                host: HOST.into(),
                command,
                exit_code,
                timed_out,
                success,
                output,
                suppress_notify_on_exit,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let params = node_event(&finished);
        assert_eq!(params.event, "exec.finished");
        assert_eq!(
            params.payload().unwrap(),
            json!({"sessionKey": "s", "runId": "r", "host": "node", "command": "echo hi",
                   "exitCode": null, "timedOut": true, "success": false, "output": "hi",
                   "suppressNotifyOnExit": true})
        );
        let denied = ExecEvent::Denied {
            session_key: "s".into(),
            run_id: "r".into(),
            command: "touch x".into(),
            reason: "allowlist-miss".into(),
        };
        let params = node_event(&denied);
        assert_eq!(params.event, "exec.denied");
        assert_eq!(
            params.payload().unwrap(),
            json!({"sessionKey": "s", "runId": "r", "host": "node", "command": "touch x", "reason": "allowlist-miss"})
        );
    }
}
