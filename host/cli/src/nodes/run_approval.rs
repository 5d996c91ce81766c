//! The ask step of `nodes run`, as the real gateway's exec tool takes it for `host=node`: the
//! caller's policy combined with the node's (`execPolicy` from `system.run.prepare`), an
//! `exec.approval.request` for the prepared plan, a decision (typed here on a terminal, or made
//! by anyone with `openclaw approvals resolve`), and the approved `system.run`; when nobody
//! answers in time, the agent's `askFallback` decides.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{bail, Result};
use openclaw_client::ClientError;
use openclaw_exec::PolicySnapshot;
use openclaw_protocol::exec_approvals::NodeApprovalsGet;
use openclaw_protocol::node_commands::SystemRunParams;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::operator::Operator;

/// How long an approval waits for a human (the real exec tool's 30 minutes).
const APPROVAL_TIMEOUT_MS: u64 = 1_800_000;

const SECURITY: [&str; 3] = ["deny", "allowlist", "full"];
const ASK: [&str; 3] = ["off", "on-miss", "always"];

/// The caller's and the node's exec policy, and the one that applies: the stricter security
/// and the more asking ask of the two.
pub struct Policy {
    pub host_security: Option<String>,
    pub host_ask: Option<String>,
    pub node_security: Option<String>,
    pub node_ask: Option<String>,
    /// The node told its policy (a node without `execPolicy` counts as unknown).
    pub node_known: bool,
}

impl Policy {
    pub fn combine(security: Option<&str>, ask: Option<&str>, exec_policy: &Value) -> Policy {
        let known = |v: &Value, values: &[&str]| {
            v.as_str().filter(|s| values.contains(s)).map(String::from)
        };
        Policy {
            host_security: security.map(String::from),
            host_ask: ask.map(String::from),
            node_security: known(&exec_policy["security"], &SECURITY),
            node_ask: known(&exec_policy["ask"], &ASK),
            node_known: exec_policy.is_object(),
        }
    }

    pub fn security(&self) -> Option<&str> {
        pick(&self.host_security, &self.node_security, &SECURITY, true)
    }

    pub fn ask(&self) -> Option<&str> {
        pick(&self.host_ask, &self.node_ask, &ASK, false)
    }

    /// The ask the decisions are offered for: unknown node policy counts as `always`.
    fn decision_ask(&self) -> &str {
        if self.node_known && self.node_ask.is_some() {
            self.ask().unwrap_or("off")
        } else {
            "always"
        }
    }

    pub fn refuse_if_denied(&self) -> Result<()> {
        if self.security() == Some("deny") {
            bail!("exec denied: host=node security=deny");
        }
        // The caller asked for an allowlist the node does not enforce: this CLI cannot judge the
        // node's allowlist itself, so without asking nothing can be shown to be on it.
        if self.caller_only_allowlist() && self.ask() == Some("off") {
            bail!("exec denied: host=node allowlist miss (ask=off)");
        }
        Ok(())
    }

    fn caller_only_allowlist(&self) -> bool {
        self.security() == Some("allowlist") && self.node_security.as_deref() != Some("allowlist")
    }

    /// Approval comes first: `ask=always`, or an allowlist only the caller holds.
    pub fn asks_before_running(&self) -> bool {
        match self.ask() {
            Some("always") => true,
            Some("on-miss") => self.caller_only_allowlist(),
            _ => false,
        }
    }

    /// The node refused a run that an approval would let through.
    pub fn asks_after(&self, error: &str) -> bool {
        error.contains("SYSTEM_RUN_DENIED: approval required")
            || (self.ask().is_some_and(|a| a != "off")
                && error.contains("SYSTEM_RUN_DENIED: allowlist miss"))
    }
}

/// The stricter (`lowest`) or the more asking of two settings; either alone when one is unset.
fn pick<'a>(
    a: &'a Option<String>,
    b: &'a Option<String>,
    order: &[&str],
    lowest: bool,
) -> Option<&'a str> {
    let rank = |v: &str| order.iter().position(|o| *o == v).unwrap_or(0);
    match (a.as_deref(), b.as_deref()) {
        (Some(x), Some(y)) => Some(if (rank(x) <= rank(y)) == lowest { x } else { y }),
        (x, y) => x.or(y),
    }
}

