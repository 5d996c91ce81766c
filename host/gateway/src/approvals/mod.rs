//! Exec approvals the gateway holds: pending ones until someone decides or they expire, and
//! settled ones for a short grace (so a waiter hears the verdict and the approved run can use
//! it). Every change is written to SQLite first, so a restart, even `kill -9`, loses no
//! pending approval: they come back with their expiry timers (the real gateway drops them).

pub mod publish;
pub mod record;
pub mod request;
pub mod system_run_guard;
pub mod table;

use std::sync::Arc;
use std::time::Duration;

use openclaw_protocol::exec_approval::Resolver;
use openclaw_protocol::now_ms;

use crate::state::Gateway;
use crate::store::StoreResult;
use record::{ApprovalRecord, Settlement, Status};
use table::KIND;
pub use table::{history, Lookup, Outcome};

/// Any record still kept: live first, else the store (settled ones past their grace).
pub fn find(gw: &Gateway, id: &str) -> StoreResult<Option<ApprovalRecord>> {
    if let Some(r) = gw.approvals.get(id) {
        return Ok(Some(r));
    }
    gw.store.get(KIND, id)
}

/// Brings the stored approvals back after a start and re-arms their expiry.
pub fn restore(gw: &Arc<Gateway>) -> StoreResult<()> {
    for (id, expires_at) in gw.approvals.load(&gw.store)? {
        schedule_expiry(gw, &id, expires_at);
    }
    Ok(())
}

/// Expires the record at `expires_at` unless someone decides first.
pub fn schedule_expiry(gw: &Arc<Gateway>, id: &str, expires_at: u64) {
    let wait = Duration::from_millis(expires_at.saturating_sub(now_ms()));
    let (task_gw, task_id) = (gw.clone(), id.to_string());
    let task = tokio::spawn(async move {
        tokio::time::sleep(wait).await;
        expire(&task_gw, &task_id);
    });
    gw.approvals.set_timer(id, task.abort_handle());
}

/// A timeout: the record expires, waiters hear `null`, reviewers hear `deny`.
fn expire(gw: &Gateway, id: &str) {
    let how = Settlement {
        status: Status::Expired,
        decision: None,
        reason: "timeout",
        resolver: Resolver {
            kind: "system".into(),
            id: None,
        },
        resolved_by: None,
    };
    match gw.approvals.settle(&gw.store, id, how) {
        Ok(Some(record)) => publish::resolved(gw, &record),
        Ok(None) => {}
        Err(e) => tracing::error!(approval = id, "could not expire an exec approval: {e}"),
    }
}
