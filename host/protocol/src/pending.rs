//! The connected node's queue of work left for it: `node.pending.pull`, then
//! `node.pending.ack` once the node has done it.

use serde::{Deserialize, Serialize};

/// A status request: the node answers by reporting its presence and host stats.
pub const STATUS_REQUEST: &str = "status.request";

/// One item of `node.pending.pull`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingAction {
    pub id: String,
    pub command: String,
    #[serde(rename = "paramsJSON")]
    pub params_json: Option<String>,
    pub enqueued_at_ms: u64,
}

/// `node.pending.pull` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingPull {
    pub node_id: String,
    pub actions: Vec<PendingAction>,
}

/// `node.pending.ack` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingAck {
    pub ids: Vec<String>,
}

/// `node.pending.ack` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingAckResult {
    pub node_id: String,
    pub acked_ids: Vec<String>,
    pub remaining_count: u64,
}
