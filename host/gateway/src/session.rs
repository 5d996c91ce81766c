//! One authenticated connection: who it is, and its outbound queue. The queue is bounded by
//! bytes (`policy.maxBufferedBytes`): a consumer that falls that far behind is closed, never
//! buffered without bound.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use openclaw_protocol::connect::ClientInfo;
use openclaw_protocol::frames::{EventFrame, Frame, ResponseFrame};
use openclaw_protocol::limits::MAX_BUFFERED_BYTES;
use serde_json::Value;
use tokio::sync::mpsc;

pub enum OutMsg {
    Text(String),
    Close(u16, String),
}

/// The sending half of a connection's outbound queue.
#[derive(Clone)]
pub struct Outbound {
    tx: mpsc::UnboundedSender<OutMsg>,
    queued: Arc<AtomicUsize>,
    closing: Arc<AtomicBool>,
}

impl Outbound {
    pub fn new() -> (Outbound, mpsc::UnboundedReceiver<OutMsg>, Arc<AtomicUsize>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let out = Outbound {
            tx,
            queued: queued.clone(),
            closing: Arc::new(AtomicBool::new(false)),
        };
        (out, rx, queued)
    }

    /// Queues a text frame; closes the connection instead when the peer is too far behind.
    pub fn send_text(&self, text: String) -> bool {
        if self.closing.load(Ordering::Relaxed) {
            return false;
        }
        let len = text.len();
        if self.queued.fetch_add(len, Ordering::Relaxed) + len > MAX_BUFFERED_BYTES {
            self.close(1008, "slow consumer");
            return false;
        }
        self.tx.send(OutMsg::Text(text)).is_ok()
    }

    pub fn send_frame(&self, frame: &Frame) -> bool {
        self.send_text(frame.to_text())
    }

    pub fn respond(&self, res: ResponseFrame) -> bool {
        self.send_frame(&Frame::Res(res))
    }

    /// Resolves once the connection's writer is gone (the peer left or was closed).
    pub async fn closed(&self) {
        self.tx.closed().await
    }

    /// Sends a close frame after whatever is already queued; later sends are dropped.
    pub fn close(&self, code: u16, reason: &str) {
        if !self.closing.swap(true, Ordering::Relaxed) {
            self.tx.send(OutMsg::Close(code, reason.to_string())).ok();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Operator,
    Node,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Node => "node",
        }
    }
}

pub struct Session {
    pub conn_id: String,
    pub role: Role,
    pub scopes: Vec<String>,
    pub device_id: Option<String>,
    pub client: ClientInfo,
    pub remote_ip: String,
    pub connected_at_ms: u64,
    pub out: Outbound,
    seq: AtomicU64,
    pub node: Option<NodeLive>,
}

/// The live surface of a connected node.
pub struct NodeLive {
    pub node_id: String,
    /// Policy platform (`linux`, `macos`, ..., `unknown`).
    pub platform_id: &'static str,
    pub surface: Mutex<LiveSurface>,
}

#[derive(Debug, Clone, Default)]
pub struct LiveSurface {
    pub caps: Vec<String>,
    /// The commands the node declared, before the command policy: what a policy reload
    /// admits again.
    pub requested: Vec<String>,
    /// Declared commands the pairing policy admitted.
    pub declared: Vec<String>,
    /// Declared and approved: what operators may invoke.
    pub effective: Vec<String>,
    /// `effective` that the runtime allowlist also admits (the invoke fast path).
    pub invocable: HashSet<String>,
    pub permissions: Option<BTreeMap<String, bool>>,
    pub path_env: Option<String>,
    pub host_stats: Option<Value>,
    pub pending_request_id: Option<String>,
    /// Run ids of `system.run` invokes sent to this connection, for matching exec events.
    pub recent_runs: Vec<String>,
    /// The tools the node published (`node.pluginTools.update`), as it sent them: what the
    /// catalog shows is filtered from these under the policy of the moment.
    pub plugin_tools: Vec<Value>,
}

impl Session {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        conn_id: String,
        role: Role,
        scopes: Vec<String>,
        device_id: Option<String>,
        client: ClientInfo,
        remote_ip: String,
        out: Outbound,
        node: Option<NodeLive>,
    ) -> Session {
        Session {
            conn_id,
            role,
            scopes,
            device_id,
            client,
            remote_ip,
            connected_at_ms: openclaw_protocol::now_ms(),
            out,
            seq: AtomicU64::new(0),
            node,
        }
    }

    /// Sends a broadcast event, numbered with this connection's `seq`.
    pub fn broadcast(&self, event: &str, payload: &Value) {
        let mut frame = EventFrame::new(event, payload.clone());
        frame.seq = Some(self.seq.fetch_add(1, Ordering::Relaxed) + 1);
        self.out.send_frame(&Frame::Event(frame));
    }

    /// Sends an event meant for this connection only (no `seq`).
    pub fn send_event(&self, event: &str, payload: Value) {
        self.out
            .send_frame(&Frame::Event(EventFrame::new(event, payload)));
    }

    /// Does this session hold `scope` (`operator.admin` holds every scope; write holds read)?
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| {
            s == scope
                || s == "operator.admin"
                || (scope == "operator.read" && s == "operator.write")
        })
    }

    pub fn node_id(&self) -> Option<&str> {
        self.node.as_ref().map(|n| n.node_id.as_str())
    }
}
