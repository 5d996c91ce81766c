//! `node.invoke` (operator -> gateway -> node) and `node.invoke.result` (node -> gateway).

use std::sync::Arc;
use std::time::Duration;

use openclaw_protocol::errors::{detail, ErrorCode};
use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::limits::DEFAULT_INVOKE_TIMEOUT_MS;
use openclaw_protocol::node_invoke::{InvokeParams, InvokeProgress, InvokeRequest, InvokeResult};
use serde_json::{json, Value};

use super::{parse, Reply};
use crate::approvals::system_run_guard;
use crate::invoke_router::{Claim, NodeOutcome};
use crate::policy::ADMIN_ONLY;
use crate::session::Session;
use crate::state::Gateway;

pub async fn node_invoke(gw: Arc<Gateway>, session: Arc<Session>, params: Value) -> Reply {
    let p: InvokeParams = parse("node.invoke", params)?;
    if p.idempotency_key.trim().is_empty() {
        return Err(ErrorShape::invalid_params(
            "node.invoke",
            "idempotencyKey must not be empty",
        ));
    }
    let command = p.command.trim().to_string();
    if command.starts_with("system.execApprovals.") {
        return Err(ErrorShape::invalid_request(format!(
            "node.invoke does not allow {command}; use exec.approvals.node.get or exec.approvals.node.set"
        )));
    }
    if ADMIN_ONLY.contains(&command.as_str()) {
        super::require_scope(&session, "operator.admin")?;
    }
    // The same key for another command is another request, not a repeat.
    let key = format!("{}\u{0}{command}\u{0}{}", p.node_id, p.idempotency_key);
    match gw.invokes.claim(&key) {
        Claim::Done(reply) => reply,
        Claim::Wait(mut rx) => loop {
            if let Some(reply) = rx.borrow_and_update().clone() {
                return reply;
            }
            if rx.changed().await.is_err() {
                return Err(
                    ErrorShape::new(ErrorCode::Unavailable, "node invoke was abandoned")
                        .retryable(true),
                );
            }
        },
        Claim::Run(tx) => {
            let (reply, dispatched) = run(&gw, &session, p, command).await;
            gw.invokes.finish(&key, tx, reply.clone(), dispatched);
            reply
        }
    }
}

/// Routes one invoke. Returns the reply and whether the node was asked.
async fn run(gw: &Gateway, caller: &Session, p: InvokeParams, command: String) -> (Reply, bool) {
    let Some(node) = gw.node_session(&p.node_id) else {
        let error =
            ErrorShape::new(ErrorCode::Unavailable, "node not connected").with_details(json!({
                "code": detail::NOT_CONNECTED,
                "nodeError": {"code": detail::NOT_CONNECTED, "message": "node not connected"},
                "nodeCommandDispatched": false,
            }));
        return (Err(error), false);
    };
    if let Err(e) = check_allowed(gw, &node, &command) {
        return (Err(e), false);
    }
    let mut params = p.params;
    if command == "system.run" {
        match system_run_guard::sanitize(gw, caller, &p.node_id, params.take()) {
            Ok(filtered) => params = Some(filtered),
            Err(e) => return (Err(e), false),
        }
    }
    let timeout = p.timeout_ms.unwrap_or(DEFAULT_INVOKE_TIMEOUT_MS);
    let outcome = call_node(
        gw,
        &node,
        &command,
        params,
        timeout,
        &p.idempotency_key,
        p.session_key,
    )
    .await;
    (reply_for(&p.node_id, &command, outcome), true)
}

fn check_allowed(gw: &Gateway, node: &Session, command: &str) -> Result<(), ErrorShape> {
    crate::policy_apply::refresh_policy(gw);
    let live = node.node.as_ref().expect("node sessions are live nodes");
    let surface = live.surface.lock().unwrap();
    if surface.invocable.contains(command) {
        return Ok(());
    }
    let refusal = match gw
        .policy
        .check_invoke(live.platform_id, &surface.effective, command)
    {
        Ok(()) => return Ok(()),
        Err(r) => r,
    };
    let pending = surface.declared.iter().any(|c| c == command);
    let message = gw
        .policy
        .refusal_message(refusal, command, &node.client.platform, pending);
    Err(ErrorShape::invalid_request(message)
        .with_details(json!({"reason": refusal.reason(), "command": command})))
}

/// Sends `node.invoke.request` and waits for the node's result, the deadline, or a disconnect.
pub async fn call_node(
    gw: &Gateway,
    node: &Session,
    command: &str,
    params: Option<Value>,
    timeout_ms: u64,
    idempotency_key: &str,
    session_key: Option<String>,
) -> NodeOutcome {
    let node_id = node.node_id().expect("node session").to_string();
    let invoke_id = uuid::Uuid::new_v4().to_string();
    if command == "system.run" {
        if let (Some(live), Some(run_id)) = (
            &node.node,
            params.as_ref().and_then(|p| p["runId"].as_str()),
        ) {
            let mut surface = live.surface.lock().unwrap();
            surface.recent_runs.push(run_id.to_string());
            let excess = surface.recent_runs.len().saturating_sub(64);
            surface.recent_runs.drain(..excess);
        }
    }
    let rx = gw
        .invokes
        .register(&invoke_id, &node.conn_id, &node_id, command);
    let request = InvokeRequest {
        id: invoke_id.clone(),
        node_id: node_id.clone(),
        command: command.to_string(),
        params_json: params.map(|p| p.to_string()),
        timeout_ms: Some(timeout_ms),
        idempotency_key: Some(idempotency_key.to_string()),
        session_key,
    };
    let payload = serde_json::to_value(&request).expect("an invoke request serializes");
    node.send_event("node.invoke.request", payload);
    match tokio::time::timeout(Duration::from_millis(timeout_ms), rx).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) => NodeOutcome::Err {
            code: ErrorCode::Disconnected.into(),
            message: "node disconnected".into(),
        },
        Err(_) => {
            gw.invokes.forget(&invoke_id);
            node.send_event(
                "node.invoke.cancel",
                json!({"invokeId": invoke_id, "nodeId": node_id}),
            );
            NodeOutcome::Err {
                code: ErrorCode::Timeout.into(),
                message: "node invoke timed out".into(),
            }
        }
    }
}

