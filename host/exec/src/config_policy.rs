//! The exec policy `openclaw.json` sets on the node (`tools.exec`, and an agent's own
//! `tools.exec` under `agents.entries.<id>` or `agents.list[]`), as the real node host reads it:
//! the built-in `full`/`off`, then the global layer, then the agent's, each overriding the last
//! (a `mode` sets both fields). The approvals document can then only tighten the result
//! (`ApprovalsStore::policy`).

use serde_json::Value;

use crate::approvals::{Ask, Security};
use crate::safe_bins::SafeBins;

/// One `tools.exec` object.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Layer {
    mode: Option<(Security, Ask)>,
    security: Option<Security>,
    ask: Option<Ask>,
}

impl Layer {
    fn read(exec: &Value) -> Layer {
        let text = |key: &str| exec[key].as_str();
        Layer {
            mode: text("mode").and_then(mode_policy),
            security: text("security").and_then(Security::parse),
            ask: text("ask").and_then(Ask::parse),
        }
    }

    /// A mode wins over the legacy fields of its own object (the schema refuses both).
    fn over(self, base: (Security, Ask)) -> (Security, Ask) {
        match self.mode {
            Some(policy) => policy,
            None => (self.security.unwrap_or(base.0), self.ask.unwrap_or(base.1)),
        }
    }
}

/// What a `tools.exec.mode` means (`auto` adds a reviewer the node does not run: to the node it
/// is `ask`).
fn mode_policy(mode: &str) -> Option<(Security, Ask)> {
    Some(match mode {
        "deny" => (Security::Deny, Ask::Off),
        "allowlist" => (Security::Allowlist, Ask::Off),
        "ask" | "auto" => (Security::Allowlist, Ask::OnMiss),
        "full" => (Security::Full, Ask::Off),
        _ => return None,
    })
}

/// The mode that means exactly `security` + `ask`, if one does.
fn exact_mode(security: Security, ask: Ask) -> Option<&'static str> {
    match (security, ask) {
        (_, Ask::Always) | (Security::Full, Ask::OnMiss) => None,
        (Security::Deny, _) => Some("deny"),
        (Security::Allowlist, Ask::Off) => Some("allowlist"),
        (Security::Allowlist, Ask::OnMiss) => Some("ask"),
        (Security::Full, Ask::Off) => Some("full"),
    }
}

/// Why a `tools.exec` object that sets `mode` beside `security` or `ask` is refused, in the
/// real CLI's words; `None` when it does not.
pub fn mode_conflict(exec: &Value) -> Option<String> {
    exec.get("mode")?;
    let field = |key: &str| exec.get(key).and_then(Value::as_str);
    let (security, ask) = (field("security"), field("ask"));
    let repair = match (security.and_then(Security::parse), ask.and_then(Ask::parse)) {
        _ if security.is_none() && ask.is_none() => return None,
        (Some(s), Some(a)) => match exact_mode(s, a) {
            Some(mode) => format!(
                "Replace security/ask with mode=\"{mode}\" (the equivalent of security=\"{}\" + ask=\"{}\").",
                s.as_str(),
                a.as_str()
            ),
            None => "This security/ask pair has no exact mode equivalent. To keep this policy, retain both legacy fields and remove mode.".into(),
        },
        _ => "The legacy policy is incomplete. Choose the intended security and ask values before converting; no mode equivalent can be inferred.".into(),
    };
    Some(format!(
        "mode cannot be combined with security or ask in the same exec object. Update the deploy script, template, or patch at this scope. {repair} Doctor migrates supported legacy policies to mode; run \"openclaw doctor --fix\" only when the saved file still needs migration."
    ))
}

/// The config's exec layers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecConfig {
    global: Layer,
    global_exec: Value,
    /// Agent ids as the real normalises them (trimmed, lowercase), with their layer and their
    /// `tools.exec` object.
    agents: Vec<(String, Layer, Value)>,
}

impl ExecConfig {
    /// The layers of a whole `openclaw.json` document.
    pub fn from_config(root: &Value) -> ExecConfig {
        let agent = |id: &str, a: &Value| {
            let exec = a["tools"]["exec"].clone();
            (normalise(id), Layer::read(&exec), exec)
        };
        let mut agents = Vec::new();
        if let Some(entries) = root["agents"]["entries"].as_object() {
            agents.extend(entries.iter().map(|(id, a)| agent(id, a)));
        }
        if let Some(list) = root["agents"]["list"].as_array() {
            agents.extend(
                list.iter()
                    .filter_map(|a| Some(agent(a["id"].as_str()?, a))),
            );
        }
        ExecConfig {
            global: Layer::read(&root["tools"]["exec"]),
            global_exec: root["tools"]["exec"].clone(),
            agents,
        }
    }

