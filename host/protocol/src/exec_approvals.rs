//! `exec.approvals.node.get|set`: an operator reads or replaces a node's exec approvals
//! through the gateway, which forwards them to the node as `system.execApprovals.get|set`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `exec.approvals.node.get` params (operator -> gateway).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeApprovalsGet {
    pub node_id: String,
}

/// `exec.approvals.node.set` params (operator -> gateway).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeApprovalsSet {
    pub node_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Value>,
    /// The macOS app's native approvals; a Linux node has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native: Option<Value>,
    /// The hash of the document being replaced; required once one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_hash: Option<String>,
}

/// `system.execApprovals.set` params (gateway -> node).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalsSet {
    pub file: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_hash: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_params_keep_their_wire_names() {
        let set = NodeApprovalsSet {
            node_id: "n1".into(),
            file: Some(json!({"version": 1})),
            base_hash: Some("h".into()),
            ..NodeApprovalsSet::default()
        };
        assert_eq!(
            serde_json::to_value(&set).unwrap(),
            json!({"nodeId": "n1", "file": {"version": 1}, "baseHash": "h"})
        );
        let forwarded = ApprovalsSet {
            file: json!({"version": 1}),
            base_hash: None,
        };
        assert_eq!(
            serde_json::to_value(&forwarded).unwrap(),
            json!({"file": {"version": 1}})
        );
        let stray = json!({"nodeId": "n1", "hash": "h"});
        assert!(serde_json::from_value::<NodeApprovalsSet>(stray).is_err());
    }
}
