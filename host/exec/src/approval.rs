//! An approval the gateway forwards with `system.run`: a person allowed the prepared plan
//! (`approved` / `approvalDecision`), or the approval timed out and the gateway's
//! `askFallback` let it run (`approvalSource: "ask-fallback"`). The node reads these fields
//! from the invoke itself, never from a plugin, and checks them as the real node host does
//! before its policy runs: the plan must be the one the request carries.

use serde::Deserialize;
use serde_json::Value;

use crate::policy_snapshot::PolicySnapshot;
use crate::script_operand::ScriptOperand;
use crate::ExecError;

/// The approval fields of one invoke, as sent (checked by [`Approval::parse`]).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ApprovalFields {
    #[serde(default)]
    pub approved: Option<Value>,
    #[serde(default, rename = "approvalDecision")]
    pub decision: Option<Value>,
    #[serde(default, rename = "approvalSource")]
    pub source: Option<Value>,
    #[serde(default, rename = "systemRunPlan")]
    pub plan: Option<Value>,
}

impl ApprovalFields {
    pub fn is_empty(&self) -> bool {
        *self == ApprovalFields::default()
    }
}

/// What a person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    AllowOnce,
    AllowAlways,
}

/// How the run was authorised.
#[derive(Debug, Clone, PartialEq)]
pub enum Grant {
    /// A person approved it (`approved: true`, maybe with a decision).
    Explicit(Option<Decision>),
    /// The gateway's automatic reviewer approved it, once.
    AutoReview,
    /// The approval timed out and the gateway's `askFallback` allows a run: the node's own
    /// `askFallback` decides how far.
    AskFallback,
}

/// The plan the approval was given for: `system.run.prepare`'s `plan`, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovedPlan {
    pub argv: Vec<String>,
    pub cwd: Option<String>,
    pub command_text: String,
    pub agent_id: Option<String>,
    pub session_key: Option<String>,
    pub policy_snapshot: Option<PolicySnapshot>,
    /// The script the plan runs, by its content (`mutableFileOperand`).
    pub script: Option<ScriptOperand>,
}

/// A checked approval.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub grant: Grant,
    pub plan: ApprovedPlan,
}

/// The request an approval must match, as the node reads it.
pub struct Bound<'a> {
    pub argv: &'a [String],
    /// The argv formatted, as the plan's `commandText` is.
    pub command_text: &'a str,
    pub cwd: Option<&'a str>,
    pub agent_id: Option<&'a str>,
    pub session_key: Option<&'a str>,
}

impl Approval {
    /// The approval `fields` carry for `request`, `None` when they carry none, or the real
    /// node host's refusal (`INVALID_REQUEST`), in its order.
    pub fn parse(fields: &ApprovalFields, request: &Bound) -> Result<Option<Approval>, ExecError> {
        let plan = match &fields.plan {
            None => None,
            Some(value) => Some(
                ApprovedPlan::from_value(value)
                    .ok_or_else(|| ExecError::invalid("systemRunPlan invalid"))?,
            ),
        };
        let source = match &fields.source {
            None => None,
            Some(Value::String(s)) if s == "ask-fallback" => Some(Grant::AskFallback),
            Some(Value::String(s)) if s == "auto-review" => Some(Grant::AutoReview),
            Some(_) => return Err(ExecError::invalid("approvalSource invalid")),
        };
        if source.is_some() && (fields.approved.is_some() || fields.decision.is_some()) {
            return Err(ExecError::invalid(
                "approvalSource cannot be combined with explicit approval",
            ));
        }
        let decision = match fields.decision.as_ref().and_then(Value::as_str) {
            Some("allow-once") => Some(Decision::AllowOnce),
            Some("allow-always") => Some(Decision::AllowAlways),
            _ => None,
        };
        let approved = fields.approved == Some(Value::Bool(true));
        let grant = match source {
            Some(grant) => grant,
            None if approved || decision.is_some() => Grant::Explicit(decision),
            None => return Ok(None),
        };
        let plan = plan.filter(|p| p.matches(request)).ok_or_else(|| {
            ExecError::invalid(match grant {
                Grant::Explicit(_) => "explicit approval requires matching systemRunPlan",
                _ => "approvalSource requires matching systemRunPlan",
            })
        })?;
        if grant != Grant::AskFallback && plan.policy_snapshot.is_none() {
            return Err(ExecError::invalid(
                "delayed approval requires a prepared policy snapshot",
            ));
        }
        Ok(Some(Approval { grant, plan }))
    }

    /// The decision the policy sees: an automatic review counts as one approval.
    pub fn decision(&self) -> Option<Decision> {
        match self.grant {
            Grant::Explicit(d) => d,
            Grant::AutoReview => Some(Decision::AllowOnce),
            Grant::AskFallback => None,
        }
    }

    /// A person (or the reviewer) approved this very run: the ask is satisfied.
    pub fn approved_by_ask(&self) -> bool {
        !matches!(self.grant, Grant::AskFallback)
    }
}

