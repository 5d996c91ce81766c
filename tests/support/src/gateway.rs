//! Test harness: a real `openclaw gateway run` process on loopback with its own state dir,
//! operator and node clients over real WebSockets, and a raw socket for malformed input.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use openclaw_client::{connect, ClientError, ConnectOptions, Events, GatewayClient};
use openclaw_protocol::frames::EventFrame;
use openclaw_protocol::identity::DeviceIdentity;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

pub use crate::bin;

pub const TOKEN: &str = "e2e-gateway-token";

/// Commands the test node serves; the test config allowlists them.
pub const TEST_COMMANDS: &[&str] = &["test.echo", "test.slow", "test.count", "test.fail"];
/// Commands of the fixture plugins the node tests drop in.
pub const FIXTURE_COMMANDS: &[&str] = &["fixture.tag"];

pub fn default_config() -> Value {
    json!({"gateway": {"nodes": {
        "pairing": {"autoApproveLocal": false},
        "commands": {"allow": ([TEST_COMMANDS, FIXTURE_COMMANDS].concat())},
    }}})
}

pub struct GatewayProc {
    child: Child,
    pub dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    pub url: String,
    pub stdout_head: Vec<String>,
}

impl GatewayProc {
    pub fn start() -> GatewayProc {
        Self::start_with(default_config(), &[], &[])
    }

    pub fn start_with(config: Value, args: &[&str], env: &[(&str, &str)]) -> GatewayProc {
        // Private from the start, as a user's would be: the gateway warns about anything looser.
        let tmp = tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .unwrap();
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(tmp.path().join("openclaw.json"))
            .unwrap();
        file.write_all(config.to_string().as_bytes()).unwrap();
        let dir = tmp.path().to_path_buf();
        let mut gw = Self::spawn(&dir, args, env);
        gw._tmp = Some(tmp);
        gw
    }

    /// Starts a gateway on an existing state dir (a restart).
    pub fn spawn(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> GatewayProc {
        Self::spawn_on(dir, "0", args, env)
    }

    fn spawn_on(dir: &Path, port: &str, args: &[&str], env: &[(&str, &str)]) -> GatewayProc {
        let mut cmd = Command::new(bin());
        cmd.args(["gateway", "run", "--port", port, "--token", TOKEN])
            .args(args)
            .env("OPENCLAW_STATE_DIR", dir)
            .env_remove("OPENCLAW_GATEWAY_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn openclaw gateway run");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().expect("gateway printed nothing").unwrap();
        let url = first
            .strip_prefix("gateway listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_string();
        let mut head = vec![first];
        if args.contains(&"--tls") {
            head.push(lines.next().unwrap().unwrap());
        }
        // Keep draining stdout so the gateway never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        GatewayProc {
            child,
            dir: dir.to_path_buf(),
            _tmp: None,
            url,
            stdout_head: head,
        }
    }

    /// `kill -9`, then start again on the same state dir and port, so that nodes come back
    /// by themselves.
    pub fn crash_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let tmp = self._tmp.take();
        let port = self.url.rsplit(':').next().unwrap().to_string();
        *self = Self::spawn_on(&self.dir.clone(), &port, &[], &[]);
        self._tmp = tmp;
    }

    /// Runs `openclaw <group> --url .. --token .. <rest>` (before any `--` in `rest`).
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(bin())
            .arg(args[0])
            .args(["--url", &self.url, "--token", TOKEN])
            .args(&args[1..])
            .env("OPENCLAW_STATE_DIR", &self.dir)
            .env("COLUMNS", "200")
            .output()
            .unwrap()
    }

    pub async fn operator(&self) -> GatewayClient {
        operator_with(&self.url, &["operator.admin"]).await
    }
}

