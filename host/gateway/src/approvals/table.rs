//! The approvals the gateway holds: live ones in memory with their waiters and timers, settled
//! ones in the store for a while; nothing here reaches the rest of the gateway.

use std::collections::HashMap;
use std::sync::Mutex;

use openclaw_protocol::exec_approval::Decision;
use openclaw_protocol::now_ms;
use tokio::sync::watch;
use tokio::task::AbortHandle;

use super::record::{ApprovalRecord, Settlement, Status};
use crate::store::{Store, StoreResult};

pub(super) const KIND: &str = crate::store::kind::EXEC_APPROVAL;
const PENDING: &str = "pending";
const TERMINAL: &str = "terminal";
/// Settled records kept for `approval.history` (the real keeps 30 days).
const RETENTION_MS: u64 = 30 * 24 * 3600 * 1000;
const MAX_TERMINAL: u64 = 1000;

/// What a waiter hears: `None` while pending, then the decision (`None` = expired/no route).
pub type Outcome = Option<Option<Decision>>;

struct Live {
    record: ApprovalRecord,
    done: watch::Sender<Outcome>,
    timer: Option<AbortHandle>,
}

pub enum Lookup {
    Found(String),
    Ambiguous,
    Missing,
}

#[derive(Default)]
pub struct Approvals {
    live: Mutex<HashMap<String, Live>>,
}

impl Approvals {
    /// A live record (pending, or settled within the grace).
    pub fn get(&self, id: &str) -> Option<ApprovalRecord> {
        let mut live = self.live.lock().unwrap();
        prune(&mut live);
        live.get(id).map(|l| l.record.clone())
    }

    /// Finds a record by full id or unambiguous, case-insensitive prefix, as the real does.
    pub fn lookup(
        &self,
        input: &str,
        include_settled: bool,
        visible: impl Fn(&ApprovalRecord) -> bool,
    ) -> Lookup {
        let mut live = self.live.lock().unwrap();
        prune(&mut live);
        let usable = |r: &ApprovalRecord| (include_settled || r.is_pending()) && visible(r);
        for exact in [input, input.trim()] {
            if let Some(l) = live.get(exact) {
                return if usable(&l.record) {
                    Lookup::Found(exact.to_string())
                } else {
                    Lookup::Missing
                };
            }
        }
        let prefix = input.trim().to_lowercase();
        if prefix.is_empty() {
            return Lookup::Missing;
        }
        let matches: Vec<&String> = live
            .iter()
            .filter(|(id, l)| usable(&l.record) && id.to_lowercase().starts_with(&prefix))
            .map(|(id, _)| id)
            .collect();
        match matches.as_slice() {
            [one] => Lookup::Found((*one).clone()),
            [] => Lookup::Missing,
            _ => Lookup::Ambiguous,
        }
    }

    /// Pending records, oldest first.
    pub fn pending(&self) -> Vec<ApprovalRecord> {
        let mut live = self.live.lock().unwrap();
        prune(&mut live);
        let mut out: Vec<ApprovalRecord> = live
            .values()
            .filter(|l| l.record.is_pending())
            .map(|l| l.record.clone())
            .collect();
        out.sort_by(|a, b| a.created_at_ms.cmp(&b.created_at_ms).then(a.id.cmp(&b.id)));
        out
    }

    /// Stores a new pending record and starts listening for its outcome.
    pub fn insert(
        &self,
        store: &Store,
        record: ApprovalRecord,
    ) -> StoreResult<watch::Receiver<Outcome>> {
        let mut live = self.live.lock().unwrap();
        store.write(|w| w.put(KIND, &record.id, PENDING, &record))?;
        let (done, rx) = watch::channel(None);
        live.insert(
            record.id.clone(),
            Live {
                record,
                done,
                timer: None,
            },
        );
        Ok(rx)
    }

    pub fn subscribe(&self, id: &str) -> Option<watch::Receiver<Outcome>> {
        self.live
            .lock()
            .unwrap()
            .get(id)
            .map(|l| l.done.subscribe())
    }

    /// Ends a pending record. `None` when it had already ended (another verdict won).
    pub fn settle(
        &self,
        store: &Store,
        id: &str,
        how: Settlement,
    ) -> StoreResult<Option<ApprovalRecord>> {
        let mut live = self.live.lock().unwrap();
        let Some(entry) = live.get_mut(id).filter(|l| l.record.is_pending()) else {
            return Ok(None);
        };
        let mut record = entry.record.clone();
        record.status = how.status;
        record.decision = how.decision;
        record.terminal_reason = Some(how.reason.to_string());
        record.resolved_at_ms = Some(now_ms());
        record.resolver = Some(how.resolver);
        record.resolved_by = how.resolved_by;
        store.write(|w| w.put(KIND, id, TERMINAL, &record))?;
        entry.record = record.clone();
        entry.done.send_replace(Some(record.decision));
        if let Some(timer) = entry.timer.take() {
            timer.abort();
        }
        drop(live);
        if let Err(e) = prune_history(store) {
            tracing::warn!("could not prune old exec approvals: {e}");
        }
        Ok(Some(record))
    }