/// A string that is not empty once trimmed, trimmed.
fn non_empty(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

impl ApprovedPlan {
    /// The plan as the real node host normalises it, or `None` when it is malformed.
    fn from_value(value: &Value) -> Option<ApprovedPlan> {
        let plan = value.as_object()?;
        let argv: Vec<String> = plan
            .get("argv")?
            .as_array()?
            .iter()
            .map(|a| a.as_str().map(String::from))
            .collect::<Option<_>>()?;
        if argv.is_empty() {
            return None;
        }
        let policy_snapshot = match plan.get("policySnapshot") {
            None => None,
            Some(snapshot) => Some(PolicySnapshot::from_value(snapshot)?),
        };
        let script = match plan.get("mutableFileOperand") {
            None => None,
            Some(operand) => Some(ScriptOperand::from_value(operand)?),
        };
        let text = |key: &str| plan.get(key).and_then(non_empty);
        Some(ApprovedPlan {
            argv,
            cwd: text("cwd"),
            command_text: text("commandText").or_else(|| text("rawCommand"))?,
            agent_id: text("agentId"),
            session_key: text("sessionKey"),
            policy_snapshot,
            script,
        })
    }

    /// The plan is the request's: argv, command text, directory, agent and session.
    fn matches(&self, request: &Bound) -> bool {
        let trimmed =
            |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        self.argv == request.argv
            && self.command_text == request.command_text
            && self.cwd == trimmed(request.cwd)
            && self.agent_id == trimmed(request.agent_id)
            && self.session_key == trimmed(request.session_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> ApprovalFields {
        serde_json::from_value(v).unwrap()
    }

    fn snapshot() -> Value {
        json!({"security": "allowlist", "ask": "on-miss", "askFallback": "deny",
               "autoAllowSkills": false, "allowlistRules": []})
    }

    fn plan() -> Value {
        json!({"argv": ["/usr/bin/uname", "-a"], "cwd": "/tmp", "commandText": "/usr/bin/uname -a",
               "agentId": "main", "sessionKey": null, "policySnapshot": snapshot()})
    }

    fn parse(v: Value) -> Result<Option<Approval>, String> {
        let argv = vec!["/usr/bin/uname".to_string(), "-a".to_string()];
        let bound = Bound {
            argv: &argv,
            command_text: "/usr/bin/uname -a",
            cwd: Some("/tmp"),
            agent_id: Some("main"),
            session_key: None,
        };
        Approval::parse(&fields(v), &bound).map_err(|e| e.message)
    }

    #[test]
    fn an_approval_must_carry_the_plan_of_the_request() {
        let ok = parse(
            json!({"approved": true, "approvalDecision": "allow-always", "systemRunPlan": plan()}),
        )
        .unwrap()
        .unwrap();
        assert_eq!(ok.grant, Grant::Explicit(Some(Decision::AllowAlways)));
        assert_eq!(parse(json!({"systemRunPlan": plan()})), Ok(None));
        let fallback = parse(json!({"approvalSource": "ask-fallback", "systemRunPlan": plan()}));
        assert_eq!(fallback.unwrap().unwrap().grant, Grant::AskFallback);

        let refused = |v: Value| parse(v).unwrap_err();
        let mut other_argv = plan();
        other_argv["argv"] = json!(["/usr/bin/id"]);
        assert_eq!(
            refused(json!({"approved": true, "systemRunPlan": other_argv})),
            "INVALID_REQUEST: explicit approval requires matching systemRunPlan"
        );
        let mut other_cwd = plan();
        other_cwd["cwd"] = json!("/");
        assert_eq!(
            refused(json!({"approvalSource": "ask-fallback", "systemRunPlan": other_cwd})),
            "INVALID_REQUEST: approvalSource requires matching systemRunPlan"
        );
        let mut other_agent = plan();
        other_agent["agentId"] = json!("ops");
        assert!(
            refused(json!({"approved": true, "systemRunPlan": other_agent})).contains("matching")
        );
        assert!(refused(json!({"approvalDecision": "allow-once"})).contains("matching"));
        assert_eq!(
            refused(json!({"approved": true, "systemRunPlan": {"argv": []}})),
            "INVALID_REQUEST: systemRunPlan invalid"
        );
        assert_eq!(
            refused(json!({"approvalSource": "person"})),
            "INVALID_REQUEST: approvalSource invalid"
        );
        assert_eq!(
            refused(
                json!({"approvalSource": "ask-fallback", "approved": true, "systemRunPlan": plan()})
            ),
            "INVALID_REQUEST: approvalSource cannot be combined with explicit approval"
        );
        let mut no_snapshot = plan();
        no_snapshot
            .as_object_mut()
            .unwrap()
            .remove("policySnapshot");
        assert_eq!(
            refused(json!({"approved": true, "systemRunPlan": no_snapshot.clone()})),
            "INVALID_REQUEST: delayed approval requires a prepared policy snapshot"
        );
        // The fallback needs no snapshot.
        assert!(
            parse(json!({"approvalSource": "ask-fallback", "systemRunPlan": no_snapshot})).is_ok()
        );
        let mut bad_snapshot = plan();
        bad_snapshot["policySnapshot"]["ask"] = json!("sometimes");
        assert_eq!(
            refused(json!({"approved": true, "systemRunPlan": bad_snapshot})),
            "INVALID_REQUEST: systemRunPlan invalid"
        );
    }
}
