//! The node catalog as operators read it: `node.list` and `node.describe` payloads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One node in `node.list.nodes[]` (and, with `ts`, the `node.describe` payload). Absent
/// fields are left out rather than sent as null, as the real gateway does; the real gateway
/// may send fields beyond these, which a reader ignores.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeEntry {
    pub node_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub client_mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_ip: Option<String>,
    #[serde(default)]
    pub caps: Vec<String>,
    #[serde(default)]
    pub commands: Vec<String>,
    #[serde(default)]
    pub session_host: bool,
    /// The last `node.host.stats` payload, with `updatedAtMs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_stats: Option<Value>,
    /// The agent-visible tools a connected node published; absent for a node offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_plugin_tools: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<BTreeMap<String, bool>>,
    /// `approved`, `pending-approval`, `pending-reapproval` or `unapproved`.
    #[serde(default)]
    pub approval_state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_connected_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_disconnected_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at_ms: Option<u64>,
    #[serde(default)]
    pub paired: bool,
    #[serde(default)]
    pub connected: bool,
}

impl NodeEntry {
    /// What an operator calls the node: its display name, else its id.
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.node_id)
    }
}

/// The `node.list` payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NodeList {
    pub ts: u64,
    pub nodes: Vec<NodeEntry>,
}

/// The `node.describe` payload: one entry and the time it was read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NodeDescription {
    pub ts: u64,
    #[serde(flatten)]
    pub node: NodeEntry,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_fields_stay_out_and_unknown_ones_are_read_past() {
        let entry = NodeEntry {
            node_id: "n1".into(),
            platform: "linux".into(),
            approval_state: "approved".into(),
            connected: true,
            ..NodeEntry::default()
        };
        let described = serde_json::to_value(NodeDescription {
            ts: 7,
            node: entry.clone(),
        })
        .unwrap();
        assert_eq!(
            described,
            json!({"ts": 7, "nodeId": "n1", "platform": "linux", "version": "", "clientId": "", "clientMode": "",
                   "caps": [], "commands": [], "sessionHost": false, "approvalState": "approved",
                   "paired": false, "connected": true})
        );
        let mut from_real = described;
        from_real["somethingNew"] = json!(1);
        let read: NodeDescription = serde_json::from_value(from_real).unwrap();
        assert_eq!(read.node, entry);
        assert_eq!(read.node.name(), "n1");
    }
}
