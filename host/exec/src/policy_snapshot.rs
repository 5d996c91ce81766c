//! The approvals policy of one agent as `system.run.prepare` records it in the plan
//! (`policySnapshot`), and the check a delayed approval must pass: the policy a person saw
//! is still the policy, or the run asks again. Only the approvals document counts (ids and
//! usage metadata left out), in the real node host's shape and order.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

/// One allowlist rule: `(pattern, argPattern, source)`, ordered by UTF-8 bytes with an
/// absent field first, as the real sorts them.
pub type Rule = (String, Option<String>, Option<String>);

#[derive(Debug, Clone, PartialEq)]
pub struct PolicySnapshot {
    pub security: String,
    pub ask: String,
    pub ask_fallback: String,
    pub auto_allow_skills: bool,
    pub rules: Vec<Rule>,
}

const SECURITIES: &[&str] = &["deny", "allowlist", "full"];
const ASKS: &[&str] = &["off", "on-miss", "always"];

impl PolicySnapshot {
    /// The snapshot of `doc` (the approvals document) for `agent_id` (else `default`).
    pub fn of_document(doc: &Value, agent_id: Option<&str>) -> PolicySnapshot {
        let key = agent_id.unwrap_or("default");
        let defaults = &doc["defaults"];
        let (agent, wildcard) = (&doc["agents"][key], &doc["agents"]["*"]);
        fn valid<'v>(v: &'v Value, allowed: &[&str]) -> Option<&'v str> {
            v.as_str().filter(|s| allowed.contains(s))
        }
        let field = |name: &str, allowed: &[&str], fallback: &str| {
            let default = valid(&defaults[name], allowed).unwrap_or(fallback);
            // The agent's value when it names one, else `*`'s; one that is not valid gives
            // the default, not the next layer.
            let layer = [agent, wildcard].into_iter().find(|l| !l[name].is_null());
            layer
                .map_or(default, |l| valid(&l[name], allowed).unwrap_or(default))
                .to_string()
        };
        let auto_allow_skills = [agent, wildcard, defaults]
            .iter()
            .find_map(|l| l["autoAllowSkills"].as_bool())
            .unwrap_or(false);
        let layers = [wildcard, agent];
        let rules = layers
            .iter()
            .flat_map(|l| l["allowlist"].as_array().cloned().unwrap_or_default())
            .filter_map(|entry| {
                let text = |k: &str| entry[k].as_str().map(String::from);
                let source = text("source").filter(|s| s == "allow-always");
                Some((text("pattern")?, text("argPattern"), source))
            });
        PolicySnapshot {
            security: field("security", SECURITIES, "full"),
            ask: field("ask", ASKS, "off"),
            ask_fallback: field("askFallback", SECURITIES, "deny"),
            auto_allow_skills,
            rules: canonical(rules),
        }
    }

    /// The snapshot a plan carries, or `None` when it is malformed.
    pub fn from_value(value: &Value) -> Option<PolicySnapshot> {
        let pick = |k: &str, allowed: &[&str]| {
            value[k]
                .as_str()
                .filter(|s| allowed.contains(s))
                .map(String::from)
        };
        let mut rules = Vec::new();
        for rule in value.get("allowlistRules")?.as_array()? {
            let text = |k: &str| match rule.get(k) {
                None => Some(None),
                Some(Value::String(s)) => Some(Some(s.clone())),
                Some(_) => None,
            };
            let source = text("source")?;
            if source.as_deref().is_some_and(|s| s != "allow-always") {
                return None;
            }
            rules.push((
                rule.get("pattern")?.as_str()?.to_string(),
                text("argPattern")?,
                source,
            ));
        }
        Some(PolicySnapshot {
            security: pick("security", SECURITIES)?,
            ask: pick("ask", ASKS)?,
            ask_fallback: pick("askFallback", SECURITIES)?,
            auto_allow_skills: value.get("autoAllowSkills")?.as_bool()?,
            rules: canonical(rules.into_iter()),
        })
    }

    pub fn to_value(&self) -> Value {
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|(pattern, arg_pattern, source)| {
                let mut rule = Map::new();
                rule.insert("pattern".into(), json!(pattern));
                if let Some(a) = arg_pattern {
                    rule.insert("argPattern".into(), json!(a));
                }
                if let Some(s) = source {
                    rule.insert("source".into(), json!(s));
                }
                Value::Object(rule)
            })
            .collect();
        json!({
            "security": self.security,
            "ask": self.ask,
            "askFallback": self.ask_fallback,
            "autoAllowSkills": self.auto_allow_skills,
            "allowlistRules": rules,
        })
    }

    /// Is the policy a person approved under (`self`) still `current`? The same security,
    /// ask, fallback and skills, and every rule still there; a rule that has since become an
    /// allow-always entry counts, and added rules do not matter.
    pub fn is_current(&self, current: &PolicySnapshot) -> bool {
        let now: BTreeSet<&Rule> = current.rules.iter().collect();
        self.security == current.security
            && self.ask == current.ask
            && self.ask_fallback == current.ask_fallback
            && self.auto_allow_skills == current.auto_allow_skills
            && self.rules.iter().all(|rule| {
                let upgraded = (rule.0.clone(), rule.1.clone(), Some("allow-always".into()));
                now.contains(rule) || (rule.2.is_none() && now.contains(&upgraded))
            })
    }
}

