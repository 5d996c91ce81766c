//! The exec approval "ask" flow through the gateway: `exec.approval.*` and the unified
//! `approval.get|resolve|history` params and payloads, the stored request record, and the
//! `exec.approval.requested|resolved` events. (The node's approvals *policy document* is
//! `exec_approvals`.)

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The scope every method here needs.
pub const APPROVALS_SCOPE: &str = "operator.approvals";
/// How long a request waits for a decision unless it says otherwise (30 min).
pub const DEFAULT_TIMEOUT_MS: u64 = 1_800_000;
/// How long a settled record stays queryable (and an allow-once usable).
pub const RESOLVED_GRACE_MS: u64 = 15_000;
pub const EVENT_REQUESTED: &str = "exec.approval.requested";
pub const EVENT_RESOLVED: &str = "exec.approval.resolved";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    AllowOnce,
    AllowAlways,
    Deny,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "allow-once" => Some(Decision::AllowOnce),
            "allow-always" => Some(Decision::AllowAlways),
            "deny" => Some(Decision::Deny),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::AllowOnce => "allow-once",
            Decision::AllowAlways => "allow-always",
            Decision::Deny => "deny",
        }
    }
}

/// The plan `system.run.prepare` returned, as the gateway binds an approval to it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SystemRunPlan {
    pub argv: Vec<String>,
    #[serde(default)]
    pub cwd: Option<String>,
    pub command_text: String,
    #[serde(default)]
    pub command_preview: Option<String>,
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub session_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_snapshot: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutable_file_operand: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CommandSpan {
    pub start_index: u64,
    pub end_index: u64,
}

/// `exec.approval.request` params (closed).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_argv: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_run_plan: Option<SystemRunPlan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable_decisions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_spans: Option<Vec<CommandSpan>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_source_channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_source_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_source_account_id: Option<String>,
    /// A string or a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_source_thread_id: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_reviewer_device_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_delivery_route: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppress_delivery: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_to_approval_clients_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_phase: Option<bool>,
}

/// What binds an approval for `host=node` to one run: argv, cwd, agent, session, env.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemRunBinding {
    pub argv: Vec<String>,
    pub cwd: Option<String>,
    pub agent_id: Option<String>,
    pub session_key: Option<String>,
    pub env_hash: Option<String>,
}

/// The stored `request` of an approval, as `exec.approval.list` and the events carry it.
/// Fields the real leaves undefined are skipped; the others are `null` when unset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_preview: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_argv: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_keys: Option<Vec<String>>,
    #[serde(default)]
    pub system_run_binding: Option<SystemRunBinding>,
    #[serde(default)]
    pub system_run_plan: Option<SystemRunPlan>,
    #[serde(default)]
    pub cwd: Option<String>,
    #[serde(default)]
    pub node_id: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub security: Option<String>,
    #[serde(default)]
    pub ask: Option<String>,
    #[serde(default)]
    pub warning_text: Option<String>,
    #[serde(default)]
    pub scope: Option<Value>,
    #[serde(default)]
    pub command_analysis: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_spans: Option<Vec<CommandSpan>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable_decisions: Option<Vec<String>>,
    pub allowed_decisions: Vec<Decision>,
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub resolved_path: Option<String>,
    #[serde(default)]
    pub session_key: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub run_id: Option<String>,
    #[serde(default)]
    pub tool_call_id: Option<String>,
    #[serde(default)]
    pub turn_source_channel: Option<String>,
    #[serde(default)]
    pub turn_source_to: Option<String>,
    #[serde(default)]
    pub turn_source_account_id: Option<String>,
    #[serde(default)]
    pub turn_source_thread_id: Option<Value>,
    #[serde(default)]
    pub cron_execution_source: Option<Value>,
    #[serde(default)]
    pub cron_operation_binding: Option<Value>,
}

/// The interim `res` of a `twoPhase` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accepted {
    pub status: String,
    pub id: String,
    /// `forwarder` | `approval-client` | `turn-source` | `none`.
    pub delivery_route: String,
    pub created_at_ms: u64,
    pub expires_at_ms: u64,
}

/// The final `res` of a request, and `exec.approval.waitDecision`'s. `decision: null` means
/// it expired or had no route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionResult {
    pub id: String,
    pub decision: Option<Decision>,
    pub created_at_ms: u64,
    pub expires_at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_reason: Option<String>,
}

/// `exec.approval.resolve` params (closed). `decision` is checked after parsing, for the
/// real's `invalid decision`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResolveParams {
    pub id: String,
    pub decision: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_expires_in_days: Option<u32>,
}

/// `exec.approval.get` / `approval.get` params.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ById {
    pub id: String,
}

/// `exec.approval.get` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetResult {
    pub id: String,
    pub command_text: String,
    pub command_preview: Option<String>,
    pub allowed_decisions: Vec<Decision>,
    pub host: Option<String>,
    pub node_id: Option<String>,
    pub agent_id: Option<String>,
    pub expires_at_ms: u64,
}

/// One `exec.approval.list` entry; also the `exec.approval.requested` payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    pub approval_kind: String,
    pub id: String,
    pub request: RequestRecord,
    pub created_at_ms: u64,
    pub expires_at_ms: u64,
}

/// `exec.approval.resolved` payload. A timeout reports `deny`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolved {
    pub id: String,
    pub decision: Decision,
    pub resolved_by: Option<String>,
    pub ts: u64,
    pub request: RequestRecord,
}

/// `approval.resolve` params. Parsed loosely: a malformed verdict still names its record,
/// which the gateway then denies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UnifiedResolveParams {
    pub id: String,
    /// `exec` | `plugin` | `system-agent`.
    pub kind: String,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_expires_in_days: Option<u32>,
}

/// `approval.history` params.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// The reviewer-safe view of an exec approval (no cwd, env or plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Presentation {
    pub kind: String,
    pub command_text: String,
    pub command_preview: Option<String>,
    pub warning_text: Option<String>,
    pub host: Option<String>,
    pub node_id: Option<String>,
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Value>,
    pub allowed_decisions: Vec<Decision>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolver {
    /// `device` | `channel` | `runtime` | `system`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
}

/// `approval.get|resolve|history`'s snapshot. Terminal ones add the `resolvedAtMs` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub id: String,
    /// `pending` | `allowed` | `denied` | `expired` | `cancelled`.
    pub status: String,
    pub presentation: Presentation,
    pub url_path: String,
    pub created_at_ms: u64,
    pub expires_at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolver: Option<Resolver>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_wire_names_and_nulls_are_the_reals() {
        let record = RequestRecord {
            command: "echo hi".into(),
            allowed_decisions: vec![Decision::AllowOnce, Decision::Deny],
            ..RequestRecord::default()
        };
        let v = serde_json::to_value(&record).unwrap();
        assert_eq!(v["allowedDecisions"], json!(["allow-once", "deny"]));
        assert_eq!(v["systemRunPlan"], Value::Null);
        assert!(v.get("commandArgv").is_none());
        let back: RequestRecord = serde_json::from_value(v).unwrap();
        assert_eq!(back, record);
        let p: Result<RequestParams, _> = serde_json::from_value(json!({"bogus": 1}));
        assert!(p.is_err());
        let done = DecisionResult {
            id: "a".into(),
            decision: None,
            created_at_ms: 1,
            expires_at_ms: 2,
            terminal_reason: None,
        };
        assert_eq!(
            serde_json::to_value(done).unwrap(),
            json!({"id": "a", "decision": null, "createdAtMs": 1, "expiresAtMs": 2})
        );
    }
}
