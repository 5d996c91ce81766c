//! The node's MCP servers, each kept by a task of its own: connect (at most six at a time at
//! start), list, follow `list_changed`, and when the session ends withdraw its tools and
//! reconnect with backoff (250 ms doubling to 60 s). A server that fails or hangs holds up
//! nothing but itself.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::CallToolRequestParams;
use rmcp::service::{Peer, RoleClient, ServiceError};
use serde_json::{Map, Value};
use tokio::sync::{watch, Semaphore};

use crate::config::ServerConfig;
use crate::session::{self, Session};

const CONNECT_CONCURRENCY: usize = 6;
const MIN_RETRY: Duration = Duration::from_millis(250);
const MAX_RETRY: Duration = Duration::from_millis(60_000);
/// Longest error text a warning or a failure carries.
const MAX_ERROR_CHARS: usize = 1024;

pub const SERVER_UNAVAILABLE: &str = "MCP_SERVER_UNAVAILABLE";
pub const TOOL_TIMEOUT: &str = "MCP_TOOL_TIMEOUT";
pub const TOOL_ERROR: &str = "MCP_TOOL_ERROR";

/// A connected server, as callers see it.
#[derive(Debug, Clone)]
pub struct ServerView {
    pub name: String,
    /// Its tools, as `tools/list` gave them.
    pub tools: Arc<Vec<Value>>,
    /// The same as a JSON array, made once per listing.
    pub tools_json: Arc<str>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub request_timeout: Option<Duration>,
}

/// A failed call, with the node error code the operator sees.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    pub code: &'static str,
    pub message: String,
}

#[derive(Clone)]
struct Live {
    peer: Peer<RoleClient>,
    tools: Arc<Vec<Value>>,
    tools_json: Arc<str>,
    /// A stdio server's process group.
    group: Option<u32>,
}

struct Slot {
    config: ServerConfig,
    live: Mutex<Option<Live>>,
}

impl Slot {
    fn set(&self, live: Option<Live>, changes: &watch::Sender<u64>) {
        *self.live.lock().unwrap() = live;
        changes.send_modify(|n| *n += 1);
    }
}

pub struct McpManager {
    slots: Vec<Arc<Slot>>,
    changes: watch::Sender<u64>,
    /// Servers whose first attempt has not ended yet.
    starting: Arc<AtomicUsize>,
    stop: watch::Sender<bool>,
}

impl McpManager {
    /// Starts a task for each server (sorted by name) and answers at once.
    pub fn start(mut servers: Vec<ServerConfig>) -> Arc<McpManager> {
        servers.sort_by(|a, b| a.name.cmp(&b.name));
        let (changes, _) = watch::channel(0);
        let (stop, _) = watch::channel(false);
        let starting = Arc::new(AtomicUsize::new(servers.len()));
        let gate = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
        let slots: Vec<_> = servers
            .into_iter()
            .map(|config| {
                Arc::new(Slot {
                    config,
                    live: Mutex::new(None),
                })
            })
            .collect();
        for slot in &slots {
            let first = FirstAttempt {
                gate: gate.clone(),
                starting: starting.clone(),
                changes: changes.clone(),
            };
            tokio::spawn(supervise(
                slot.clone(),
                changes.clone(),
                stop.subscribe(),
                first,
            ));
        }
        Arc::new(McpManager {
            slots,
            changes,
            starting,
            stop,
        })
    }

    /// Ticks whenever a server connects, drops, or lists new tools, and when start is over.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Whether every server has had its first attempt.
    pub fn started(&self) -> bool {
        self.starting.load(Ordering::Acquire) == 0
    }

    /// The connected servers, sorted by name; `None` while servers are still starting.
    pub fn servers(&self) -> Option<Vec<ServerView>> {
        if !self.started() {
            return None;
        }
        let views = self.slots.iter().filter_map(|slot| {
            let live = slot.live.lock().unwrap().clone()?;
            let c = &slot.config;
            Some(ServerView {
                name: c.name.clone(),
                tools: live.tools,
                tools_json: live.tools_json,
                include: c.include.clone(),
                exclude: c.exclude.clone(),
                request_timeout: c.request_timeout,
            })
        });
        Some(views.collect())
    }

    /// Calls `tool` on `server`. Dropping the future cancels the request on the server
    /// (`notifications/cancelled`).
    pub async fn call_tool(
        &self,
        server: &str,
        tool: &str,
        arguments: Map<String, Value>,
        timeout: Duration,
    ) -> Result<Value, CallError> {
        let unavailable = || CallError {
            code: SERVER_UNAVAILABLE,
            message: format!("MCP server \"{server}\" is unavailable"),
        };
        let slot = self
            .slots
            .iter()
            .find(|s| s.config.name == server)
            .ok_or_else(unavailable)?;
        let live = slot.live.lock().unwrap().clone().ok_or_else(unavailable)?;
        let params = CallToolRequestParams::new(tool.to_string()).with_arguments(arguments);
        let answer = tokio::time::timeout(timeout, live.peer.call_tool(params)).await;
        let error = match answer {
            Ok(Ok(result)) => {
                return serde_json::to_value(result).map_err(|e| tool_error(e.to_string()))
            }
            Err(_) => return Err(timed_out()),
            Ok(Err(e)) => e,
        };
        Err(match error {
            ServiceError::McpError(e) if e.code.0 == -32001 => timed_out(),
            ServiceError::McpError(e) => {
                tool_error(format!("MCP error {}: {}", e.code.0, e.message))
            }
            ServiceError::TransportClosed | ServiceError::TransportSend(_) => CallError {
                code: SERVER_UNAVAILABLE,
                message: format!("MCP server \"{server}\" disconnected"),
            },
            ServiceError::UnexpectedResponse => {
                tool_error("the server's tools/call result is not an MCP tool result".into())
            }
            other => tool_error(other.to_string()),
        })
    }

