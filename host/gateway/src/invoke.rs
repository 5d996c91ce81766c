//! Invoke routing: a map from invoke id to the waiting caller, and the idempotency cache that
//! keeps a repeated key from running a command twice.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use openclaw_protocol::frames::ErrorShape;
use serde_json::Value;
use tokio::sync::{oneshot, watch};

/// What a node answered (or what stood in for its answer).
#[derive(Debug, Clone)]
pub enum NodeOutcome {
    Ok {
        payload: Option<Value>,
        payload_json: Option<String>,
    },
    Err {
        code: String,
        message: String,
    },
}

struct Waiting {
    conn_id: String,
    node_id: String,
    tx: oneshot::Sender<NodeOutcome>,
}

/// The reply an operator got for an idempotency key.
pub type InvokeReply = Result<Value, ErrorShape>;

enum Dedupe {
    InFlight(watch::Receiver<Option<InvokeReply>>),
    Done(InvokeReply),
}

const DEDUPE_TTL: Duration = Duration::from_secs(10 * 60);
const DEDUPE_MAX: usize = 20_000;

#[derive(Default)]
pub struct InvokeRouter {
    waiting: Mutex<HashMap<String, Waiting>>,
    dedupe: Mutex<DedupeCache>,
}

#[derive(Default)]
struct DedupeCache {
    entries: HashMap<String, Dedupe>,
    order: VecDeque<(String, Instant)>,
}

/// The caller's side of an idempotency key.
pub enum Claim {
    /// First use: run the command, then [`InvokeRouter::finish`].
    Run(watch::Sender<Option<InvokeReply>>),
    /// Someone else runs it; wait for their reply.
    Wait(watch::Receiver<Option<InvokeReply>>),
    /// Already answered.
    Done(InvokeReply),
}

impl InvokeRouter {
    pub fn register(
        &self,
        invoke_id: &str,
        conn_id: &str,
        node_id: &str,
    ) -> oneshot::Receiver<NodeOutcome> {
        let (tx, rx) = oneshot::channel();
        self.waiting.lock().unwrap().insert(
            invoke_id.to_string(),
            Waiting {
                conn_id: conn_id.to_string(),
                node_id: node_id.to_string(),
                tx,
            },
        );
        rx
    }

    /// Delivers a node's result. False when nobody waits (late, unknown, or another node's id).
    pub fn complete(&self, invoke_id: &str, node_id: &str, outcome: NodeOutcome) -> bool {
        let mut waiting = self.waiting.lock().unwrap();
        match waiting.get(invoke_id) {
            Some(w) if w.node_id == node_id => {}
            _ => return false,
        }
        let w = waiting.remove(invoke_id).expect("checked above");
        w.tx.send(outcome).is_ok()
    }

    pub fn forget(&self, invoke_id: &str) {
        self.waiting.lock().unwrap().remove(invoke_id);
    }

    /// Fails every invoke waiting on a connection that went away.
    pub fn fail_connection(&self, conn_id: &str) {
        let mut waiting = self.waiting.lock().unwrap();
        let ids: Vec<String> = waiting
            .iter()
            .filter(|(_, w)| w.conn_id == conn_id)
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            if let Some(w) = waiting.remove(&id) {
                w.tx.send(NodeOutcome::Err {
                    code: "DISCONNECTED".into(),
                    message: "node disconnected".into(),
                })
                .ok();
            }
        }
    }

    pub fn claim(&self, key: &str) -> Claim {
        let mut cache = self.dedupe.lock().unwrap();
        cache.evict();
        match cache.entries.get(key) {
            Some(Dedupe::InFlight(rx)) => Claim::Wait(rx.clone()),
            Some(Dedupe::Done(reply)) => Claim::Done(reply.clone()),
            None => {
                let (tx, rx) = watch::channel(None);
                cache.entries.insert(key.to_string(), Dedupe::InFlight(rx));
                Claim::Run(tx)
            }
        }
    }

    /// Records the reply for a key. `keep` false releases the key so a retry runs again
    /// (the command never reached the node).
    pub fn finish(
        &self,
        key: &str,
        tx: watch::Sender<Option<InvokeReply>>,
        reply: InvokeReply,
        keep: bool,
    ) {
        let mut cache = self.dedupe.lock().unwrap();
        if keep {
            cache
                .entries
                .insert(key.to_string(), Dedupe::Done(reply.clone()));
            cache.order.push_back((key.to_string(), Instant::now()));
        } else {
            cache.entries.remove(key);
        }
        tx.send(Some(reply)).ok();
    }
}

impl DedupeCache {
    fn evict(&mut self) {
        while let Some((key, at)) = self.order.front() {
            if self.order.len() <= DEDUPE_MAX && at.elapsed() < DEDUPE_TTL {
                break;
            }
            if matches!(self.entries.get(key), Some(Dedupe::Done(_))) {
                self.entries.remove(key);
            }
            self.order.pop_front();
        }
    }
}
