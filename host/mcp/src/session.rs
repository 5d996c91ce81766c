//! One connection to one MCP server, through rmcp: the stdio child in a process group of its
//! own (so the whole group dies with the session) with its stderr in the node log, or a
//! streamable HTTP session; and the bounded, paged `tools/list`.

use std::collections::HashMap;
use std::process::Stdio;

use process_wrap::tokio::{CommandWrap, KillOnDrop, ProcessGroup};
use rmcp::model::{
    ClientCapabilities, ClientConfig, Implementation, PaginatedRequestParams, ServerCapabilities,
};
use rmcp::service::{NotificationContext, Peer, RoleClient, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, ServiceExt};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::mpsc;

use crate::config::{ServerConfig, Transport, LIST_TIMEOUT};

/// The real node host's bounds on a server's `tools/list`.
const MAX_LIST_PAGES: usize = 128;
const MAX_LISTED_TOOLS: usize = 16_384;
const MAX_LIST_BYTES: usize = 10 << 20;
/// Longest stderr line kept in the log.
const MAX_STDERR_LINE: usize = 8192;

/// Hears `notifications/tools/list_changed`.
#[derive(Clone)]
pub(crate) struct Handler {
    changed: mpsc::Sender<()>,
}

impl ClientHandler for Handler {
    async fn on_tool_list_changed(&self, _cx: NotificationContext<RoleClient>) {
        // One pending signal is enough: a flood of notifications makes one re-listing.
        let _ = self.changed.try_send(());
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("openclaw-node-host", env!("CARGO_PKG_VERSION")),
        )
    }
}

pub(crate) type Running = RunningService<RoleClient, Handler>;

/// A connected server: the running service, the signal of its tool list changing, and (for a
/// stdio server) its process group.
pub(crate) struct Session {
    pub running: Running,
    pub list_changed: mpsc::Receiver<()>,
    pub group: Option<GroupGuard>,
}

/// Kills a stdio server's whole process group when dropped: whatever its children do, nothing
/// it started outlives its session, a node that stops, or a task that is dropped.
pub(crate) struct GroupGuard(u32);

impl GroupGuard {
    pub fn group(&self) -> u32 {
        self.0
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        kill_group(self.0);
    }
}

/// SIGKILL to the process group led by `leader`.
pub(crate) fn kill_group(leader: u32) {
    if let Some(pid) = rustix::process::Pid::from_raw(leader as i32) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// Connects `config`'s server within its connection timeout.
pub(crate) async fn connect(config: &ServerConfig) -> Result<Session, String> {
    let (tx, rx) = mpsc::channel(1);
    let handler = Handler { changed: tx };
    let limit = config.connection_timeout;
    let mut group = None;
    let connecting = async {
        match &config.transport {
            Transport::Stdio {
                command,
                args,
                env,
                cwd,
            } => {
                let mut cmd = tokio::process::Command::new(command);
                cmd.args(args).envs(env.iter().map(|(k, v)| (k, v)));
                if let Some(cwd) = cwd {
                    cmd.current_dir(cwd);
                }
                let mut wrapped = CommandWrap::from(cmd);
                wrapped.wrap(ProcessGroup::leader()).wrap(KillOnDrop);
                let (transport, stderr) = TokioChildProcess::builder(wrapped)
                    .stderr(Stdio::piped())
                    .spawn()
                    .map_err(|e| format!("cannot start {command}: {e}"))?;
                group = transport.id().map(GroupGuard);
                if let Some(stderr) = stderr {
                    tokio::spawn(log_stderr(config.name.clone(), stderr));
                }
                handler.serve(transport).await.map_err(|e| e.to_string())
            }
            Transport::StreamableHttp { url, headers } => {
                let mut custom = HashMap::new();
                for (name, value) in headers {
                    let name = name.parse().map_err(|e| format!("header {name:?}: {e}"))?;
                    let value = value.parse().map_err(|e| format!("header {name}: {e}"))?;
                    custom.insert(name, value);
                }
                let transport = StreamableHttpClientTransport::from_config(
                    StreamableHttpClientTransportConfig::with_uri(url.clone())
                        .custom_headers(custom),
                );
                handler.serve(transport).await.map_err(|e| e.to_string())
            }
            Transport::Sse { url, headers } => {
                let transport = crate::sse::connect(url, headers).await?;
                handler.serve(transport).await.map_err(|e| e.to_string())
            }
        }
    };
    let running = tokio::time::timeout(limit, connecting)
        .await
        .map_err(|_| {
            format!(
                "MCP server connection timed out after {}ms",
                limit.as_millis()
            )
        })??;
    Ok(Session {
        running,
        list_changed: rx,
        group,
    })
}

/// Whether the server said it announces changes to its tool list: only then is a
/// `list_changed` heeded, as the real node host's client does.
pub(crate) fn announces_changes(peer: &Peer<RoleClient>) -> bool {
    peer.peer_info()
        .and_then(|info| {
            let ServerCapabilities { tools, .. } = &info.capabilities;
            tools.as_ref().and_then(|t| t.list_changed)
        })
        .unwrap_or(false)
}

/// Every tool the server lists, page after page, within the real's bounds.
pub(crate) async fn list_tools(
    peer: &Peer<RoleClient>,
    config: &ServerConfig,
) -> Result<Vec<Value>, String> {
    let limit = config.request_timeout.unwrap_or(LIST_TIMEOUT);
    tokio::time::timeout(limit, list_pages(peer))
        .await
        .map_err(|_| format!("MCP tool listing timed out after {}ms", limit.as_millis()))?
}

async fn list_pages(peer: &Peer<RoleClient>) -> Result<Vec<Value>, String> {
    let (mut tools, mut bytes, mut cursors) = (Vec::new(), 0, Vec::new());
    let mut cursor = None;
    for _ in 0..MAX_LIST_PAGES {
        let params = PaginatedRequestParams::default().with_cursor(cursor.clone());
        let page = peer
            .list_tools(Some(params))
            .await
            .map_err(|e| e.to_string())?;
        for tool in &page.tools {
            let tool = serde_json::to_value(tool).map_err(|e| e.to_string())?;
            bytes += tool.to_string().len();
            tools.push(tool);
        }
        if bytes > MAX_LIST_BYTES {
            return Err(format!("MCP tool listing exceeded {MAX_LIST_BYTES} bytes"));
        }
        if tools.len() > MAX_LISTED_TOOLS {
            return Err(format!(
                "MCP tool listing exceeded {MAX_LISTED_TOOLS} tools"
            ));
        }
        match page.next_cursor {
            None => return Ok(tools),
            Some(next) if cursors.contains(&next) => {
                return Err("MCP tool listing returned a repeated pagination cursor".into())
            }
            Some(next) => {
                cursors.push(next.clone());
                cursor = Some(next);
            }
        }
    }
    Err(format!("MCP tool listing exceeded {MAX_LIST_PAGES} pages"))
}

/// Each stderr line into the node log, cut to a bounded length.
async fn log_stderr(server: String, stderr: impl AsyncRead + Unpin) {
    let mut lines = BufReader::new(stderr);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut lines)
            .take(MAX_STDERR_LINE as u64)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                tracing::info!("bundle-mcp:{server}: {}", text.trim_end());
            }
        }
    }
}
