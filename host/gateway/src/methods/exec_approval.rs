//! `exec.approval.request|waitDecision|resolve|get|list`: whoever runs a command that needs a
//! person's yes asks here, approval clients hear of it and answer, the asker waits.

use std::sync::Arc;

use openclaw_protocol::errors::ErrorCode;
use openclaw_protocol::exec_approval::{
    Accepted, ById, Decision, DecisionResult, GetResult, RequestParams, ResolveParams, Resolver,
    DEFAULT_TIMEOUT_MS,
};
use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::now_ms;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::{parse, to_value, Interim, Reply};
use crate::approvals::record::{ApprovalRecord, Settlement, Status};
use crate::approvals::{self, publish, request, Lookup, Outcome};
use crate::session::Session;
use crate::state::Gateway;
use crate::store::StoreError;

pub async fn request(
    gw: Arc<Gateway>,
    session: Arc<Session>,
    params: Value,
    interim: Interim,
) -> Reply {
    let p: RequestParams = parse("exec.approval.request", params)?;
    if p.timeout_ms == Some(0) {
        return Err(ErrorShape::invalid_params(
            "exec.approval.request",
            "timeoutMs must be >= 1",
        ));
    }
    if p.id.as_deref().is_some_and(str::is_empty) {
        return Err(ErrorShape::invalid_params(
            "exec.approval.request",
            "id must not be empty",
        ));
    }
    let request = request::build(&p)?;
    if let Some(id) = &p.id {
        if gw.approvals.get(id).is_some() {
            return Err(ErrorShape::invalid_request("approval id already pending"));
        }
        check_explicit_id(id)?;
        // A settled record of that id is still in the history: the real's store refuses it.
        if approvals::find(&gw, id)
            .map_err(|e| unavailable("request", e))?
            .is_some()
        {
            return Err(unavailable_message("request"));
        }
    }
    let now = now_ms();
    let record = ApprovalRecord {
        id: p
            .id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        presentation: request::presentation(&request),
        request,
        created_at_ms: now,
        expires_at_ms: now.saturating_add(p.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)),
        status: Status::Pending,
        decision: None,
        terminal_reason: None,
        resolved_at_ms: None,
        resolved_by: None,
        resolver: None,
        requested_by_conn_id: Some(session.conn_id.clone()),
        requested_by_device_id: session.device_id.clone(),
        requested_by_client_id: Some(session.client.id.clone()),
        consumed_at_ms: None,
        ask_fallback_consumed: false,
    };
    let mut outcome = gw
        .approvals
        .insert(&gw.store, record.clone())
        .map_err(|e| unavailable("request", e))?;
    approvals::schedule_expiry(&gw, &record.id, record.expires_at_ms);

    let told = if p.suppress_delivery == Some(true) {
        0
    } else {
        publish::requested(&gw, &record, &session.conn_id)
    };
    if p.require_delivery_route != Some(false) && told == 0 {
        // Nobody could answer: deny at once rather than let the asker wait 30 minutes.
        let how = Settlement {
            status: Status::Denied,
            decision: None,
            reason: "no-route",
            resolver: Resolver {
                kind: "system".into(),
                id: Some("no-approval-route".into()),
            },
            resolved_by: Some("no-approval-route".into()),
        };
        gw.approvals
            .settle(&gw.store, &record.id, how)
            .map_err(|e| unavailable("request", e))?;
    } else if p.two_phase == Some(true) {
        interim.send(to_value(Accepted {
            status: "accepted".into(),
            id: record.id.clone(),
            delivery_route: if told > 0 { "approval-client" } else { "none" }.into(),
            created_at_ms: record.created_at_ms,
            expires_at_ms: record.expires_at_ms,
        }));
    }
    let decision = wait(&session, &mut outcome).await?;
    Ok(to_value(DecisionResult {
        id: record.id,
        decision,
        created_at_ms: record.created_at_ms,
        expires_at_ms: record.expires_at_ms,
        terminal_reason: None,
    }))
}

pub async fn wait_decision(gw: Arc<Gateway>, session: Arc<Session>, params: Value) -> Reply {
    let id = params
        .get("id")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if id.is_empty() {
        return Err(ErrorShape::invalid_request("id is required"));
    }
    let gone = || ErrorShape::invalid_request("approval expired or not found");
    let record = gw
        .approvals
        .get(id)
        .filter(|r| publish::visible(r, &session))
        .ok_or_else(gone)?;
    let mut outcome = gw.approvals.subscribe(id).ok_or_else(gone)?;
    let decision = wait(&session, &mut outcome).await?;
    let settled = approvals::find(&gw, id).ok().flatten().unwrap_or(record);
    Ok(to_value(DecisionResult {
        id: settled.id,
        decision,
        created_at_ms: settled.created_at_ms,
        expires_at_ms: settled.expires_at_ms,
        terminal_reason: settled.terminal_reason,
    }))
}

