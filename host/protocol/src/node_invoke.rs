//! The frames of a node invoke, as the gateway, the node, the CLI and the tests exchange them:
//! the operator's `node.invoke` params, the `node.invoke.request` event the node gets, and the
//! `node.invoke.result` params it answers with.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `node.invoke` params (operator -> gateway).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InvokeParams {
    pub node_id: String,
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    pub idempotency_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
    /// Chat-turn routing fields: real operators send them; a node gateway has no chat turns to
    /// route them to, but accepts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_source_channel: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_source_to: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_source_account_id: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_source_thread_id: Option<Value>,
}

impl InvokeParams {
    pub fn new(
        node_id: impl Into<String>,
        command: impl Into<String>,
        params: Value,
        idempotency_key: impl Into<String>,
    ) -> InvokeParams {
        InvokeParams {
            node_id: node_id.into(),
            command: command.into(),
            params: Some(params),
            idempotency_key: idempotency_key.into(),
            ..InvokeParams::default()
        }
    }

    pub fn with_timeout_ms(mut self, timeout_ms: Option<u64>) -> InvokeParams {
        self.timeout_ms = timeout_ms;
        self
    }

    /// The params as the JSON a request carries.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("invoke params serialize")
    }
}

/// The `node.invoke.request` event payload (gateway -> node).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeRequest {
    /// The invoke id the result must carry.
    pub id: String,
    pub node_id: String,
    pub command: String,
    /// The params as JSON text; `null` when there are none.
    #[serde(rename = "paramsJSON")]
    pub params_json: Option<String>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
}

/// `node.invoke.result` params (node -> gateway).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InvokeResult {
    pub id: String,
    pub node_id: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// The payload as JSON text. The real gateway also takes any other JSON value here as the
    /// payload itself.
    #[serde(
        default,
        rename = "payloadJSON",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_json: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<InvokeError>,
}

/// `node.invoke.progress` params (node -> gateway): a chunk of output, or an empty heartbeat,
/// while an invoke runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InvokeProgress {
    pub invoke_id: String,
    pub node_id: String,
    pub seq: u64,
    pub chunk: String,
}

/// Why a node invoke failed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvokeError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl InvokeResult {
    /// A success carrying `payload_json`.
    pub fn ok(request: &InvokeRequest, payload_json: String) -> InvokeResult {
        InvokeResult {
            id: request.id.clone(),
            node_id: request.node_id.clone(),
            ok: true,
            payload_json: Some(Value::String(payload_json)),
            ..InvokeResult::default()
        }
    }

    /// A failure with its code and message.
    pub fn failed(request: &InvokeRequest, code: &str, message: &str) -> InvokeResult {
        InvokeResult {
            id: request.id.clone(),
            node_id: request.node_id.clone(),
            ok: false,
            error: Some(InvokeError {
                code: Some(code.into()),
                message: Some(message.into()),
            }),
            ..InvokeResult::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_frames_keep_their_wire_names() {
        let request: InvokeRequest = serde_json::from_value(json!({
            "id": "i1", "nodeId": "n1", "command": "system.which",
            "paramsJSON": "{\"bins\":[\"sh\"]}", "timeoutMs": 5000, "idempotencyKey": "k1"
        }))
        .unwrap();
        assert_eq!(request.params_json.as_deref(), Some("{\"bins\":[\"sh\"]}"));
        let ok = InvokeResult::ok(&request, "{}".into());
        assert_eq!(
            serde_json::to_value(&ok).unwrap(),
            json!({"id": "i1", "nodeId": "n1", "ok": true, "payloadJSON": "{}"})
        );
        let failed = InvokeResult::failed(&request, "UNAVAILABLE", "no");
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            json!({"id": "i1", "nodeId": "n1", "ok": false, "error": {"code": "UNAVAILABLE", "message": "no"}})
        );
        // What the real operator sends validates, chat-turn fields included; strangers do not.
        let params = json!({"nodeId": "n1", "command": "c", "idempotencyKey": "k",
                            "turnSourceChannel": "x"});
        assert!(serde_json::from_value::<InvokeParams>(params).is_ok());
        let stray = json!({"nodeId": "n1", "command": "c", "idempotencyKey": "k", "extra": 1});
        assert!(serde_json::from_value::<InvokeParams>(stray).is_err());
    }
}
