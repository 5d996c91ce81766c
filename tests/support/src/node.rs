//! Our node host as a real process (`openclaw node run`) on a gateway, with helpers to pair it
//! and call it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use openclaw_protocol::node_invoke::InvokeParams;
use serde_json::{json, Value};

use crate::gateway::*;
use crate::real::{self, RealProc};

/// How long the node tests wait for the gateway to show a change.
pub const WAIT: Duration = Duration::from_secs(10);

pub struct NodeProc {
    pub child: Child,
    pub plugins: PathBuf,
    pub state: PathBuf,
    _dir: tempfile::TempDir,
}

impl NodeProc {
    pub fn start(gw: &GatewayProc, name: &str) -> NodeProc {
        NodeProc::start_with(gw, name, json!({}))
    }

    /// A node whose state dir holds `config` as its `openclaw.json`.
    pub fn start_with(gw: &GatewayProc, name: &str, config: Value) -> NodeProc {
        NodeProc::start_in(gw, name, config, &[])
    }

    /// Also with `env` set. The node sees no X display or session bus but those given here.
    pub fn start_in(gw: &GatewayProc, name: &str, config: Value, env: &[(&str, &str)]) -> NodeProc {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("plugins");
        let state = dir.path().join("state");
        // Loose on purpose (0755, and 0644 below), as a user might leave them: the node must
        // tighten them (e2e `secrets`).
        std::fs::create_dir_all(&state).unwrap();
        // Made here, so a test can drop a plugin in at once, whether or not the node has started.
        openclaw_files::private_dir(&plugins).unwrap();
        std::fs::write(state.join("openclaw.json"), config.to_string()).unwrap();
        let child = spawn(gw, name, &plugins, &state, env);
        NodeProc {
            child,
            plugins,
            state,
            _dir: dir,
        }
    }
}

impl NodeProc {
    /// Stops the node (SIGKILL): it is away until `come_back`.
    pub fn go_away(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }

    /// Starts the node again on its state dir.
    pub fn come_back(&mut self, gw: &GatewayProc, name: &str) {
        self.go_away();
        self.child = spawn(gw, name, &self.plugins, &self.state, &[]);
    }
}

