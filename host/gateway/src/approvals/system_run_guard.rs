//! What a `node.invoke system.run` may carry to the node. Only the real's allowed keys pass.
//! An approval override (`approved`, `approvalDecision`, `approvalSource`) passes only when
//! `runId` names an approval record of this gateway for this node, asked by this caller, with
//! a live verdict; the gateway then sends the approved plan (never the caller's copy) and
//! spends an allow-once. As the real's `sanitizeSystemRunParamsForForwarding`.

use std::collections::BTreeMap;

use openclaw_protocol::errors::{detail, ErrorCode};
use openclaw_protocol::exec_approval::{
    Decision, SystemRunPlan, APPROVALS_SCOPE, RESOLVED_GRACE_MS,
};
use openclaw_protocol::exec_command::{check_raw_command, shell_wrapper_script};
use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::node_commands::SystemRunParams;
use openclaw_protocol::now_ms;
use serde_json::{json, Map, Value};

use super::record::ApprovalRecord;
use super::request::{env_binding, trimmed};
use crate::session::Session;
use crate::state::Gateway;

/// The params to forward, or the refusal.
pub fn sanitize(
    gw: &Gateway,
    caller: &Session,
    node_id: &str,
    params: Option<Value>,
) -> Result<Value, ErrorShape> {
    let Some(Value::Object(raw)) = params else {
        return Err(ErrorShape::invalid_request(
            ErrorCode::InvalidRequest.node_message("command required"),
        ));
    };
    let approved = raw.get("approved") == Some(&Value::Bool(true));
    let decision = raw
        .get("approvalDecision")
        .and_then(Value::as_str)
        .and_then(Decision::parse)
        .filter(|d| *d != Decision::Deny);
    let source = match raw.get("approvalSource") {
        None | Some(Value::Null) => false,
        Some(v) if v == "ask-fallback" => true,
        Some(_) => {
            return Err(refusal(
                "INVALID_APPROVAL_SOURCE",
                "approval source invalid",
                None,
            ))
        }
    };
    if source && (raw.contains_key("approved") || raw.contains_key("approvalDecision")) {
        return Err(refusal(
            "APPROVAL_SOURCE_MISMATCH",
            "approval source cannot be combined with explicit approval",
            None,
        ));
    }
    let mut next: Map<String, Value> = raw
        .iter()
        .filter(|(k, _)| SystemRunParams::FORWARDED_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !(approved || decision.is_some() || source) {
        check_raw(&next)?;
        if !next.contains_key("runId") {
            next.insert("runId".into(), json!(uuid::Uuid::new_v4().to_string()));
        }
        return Ok(Value::Object(next));
    }
    // Stricter than the real, which lets `operator.write` try (and binds the record to the
    // requester): an approval override is an approvals act.
    if !caller.has_scope(APPROVALS_SCOPE) {
        return Err(ErrorShape::missing_scope(
            APPROVALS_SCOPE,
            &[APPROVALS_SCOPE],
        ));
    }
    let Some(run_id) = trimmed(raw.get("runId").and_then(Value::as_str)) else {
        return Err(refusal(
            "MISSING_RUN_ID",
            "approval override requires params.runId",
            None,
        ));
    };
    let run = Some(run_id.as_str());
    let Some(record) = gw.approvals.get(&run_id) else {
        return Err(refusal(
            "UNKNOWN_APPROVAL_ID",
            "unknown or expired approval id",
            run,
        ));
    };
    let timed_out = record.resolved_at_ms.is_some()
        && record.decision.is_none()
        && record.consumed_at_ms.is_none()
        && !record.ask_fallback_consumed;
    let now = now_ms();
    let deadline = match (timed_out, record.resolved_at_ms) {
        (true, Some(at)) => at + RESOLVED_GRACE_MS,
        _ => record.expires_at_ms,
    };
    if now > deadline {
        return Err(refusal("APPROVAL_EXPIRED", "approval expired", run));
    }
    check_binding(&record, caller, node_id, run)?;

    let plan = record.request.system_run_plan.clone();
    let actual = match &plan {
        Some(plan) => {
            check_caller_argv(&raw, plan, run)?;
            overwrite_from_plan(&mut next, plan);
            (
                plan.argv.clone(),
                plan.cwd.clone(),
                plan.agent_id.clone(),
                plan.session_key.clone(),
            )
        }
        None => {
            check_raw(&next)?;
            let argv = string_array(raw.get("command")).unwrap_or_default();
            let field = |k: &str| trimmed(raw.get(k).and_then(Value::as_str));
            (argv, field("cwd"), field("agentId"), field("sessionKey"))
        }
    };
    check_request_match(&record, &raw, actual, run)?;

    let unavailable = |e| {
        tracing::error!("exec approval store: {e}");
        refusal("APPROVALS_UNAVAILABLE", "exec approvals unavailable", run)
    };
    match record.decision {
        Some(d @ (Decision::AllowOnce | Decision::AllowAlways)) => {
            if source {
                return Err(refusal(
                    "APPROVAL_SOURCE_MISMATCH",
                    "approval source does not match approval record",
                    run,
                ));
            }
            if d == Decision::AllowOnce
                && !gw
                    .approvals
                    .consume_allow_once(&gw.store, &run_id)
                    .map_err(unavailable)?
            {
                return Err(approval_required(&run_id));
            }
            next.insert("approved".into(), json!(true));
            next.insert("approvalDecision".into(), json!(d.as_str()));
        }
        _ if timed_out && source && !approved && decision.is_none() => {
            if plan.is_none() {
                return Err(refusal(
                    "APPROVAL_PLAN_REQUIRED",
                    "ask fallback requires an approved execution plan",
                    run,
                ));
            }
            if !gw
                .approvals
                .consume_ask_fallback(&gw.store, &run_id)
                .map_err(unavailable)?
            {
                return Err(approval_required(&run_id));
            }
            next.insert("approvalSource".into(), json!("ask-fallback"));
        }
        _ => return Err(approval_required(&run_id)),
    }
    Ok(Value::Object(next))
}

/// The record belongs to one node, and to the device (else connection) that asked.
fn check_binding(
    record: &ApprovalRecord,
    caller: &Session,
    node_id: &str,
    run: Option<&str>,
) -> Result<(), ErrorShape> {
    if node_id.trim().is_empty() {
        return Err(refusal(
            "MISSING_NODE_ID",
            "node.invoke requires nodeId",
            run,
        ));
    }
    let Some(bound) = record.request.node_id.as_deref().filter(|n| !n.is_empty()) else {
        return Err(refusal(
            "APPROVAL_NODE_BINDING_MISSING",
            "approval id missing node binding",
            run,
        ));
    };
    if bound != node_id.trim() {
        return Err(refusal(
            "APPROVAL_NODE_MISMATCH",
            "approval id not valid for this node",
            run,
        ));
    }
    if let Some(device) = &record.requested_by_device_id {
        if caller.device_id.as_ref() != Some(device) {
            return Err(refusal(
                "APPROVAL_DEVICE_MISMATCH",
                "approval id not valid for this device",
                run,
            ));
        }
    } else if record
        .requested_by_conn_id
        .as_ref()
        .is_some_and(|c| *c != caller.conn_id)
    {
        return Err(refusal(
            "APPROVAL_CLIENT_MISMATCH",
            "approval id not valid for this client",
            run,
        ));
    }
    Ok(())
}

/// Ours, beyond the real (which silently sends the approved argv): a caller that names
/// another command than the one approved is told so.
fn check_caller_argv(
    raw: &Map<String, Value>,
    plan: &SystemRunPlan,
    run: Option<&str>,
) -> Result<(), ErrorShape> {
    match string_array(raw.get("command")) {
        Some(argv) if !argv.is_empty() && argv != plan.argv => Err(mismatch(run)),
        _ => Ok(()),
    }
}

/// The approved plan replaces whatever the caller sent for it.
fn overwrite_from_plan(next: &mut Map<String, Value>, plan: &SystemRunPlan) {
    next.insert("command".into(), json!(plan.argv));
    next.insert(
        "systemRunPlan".into(),
        serde_json::to_value(plan).expect("plans serialize"),
    );
    let preview = plan
        .command_preview
        .as_deref()
        .filter(|p| shell_wrapper_script(&plan.argv).map(str::trim) == Some(*p));
    next.insert(
        "rawCommand".into(),
        json!(preview.unwrap_or(&plan.command_text)),
    );
    for (key, value) in [
        ("cwd", &plan.cwd),
        ("agentId", &plan.agent_id),
        ("sessionKey", &plan.session_key),
    ] {
        match value {
            Some(v) => next.insert(key.into(), json!(v)),
            None => next.remove(key),
        };
    }
}

/// argv, cwd, agent, session and env must be what was approved.
fn check_request_match(
    record: &ApprovalRecord,
    raw: &Map<String, Value>,
    (argv, cwd, agent_id, session_key): (
        Vec<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
    run: Option<&str>,
) -> Result<(), ErrorShape> {
    let env: BTreeMap<String, String> = raw
        .get("env")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect();
    let (env_hash, env_keys) = env_binding(Some(&env));
    if record.request.host.as_deref() != Some("node") {
        return Err(mismatch(run));
    }
    let Some(expected) = &record.request.system_run_binding else {
        return Err(refusal_with(
            "APPROVAL_REQUEST_MISMATCH",
            "approval id does not match request",
            run,
            json!({"envKeys": env_keys}),
        ));
    };
    if expected.argv.is_empty()
        || expected.argv != argv
        || expected.cwd != cwd
        || expected.agent_id != agent_id
        || expected.session_key != session_key
    {
        return Err(mismatch(run));
    }
    match (&expected.env_hash, &env_hash) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(refusal_with(
            "APPROVAL_ENV_BINDING_MISSING",
            "approval id missing env binding for requested env overrides",
            run,
            json!({"envKeys": env_keys}),
        )),
        (Some(want), got) if Some(want) != got.as_ref() => Err(refusal_with(
            "APPROVAL_ENV_MISMATCH",
            "approval id env binding mismatch",
            run,
            json!({"envKeys": env_keys, "expectedEnvHash": want, "actualEnvHash": got}),
        )),
        _ => Ok(()),
    }
}

/// `rawCommand`, when sent, must be the argv's text (spec §5.2).
fn check_raw(params: &Map<String, Value>) -> Result<(), ErrorShape> {
    let (Some(argv), Some(raw)) = (
        string_array(params.get("command")),
        params.get("rawCommand").and_then(Value::as_str),
    ) else {
        return Ok(());
    };
    check_raw_command(&argv, raw).map_err(|expected| {
        ErrorShape::invalid_request(
            ErrorCode::InvalidRequest.node_message("rawCommand does not match command"),
        )
        .with_details(json!({"code": detail::RAW_COMMAND_MISMATCH, "expected": expected}))
    })
}

fn string_array(v: Option<&Value>) -> Option<Vec<String>> {
    serde_json::from_value(v?.clone()).ok()
}

fn mismatch(run: Option<&str>) -> ErrorShape {
    refusal(
        "APPROVAL_REQUEST_MISMATCH",
        "approval id does not match request",
        run,
    )
}

fn approval_required(run_id: &str) -> ErrorShape {
    refusal(detail::APPROVAL_REQUIRED, "approval required", Some(run_id))
}

/// The real's guard error: `INVALID_REQUEST <message>`, `details: {code, runId?}`.
fn refusal(code: &str, message: &str, run: Option<&str>) -> ErrorShape {
    refusal_with(code, message, run, json!({}))
}

fn refusal_with(code: &str, message: &str, run: Option<&str>, extra: Value) -> ErrorShape {
    let mut details = json!({"code": code});
    if let Some(run) = run {
        details["runId"] = json!(run);
    }
    if let Value::Object(extra) = extra {
        details.as_object_mut().expect("an object").extend(extra);
    }
    ErrorShape::invalid_request(message).with_details(details)
}
