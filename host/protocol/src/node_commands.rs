//! The params of the node commands the gateway and the CLI both handle, typed once:
//! `system.run.prepare` and `system.run` (spec §5). The gateway forwards only
//! [`SystemRunParams::FORWARDED_KEYS`] of a caller's `system.run`, plus an approval override it
//! has checked; the CLI builds its requests from these types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `system.run.prepare`: what the node would run, planned and bound, without running it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemRunPrepareParams {
    /// The argv.
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
    /// The caller's exec security (`deny|allowlist|full`), which the node combines with its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<String>,
    /// The caller's ask mode (`off|on-miss|always`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<String>,
}

/// `system.run`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemRunParams {
    /// The argv.
    pub command: Vec<String>,
    /// The argv as text; must match it (spec §5.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_command: Option<String>,
    /// The plan `system.run.prepare` answered, as the node wrote it. For an approved run the
    /// gateway replaces it with the plan it approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_run_plan: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_screen_recording: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
    /// The approval this run stands on (`exec.approval.request`'s id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppress_notify_on_exit: Option<bool>,
    /// An approval override, which passes the gateway only for a live approval of `run_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<bool>,
    /// `allow-once` or `allow-always`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_decision: Option<String>,
    /// `ask-fallback`: the ask found nobody, and the node's fallback decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_source: Option<String>,
}

impl SystemRunParams {
    /// The keys a caller's `system.run` keeps on its way to the node (the real's
    /// `sanitizeSystemRunParamsForForwarding`); the approval override is checked apart.
    pub const FORWARDED_KEYS: &[&str] = &[
        "command",
        "rawCommand",
        "systemRunPlan",
        "cwd",
        "env",
        "timeoutMs",
        "needsScreenRecording",
        "agentId",
        "sessionKey",
        "runId",
        "suppressNotifyOnExit",
    ];

    /// The keys of the approval override.
    pub const APPROVAL_KEYS: &[&str] = &["approved", "approvalDecision", "approvalSource"];

    /// The params as JSON.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("system.run params serialize")
    }
}

impl SystemRunPrepareParams {
    /// The params as JSON.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("system.run.prepare params serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The forwarded keys and the approval keys are exactly the type's fields, so neither
    /// list can name a field the type lost, or miss one it gained.
    #[test]
    fn the_key_lists_are_the_fields_of_system_run() {
        let full = SystemRunParams {
            command: vec!["true".into()],
            raw_command: Some("true".into()),
            system_run_plan: Some(Value::Null),
            cwd: Some("/".into()),
            env: Some(BTreeMap::new()),
            timeout_ms: Some(1),
            needs_screen_recording: Some(true),
            agent_id: Some("a".into()),
            session_key: Some("s".into()),
            run_id: Some("r".into()),
            suppress_notify_on_exit: Some(true),
            approved: Some(true),
            approval_decision: Some("allow-once".into()),
            approval_source: Some("ask-fallback".into()),
        };
        let mut fields: Vec<String> = full
            .to_value()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut listed: Vec<String> = SystemRunParams::FORWARDED_KEYS
            .iter()
            .chain(SystemRunParams::APPROVAL_KEYS)
            .map(|k| k.to_string())
            .collect();
        fields.sort();
        listed.sort();
        assert_eq!(fields, listed);
    }

    #[test]
    fn unset_options_are_left_out_and_the_real_names_are_used() {
        let prepare = SystemRunPrepareParams {
            command: vec!["uname".into(), "-a".into()],
            agent_id: Some("main".into()),
            ..Default::default()
        };
        assert_eq!(
            prepare.to_value(),
            serde_json::json!({"command": ["uname", "-a"], "agentId": "main"})
        );
    }
}