impl Drop for GatewayProc {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// An operator with `scopes`, proving `device` when given, with its events.
pub async fn operator_proving(
    url: &str,
    scopes: &[&str],
    device: Option<&DeviceIdentity>,
) -> (GatewayClient, Events) {
    let mut opts = ConnectOptions::operator(url, Some(TOKEN.into()), scopes);
    opts.device = device.cloned();
    connect(&opts).await.expect("operator connects")
}

pub async fn operator_with(url: &str, scopes: &[&str]) -> GatewayClient {
    let opts = ConnectOptions::operator(url, Some(TOKEN.into()), scopes);
    connect(&opts).await.expect("operator connects").0
}

pub fn node_options(url: &str, identity: &DeviceIdentity, commands: &[&str]) -> ConnectOptions {
    let mut opts = ConnectOptions::node(url, identity.clone(), "e2e-node");
    opts.auth.token = Some(TOKEN.into());
    opts.commands = Some(commands.iter().map(|c| c.to_string()).collect());
    opts.caps = Some(vec!["test".into()]);
    opts
}

pub async fn connect_node(
    url: &str,
    identity: &DeviceIdentity,
    commands: &[&str],
) -> Result<(GatewayClient, Events), ClientError> {
    connect(&node_options(url, identity, commands)).await
}

/// Calls `method` every 50 ms until `pick` finds what it wants in the reply, for up to `limit`.
pub async fn poll_until(
    op: &GatewayClient,
    method: &str,
    limit: Duration,
    pick: impl Fn(&Value) -> Option<Value>,
) -> Value {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if let Some(found) = op
            .request(method, json!({}))
            .await
            .ok()
            .as_ref()
            .and_then(&pick)
        {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{method} never showed what the test waited for");
}

/// The `details` of a refused request or connect.
pub fn details(e: &ClientError) -> Value {
    e.error_shape()
        .and_then(|s| s.details.clone())
        .unwrap_or(Value::Null)
}

/// Pairs a node on both layers and returns it connected with every declared command approved.
pub async fn paired_node(
    gw: &GatewayProc,
    identity: &DeviceIdentity,
    commands: &[&str],
) -> (GatewayClient, Events) {
    let op = gw.operator().await;
    let err = connect_node(&gw.url, identity, commands)
        .await
        .err()
        .expect("first connect needs pairing");
    let request_id = details(&err)["requestId"].as_str().unwrap().to_string();
    op.request("device.pair.approve", json!({"requestId": request_id}))
        .await
        .unwrap();
    let (node, mut events) = connect_node(&gw.url, identity, commands).await.unwrap();
    let pending = op.request("node.pair.list", json!({})).await.unwrap();
    let node_id = identity.device_id();
    if let Some(req) = pending["pending"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["nodeId"] == node_id.as_str())
    {
        op.request("node.pair.approve", json!({"requestId": req["requestId"]}))
            .await
            .unwrap();
        events
            .wait_for("node.pair.resolved")
            .await
            .expect("node told of approval");
    }
    (node, events)
}

/// Answers invokes like a small node host: echo, never (slow), count, fail.
pub fn serve_invokes(node: GatewayClient, mut events: Events) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Some(ev) = events.next().await {
            if ev.event != "node.invoke.request" {
                continue;
            }
            let node = node.clone();
            let counter = counter.clone();
            tokio::spawn(async move { answer(&node, ev, &counter).await });
        }
    });
    count
}

async fn answer(node: &GatewayClient, ev: EventFrame, count: &AtomicUsize) {
    let p = ev.payload.unwrap();
    let base = json!({"id": p["id"], "nodeId": p["nodeId"]});
    let reply = match p["command"].as_str().unwrap() {
        "test.echo" => json!({"ok": true, "payloadJSON": p["paramsJSON"]}),
        "test.slow" => return,
        // Enough of a node's exec approvals to see the gateway forward and check them.
        "system.execApprovals.get" => {
            let snapshot = json!({"path": "mem", "exists": false, "hash": "missing:0", "file": {"version": 1}});
            json!({"ok": true, "payloadJSON": snapshot.to_string()})
        }
        "system.execApprovals.set" => {
            let sent: Value = serde_json::from_str(p["paramsJSON"].as_str().unwrap()).unwrap();
            let snapshot = json!({"path": "mem", "exists": true, "hash": sent["baseHash"], "file": sent["file"], "extra": 1});
            json!({"ok": true, "payloadJSON": snapshot.to_string()})
        }
        "test.count" => {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            json!({"ok": true, "payloadJSON": json!({"count": n}).to_string()})
        }
        _ => json!({"ok": false, "error": {"code": "BOOM", "message": "it broke"}}),
    };
    let mut params = base;
    params
        .as_object_mut()
        .unwrap()
        .extend(reply.as_object().unwrap().clone());
    node.request("node.invoke.result", params).await.ok();
}

