//! Turns `exec.approval.request` params into the record the gateway stores, with the real's
//! checks and messages. For `host=node` the command, argv, cwd, agent and session come from
//! the prepared plan, never from the loose fields beside it.

use openclaw_protocol::exec_approval::{
    Decision, Presentation, RequestParams, RequestRecord, SystemRunBinding, SystemRunPlan,
};
use openclaw_protocol::frames::ErrorShape;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Longest command text an approval prompt shows (UTF-16 units, as the real counts).
const MAX_DISPLAY: usize = 16384;
const MAX_INPUT: usize = 262144;

/// Builds the stored request; `Err` is the reply.
pub fn build(p: &RequestParams) -> Result<RequestRecord, ErrorShape> {
    let host = trimmed(p.host.as_deref()).unwrap_or_default();
    let node_id = trimmed(p.node_id.as_deref()).unwrap_or_default();
    let is_node = host == "node";
    let mut plan = if is_node {
        p.system_run_plan.as_ref().and_then(normalize_plan)
    } else {
        None
    };
    if let Some(plan) = plan.as_mut() {
        // Without a preview of its own, the plan shows the request's loose command text.
        if plan.command_preview.is_none() {
            plan.command_preview =
                trimmed(p.command.as_deref()).filter(|c| *c != plan.command_text);
        }
    }
    let command_text = match &plan {
        Some(plan) => plan.command_text.clone(),
        None => p.command.clone().unwrap_or_default(),
    };
    let command_argv = match &plan {
        Some(plan) => Some(plan.argv.clone()),
        None => p.command_argv.clone().filter(|a| !a.is_empty()),
    };
    let cwd = plan
        .as_ref()
        .map_or_else(|| trimmed(p.cwd.as_deref()), |pl| pl.cwd.clone());
    let agent_id = plan
        .as_ref()
        .map_or_else(|| trimmed(p.agent_id.as_deref()), |pl| pl.agent_id.clone());
    let session_key = plan.as_ref().map_or_else(
        || trimmed(p.session_key.as_deref()),
        |pl| pl.session_key.clone(),
    );

    let invalid = ErrorShape::invalid_request;
    if is_node && node_id.is_empty() {
        return Err(invalid("nodeId is required for host=node"));
    }
    if is_node && plan.is_none() {
        return Err(invalid("systemRunPlan is required for host=node"));
    }
    if command_text.trim().is_empty() {
        return Err(invalid("command is required"));
    }
    if p.id.as_deref().is_some_and(|id| id.starts_with("plugin:")) {
        return Err(invalid("approval ids starting with plugin: are reserved"));
    }
    if is_node && command_argv.as_ref().is_none_or(|a| a.is_empty()) {
        return Err(invalid("commandArgv is required for host=node"));
    }
    let command = display_text(&command_text).ok_or_else(|| {
        invalid("command exceeds exec approval display limit")
            .with_details(json!({"reason": "EXEC_APPROVAL_COMMAND_DISPLAY_LIMIT"}))
    })?;
    let (env_hash, env_keys) = env_binding(p.env.as_ref());
    let unavailable: Vec<String> = p
        .unavailable_decisions
        .iter()
        .flatten()
        .filter(|d| *d == "allow-always")
        .take(1)
        .cloned()
        .collect();
    Ok(RequestRecord {
        command,
        // The real computes a preview only from a node plan, and then does not store it.
        command_preview: None,
        command_argv: if is_node { None } else { command_argv.clone() },
        env_keys: (!env_keys.is_empty()).then_some(env_keys),
        system_run_binding: is_node.then(|| SystemRunBinding {
            argv: command_argv.clone().unwrap_or_default(),
            cwd: cwd.clone(),
            agent_id: agent_id.clone(),
            session_key: session_key.clone(),
            env_hash: env_hash.clone(),
        }),
        system_run_plan: plan,
        cwd: cwd.as_deref().map(display_lossy),
        node_id: is_node.then(|| node_id.clone()),
        host: (!host.is_empty()).then(|| display_lossy(&host)),
        security: p
            .security
            .clone()
            .filter(|s| ["deny", "allowlist", "full"].contains(&s.as_str())),
        ask: p
            .ask
            .clone()
            .filter(|s| ["off", "on-miss", "always"].contains(&s.as_str())),
        warning_text: trimmed(p.warning_text.as_deref()).map(|w| display_lossy(&w)),
        scope: p.scope.clone(),
        command_analysis: None,
        command_spans: None,
        allowed_decisions: allowed_decisions(p.ask.as_deref(), !unavailable.is_empty()),
        unavailable_decisions: (!unavailable.is_empty()).then_some(unavailable),
        agent_id,
        resolved_path: p.resolved_path.as_deref().map(display_lossy),
        session_key,
        session_id: trimmed(p.session_id.as_deref()),
        run_id: trimmed(p.run_id.as_deref()),
        tool_call_id: trimmed(p.tool_call_id.as_deref()),
        turn_source_channel: trimmed(p.turn_source_channel.as_deref()),
        turn_source_to: trimmed(p.turn_source_to.as_deref()),
        turn_source_account_id: trimmed(p.turn_source_account_id.as_deref()),
        turn_source_thread_id: p.turn_source_thread_id.clone().filter(|v| !v.is_null()),
        cron_execution_source: None,
        cron_operation_binding: None,
    })
}

