//! The pending work queue: operators enqueue, nodes drain (or pull) and ack. Items live in
//! SQLite until acked, so nothing is lost across a restart; an item handed to a connection is
//! not handed to it again.

use std::sync::Arc;

use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::now_ms;
use openclaw_protocol::pending::{PendingAck, PendingAckResult, PendingAction, PendingPull};
use openclaw_protocol::records::PendingItem;
use serde::Deserialize;
use serde_json::{json, Value};

use super::params::Empty;
use super::{parse, unavailable, Reply};
use crate::session::Session;
use crate::state::Gateway;
use crate::store::{kind, StoreResult, Writer};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EnqueueParams {
    node_id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    expires_in_ms: Option<u64>,
    #[serde(default)]
    wake: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DrainParams {
    #[serde(default)]
    max_items: Option<usize>,
}

pub fn enqueue(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let p: EnqueueParams = parse("node.pending.enqueue", params)?;
    if !["status.request", "location.request"].contains(&p.kind.as_str()) {
        return Err(ErrorShape::invalid_params(
            "node.pending.enqueue",
            "type must be status.request or location.request",
        ));
    }
    let priority = p.priority.unwrap_or_else(|| "normal".into());
    if !["normal", "high"].contains(&priority.as_str()) {
        return Err(ErrorShape::invalid_params(
            "node.pending.enqueue",
            "priority must be normal or high",
        ));
    }
    if p.expires_in_ms
        .is_some_and(|ms| !(1000..=86_400_000).contains(&ms))
    {
        return Err(ErrorShape::invalid_params(
            "node.pending.enqueue",
            "expiresInMs must be within 1000..86400000",
        ));
    }
    let _ = p.wake; // Waking needs a push channel; a connected node drains on its own.
    if !known_node(gw, &p.node_id).map_err(unavailable)? {
        return Err(ErrorShape::invalid_request("unknown nodeId"));
    }
    let now = now_ms();
    let item = PendingItem {
        id: uuid::Uuid::new_v4().to_string(),
        kind: p.kind,
        priority,
        created_at_ms: now,
        expires_at_ms: p.expires_in_ms.map(|ms| now + ms),
        payload: None,
    };
    let revision = gw
        .store
        .write(|w| {
            w.put(kind::PENDING, &item.id, &p.node_id, &item)?;
            bump_revision(w, &p.node_id)
        })
        .map_err(unavailable)?;
    Ok(json!({"nodeId": p.node_id, "revision": revision, "queued": item, "wakeTriggered": false}))
}

fn known_node(gw: &Gateway, node_id: &str) -> StoreResult<bool> {
    Ok(gw.node_session(node_id).is_some()
        || gw.store.get::<Value>(kind::NODE, node_id)?.is_some()
        || gw.store.get::<Value>(kind::DEVICE, node_id)?.is_some())
}

fn bump_revision(w: &Writer, node_id: &str) -> StoreResult<u64> {
    let revision = w.get::<u64>(kind::PENDING_REVISION, node_id)?.unwrap_or(0) + 1;
    w.put(kind::PENDING_REVISION, node_id, node_id, &revision)?;
    Ok(revision)
}

/// Live items not yet handed to this connection; expired ones are dropped.
fn undelivered(gw: &Gateway, session: &Session, node_id: &str) -> StoreResult<Vec<PendingItem>> {
    let items: Vec<PendingItem> = gw.store.children(kind::PENDING, node_id)?;
    let now = now_ms();
    let (live, expired): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|i| i.expires_at_ms.is_none_or(|t| t > now));
    if !expired.is_empty() {
        gw.store.write(|w| {
            for item in &expired {
                w.delete(kind::PENDING, &item.id)?;
            }
            Ok(())
        })?;
    }
    let delivered = gw.pending_delivered.lock().unwrap();
    let mut live: Vec<PendingItem> = live
        .into_iter()
        .filter(|i| delivered.get(&i.id) != Some(&session.conn_id))
        .collect();
    live.sort_by_key(|i| i.priority != "high");
    Ok(live)
}

fn mark_delivered(gw: &Gateway, session: &Session, items: &[PendingItem]) {
    let mut delivered = gw.pending_delivered.lock().unwrap();
    for item in items {
        delivered.insert(item.id.clone(), session.conn_id.clone());
    }
}

pub fn drain(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: DrainParams = parse("node.pending.drain", params)?;
    let max = p.max_items.unwrap_or(10);
    if !(1..=10).contains(&max) {
        return Err(ErrorShape::invalid_params(
            "node.pending.drain",
            "maxItems must be within 1..10",
        ));
    }
    let node_id = session.node_id().expect("node role");
    let mut items = undelivered(gw, session, node_id).map_err(unavailable)?;
    let has_more = items.len() > max;
    items.truncate(max);
    mark_delivered(gw, session, &items);
    let revision = gw
        .store
        .get::<u64>(kind::PENDING_REVISION, node_id)
        .map_err(unavailable)?
        .unwrap_or(0);
    Ok(json!({"nodeId": node_id, "revision": revision, "items": items, "hasMore": has_more}))
}

pub fn pull(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    parse::<Empty>("node.pending.pull", params)?;
    let node_id = session.node_id().expect("node role");
    let items = undelivered(gw, session, node_id).map_err(unavailable)?;
    mark_delivered(gw, session, &items);
    let actions = items
        .into_iter()
        .map(|i| PendingAction {
            id: i.id,
            command: i.kind,
            params_json: i.payload.as_ref().map(Value::to_string),
            enqueued_at_ms: i.created_at_ms,
        })
        .collect();
    let pulled = PendingPull {
        node_id: node_id.to_string(),
        actions,
    };
    Ok(serde_json::to_value(pulled).expect("serializes"))
}

pub fn ack(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: PendingAck = parse("node.pending.ack", params)?;
    let node_id = session.node_id().expect("node role");
    let (acked, remaining) = gw
        .store
        .write(|w| {
            let mut acked = Vec::new();
            for id in &p.ids {
                if owned_by(w, id, node_id)? && w.delete(kind::PENDING, id)? {
                    acked.push(id.clone());
                }
            }
            if !acked.is_empty() {
                bump_revision(w, node_id)?;
            }
            Ok((acked, w.count_children(kind::PENDING, node_id)?))
        })
        .map_err(unavailable)?;
    let mut delivered = gw.pending_delivered.lock().unwrap();
    for id in &acked {
        delivered.remove(id);
    }
    let result = PendingAckResult {
        node_id: node_id.to_string(),
        acked_ids: acked,
        remaining_count: remaining,
    };
    Ok(serde_json::to_value(result).expect("serializes"))
}

/// An item may be acked only by the node it was queued for.
fn owned_by(w: &Writer, id: &str, node_id: &str) -> StoreResult<bool> {
    w.parent_of(kind::PENDING, id)
        .map(|p| p.as_deref() == Some(node_id))
}
