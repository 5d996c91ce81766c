//! The records a gateway keeps of its devices and nodes, in the JSON shapes the pairing and
//! pending-work methods return (our gateway also persists them as they are).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A paired device (`device.pair.list.paired[]`, minus its tokens).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairedDevice {
    pub device_id: String,
    pub public_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The operator's own label (`devices rename`); owner-side state that survives re-pairing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_mode: Option<String>,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_ip: Option<String>,
    pub created_at_ms: u64,
    pub approved_at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_via: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at_ms: Option<u64>,
}

/// A per-(device, role) token. The secret itself is never listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceToken {
    pub role: String,
    #[serde(skip_serializing)]
    #[serde(default)]
    pub token: String,
    pub scopes: Vec<String>,
    pub created_at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotated_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at_ms: Option<u64>,
}

/// A device waiting for `device.pair.approve` (`device.pair.requested`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicePairRequest {
    pub request_id: String,
    pub device_id: String,
    pub public_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_family: Option<String>,
    pub client_id: String,
    pub client_mode: String,
    pub role: String,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_ip: Option<String>,
    pub silent: bool,
    pub is_repair: bool,
    pub ts: u64,
}

/// What a node declares about itself when it connects; kept on its surface records.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeMeta {
    pub node_id: String,
    pub client_id: String,
    pub client_mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub platform: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_ip: Option<String>,
}

/// An approved node surface (`node.pair.list.paired[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairedNode {
    #[serde(flatten)]
    pub meta: NodeMeta,
    pub caps: Vec<String>,
    pub commands: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<BTreeMap<String, bool>>,
    pub created_at_ms: u64,
    pub approved_at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_connected_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_disconnected_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_host_stats: Option<Value>,
}

/// The `node.pair.list` payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NodePairList {
    pub pending: Vec<NodePairRequest>,
    pub paired: Vec<PairedNode>,
}

/// A declared surface waiting for `node.pair.approve` (`node.pair.requested`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodePairRequest {
    pub request_id: String,
    #[serde(flatten)]
    pub meta: NodeMeta,
    pub caps: Vec<String>,
    pub commands: Vec<String>,
    pub required_approve_scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<BTreeMap<String, bool>>,
    pub silent: bool,
    pub ts: u64,
}

/// One item of a node's pending work queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingItem {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub priority: String,
    pub created_at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
}