pub fn resolve(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: ResolveParams = parse("exec.approval.resolve", params)?;
    if p.id.is_empty() {
        return Err(ErrorShape::invalid_params(
            "exec.approval.resolve",
            "id must not be empty",
        ));
    }
    let decision = Decision::parse(&p.decision)
        .ok_or_else(|| ErrorShape::invalid_request("invalid decision"))?;
    if p.reviewer.is_some() {
        // Channel reviewers belong to chat plugins, which this gateway has none of.
        return Err(not_found());
    }
    let visible = |r: &ApprovalRecord| publish::visible(r, session);
    let id = match gw.approvals.lookup(&p.id, false, visible) {
        Lookup::Found(id) => id,
        pending => {
            return match gw
                .approvals
                .lookup(&p.id, true, |r| !r.is_pending() && visible(r))
            {
                Lookup::Found(id) => repeated(gw.approvals.get(&id), decision),
                _ => Err(lookup_error(pending)),
            }
        }
    };
    let record = gw.approvals.get(&id).ok_or_else(not_found)?;
    if !record.request.allowed_decisions.contains(&decision) {
        return Err(
            ErrorShape::invalid_request("allow-always is unavailable for this command")
                .with_details(json!({"reason": "APPROVAL_ALLOW_ALWAYS_UNAVAILABLE"})),
        );
    }
    let resolved_by = session
        .client
        .display_name
        .clone()
        .or_else(|| Some(session.client.id.clone()));
    let how = Settlement {
        status: if decision == Decision::Deny {
            Status::Denied
        } else {
            Status::Allowed
        },
        decision: Some(decision),
        reason: "user",
        resolver: Resolver {
            kind: "runtime".into(),
            id: resolved_by.clone(),
        },
        resolved_by,
    };
    match gw
        .approvals
        .settle(&gw.store, &id, how)
        .map_err(|e| unavailable("resolve", e))?
    {
        Some(settled) => {
            publish::resolved(gw, &settled);
            Ok(json!({"ok": true}))
        }
        None => repeated(gw.approvals.get(&id), decision),
    }
}

pub fn get(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: ById = parse("exec.approval.get", params)?;
    if p.id.is_empty() {
        return Err(ErrorShape::invalid_params(
            "exec.approval.get",
            "id must not be empty",
        ));
    }
    let id = match gw
        .approvals
        .lookup(&p.id, false, |r| publish::visible(r, session))
    {
        Lookup::Found(id) => id,
        other => return Err(lookup_error(other)),
    };
    let r = gw.approvals.get(&id).ok_or_else(not_found)?;
    Ok(to_value(GetResult {
        id: r.id,
        command_text: r.presentation.command_text,
        command_preview: r.presentation.command_preview,
        allowed_decisions: r.request.allowed_decisions,
        host: r.request.host,
        node_id: r.request.node_id,
        agent_id: r.request.agent_id,
        expires_at_ms: r.expires_at_ms,
    }))
}

pub fn list(gw: &Arc<Gateway>, session: &Arc<Session>, _: Value) -> Reply {
    let visible: Vec<_> = gw
        .approvals
        .pending()
        .iter()
        .filter(|r| publish::visible(r, session))
        .map(ApprovalRecord::pending_view)
        .collect();
    Ok(to_value(visible))
}

/// Waits for the verdict; gives up when the asker's connection goes.
async fn wait(
    session: &Session,
    outcome: &mut watch::Receiver<Outcome>,
) -> Result<Option<Decision>, ErrorShape> {
    let abandoned = || ErrorShape::new(ErrorCode::Unavailable, "approval wait abandoned");
    tokio::select! {
        seen = outcome.wait_for(Option::is_some) => seen.ok().and_then(|o| *o).ok_or_else(abandoned),
        _ = session.out.closed() => Err(abandoned()),
    }
}

/// A second verdict: the same one is fine, another is refused.
fn repeated(record: Option<ApprovalRecord>, decision: Decision) -> Reply {
    match record {
        Some(r) if r.decision == Some(decision) => Ok(json!({"ok": true})),
        Some(_) => Err(ErrorShape::invalid_request("approval already resolved")
            .with_details(json!({"reason": "APPROVAL_ALREADY_RESOLVED"}))),
        None => Err(not_found()),
    }
}

fn lookup_error(lookup: Lookup) -> ErrorShape {
    match lookup {
        Lookup::Ambiguous => {
            ErrorShape::invalid_request("ambiguous approval id prefix; use the full id")
        }
        _ => not_found(),
    }
}

pub fn not_found() -> ErrorShape {
    ErrorShape::invalid_request("unknown or expired approval id").with_details(json!({
        "reason": "APPROVAL_NOT_FOUND",
        "remediation": "Re-request the action; pending approvals are cleared after expiry or restart.",
    }))
}

/// The real's ids: 1-128 of letters, digits, `.`, `_`, `:`, `-`, and not `.` or `..`.
fn check_explicit_id(id: &str) -> Result<(), ErrorShape> {
    let ok = id.len() <= 128
        && id != "."
        && id != ".."
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c));
    if ok {
        return Ok(());
    }
    Err(ErrorShape::invalid_request(
        "approval id must be 1-128 characters using only letters, numbers, '.', '_', ':', or '-', and cannot be '.' or '..'",
    )
    .with_details(json!({"code": "EXEC_APPROVAL_ID_INVALID", "reason": "INVALID_APPROVAL_ID"})))
}

/// Storage failed: the real's `approval <operation> unavailable`.
pub fn unavailable(operation: &str, e: StoreError) -> ErrorShape {
    tracing::error!("approval {operation} storage failure: {e}");
    unavailable_message(operation)
}

fn unavailable_message(operation: &str) -> ErrorShape {
    ErrorShape::new(
        ErrorCode::Unavailable,
        format!("approval {operation} unavailable"),
    )
}
