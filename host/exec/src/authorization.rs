//! Committing an approved run, as the real node host commits it under the approvals lock:
//! the policy it was judged under must still hold (else `approval state could not be
//! persisted`), an "allow always" is written in the same step, and the same check runs once
//! more just before the process starts (else `exec approval changed before execution`).

use std::path::Path;

use serde_json::Value;

use crate::allow_always::Coverage;
use crate::analysis::{self, Context};
use crate::approval::{Approval, Decision, Grant};
use crate::approvals::{Ask, Security};
use crate::inline_eval;
use crate::policy_snapshot::PolicySnapshot;

/// What an approved run was judged under.
pub struct Authorization<'a> {
    pub approval: &'a Approval,
    pub agent_id: Option<&'a str>,
    /// The security and ask the run was decided with (after any fallback).
    pub security: Security,
    pub ask: Ask,
}

impl Authorization<'_> {
    /// Does the approvals document `doc` still allow the run as it was judged?
    pub fn still_holds(&self, doc: &Value) -> bool {
        let now = PolicySnapshot::of_document(doc, self.agent_id);
        let parse_security = |s: &str| Security::parse(s).unwrap_or(Security::Deny);
        let security = self.security.min(parse_security(&now.security));
        let ask = self.ask.max(Ask::parse(&now.ask).unwrap_or(Ask::Always));
        if security == Security::Deny {
            return false;
        }
        match &self.approval.grant {
            Grant::Explicit(_) | Grant::AutoReview => {
                let seen = self.approval.plan.policy_snapshot.as_ref();
                seen.is_some_and(|s| s.is_current(&now))
                    && (self.approval.grant != Grant::AutoReview || ask != Ask::Always)
            }
            Grant::AskFallback => {
                let fallback = security.min(parse_security(&now.ask_fallback));
                fallback != Security::Deny && fallback == self.security
            }
        }
    }
}

/// What "allow always" writes for `argv` run in `cwd`: `None` for a one-shot command (its
/// programs cannot be read, it evaluates inline code, or no program has a real path).
pub fn allow_always_grant(
    approval: &Approval,
    argv: &[String],
    cwd: &Path,
    path_env: &str,
) -> Option<Coverage> {
    if approval.decision() != Some(Decision::AllowAlways) {
        return None;
    }
    let cx = Context { path_env, cwd };
    let analysis = analysis::analyse(argv, &cx).ok()?;
    if inline_eval::in_command(argv, &cx).is_some() {
        return None;
    }
    let coverage = Coverage::of(&analysis.segments, cwd, |_| false);
    (!coverage.patterns.is_empty()).then_some(coverage)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::approval::{ApprovedPlan, Grant};

    fn approval(grant: Grant, seen: &Value) -> Approval {
        Approval {
            grant,
            plan: ApprovedPlan {
                argv: vec!["/usr/bin/id".into()],
                cwd: None,
                command_text: "/usr/bin/id".into(),
                agent_id: Some("main".into()),
                session_key: None,
                policy_snapshot: Some(PolicySnapshot::of_document(seen, Some("main"))),
                script: None,
            },
        }
    }

    /// The check made under the approvals lock and again just before the start: any change
    /// that would have changed the decision ends the run.
    #[test]
    fn an_approval_holds_only_while_its_policy_does() {
        let doc = |security: &str, fallback: &str, rules: Value| {
            json!({"version": 1, "defaults": {"security": security, "ask": "on-miss",
                   "askFallback": fallback}, "agents": {"main": {"allowlist": rules}}})
        };
        let seen = doc(
            "allowlist",
            "allowlist",
            json!([{"pattern": "/usr/bin/ls"}]),
        );
        let explicit = approval(Grant::Explicit(None), &seen);
        let holds = |a: &Approval, security: Security, now: &Value| {
            Authorization {
                approval: a,
                agent_id: Some("main"),
                security,
                ask: Ask::OnMiss,
            }
            .still_holds(now)
        };
        assert!(holds(&explicit, Security::Allowlist, &seen));
        let more = doc(
            "allowlist",
            "allowlist",
            json!([{"pattern": "/usr/bin/ls"}, {"pattern": "/x"}]),
        );
        assert!(
            holds(&explicit, Security::Allowlist, &more),
            "added rules do not matter"
        );
        assert!(!holds(
            &explicit,
            Security::Allowlist,
            &doc("deny", "allowlist", json!([]))
        ));
        assert!(!holds(
            &explicit,
            Security::Allowlist,
            &doc("allowlist", "allowlist", json!([]))
        ));

        let fallback = approval(Grant::AskFallback, &seen);
        assert!(holds(&fallback, Security::Allowlist, &seen));
        // The node's fallback went to deny, or no longer gives the security the run was judged
        // under.
        assert!(!holds(
            &fallback,
            Security::Allowlist,
            &doc("allowlist", "deny", json!([]))
        ));
        assert!(!holds(&fallback, Security::Full, &seen));
    }
}