/// `ask=always` never offers allow-always; neither does a request that says it is unavailable.
fn allowed_decisions(ask: Option<&str>, no_always: bool) -> Vec<Decision> {
    if ask == Some("always") || no_always {
        vec![Decision::AllowOnce, Decision::Deny]
    } else {
        vec![Decision::AllowOnce, Decision::AllowAlways, Decision::Deny]
    }
}

/// The plan as the real normalizes it: argv and command text required, strings trimmed.
pub fn normalize_plan(plan: &SystemRunPlan) -> Option<SystemRunPlan> {
    if plan.argv.is_empty() {
        return None;
    }
    let command_text = trimmed(Some(&plan.command_text))?;
    let preview = trimmed(plan.command_preview.as_deref()).filter(|p| *p != command_text);
    Some(SystemRunPlan {
        argv: plan.argv.clone(),
        cwd: trimmed(plan.cwd.as_deref()),
        command_text,
        // The real computes a preview only from a node plan, and then does not store it.
        command_preview: preview,
        agent_id: trimmed(plan.agent_id.as_deref()),
        session_key: trimmed(plan.session_key.as_deref()),
        policy_snapshot: plan.policy_snapshot.clone(),
        mutable_file_operand: plan.mutable_file_operand.clone().filter(|v| !v.is_null()),
    })
}

/// The reviewer-safe presentation of a request.
pub fn presentation(r: &RequestRecord) -> Presentation {
    let node = r.host.as_deref() == Some("node");
    let plan = r.system_run_plan.as_ref().filter(|_| node);
    let source = if r.command.is_empty() {
        plan.map(|p| p.command_text.clone()).unwrap_or_default()
    } else {
        r.command.clone()
    };
    let command_text = display_lossy(&source);
    let preview = r
        .command_preview
        .clone()
        .or_else(|| plan.and_then(|p| p.command_preview.clone()))
        .and_then(|p| trimmed(Some(&p)))
        .map(|p| display_lossy(&p))
        .filter(|p| *p != command_text);
    let mut allowed = r.allowed_decisions.clone();
    if !allowed.contains(&Decision::Deny) {
        allowed.push(Decision::Deny);
    }
    Presentation {
        kind: "exec".into(),
        command_text,
        // The real computes a preview only from a node plan, and then does not store it.
        command_preview: preview,
        warning_text: r.warning_text.clone().filter(|w| !w.trim().is_empty()),
        host: r.host.clone(),
        node_id: r.node_id.clone(),
        agent_id: r.agent_id.clone(),
        scope: r.scope.clone(),
        allowed_decisions: allowed,
    }
}

