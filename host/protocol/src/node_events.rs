//! What a connected node reports to its gateway: `node.event` (host stats, exec runs) and
//! `node.pluginSurface.refresh`, our extension by which a node re-declares its surface.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `node.presence.alive` payload: the node says it is there, and why now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceAlive {
    /// `connect`, `manual`, `background`, ...
    pub trigger: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// `node.event` params (node -> gateway).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeEventParams {
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    #[serde(
        default,
        rename = "payloadJSON",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_json: Option<String>,
}

impl NodeEventParams {
    /// An event whose payload travels as JSON text, as the real node host sends it.
    pub fn new(event: impl Into<String>, payload: &impl Serialize) -> NodeEventParams {
        NodeEventParams {
            event: event.into(),
            payload: None,
            payload_json: Some(serde_json::to_string(payload).expect("payloads serialize")),
        }
    }

    /// The payload, from `payloadJSON` when present; `null` when there is none.
    pub fn payload(&self) -> Result<Value, String> {
        match &self.payload_json {
            Some(text) => {
                serde_json::from_str(text).map_err(|e| format!("payloadJSON is not JSON: {e}"))
            }
            None => Ok(self.payload.clone().unwrap_or(Value::Null)),
        }
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("event params serialize")
    }
}

/// The `node.host.stats` payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HostStats {
    pub cpu_count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_average: Option<Vec<f64>>,
    pub memory_total_bytes: u64,
    pub memory_free_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_total_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_available_bytes: Option<u64>,
}

/// The `exec.finished` payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecFinished {
    pub session_key: String,
    pub run_id: String,
    /// Always `node`: where the command ran.
    pub host: String,
    pub command: String,
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub success: bool,
    /// The tail of the output.
    pub output: String,
    pub suppress_notify_on_exit: bool,
}

/// The `exec.denied` payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecDenied {
    pub session_key: String,
    pub run_id: String,
    /// Always `node`.
    pub host: String,
    pub command: String,
    /// Why, as a slug: `allowlist-miss`, `approval-required`, ...
    pub reason: String,
}

/// `node.pluginSurface.refresh` params (node -> gateway): the node's whole surface again.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurfaceRefresh {
    pub caps: Vec<String>,
    pub commands: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<BTreeMap<String, bool>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_keep_their_wire_names() {
        let stats = HostStats {
            cpu_count: 2,
            memory_total_bytes: 10,
            memory_free_bytes: 4,
            ..HostStats::default()
        };
        let params = NodeEventParams::new("node.host.stats", &stats);
        assert_eq!(
            params.to_value(),
            json!({"event": "node.host.stats",
                   "payloadJSON": "{\"cpuCount\":2,\"memoryTotalBytes\":10,\"memoryFreeBytes\":4}"})
        );
        assert_eq!(
            params.payload().unwrap(),
            json!({"cpuCount": 2, "memoryTotalBytes": 10, "memoryFreeBytes": 4})
        );
        let inline: NodeEventParams =
            serde_json::from_value(json!({"event": "x", "payload": {"a": 1}})).unwrap();
        assert_eq!(inline.payload().unwrap(), json!({"a": 1}));
        let broken = NodeEventParams {
            payload_json: Some("{".into()),
            ..inline
        };
        assert!(broken
            .payload()
            .unwrap_err()
            .starts_with("payloadJSON is not JSON"));
        assert!(serde_json::from_value::<HostStats>(
            json!({"cpuCount": 1, "memoryTotalBytes": 1, "memoryFreeBytes": 1, "gpu": 1})
        )
        .is_err());
        let refresh: SurfaceRefresh =
            serde_json::from_value(json!({"caps": ["system"], "commands": ["system.which"]}))
                .unwrap();
        assert_eq!(
            serde_json::to_value(&refresh).unwrap(),
            json!({"caps": ["system"], "commands": ["system.which"]})
        );
    }
}
