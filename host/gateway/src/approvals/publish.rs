//! Who sees an approval, and the `exec.approval.requested|resolved` events. As the real:
//! `operator.admin` sees every record; anyone else only records asked from their own device
//! (or, without a device, their own connection). Only operators holding
//! `operator.approvals` (or admin) receive the events; nodes never do.

use std::sync::Arc;

use openclaw_protocol::exec_approval::{
    Decision, Resolved, APPROVALS_SCOPE, EVENT_REQUESTED, EVENT_RESOLVED,
};
use openclaw_protocol::now_ms;

use super::record::ApprovalRecord;
use crate::session::{Role, Session};
use crate::state::Gateway;

/// May `session` see (list, wait on, resolve) `record`?
pub fn visible(record: &ApprovalRecord, session: &Session) -> bool {
    if session.scopes.iter().any(|s| s == "operator.admin") {
        return true;
    }
    if let Some(device) = &record.requested_by_device_id {
        return session.device_id.as_ref() == Some(device);
    }
    if let Some(conn) = &record.requested_by_conn_id {
        return *conn == session.conn_id;
    }
    record.requested_by_client_id.is_none()
}

/// A connection that takes approval prompts.
fn approval_client(session: &Session) -> bool {
    session.role == Role::Operator && session.has_scope(APPROVALS_SCOPE)
}

/// Approval clients that may see `record`, other than `except`.
pub fn recipients(
    gw: &Gateway,
    record: &ApprovalRecord,
    except: Option<&str>,
) -> Vec<Arc<Session>> {
    gw.sessions()
        .into_iter()
        .filter(|s| Some(s.conn_id.as_str()) != except && approval_client(s) && visible(record, s))
        .collect()
}

/// Announces a new pending record; returns how many clients were told.
pub fn requested(gw: &Gateway, record: &ApprovalRecord, requester: &str) -> usize {
    let to = recipients(gw, record, Some(requester));
    let payload = serde_json::to_value(record.pending_view()).expect("events serialize");
    for s in &to {
        s.broadcast(EVENT_REQUESTED, &payload);
    }
    to.len()
}

/// Announces a verdict (a timeout reports `deny`, as the real does).
pub fn resolved(gw: &Gateway, record: &ApprovalRecord) {
    let event = Resolved {
        id: record.id.clone(),
        decision: record.decision.unwrap_or(Decision::Deny),
        resolved_by: record.resolved_by.clone(),
        ts: record.resolved_at_ms.unwrap_or_else(now_ms),
        request: record.request.clone(),
    };
    let payload = serde_json::to_value(event).expect("events serialize");
    for s in recipients(gw, record, None) {
        s.broadcast(EVENT_RESOLVED, &payload);
    }
}