/// Env overrides bound by a hash of their sorted `[key, value]` pairs, and their keys.
pub fn env_binding(
    env: Option<&std::collections::BTreeMap<String, String>>,
) -> (Option<String>, Vec<String>) {
    let mut entries: Vec<(String, &String)> = env
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let key = k.trim();
            let portable = key
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '(' || c == ')');
            portable.then(|| (key.to_string(), v))
        })
        .collect();
    entries.sort();
    if entries.is_empty() {
        return (None, Vec::new());
    }
    let text = serde_json::to_string(&entries).expect("strings serialize");
    let hash = hex(&Sha256::digest(text.as_bytes()));
    (Some(hash), entries.into_iter().map(|(k, _)| k).collect())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn trimmed(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

/// Command text as a prompt shows it: invisible characters escaped as `\u{HEX}`. `None` when
/// it is past the display limit (the real refuses such a request).
fn display_text(text: &str) -> Option<String> {
    if text.encode_utf16().count() > MAX_INPUT {
        return None;
    }
    let shown = escape_invisibles(text);
    (shown.encode_utf16().count() <= MAX_DISPLAY).then_some(shown)
}

/// [`display_text`] for fields the real shows truncated rather than refuses.
fn display_lossy(text: &str) -> String {
    let shown = escape_invisibles(text);
    if shown.encode_utf16().count() <= MAX_DISPLAY {
        return shown;
    }
    let mut out = String::new();
    let mut units = 0;
    for c in shown.chars() {
        units += c.len_utf16();
        if units > MAX_DISPLAY {
            break;
        }
        out.push(c);
    }
    out + "…[truncated]"
}

fn escape_invisibles(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if invisible(c) {
            out.push_str(&format!("\\u{{{:X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Control, format and line/paragraph separator characters, and the odd spaces the real
/// also escapes (so a prompt cannot hide part of a command).
fn invisible(c: char) -> bool {
    let u = c as u32;
    c.is_control()
        || matches!(u,
            0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x08E2 | 0x180E
            | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
            | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F
            | 0x2028 | 0x2029 | 0x00A0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F
            | 0x3000 | 0x115F | 0x1160 | 0x3164 | 0xFFA0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node_params() -> RequestParams {
        RequestParams {
            host: Some("node".into()),
            node_id: Some("n1".into()),
            system_run_plan: Some(SystemRunPlan {
                argv: vec!["echo".into(), "hi".into()],
                cwd: Some(" /tmp ".into()),
                command_text: "echo hi".into(),
                agent_id: Some("main".into()),
                ..SystemRunPlan::default()
            }),
            command: Some("ignored for node".into()),
            cwd: Some("/elsewhere".into()),
            ask: Some("always".into()),
            ..RequestParams::default()
        }
    }

    #[test]
    fn a_node_request_takes_its_command_from_the_plan() {
        let r = build(&node_params()).unwrap();
        assert_eq!(r.command, "echo hi");
        assert_eq!(r.cwd.as_deref(), Some("/tmp"));
        assert_eq!(r.command_argv, None);
        let binding = r.system_run_binding.unwrap();
        assert_eq!(binding.argv, vec!["echo", "hi"]);
        assert_eq!(binding.agent_id.as_deref(), Some("main"));
        assert_eq!(
            r.allowed_decisions,
            vec![Decision::AllowOnce, Decision::Deny]
        );
    }

    #[test]
    fn the_reals_refusals() {
        let mut p = node_params();
        p.node_id = None;
        assert_eq!(
            build(&p).unwrap_err().message,
            "nodeId is required for host=node"
        );
        let mut p = node_params();
        p.system_run_plan.as_mut().unwrap().argv.clear();
        assert_eq!(
            build(&p).unwrap_err().message,
            "systemRunPlan is required for host=node"
        );
        let p = RequestParams::default();
        assert_eq!(build(&p).unwrap_err().message, "command is required");
        let p = RequestParams {
            command: Some("x".repeat(MAX_DISPLAY + 1)),
            ..RequestParams::default()
        };
        let e = build(&p).unwrap_err();
        assert_eq!(e.message, "command exceeds exec approval display limit");
    }

    #[test]
    fn invisible_characters_are_shown() {
        assert_eq!(escape_invisibles("a\u{202E}b\tc"), "a\\u{202E}b\\u{9}c");
    }

    #[test]
    fn env_binding_ignores_order_and_odd_keys() {
        let a: std::collections::BTreeMap<String, String> = [
            ("B".into(), "2".into()),
            ("A".into(), "1".into()),
            ("1X".into(), "x".into()),
        ]
        .into();
        let (hash, keys) = env_binding(Some(&a));
        assert_eq!(keys, vec!["A", "B"]);
        assert!(hash.is_some());
        assert_eq!(env_binding(None), (None, Vec::new()));
    }
}
