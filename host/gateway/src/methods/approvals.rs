//! `exec.approvals.node.get|set`: an operator reads or edits a node's exec approvals, which the
//! node serves as `system.execApprovals.get|set`.

use std::sync::Arc;

use openclaw_protocol::errors::{detail, ErrorCode};
use openclaw_protocol::exec_approvals::{ApprovalsSet, NodeApprovalsGet, NodeApprovalsSet};
use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::limits::DEFAULT_INVOKE_TIMEOUT_MS;
use serde_json::{json, Value};

use super::invoke::{call_node, node_error};
use super::{parse, to_value, Reply};
use crate::invoke_router::NodeOutcome;
use crate::session::Session;
use crate::state::Gateway;

pub async fn get(gw: Arc<Gateway>, _: Arc<Session>, params: Value) -> Reply {
    let p: NodeApprovalsGet = parse("exec.approvals.node.get", params)?;
    forward(&gw, &p.node_id, "system.execApprovals.get", json!({})).await
}

pub async fn set(gw: Arc<Gateway>, _: Arc<Session>, params: Value) -> Reply {
    let p: NodeApprovalsSet = parse("exec.approvals.node.set", params)?;
    if p.native.is_some() {
        return Err(ErrorShape::invalid_params(
            "exec.approvals.node.set",
            "native approvals belong to the macOS app; send file",
        ));
    }
    let Some(file) = p.file else {
        return Err(ErrorShape::invalid_params(
            "exec.approvals.node.set",
            "file required",
        ));
    };
    let forwarded = ApprovalsSet {
        file,
        base_hash: p.base_hash,
    };
    forward(
        &gw,
        &p.node_id,
        "system.execApprovals.set",
        to_value(forwarded),
    )
    .await
}

async fn forward(gw: &Gateway, node_id: &str, command: &str, params: Value) -> Reply {
    let Some(node) = gw.node_session(node_id) else {
        return Err(
            ErrorShape::new(ErrorCode::Unavailable, "node not connected").with_details(json!({
                "code": detail::NOT_CONNECTED,
                "nodeCommandDispatched": false,
            })),
        );
    };
    let declared = node.node.as_ref().is_some_and(|n| {
        n.surface
            .lock()
            .unwrap()
            .effective
            .iter()
            .any(|c| c == command)
    });
    if !declared {
        return Err(ErrorShape::invalid_request(format!(
            "node command not allowed: the node does not expose an approved {command}"
        ))
        .with_details(json!({"reason": "command not declared by node", "command": command})));
    }
    let key = uuid::Uuid::new_v4().to_string();
    match call_node(
        gw,
        &node,
        command,
        Some(params),
        DEFAULT_INVOKE_TIMEOUT_MS,
        &key,
        None,
    )
    .await
    {
        NodeOutcome::Ok {
            payload,
            payload_json,
        } => {
            let snapshot = match payload_json {
                Some(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
                None => payload.unwrap_or(Value::Null),
            };
            validate_snapshot(&snapshot)?;
            Ok(snapshot)
        }
        NodeOutcome::Err { code, message } => Err(node_error(&code, &message)),
    }
}

/// The snapshot must be exactly `{path, exists, hash, file}` (+ `resolvedDefaults`).
fn validate_snapshot(v: &Value) -> Result<(), ErrorShape> {
    let invalid = |why: &str| {
        ErrorShape::new(
            ErrorCode::Unavailable,
            format!("node returned an invalid exec approvals snapshot: {why}"),
        )
    };
    let obj = v.as_object().ok_or_else(|| invalid("not an object"))?;
    if !obj.get("path").is_some_and(Value::is_string)
        || !obj.get("exists").is_some_and(Value::is_boolean)
        || !obj.get("hash").is_some_and(Value::is_string)
        || !obj.get("file").is_some_and(Value::is_object)
    {
        return Err(invalid("path, exists, hash and file are required"));
    }
    if let Some(extra) = obj
        .keys()
        .find(|k| !["path", "exists", "hash", "file", "resolvedDefaults"].contains(&k.as_str()))
    {
        return Err(invalid(&format!("unexpected field {extra}")));
    }
    Ok(())
}