/// Deduplicated and sorted.
fn canonical(rules: impl Iterator<Item = Rule>) -> Vec<Rule> {
    rules.collect::<BTreeSet<_>>().into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_has_the_real_fields_order_and_rules() {
        let doc = json!({"version": 1,
            "defaults": {"security": "allowlist", "ask": "on-miss"},
            "agents": {
                "*": {"allowlist": [{"pattern": "/usr/bin/uname", "id": "a"}], "askFallback": "bogus"},
                "main": {"ask": "always", "allowlist": [
                    {"pattern": "/usr/bin/ls", "argPattern": "^-l$", "source": "manual", "lastUsedAt": 1},
                    {"pattern": "/usr/bin/uname", "id": "b"},
                    {"pattern": "/usr/bin/id", "source": "allow-always", "argPattern": "sha256:cwd-argv:v1:00"}]}}});
        let snapshot = PolicySnapshot::of_document(&doc, Some("main"));
        assert_eq!(
            serde_json::to_string(&snapshot.to_value()).unwrap(),
            r#"{"security":"allowlist","ask":"always","askFallback":"deny","autoAllowSkills":false,"allowlistRules":[{"pattern":"/usr/bin/id","argPattern":"sha256:cwd-argv:v1:00","source":"allow-always"},{"pattern":"/usr/bin/ls","argPattern":"^-l$"},{"pattern":"/usr/bin/uname"}]}"#
        );
        assert_eq!(
            PolicySnapshot::from_value(&snapshot.to_value()),
            Some(snapshot.clone())
        );
        // No document: the real's fallbacks.
        let empty = PolicySnapshot::of_document(&json!({}), None);
        assert_eq!(
            (
                empty.security.as_str(),
                empty.ask.as_str(),
                empty.ask_fallback.as_str()
            ),
            ("full", "off", "deny")
        );
    }

    #[test]
    fn a_snapshot_stays_current_while_rules_are_only_added_or_made_durable() {
        let doc = |allowlist: Value, ask: &str| {
            json!({"defaults": {"security": "allowlist", "ask": ask},
                   "agents": {"main": {"allowlist": allowlist}}})
        };
        let seen = PolicySnapshot::of_document(
            &doc(json!([{"pattern": "/usr/bin/ls"}]), "on-miss"),
            Some("main"),
        );
        let now = |allowlist: Value, ask: &str| {
            PolicySnapshot::of_document(&doc(allowlist, ask), Some("main"))
        };
        assert!(seen.is_current(&now(
            json!([{"pattern": "/usr/bin/ls"}, {"pattern": "/usr/bin/id"}]),
            "on-miss"
        )));
        assert!(seen.is_current(&now(
            json!([{"pattern": "/usr/bin/ls", "source": "allow-always"}]),
            "on-miss"
        )));
        assert!(!seen.is_current(&now(json!([]), "on-miss")));
        assert!(!seen.is_current(&now(json!([{"pattern": "/usr/bin/ls"}]), "always")));
    }
}