/// A raw WebSocket for sending what no well-behaved client would.
/// A node-host `connect` frame for `id`'s device with `auth`, signed by `signer` over `token`
/// (the credential a client signs: `auth.token`, else its device or bootstrap token).
pub fn signed_node_connect(
    id: &DeviceIdentity,
    signer: &DeviceIdentity,
    signed_at: u64,
    nonce: &str,
    auth: Value,
    token: &str,
) -> Value {
    use openclaw_protocol::signature::{payload_v3, SignedFields};
    let device_id = id.device_id();
    let payload = payload_v3(&SignedFields {
        device_id: &device_id,
        client_id: "node-host",
        client_mode: "node",
        role: "node",
        scopes: &[],
        signed_at_ms: signed_at,
        token,
        nonce,
        platform: Some("linux"),
        device_family: Some("Linux"),
    });
    json!({"type": "req", "id": "c1", "method": "connect", "params": {
        "minProtocol": 3, "maxProtocol": 4,
        "client": {"id": "node-host", "mode": "node", "version": "1", "platform": "linux", "deviceFamily": "Linux"},
        "role": "node", "scopes": [], "caps": [], "commands": [], "auth": auth,
        "device": {"id": device_id, "publicKey": id.public_key(), "signature": signer.sign(&payload), "signedAt": signed_at, "nonce": nonce},
    }})
}

pub struct RawConn {
    pub ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    pub nonce: String,
    pub ts: u64,
}

impl RawConn {
    pub async fn open(url: &str) -> RawConn {
        Self::open_with(url, None).await
    }

    /// A socket that takes messages of any size: a 16 MiB file comes back from the gateway
    /// twice over (`payload` and `payloadJSON`), past what a regular client accepts.
    pub async fn open_unbounded(url: &str) -> RawConn {
        let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(None)
            .max_frame_size(None);
        Self::open_with(url, Some(config)).await
    }

    async fn open_with(
        url: &str,
        config: Option<tokio_tungstenite::tungstenite::protocol::WebSocketConfig>,
    ) -> RawConn {
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, config, false)
            .await
            .unwrap();
        let first = ws.next().await.unwrap().unwrap();
        let challenge: Value = serde_json::from_str(first.to_text().unwrap()).unwrap();
        assert_eq!(challenge["event"], "connect.challenge");
        RawConn {
            nonce: challenge["payload"]["nonce"].as_str().unwrap().to_string(),
            ts: challenge["payload"]["ts"].as_u64().unwrap(),
            ws,
        }
    }

    pub async fn send(&mut self, text: impl Into<String>) {
        self.ws.send(Message::text(text.into())).await.unwrap();
    }

    /// The next text frame as JSON, or None when the socket closed.
    pub async fn next_json(&mut self) -> Option<Value> {
        self.next_json_within(Duration::from_secs(5)).await
    }

    /// [`Self::next_json`], waiting up to `limit`.
    pub async fn next_json_within(&mut self, limit: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(limit, self.ws.next())
                .await
                .expect("gateway answered")
            {
                Some(Ok(Message::Text(t))) => return Some(serde_json::from_str(&t).unwrap()),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Reads until the close frame and returns its code.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .expect("gateway closed")
            {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                None | Some(Err(_)) => return None,
            }
        }
    }
}

/// A `connect` frame for an operator with the shared token.
pub fn operator_connect(id: &str, min: u32, max: u32, token: &str) -> String {
    json!({"type": "req", "id": id, "method": "connect", "params": {
        "minProtocol": min, "maxProtocol": max,
        "client": {"id": "cli", "mode": "cli", "version": "1", "platform": "linux"},
        "role": "operator", "scopes": ["operator.admin"], "auth": {"token": token},
    }})
    .to_string()
}