    /// The agent's entry, for a run that names one.
    fn agent(&self, agent_id: Option<&str>) -> Option<&(String, Layer, Value)> {
        let id = normalise(agent_id?);
        self.agents.iter().find(|(a, _, _)| *a == id)
    }

    /// `strictInlineEval` for a run for `agent_id`: on where the global or the agent's layer
    /// turns it on (an agent's `false` does not turn off the global `true`).
    pub fn strict_inline_eval(&self, agent_id: Option<&str>) -> bool {
        let on = |exec: &Value| exec["strictInlineEval"] == Value::Bool(true);
        on(&self.global_exec) || self.agent(agent_id).is_some_and(|(_, _, exec)| on(exec))
    }

    /// The safe bins of a run for `agent_id`.
    pub fn safe_bins(&self, agent_id: Option<&str>) -> SafeBins {
        let agent = self
            .agent(agent_id)
            .map_or(&Value::Null, |(_, _, exec)| exec);
        SafeBins::from_layers(&self.global_exec, agent)
    }

    /// The config's policy for `agent_id`: the agent's layer applies only to a run that
    /// names an agent.
    pub fn policy(&self, agent_id: Option<&str>) -> (Security, Ask) {
        let global = self.global.over((Security::Full, Ask::Off));
        self.agent(agent_id)
            .map_or(global, |(_, layer, _)| layer.over(global))
    }
}

fn normalise(id: &str) -> String {
    id.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layers_override_in_order_and_a_mode_sets_both_fields() {
        let policy =
            |config: Value, agent: Option<&str>| ExecConfig::from_config(&config).policy(agent);
        assert_eq!(policy(json!({}), None), (Security::Full, Ask::Off));
        assert_eq!(
            policy(json!({"tools": {"exec": {"mode": "ask"}}}), None),
            (Security::Allowlist, Ask::OnMiss)
        );
        assert_eq!(
            policy(json!({"tools": {"exec": {"security": "allowlist"}}}), None),
            (Security::Allowlist, Ask::Off)
        );
        // An agent's layer may loosen the global one, and applies only to runs for it.
        let split = json!({"tools": {"exec": {"mode": "deny"}},
                           "agents": {"entries": {"Main": {"tools": {"exec": {"mode": "full"}}}},
                                      "list": [{"id": "ops", "tools": {"exec": {"ask": "always"}}}]}});
        assert_eq!(
            policy(split.clone(), Some(" main ")),
            (Security::Full, Ask::Off)
        );
        assert_eq!(
            policy(split.clone(), Some("ops")),
            (Security::Deny, Ask::Always)
        );
        assert_eq!(policy(split.clone(), None), (Security::Deny, Ask::Off));
        assert_eq!(policy(split, Some("other")), (Security::Deny, Ask::Off));
        // A mode wins over legacy fields beside it.
        assert_eq!(
            policy(
                json!({"tools": {"exec": {"mode": "allowlist", "security": "full"}}}),
                None
            ),
            (Security::Allowlist, Ask::Off)
        );
    }

    #[test]
    fn a_mode_beside_legacy_fields_is_refused_with_the_real_repair() {
        let tail = " Doctor migrates supported legacy policies to mode; run \"openclaw doctor --fix\" only when the saved file still needs migration.";
        let head = "mode cannot be combined with security or ask in the same exec object. Update the deploy script, template, or patch at this scope. ";
        let conflict =
            |exec: Value| mode_conflict(&exec).map(|m| m.replace(head, "").replace(tail, ""));
        assert_eq!(conflict(json!({"mode": "full"})), None);
        assert_eq!(conflict(json!({"security": "full"})), None);
        assert_eq!(
            conflict(json!({"mode": "allowlist", "security": "full"})).as_deref(),
            Some("The legacy policy is incomplete. Choose the intended security and ask values before converting; no mode equivalent can be inferred.")
        );
        assert_eq!(
            conflict(json!({"mode": "full", "security": "allowlist", "ask": "on-miss"})).as_deref(),
            Some("Replace security/ask with mode=\"ask\" (the equivalent of security=\"allowlist\" + ask=\"on-miss\").")
        );
        assert_eq!(
            conflict(json!({"mode": "full", "security": "full", "ask": "on-miss"})).as_deref(),
            Some("This security/ask pair has no exact mode equivalent. To keep this policy, retain both legacy fields and remove mode.")
        );
        assert_eq!(exact_mode(Security::Deny, Ask::OnMiss), Some("deny"));
        assert_eq!(exact_mode(Security::Allowlist, Ask::Always), None);
    }
}
