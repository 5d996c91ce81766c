//! The unified `approval.get|resolve|history` (what the real CLI's `approvals resolve` uses):
//! exact ids, reviewer-safe snapshots, and a malformed verdict denies rather than errs.

use std::sync::Arc;

use openclaw_protocol::exec_approval::{
    ById, Decision, HistoryParams, Resolver, Snapshot, UnifiedResolveParams, APPROVALS_SCOPE,
};
use openclaw_protocol::frames::ErrorShape;
use serde_json::{json, Value};

use super::exec_approval::unavailable;
use super::{to_value, Reply};
use crate::approvals::record::{ApprovalRecord, Settlement, Status};
use crate::approvals::{self, publish};
use crate::session::Session;
use crate::state::Gateway;

const DEFAULT_HISTORY_LIMIT: usize = 50;

pub fn get(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: ById = serde_json::from_value(params)
        .map_err(|_| ErrorShape::invalid_request("invalid approval.get params"))?;
    if !well_formed(&p.id) {
        return Err(ErrorShape::invalid_request("invalid approval.get params"));
    }
    let record = load(gw, session, &p.id)?;
    Ok(json!({"approval": to_value(record.snapshot())}))
}

pub fn resolve(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    // Channel reviewers belong to chat plugins, which this gateway has none of.
    if params.get("reviewer").is_some() {
        return Err(not_found());
    }
    let valid: Option<UnifiedResolveParams> = serde_json::from_value(params.clone()).ok();
    let id = params
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| well_formed(id))
        .ok_or_else(not_found)?;
    let record = load(gw, session, id)?;
    if !record.is_pending() {
        return Ok(json!({"applied": false, "approval": to_value(record.snapshot())}));
    }
    let decision = valid.as_ref().map(|v| v.decision);
    let allowed = decision
        .is_some_and(|d| d == Decision::Deny || record.presentation.allowed_decisions.contains(&d));
    let kind_matches = valid
        .as_ref()
        .is_some_and(|v| v.kind == record.presentation.kind);
    let resolved_by = session
        .client
        .display_name
        .clone()
        .or_else(|| Some(session.client.id.clone()));
    let resolver = match &session.device_id {
        Some(device) => Resolver {
            kind: "device".into(),
            id: Some(device.clone()),
        },
        None => Resolver {
            kind: "runtime".into(),
            id: Some(session.client.id.clone()),
        },
    };
    let how = match decision {
        Some(d) if allowed && kind_matches => Settlement {
            status: if d == Decision::Deny {
                Status::Denied
            } else {
                Status::Allowed
            },
            decision: Some(d),
            reason: "user",
            resolver,
            resolved_by,
        },
        // A wrong kind or a decision the prompt did not offer denies the approval.
        _ => Settlement {
            status: Status::Denied,
            decision: Some(Decision::Deny),
            reason: "malformed-verdict",
            resolver,
            resolved_by,
        },
    };
    match gw
        .approvals
        .settle(&gw.store, id, how)
        .map_err(|e| unavailable("resolve", e))?
    {
        Some(settled) => {
            publish::resolved(gw, &settled);
            Ok(json!({"applied": true, "approval": to_value(settled.snapshot())}))
        }
        None => {
            let now = load(gw, session, id)?;
            Ok(json!({"applied": false, "approval": to_value(now.snapshot())}))
        }
    }
}

pub fn history(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let invalid = || ErrorShape::invalid_request("invalid approval.history params");
    let p: HistoryParams = serde_json::from_value(params).map_err(|_| invalid())?;
    let limit = match p.limit {
        None => DEFAULT_HISTORY_LIMIT,
        Some(n @ 1..=100) => n as usize,
        Some(_) => return Err(invalid()),
    };
    let kind = p.kind.as_deref().unwrap_or("exec");
    if !["exec", "plugin", "system-agent"].contains(&kind) {
        return Err(invalid());
    }
    let after = p.cursor.as_deref().map(decode_cursor).transpose()?;
    let settled = if kind == "exec" {
        approvals::history(&gw.store).map_err(|e| unavailable("history", e))?
    } else {
        Vec::new()
    };
    let mut page: Vec<&ApprovalRecord> = settled
        .iter()
        .filter(|r| {
            after
                .as_ref()
                .is_none_or(|(at, id)| (r.resolved_at_ms.unwrap_or(0), &r.id) < (*at, id))
        })
        .take(limit + 1)
        .collect();
    let more = page.len() > limit;
    page.truncate(limit);
    let items: Vec<Snapshot> = page.iter().map(|r| r.snapshot()).collect();
    let mut out = json!({"items": items});
    if let (true, Some(last)) = (more, page.last()) {
        out["nextCursor"] = json!(format!("{}:{}", last.resolved_at_ms.unwrap_or(0), last.id));
    }
    Ok(out)
}

fn decode_cursor(cursor: &str) -> Result<(u64, String), ErrorShape> {
    cursor
        .split_once(':')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.to_string())))
        .ok_or_else(|| ErrorShape::invalid_request("invalid approval.history cursor"))
}

/// A record this caller may review: `operator.admin`, or `operator.approvals` from a device.
fn load(gw: &Gateway, session: &Session, id: &str) -> Result<ApprovalRecord, ErrorShape> {
    let reviewer = session.scopes.iter().any(|s| s == "operator.admin")
        || (session.scopes.iter().any(|s| s == APPROVALS_SCOPE) && session.device_id.is_some());
    if !reviewer {
        return Err(not_found());
    }
    approvals::find(gw, id)
        .map_err(|e| unavailable("lookup", e))?
        .ok_or_else(not_found)
}

fn well_formed(id: &str) -> bool {
    !id.is_empty() && id != "." && id != ".."
}

fn not_found() -> ErrorShape {
    ErrorShape::invalid_request("approval not found")
        .with_details(json!({"reason": "APPROVAL_NOT_FOUND"}))
}
