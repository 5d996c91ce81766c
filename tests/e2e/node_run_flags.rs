//! `openclaw node run --commands|--all-commands` (a saved command allowlist) and
//! `--context-path` (the gateway behind a reverse proxy under a path), on our gateway.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use openclaw_test_support::fixtures::{ECHO, TAG_V1};
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A node host's dirs, and `node run` on them with the flags a test gives.
struct Node {
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Node {
    fn new() -> Node {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("state")).unwrap();
        openclaw_files::private_dir(&dir.path().join("plugins")).unwrap();
        Node { dir, child: None }
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn plugins(&self) -> PathBuf {
        self.dir.path().join("plugins")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(["node", "run", "--plugins"])
            .arg(self.plugins())
            .args(args)
            .env("OPENCLAW_STATE_DIR", self.state())
            .env("OPENCLAW_GATEWAY_TOKEN", TOKEN)
            .env_remove("DISPLAY")
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        cmd
    }

    /// Stops the running one, if any, and starts `node run` with `args`.
    fn run(&mut self, args: &[&str]) {
        self.stop();
        let child = self
            .command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    /// `node run` with `args` to its end.
    fn run_to_end(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }

    fn saved(&self) -> Value {
        let text = std::fs::read_to_string(self.state().join("node.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.stop();
    }
}

fn port(gw: &GatewayProc) -> String {
    gw.url.rsplit(':').next().unwrap().to_string()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

async fn describe(op: &openclaw_client::GatewayClient, node: &str) -> Value {
    op.request("node.describe", json!({"nodeId": node}))
        .await
        .unwrap()
}

/// Waits until the node is connected (or not) on the gateway; answers its `node.list` entry.
async fn connected(op: &openclaw_client::GatewayClient, node: &str, yes: bool) -> Value {
    poll_until(op, "node.list", WAIT, |r| {
        r["nodes"]
            .as_array()?
            .iter()
            .find(|n| n["nodeId"] == node && n["connected"] == yes)
            .cloned()
    })
    .await
}

fn copy_atomically(from: &Path, to: &Path) {
    let tmp = to.with_extension("partial");
    std::fs::copy(from, &tmp).unwrap();
    std::fs::rename(&tmp, to).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_allowlist_is_saved_and_advertises_only_its_commands() {
    let mut config = default_config();
    let allow = &mut config["gateway"]["nodes"]["commands"]["allow"];
    allow.as_array_mut().unwrap().push("fixture.echo".into());
    let gw = GatewayProc::start_with(config, &[], &[]);
    let op = gw.operator().await;
    let (port, name) = (port(&gw), "allowlist-node");
    let mut node = Node::new();
    let base = ["--port", &port, "--display-name", name];
    let listed = [
        &base[..],
        &["--commands", "system.which", "--commands", "fixture.tag"],
    ]
    .concat();
    let grants = "[plugins.echo]\ncapabilities = [\"log\"]\n";
    std::fs::write(node.state().join("plugin-grants.toml"), grants).unwrap();
    node.run(&listed);
    let id = pair(&op, name).await;
    let described = describe(&op, &id).await;
    assert_eq!(strings(&described["commands"]), ["system.which"]);
    assert_eq!(strings(&described["caps"]), ["system"]);
    assert_eq!(
        node.saved()["commands"],
        json!(["fixture.tag", "system.which"])
    );

    // Hot-reloaded plugins stay filtered: fixture.echo stays hidden, fixture.tag comes in.
    copy_atomically(&ECHO.path(), &node.plugins().join("echo.wasm"));
    copy_atomically(&TAG_V1.path(), &node.plugins().join("tag.wasm"));
    approve_surface(&op, name).await;
    let described = describe(&op, &id).await;
    assert_eq!(
        strings(&described["commands"]),
        ["fixture.tag", "system.which"]
    );
    assert_eq!(strings(&described["caps"]), ["fixture", "system"]);
    assert!(described.get("pathEnv").is_none_or(Value::is_null));
    // The gateway allows fixture.echo, but the node did not declare it.
    let e = invoke(&op, &id, "fixture.echo", json!({}))
        .await
        .unwrap_err();
    assert!(
        message(&e).ends_with("does not support \"fixture.echo\""),
        "{}",
        message(&e)
    );
    assert!(invoke(&op, &id, "system.run", json!({"command": ["true"]}))
        .await
        .is_err());
    let tag = invoke(&op, &id, "fixture.tag", json!({})).await.unwrap();
    assert_eq!(tag["payload"], json!({"version": "v1"}));

    // A restart without the flag keeps the saved list.
    node.stop();
    connected(&op, &id, false).await;
    node.run(&base);
    let entry = connected(&op, &id, true).await;
    assert_eq!(strings(&entry["commands"]), ["fixture.tag", "system.which"]);

    // --all-commands forgets it: the whole surface, once approved.
    node.run(&[&base[..], &["--all-commands"]].concat());
    approve_surface(&op, name).await;
    let commands = strings(&describe(&op, &id).await["commands"]);
    for c in ["fixture.echo", "fixture.tag", "system.run", "system.which"] {
        assert!(commands.iter().any(|have| have == c), "{c}: {commands:?}");
    }
    node.stop();
    assert!(node.saved().get("commands").is_none(), "{}", node.saved());

    // A list that keeps nothing cannot start, in the real's words and exit code.
    let out = node.run_to_end(&[&base[..], &["--commands", "nope.cmd,other.cmd"]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "openclaw: Node command allowlist retained no available commands. Unknown or unavailable ids: nope.cmd, other.cmd. Check --commands and enable the plugin that provides each command."
    );
    let out = node.run_to_end(&[&base[..], &["--commands", "a", "--all-commands"]].concat());
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--all-commands cannot be combined with --commands"));
}

/// What the proxy saw: each request's path, and whether it went through.
type Seen = Arc<Mutex<Vec<(String, bool)>>>;

/// A reverse proxy on loopback that serves the gateway under `prefix` only: it refuses (404)
/// an upgrade for any other path, and forwards the rest as it came (the gateway, like the
/// real one, takes its WebSocket on any path).
async fn proxy(upstream: String, prefix: &'static str) -> (u16, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Seen::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(forward(client, upstream.clone(), prefix, log.clone()));
        }
    });
    (port, seen)
}

async fn forward(mut client: TcpStream, upstream: String, prefix: &str, seen: Seen) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let path = text.split(' ').nth(1).unwrap_or_default().to_string();
    let under = path == prefix || path.starts_with(&format!("{prefix}/"));
    seen.lock().unwrap().push((path, under));
    if !under {
        let refusal = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
        client.write_all(refusal).await.ok();
        return;
    }
    let mut gateway = TcpStream::connect(upstream).await.unwrap();
    gateway.write_all(&head).await.unwrap();
    tokio::io::copy_bidirectional(&mut client, &mut gateway)
        .await
        .ok();
}

async fn wait_for(seen: &Seen, what: impl Fn(&[(String, bool)]) -> bool) {
    let started = std::time::Instant::now();
    while !what(&seen.lock().unwrap()) {
        assert!(started.elapsed() < WAIT, "{:?}", seen.lock().unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_reaches_a_gateway_under_a_context_path() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let upstream = format!("127.0.0.1:{}", port(&gw));
    let (proxy_port, seen) = proxy(upstream, "/openclaw-gw").await;
    let proxy_port = proxy_port.to_string();
    let name = "proxied-node";
    let base = ["--port", proxy_port.as_str(), "--display-name", name];
    let mut node = Node::new();

    // Without the path the proxy has nothing for it.
    node.run(&base);
    wait_for(&seen, |s| s.iter().any(|(path, ok)| path == "/" && !ok)).await;
    node.stop();
    let pending = op.request("device.pair.list", json!({})).await.unwrap();
    assert!(!pending.to_string().contains(name), "{pending}");

    // With it (the leading slash added, as the real adds it) the node pairs and serves.
    node.run(&[&base[..], &["--context-path", "openclaw-gw"]].concat());
    let id = pair(&op, name).await;
    let which = invoke(&op, &id, "system.which", json!({"bins": ["sh"]}))
        .await
        .unwrap();
    assert!(which["payload"]["bins"]["sh"].is_string(), "{which}");
    assert_eq!(node.saved()["gateway"]["contextPath"], "openclaw-gw");

    // The path is saved with the endpoint: the next run without the flag goes the same way.
    node.stop();
    connected(&op, &id, false).await;
    let before = seen.lock().unwrap().len();
    node.run(&base);
    connected(&op, &id, true).await;
    let seen = seen.lock().unwrap();
    assert!(
        seen[before..]
            .iter()
            .all(|(path, ok)| path == "/openclaw-gw" && *ok),
        "{seen:?}"
    );
}