fn spawn(
    gw: &GatewayProc,
    name: &str,
    plugins: &std::path::Path,
    state: &std::path::Path,
    env: &[(&str, &str)],
) -> Child {
    let port = gw.url.rsplit(':').next().unwrap();
    Command::new(bin())
        .args([
            "node",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            port,
            "--display-name",
            name,
            "--plugins",
        ])
        .arg(plugins)
        .env("OPENCLAW_STATE_DIR", state)
        .env("OPENCLAW_GATEWAY_TOKEN", TOKEN)
        .env_remove("DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Approves the node's device and its surface; returns its node id.
pub async fn pair(op: &openclaw_client::GatewayClient, name: &str) -> String {
    approve_pending(op, "device.pair", name, WAIT).await;
    approve_surface(op, name).await
}

/// Approves `name`'s pending surface and waits until the node is connected with it: the
/// request may come from a connection that a device approval has since replaced, and the
/// node takes a moment to come back.
pub async fn approve_surface(op: &openclaw_client::GatewayClient, name: &str) -> String {
    approve_surface_within(op, name, WAIT).await
}

/// [`approve_surface`], waiting up to `wait` for each step.
pub async fn approve_surface_within(
    op: &openclaw_client::GatewayClient,
    name: &str,
    wait: Duration,
) -> String {
    let request = approve_pending(op, "node.pair", name, wait).await;
    let id = request["nodeId"].as_str().unwrap().to_string();
    poll_until(op, "node.list", wait, |r| {
        r["nodes"].as_array()?.iter().find(|n| {
            n["nodeId"] == id.as_str() && n["connected"] == true && n["approvalState"] == "approved"
        })?;
        Some(Value::Null)
    })
    .await;
    id
}

/// Waits up to `wait` for `name`'s pending request in `<family>.list` and approves it;
/// answers the request.
pub async fn approve_pending(
    op: &openclaw_client::GatewayClient,
    family: &str,
    name: &str,
    wait: Duration,
) -> Value {
    let request = poll_until(op, &format!("{family}.list"), wait, |r| {
        r["pending"]
            .as_array()?
            .iter()
            .find(|p| p["displayName"] == name)
            .cloned()
    })
    .await;
    op.request(
        &format!("{family}.approve"),
        json!({"requestId": request["requestId"]}),
    )
    .await
    .unwrap();
    request
}

pub async fn invoke(
    op: &openclaw_client::GatewayClient,
    node: &str,
    command: &str,
    params: Value,
) -> Result<Value, openclaw_client::ClientError> {
    let key = uuid::Uuid::new_v4().to_string();
    let params = InvokeParams::new(node, command, params, key).to_value();
    op.request("node.invoke", params).await
}

pub fn message(e: &openclaw_client::ClientError) -> String {
    e.error_shape()
        .map(|s| s.message.clone())
        .unwrap_or_else(|| e.to_string())
}

/// A node on `gw` with its device and surface approved; answers its node id.
pub async fn start_paired(
    gw: &GatewayProc,
    op: &openclaw_client::GatewayClient,
    name: &str,
    config: Value,
) -> (NodeProc, String) {
    start_paired_in(gw, op, name, config, &[]).await
}

/// [`start_paired`] with `env` for the node.
pub async fn start_paired_in(
    gw: &GatewayProc,
    op: &openclaw_client::GatewayClient,
    name: &str,
    config: Value,
    env: &[(&str, &str)],
) -> (NodeProc, String) {
    let node = NodeProc::start_in(gw, name, config, env);
    let id = pair(op, name).await;
    (node, id)
}

/// Replaces the node's exec approvals through the gateway, from the hash they have now.
pub async fn replace_approvals(op: &openclaw_client::GatewayClient, node: &str, file: Value) {
    let current = op
        .request("exec.approvals.node.get", json!({"nodeId": node}))
        .await
        .unwrap();
    op.request(
        "exec.approvals.node.set",
        json!({"nodeId": node, "file": file, "baseHash": current["hash"]}),
    )
    .await
    .unwrap();
}

pub async fn call(
    op: &openclaw_client::GatewayClient,
    node: &str,
    command: &str,
    params: Value,
) -> Value {
    let reply = invoke(op, node, command, params)
        .await
        .unwrap_or_else(|e| panic!("{command}: {}", message(&e)));
    reply["payload"].clone()
}

pub async fn refused(
    op: &openclaw_client::GatewayClient,
    node: &str,
    command: &str,
    params: Value,
) -> (String, String) {
    let Err(e) = invoke(op, node, command, params).await else {
        panic!("{command} should fail");
    };
    let node_error = &details(&e)["nodeError"];
    assert!(node_error.is_object(), "not a node error: {e}");
    let text = |key: &str| node_error[key].as_str().unwrap_or_default().to_string();
    (text("code"), text("message"))
}

/// The real node host, paired: it pauses after its first refused connect, so it is started
/// again once its device is approved.
pub async fn pair_real_node(
    gw: &GatewayProc,
    op: &openclaw_client::GatewayClient,
    home: &std::path::Path,
    name: &str,
) -> (RealProc, String) {
    let port = gw.url.rsplit(':').next().unwrap().to_string();
    let start = || real::node_host(home, &port, name, &[("OPENCLAW_GATEWAY_TOKEN", TOKEN)]);
    let first = start();
    // The real node host takes far longer than ours to ask, and to start again.
    let slow = Duration::from_secs(90);
    approve_pending(op, "device.pair", name, slow).await;
    drop(first);
    let node = start();
    let id = approve_surface_within(op, name, slow).await;
    (node, id)
}