fn reply_for(node_id: &str, command: &str, outcome: NodeOutcome) -> Reply {
    match outcome {
        NodeOutcome::Ok {
            payload,
            payload_json,
        } => {
            let payload = match &payload_json {
                Some(text) => serde_json::from_str(text).unwrap_or(Value::Null),
                None => payload.unwrap_or(Value::Null),
            };
            Ok(
                json!({"ok": true, "nodeId": node_id, "command": command, "payload": payload, "payloadJSON": payload_json}),
            )
        }
        NodeOutcome::Err { code, message } => Err(node_error(&code, &message)),
    }
}

/// A node's failure as the operator sees it: `UNAVAILABLE "<CODE>: <message>"`, the code said
/// once: a node that already starts its message with its code (the real node host words a
/// caller's mistake `INVALID_REQUEST: ...`) is not prefixed again. `details.nodeError` keeps
/// the node's code and message exactly as sent.
pub fn node_error(code: &str, message: &str) -> ErrorShape {
    ErrorShape::new(ErrorCode::Unavailable, node_error_message(code, message)).with_details(json!({
        "nodeError": {"code": code, "message": message},
        "nodeCommandDispatched": true,
    }))
}

fn node_error_message(code: &str, message: &str) -> String {
    let code = code.trim();
    if code.is_empty() {
        return message.to_string();
    }
    match message.strip_prefix(code) {
        Some(rest) if rest.starts_with(": ") => message.to_string(),
        _ => format!("{code}: {message}"),
    }
}

/// The most a progress chunk may carry, in UTF-8 bytes.
const MAX_PROGRESS_CHUNK_BYTES: usize = 16384;

/// `node.invoke.progress`: a running invoke's heartbeat or output chunk. The real node host
/// sends heartbeats while its duplex-capable commands (`file.fetch` among them) run, and stops
/// the command when one is refused. Chunks are acknowledged, not relayed: no command this
/// gateway routes streams output to its caller.
pub fn progress(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: InvokeProgress = parse("node.invoke.progress", params)?;
    if session.node_id() != Some(p.node_id.as_str()) {
        return Err(ErrorShape::invalid_request("nodeId mismatch"));
    }
    if p.chunk.len() > MAX_PROGRESS_CHUNK_BYTES {
        return Err(ErrorShape::invalid_request("progress chunk too large"));
    }
    let waiting = gw.invokes.is_waiting(&p.invoke_id, &p.node_id);
    Ok(json!({"ok": true, "ignored": !waiting}))
}

pub fn result(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: InvokeResult = parse("node.invoke.result", params)?;
    if session.node_id() != Some(p.node_id.as_str()) {
        return Err(ErrorShape::invalid_request("nodeId mismatch"));
    }
    // A non-string payloadJSON is taken as the payload itself, as the real gateway does.
    let (payload, payload_json) = match p.payload_json {
        Some(Value::String(text)) => (p.payload, Some(text)),
        Some(Value::Null) | None => (p.payload, None),
        Some(other) => (p.payload.or(Some(other)), None),
    };
    let outcome = if p.ok {
        NodeOutcome::Ok {
            payload,
            payload_json,
        }
    } else {
        let e = p.error.unwrap_or_default();
        NodeOutcome::Err {
            code: e.code.unwrap_or_else(|| ErrorCode::Unavailable.into()),
            message: e.message.unwrap_or_else(|| "node invocation failed".into()),
        }
    };
    if gw.invokes.complete(&p.id, &p.node_id, outcome) {
        Ok(json!({"ok": true}))
    } else {
        Ok(json!({"ok": true, "ignored": true}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_error_names_its_code_once() {
        let e = node_error("INVALID_REQUEST", "INVALID_REQUEST: bins required");
        assert_eq!(e.message, "INVALID_REQUEST: bins required");
        assert_eq!(
            e.details.as_ref().unwrap()["nodeError"]["message"],
            "INVALID_REQUEST: bins required"
        );
        assert_eq!(
            node_error("INVALID_REQUEST", "bins required").message,
            "INVALID_REQUEST: bins required"
        );
        // Another code at the front is the node's wording, not ours: it keeps our prefix.
        assert_eq!(
            node_error(
                "INVALID_REQUEST",
                "SYSTEM_RUN_DENIED: env override rejected"
            )
            .message,
            "INVALID_REQUEST: SYSTEM_RUN_DENIED: env override rejected"
        );
        assert_eq!(
            node_error("UNAVAILABLE", "UNAVAILABLE_X: y").message,
            "UNAVAILABLE: UNAVAILABLE_X: y"
        );
        assert_eq!(node_error("", "plain").message, "plain");
    }
}