    /// Ends every session, and kills every stdio server's process group before it returns.
    pub fn shutdown(&self) {
        self.stop.send_replace(true);
        for slot in &self.slots {
            if let Some(group) = slot.live.lock().unwrap().as_ref().and_then(|l| l.group) {
                session::kill_group(group);
            }
        }
    }
}

impl Drop for McpManager {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn timed_out() -> CallError {
    // The real node host's words, from its MCP client.
    CallError {
        code: TOOL_TIMEOUT,
        message: "MCP error -32001: Request timed out".into(),
    }
}

fn tool_error(message: String) -> CallError {
    CallError {
        code: TOOL_ERROR,
        message: cut(message),
    }
}

fn cut(message: String) -> String {
    match message.char_indices().nth(MAX_ERROR_CHARS) {
        Some((at, _)) => message[..at].to_string(),
        None => message,
    }
}

/// A server's first connection attempt: it waits its turn at the gate, and when it ends (in
/// success or not) counts towards the end of start.
struct FirstAttempt {
    gate: Arc<Semaphore>,
    starting: Arc<AtomicUsize>,
    changes: watch::Sender<u64>,
}

impl Drop for FirstAttempt {
    fn drop(&mut self) {
        if self.starting.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.changes.send_modify(|n| *n += 1);
        }
    }
}

/// Why a session ended.
enum Ended {
    Stopped,
    Lost(String),
}

async fn supervise(
    slot: Arc<Slot>,
    changes: watch::Sender<u64>,
    mut stop: watch::Receiver<bool>,
    first: FirstAttempt,
) {
    let name = slot.config.name.clone();
    let mut first = Some(first);
    let mut backoff = MIN_RETRY;
    loop {
        let permit = match &first {
            Some(f) => f.gate.clone().acquire_owned().await.ok(),
            None => None,
        };
        let attempt = tokio::select! {
            attempt = connect_and_list(&slot.config) => attempt,
            _ = stopped(&mut stop) => return,
        };
        drop(permit);
        match attempt {
            Ok((session, tools)) => {
                backoff = MIN_RETRY;
                let peer = session.running.peer().clone();
                let group = session.group.as_ref().map(|g| g.group());
                let tools_json = Value::from(tools.as_slice()).to_string().into();
                slot.set(
                    Some(Live {
                        peer,
                        tools,
                        tools_json,
                        group,
                    }),
                    &changes,
                );
                first.take();
                let ended = follow(&slot, session, &changes, &mut stop).await;
                slot.set(None, &changes);
                match ended {
                    Ended::Stopped => return,
                    Ended::Lost(why) => {
                        tracing::warn!("node host MCP server \"{name}\" {why}; reconnecting")
                    }
                }
            }
            Err(e) => {
                let what = if first.take().is_some() {
                    "failed"
                } else {
                    "reconnect failed"
                };
                tracing::warn!("node host MCP server \"{name}\" {what}: {}", cut(e));
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stopped(&mut stop) => return,
        }
        backoff = (backoff * 2).min(MAX_RETRY);
    }
}

/// Resolves once the node stops its MCP servers.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

async fn connect_and_list(config: &ServerConfig) -> Result<(Session, Arc<Vec<Value>>), String> {
    let session = session::connect(config).await?;
    let tools = session::list_tools(session.running.peer(), config).await?;
    Ok((session, Arc::new(tools)))
}

/// Serves a connected session until it closes, a re-listing fails, or the node stops.
async fn follow(
    slot: &Slot,
    session: Session,
    changes: &watch::Sender<u64>,
    stop: &mut watch::Receiver<bool>,
) -> Ended {
    let Session {
        running,
        mut list_changed,
        group,
    } = session;
    let peer = running.peer().clone();
    let heeds_changes = session::announces_changes(&peer);
    let token = running.cancellation_token();
    let mut closed = Box::pin(running.waiting());
    let ended = loop {
        tokio::select! {
            _ = &mut closed => break Ended::Lost("closed its session".into()),
            _ = stopped(stop) => break Ended::Stopped,
            Some(()) = list_changed.recv(), if heeds_changes => {
                match session::list_tools(&peer, &slot.config).await {
                    Ok(tools) => {
                        let live = slot.live.lock().unwrap().clone();
                        if let Some(live) = live.filter(|l| *l.tools != tools) {
                            let tools_json = Value::from(tools.as_slice()).to_string().into();
                            slot.set(Some(Live { tools: Arc::new(tools), tools_json, ..live }), changes);
                        }
                    }
                    Err(e) => break Ended::Lost(format!("tool refresh failed: {}", cut(e))),
                }
            }
        }
    };
    token.cancel();
    drop(closed);
    drop(group);
    ended
}