    /// Spends an allow-once: true the first time, within the grace and before its expiry.
    pub fn consume_allow_once(&self, store: &Store, id: &str) -> StoreResult<bool> {
        self.consume(store, id, |r, now| {
            let usable = r.status == Status::Allowed
                && r.decision == Some(Decision::AllowOnce)
                && r.consumed_at_ms.is_none()
                && !r.past_grace(now);
            if usable {
                r.consumed_at_ms = Some(now);
            }
            usable
        })
    }

    /// Lets a timed-out (or unrouted) record release one `ask-fallback` run.
    pub fn consume_ask_fallback(&self, store: &Store, id: &str) -> StoreResult<bool> {
        self.consume(store, id, |r, now| {
            let usable = r.resolved_at_ms.is_some()
                && r.decision.is_none()
                && r.consumed_at_ms.is_none()
                && !r.ask_fallback_consumed
                && (r.status == Status::Expired
                    || r.terminal_reason.as_deref() == Some("no-route"))
                && !r.past_grace(now);
            if usable {
                r.ask_fallback_consumed = true;
            }
            usable
        })
    }

    fn consume(
        &self,
        store: &Store,
        id: &str,
        spend: impl FnOnce(&mut ApprovalRecord, u64) -> bool,
    ) -> StoreResult<bool> {
        let mut live = self.live.lock().unwrap();
        let Some(entry) = live.get_mut(id) else {
            return Ok(false);
        };
        let mut record = entry.record.clone();
        if !spend(&mut record, now_ms()) {
            return Ok(false);
        }
        store.write(|w| w.put(KIND, id, TERMINAL, &record))?;
        entry.record = record;
        Ok(true)
    }

    pub(super) fn set_timer(&self, id: &str, timer: AbortHandle) {
        match self.live.lock().unwrap().get_mut(id) {
            Some(l) if l.record.is_pending() => l.timer = Some(timer),
            _ => timer.abort(),
        }
    }

    /// Takes records back from the store: every pending one, and settled ones still in grace.
    pub(super) fn load(&self, store: &Store) -> StoreResult<Vec<(String, u64)>> {
        let now = now_ms();
        let mut live = self.live.lock().unwrap();
        let mut timers = Vec::new();
        let pending: Vec<ApprovalRecord> = store.children(KIND, PENDING)?;
        let settled: Vec<ApprovalRecord> = store.children(KIND, TERMINAL)?;
        for record in pending.into_iter().chain(settled) {
            if record.past_grace(now) {
                continue;
            }
            let outcome = (!record.is_pending()).then_some(record.decision);
            if record.is_pending() {
                timers.push((record.id.clone(), record.expires_at_ms));
            }
            let (done, _) = watch::channel(outcome);
            live.insert(
                record.id.clone(),
                Live {
                    record,
                    done,
                    timer: None,
                },
            );
        }
        Ok(timers)
    }
}

/// Drops settled records past their grace (the real's lazy cleanup).
fn prune(live: &mut HashMap<String, Live>) {
    let now = now_ms();
    live.retain(|_, l| !l.record.past_grace(now));
}

/// Keeps `approval.history` bounded: 30 days, at most [`MAX_TERMINAL`] records.
fn prune_history(store: &Store) -> StoreResult<()> {
    let count = store.write(|w| w.count_children(KIND, TERMINAL))?;
    let now = now_ms();
    let mut settled = history(store)?;
    let old = |r: &ApprovalRecord| r.resolved_at_ms.unwrap_or(0) + RETENTION_MS < now;
    if count <= MAX_TERMINAL && !settled.last().is_some_and(old) {
        return Ok(());
    }
    // Newest first: keep the head.
    let keep = (MAX_TERMINAL as usize * 9) / 10;
    let doomed: Vec<String> = settled
        .drain(..)
        .enumerate()
        .filter(|(i, r)| *i >= keep || old(r))
        .map(|(_, r)| r.id)
        .collect();
    store.write(|w| {
        for id in &doomed {
            w.delete(KIND, id)?;
        }
        Ok(())
    })
}

/// Settled records, newest first.
pub fn history(store: &Store) -> StoreResult<Vec<ApprovalRecord>> {
    let mut settled: Vec<ApprovalRecord> = store.children(KIND, TERMINAL)?;
    settled.sort_by(|a, b| (b.resolved_at_ms, &b.id).cmp(&(a.resolved_at_ms, &a.id)));
    Ok(settled)
}
