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
    command: String,
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
/// Bytes of replies the cache keeps at most; the oldest go first. (A node's reply may be up
/// to 25 MiB, so a count alone would let the cache grow to hundreds of GiB.)
pub const DEDUPE_MAX_BYTES: usize = 64 << 20;

#[derive(Default)]
pub struct InvokeRouter {
    waiting: Mutex<HashMap<String, Waiting>>,
    dedupe: Mutex<DedupeCache>,
}

#[derive(Default)]
struct DedupeCache {
    entries: HashMap<String, Dedupe>,
    /// Finished keys, oldest first, with when they finished and their reply's size.
    order: VecDeque<(String, Instant, usize)>,
    bytes: usize,
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
        command: &str,
    ) -> oneshot::Receiver<NodeOutcome> {
        let (tx, rx) = oneshot::channel();
        self.waiting.lock().unwrap().insert(
            invoke_id.to_string(),
            Waiting {
                conn_id: conn_id.to_string(),
                node_id: node_id.to_string(),
                command: command.to_string(),
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

    /// Whether `node_id` still owes an answer to `invoke_id`.
    pub fn is_waiting(&self, invoke_id: &str, node_id: &str) -> bool {
        self.waiting
            .lock()
            .unwrap()
            .get(invoke_id)
            .is_some_and(|w| w.node_id == node_id)
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
                // As the real gateway: an MCP call learns that its server is out of reach.
                let outcome = if w.command == "mcp.tools.call.v1" {
                    NodeOutcome::Err {
                        code: "MCP_SERVER_UNAVAILABLE".into(),
                        message: "node host disconnected during MCP tool call".into(),
                    }
                } else {
                    NodeOutcome::Err {
                        code: "DISCONNECTED".into(),
                        message: "node disconnected".into(),
                    }
                };
                w.tx.send(outcome).ok();
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
            let size = reply_size(&reply);
            cache
                .entries
                .insert(key.to_string(), Dedupe::Done(reply.clone()));
            cache
                .order
                .push_back((key.to_string(), Instant::now(), size));
            cache.bytes += size;
            cache.evict();
        } else {
            cache.entries.remove(key);
        }
        tx.send(Some(reply)).ok();
    }

    /// Bytes of replies held for idempotency keys.
    pub fn cached_bytes(&self) -> usize {
        self.dedupe.lock().unwrap().bytes
    }
}

/// What a reply costs to keep: its JSON text's length.
fn reply_size(reply: &InvokeReply) -> usize {
    match reply {
        Ok(value) => serde_json::to_string(value).map_or(0, |t| t.len()),
        Err(e) => e.message.len() + e.details.as_ref().map_or(0, |d| d.to_string().len()),
    }
}

impl DedupeCache {
    fn evict(&mut self) {
        while let Some((key, at, size)) = self.order.front() {
            let within = self.order.len() <= DEDUPE_MAX && self.bytes <= DEDUPE_MAX_BYTES;
            if within && at.elapsed() < DEDUPE_TTL {
                break;
            }
            if matches!(self.entries.get(key), Some(Dedupe::Done(_))) {
                self.entries.remove(key);
            }
            self.bytes -= size;
            self.order.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_is_bounded_by_bytes_and_keeps_the_newest() {
        let router = InvokeRouter::default();
        let big = serde_json::json!({"payloadJSON": "x".repeat(5 << 20)});
        for n in 0..40 {
            let key = format!("node\0cmd\0k{n}");
            let Claim::Run(tx) = router.claim(&key) else {
                panic!("a new key runs")
            };
            router.finish(&key, tx, Ok(big.clone()), true);
        }
        assert!(
            router.cached_bytes() <= DEDUPE_MAX_BYTES,
            "{}",
            router.cached_bytes()
        );
        assert!(matches!(router.claim("node\0cmd\0k39"), Claim::Done(_)));
        assert!(
            matches!(router.claim("node\0cmd\0k0"), Claim::Run(_)),
            "the oldest went first"
        );
    }
}