/// What a human decided, or why the run does not happen.
#[derive(Debug, PartialEq)]
enum Verdict {
    Allow(&'static str),
    /// Nobody answered and the fallback lets the node decide (`approvalSource: "ask-fallback"`).
    Fallback,
    Deny(&'static str),
}

/// Files the approval request for the prepared plan, waits for the decision, and runs the plan
/// with it; a denial prints the real exec tool's line and exits 1.
pub async fn approve_and_run<F, Fut>(
    op: &Operator,
    node_id: &str,
    prepared: &Value,
    policy: &Policy,
    env: &BTreeMap<String, String>,
    run: F,
) -> Result<Value>
where
    F: Fn(SystemRunParams) -> Fut,
    Fut: Future<Output = Result<Value, ClientError>>,
{
    let plan = &prepared["plan"];
    let coverage = &prepared["allowAlwaysCoverage"];
    // allow-always needs a grant the node can write: a complete set of patterns, for a named
    // agent (a node writes no grant for a run without one).
    let persistable = coverage["complete"] == true
        && coverage["patterns"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
        && plan["agentId"].is_string();
    let decision_ask = policy.decision_ask();
    let allow_always = decision_ask != "always" && persistable;
    let id = uuid::Uuid::new_v4().to_string();
    let mut request = json!({
        "id": id,
        "host": "node",
        "nodeId": node_id,
        "systemRunPlan": plan,
        "commandArgv": plan["argv"],
        "cwd": plan["cwd"],
    });
    if !env.is_empty() {
        request["env"] = json!(env);
    }
    if let Some(security) = policy.security() {
        request["security"] = json!(security);
    }
    request["ask"] = json!(decision_ask);
    if !allow_always {
        request["unavailableDecisions"] = json!(["allow-always"]);
    }
    request["agentId"] = plan["agentId"].clone();
    request["sessionKey"] = plan["sessionKey"].clone();
    // Whoever answers may connect after the request (`openclaw approvals resolve`): keep it
    // pending without a live approval client.
    request["requireDeliveryRoute"] = json!(false);
    request["timeoutMs"] = json!(APPROVAL_TIMEOUT_MS);
    request["twoPhase"] = json!(true);
    let long_wait = Duration::from_millis(APPROVAL_TIMEOUT_MS + 10_000);
    let filed = op
        .client
        .request_with_timeout("exec.approval.request", request, long_wait)
        .await?;
    let command = command_text(plan);
    let decisions: &[&str] = if allow_always {
        &["allow-once", "allow-always", "deny"]
    } else {
        &["allow-once", "deny"]
    };
    let decision = if let Some(decision) = filed.get("decision") {
        // The gateway settled it at once (no route, or already decided).
        decision.as_str().map(String::from)
    } else {
        let cwd = plan["cwd"].as_str().unwrap_or("(node default)");
        eprintln!("Approval required (id {id}).\nHost: node\nNode: {node_id}\nCWD: {cwd}\nCommand: {command}");
        eprintln!(
            "Resolve with: openclaw approvals resolve {id} {}",
            decisions.join("|")
        );
        if !allow_always {
            eprintln!("Allow Always is unavailable for this command.");
        }
        decide(op, &id, decisions).await?
    };
    let verdict = match decision.as_deref() {
        Some("allow-always") if allow_always => Verdict::Allow("allow-always"),
        Some("allow-once" | "allow-always") => Verdict::Allow("allow-once"),
        Some(_) => Verdict::Deny("user-denied"),
        None => {
            let agent = plan["agentId"].as_str();
            timeout_verdict(current_approvals(op, node_id).await.as_ref(), agent)
        }
    };
    let decision = match verdict {
        Verdict::Allow(decision) => Some(decision),
        Verdict::Fallback => None,
        Verdict::Deny(reason) => {
            eprintln!("Exec denied (node={node_id} id={id}, {reason}): {command}");
            std::process::exit(1);
        }
    };
    let text = |key: &str| plan[key].as_str().map(String::from);
    let (approved, approval_decision, approval_source) = match decision {
        Some(decision) => (Some(true), Some(decision.to_string()), None),
        None => (None, None, Some("ask-fallback".to_string())),
    };
    let params = SystemRunParams {
        command: serde_json::from_value(plan["argv"].clone()).unwrap_or_default(),
        raw_command: text("commandText"),
        system_run_plan: Some(plan.clone()),
        cwd: text("cwd"),
        env: (!env.is_empty()).then(|| env.clone()),
        agent_id: text("agentId"),
        session_key: text("sessionKey"),
        approved,
        approval_decision,
        approval_source,
        run_id: Some(id.to_string()),
        suppress_notify_on_exit: Some(true),
        ..Default::default()
    };
    Ok(run(params).await?)
}

/// The node's approvals document as it is now (the fallback may have changed since the ask),
/// or `None` when it cannot be read.
async fn current_approvals(op: &Operator, node_id: &str) -> Option<Value> {
    let params = NodeApprovalsGet {
        node_id: node_id.to_string(),
    };
    let snapshot = op
        .call(
            "exec.approvals.node.get",
            serde_json::to_value(params).ok()?,
        )
        .await
        .ok()?;
    Some(snapshot["file"].clone()).filter(Value::is_object)
}

/// A timed-out approval, as the real exec tool's `resolveCurrentTimeoutFallback`: the agent's
/// `askFallback` `deny` stops the run; `allowlist` or `full` sends it on as an ask-fallback
/// run, and the node holds it to its own fallback.
fn timeout_verdict(approvals: Option<&Value>, agent: Option<&str>) -> Verdict {
    let Some(file) = approvals else {
        return Verdict::Deny("approval-timeout: policy-unavailable");
    };
    match PolicySnapshot::of_document(file, agent)
        .ask_fallback
        .as_str()
    {
        "deny" => Verdict::Deny("approval-timeout"),
        _ => Verdict::Fallback,
    }
}

/// The plan's command as a person reads it.
fn command_text(plan: &Value) -> String {
    match plan["commandText"].as_str() {
        Some(text) => text.to_string(),
        None => plan["argv"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default(),
    }
}

/// The decision: typed here when stdin is a terminal and this connection may resolve
/// approvals, else (or whichever comes first) the one `exec.approval.waitDecision` reports.
/// `None` when the approval expired.
async fn decide(op: &Operator, id: &str, decisions: &[&str]) -> Result<Option<String>> {
    let scopes = &op.client.hello().auth.scopes;
    let may_resolve = scopes
        .iter()
        .any(|s| s == "operator.approvals" || s == "operator.admin");
    if !(may_resolve && std::io::stdin().is_terminal()) {
        eprintln!("Waiting for a decision...");
        return wait_decision(op, id).await;
    }
    let typed = prompt(decisions);
    tokio::select! {
        waited = wait_decision(op, id) => waited,
        typed = typed => match typed {
            Ok(decision) => {
                let resolved = op
                    .call("exec.approval.resolve", json!({"id": id, "decision": decision}))
                    .await;
                match resolved {
                    Ok(_) => Ok(Some(decision.to_string())),
                    // Someone else was first: theirs is the decision.
                    Err(_) => wait_decision(op, id).await,
                }
            }
            // No answer on the terminal (end of input): wait for one from elsewhere.
            Err(_) => wait_decision(op, id).await,
        },
    }
}

/// Asks on the terminal in a thread of its own (a blocked read must not hold the process).
fn prompt(decisions: &[&str]) -> oneshot::Receiver<&'static str> {
    let (tx, rx) = oneshot::channel();
    let always = decisions.contains(&"allow-always");
    std::thread::spawn(move || {
        let question = if always {
            "Allow once [o], allow always [a], or deny [d]? "
        } else {
            "Allow once [o] or deny [d]? "
        };
        loop {
            eprint!("{question}");
            let mut line = String::new();
            match std::io::stdin().read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let choice = match line.trim().to_lowercase().as_str() {
                "o" | "once" | "allow-once" => "allow-once",
                "a" | "always" | "allow-always" if always => "allow-always",
                "d" | "deny" => "deny",
                _ => continue,
            };
            tx.send(choice).ok();
            return;
        }
    });
    rx
}

/// `exec.approval.waitDecision`; an approval the gateway no longer knows has expired.
async fn wait_decision(op: &Operator, id: &str) -> Result<Option<String>> {
    let wait = Duration::from_millis(APPROVAL_TIMEOUT_MS + 10_000);
    match op
        .client
        .request_with_timeout("exec.approval.waitDecision", json!({ "id": id }), wait)
        .await
    {
        Ok(reply) => Ok(reply["decision"].as_str().map(String::from)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The real client's test for a vanished approval (`isApprovalNotFoundError`).
fn is_not_found(e: &ClientError) -> bool {
    e.error_shape().is_some_and(|s| {
        s.code == "APPROVAL_NOT_FOUND"
            || s.details
                .as_ref()
                .is_some_and(|d| d["reason"] == "APPROVAL_NOT_FOUND")
            || s.message.contains("unknown or expired approval id")
            || s.message.contains("approval expired or not found")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(security: Option<&str>, ask: Option<&str>, node: Value) -> Policy {
        Policy::combine(security, ask, &node)
    }

    #[test]
    fn the_stricter_security_and_the_more_asking_ask_apply() {
        let p = policy(
            Some("full"),
            Some("off"),
            json!({"security": "allowlist", "ask": "on-miss"}),
        );
        assert_eq!(
            (p.security(), p.ask()),
            (Some("allowlist"), Some("on-miss"))
        );
        let p = policy(
            Some("allowlist"),
            Some("always"),
            json!({"security": "full", "ask": "off"}),
        );
        assert_eq!((p.security(), p.ask()), (Some("allowlist"), Some("always")));
        let p = policy(None, None, json!({"security": "deny", "ask": "off"}));
        assert_eq!(
            p.refuse_if_denied().unwrap_err().to_string(),
            "exec denied: host=node security=deny"
        );
        let p = policy(None, None, Value::Null);
        assert_eq!((p.security(), p.ask()), (None, None));
        assert!(p.refuse_if_denied().is_ok());
        assert!(!p.asks_before_running());
    }

    #[test]
    fn when_to_ask() {
        let node_allowlist = json!({"security": "allowlist", "ask": "on-miss"});
        // The node enforces its allowlist: try, and ask on its refusal.
        let p = policy(None, None, node_allowlist.clone());
        assert!(!p.asks_before_running());
        assert!(p.asks_after("UNAVAILABLE: SYSTEM_RUN_DENIED: approval required"));
        assert!(p.asks_after("SYSTEM_RUN_DENIED: allowlist miss"));
        assert!(!p.asks_after("SYSTEM_RUN_DISABLED: security=deny"));
        let p = policy(None, None, json!({"security": "allowlist", "ask": "off"}));
        assert!(!p.asks_after("SYSTEM_RUN_DENIED: allowlist miss"));
        assert!(policy(None, Some("always"), node_allowlist).asks_before_running());
        // An allowlist only the caller holds: ask first, or refuse without asking.
        let full = json!({"security": "full", "ask": "off"});
        assert!(policy(Some("allowlist"), Some("on-miss"), full.clone()).asks_before_running());
        assert_eq!(
            policy(Some("allowlist"), Some("off"), full.clone())
                .refuse_if_denied()
                .unwrap_err()
                .to_string(),
            "exec denied: host=node allowlist miss (ask=off)"
        );
        assert!(!policy(Some("full"), Some("on-miss"), full).asks_before_running());
    }

    #[test]
    fn a_timeout_goes_on_only_as_far_as_the_agents_fallback() {
        let doc = json!({"version": 1, "defaults": {"askFallback": "allowlist"},
                         "agents": {"ops": {"askFallback": "deny"}, "ci": {"askFallback": "full"}}});
        assert_eq!(timeout_verdict(Some(&doc), None), Verdict::Fallback);
        assert_eq!(
            timeout_verdict(Some(&doc), Some("ops")),
            Verdict::Deny("approval-timeout")
        );
        assert_eq!(timeout_verdict(Some(&doc), Some("ci")), Verdict::Fallback);
        // The real default is deny; an unreadable policy denies too, saying so.
        let bare = json!({"version": 1});
        assert_eq!(
            timeout_verdict(Some(&bare), None),
            Verdict::Deny("approval-timeout")
        );
        assert_eq!(
            timeout_verdict(None, None),
            Verdict::Deny("approval-timeout: policy-unavailable")
        );
    }

    #[test]
    fn decisions_follow_the_known_ask() {
        let p = policy(
            None,
            None,
            json!({"security": "allowlist", "ask": "on-miss"}),
        );
        assert_eq!(p.decision_ask(), "on-miss");
        let p = policy(
            None,
            Some("always"),
            json!({"security": "full", "ask": "off"}),
        );
        assert_eq!(p.decision_ask(), "always");
        // An older node that does not tell its policy: allow-always is never offered.
        let p = policy(None, Some("on-miss"), Value::Null);
        assert_eq!(p.decision_ask(), "always");
    }
}
