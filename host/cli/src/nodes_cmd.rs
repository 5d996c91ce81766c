//! `openclaw nodes ...`: the operator's view of nodes.

use anyhow::{bail, Result};
use clap::Subcommand;
use serde_json::{json, Value};

use crate::canvas_cmd::{self, CanvasCmd};
use crate::device_families_cmd::{self, CameraCmd, LocationCmd, NotifyArgs, ScreenCmd};
use crate::operator::{Operator, OperatorArgs};
use crate::render::{age, list, pretty, s, table};

#[derive(Subcommand)]
pub enum NodesCmd {
    /// Known nodes with their connection and approval state
    Status {
        /// Only connected nodes
        #[arg(long)]
        connected: bool,
    },
    /// Paired and pending nodes
    List,
    /// One node's details and commands
    Describe {
        #[arg(long)]
        node: String,
    },
    /// Node surfaces waiting for approval
    Pending,
    /// Approve a node surface request
    Approve { request_id: String },
    /// Reject a node surface request
    Reject { request_id: String },
    /// Unpair a node
    Remove {
        #[arg(long)]
        node: String,
    },
    /// Set a node's display name
    Rename {
        #[arg(long)]
        node: String,
        #[arg(long)]
        name: String,
    },
    /// Run a shell command on a node (system.run.prepare, then system.run) and exit with its code
    Run {
        #[arg(long)]
        node: String,
        #[arg(long)]
        cwd: Option<String>,
        /// Environment override KEY=VALUE (repeatable)
        #[arg(long = "env")]
        env: Vec<String>,
        /// Kill the command after this many ms
        #[arg(long)]
        command_timeout: Option<u64>,
        /// Agent whose exec approvals apply
        #[arg(long)]
        agent: Option<String>,
        /// The command and its arguments, after `--`
        #[arg(last = true, required = true)]
        argv: Vec<String>,
    },
    /// Drive a node's canvas (present, hide, navigate, eval, snapshot, a2ui)
    Canvas {
        #[command(subcommand)]
        command: CanvasCmd,
    },
    /// A node's position (location.get)
    Location {
        #[command(subcommand)]
        command: LocationCmd,
    },
    /// Show a desktop notification on a node (system.notify)
    Notify(NotifyArgs),
    /// Record a node's screen (screen.record)
    Screen {
        #[command(subcommand)]
        command: ScreenCmd,
    },
    /// A node's cameras (camera.list, camera.snap, camera.clip)
    Camera {
        #[command(subcommand)]
        command: CameraCmd,
    },
    /// Invoke a command on a node and print the gateway's JSON response
    Invoke {
        #[arg(long)]
        node: String,
        #[arg(long)]
        command: String,
        /// JSON params
        #[arg(long, default_value = "{}")]
        params: String,
        /// How long the gateway waits for the node, in ms
        #[arg(long, default_value_t = 15_000)]
        invoke_timeout: u64,
        #[arg(long)]
        idempotency_key: Option<String>,
    },
}

pub async fn run(cmd: NodesCmd, args: &OperatorArgs) -> Result<()> {
    if let NodesCmd::Invoke { command, .. } = &cmd {
        if command == "system.run" || command == "system.run.prepare" {
            return invoke_failed(&format!(
                "command \"{command}\" is reserved for shell execution; use the exec tool with host=node instead"
            ));
        }
    }
    let op = args.connect().await?;
    match cmd {
        NodesCmd::Status { connected } => status(&op, connected).await,
        NodesCmd::List => list_nodes(&op).await,
        NodesCmd::Describe { node } => describe(&op, &node).await,
        NodesCmd::Pending => pending(&op).await,
        NodesCmd::Approve { request_id } => {
            print_call(&op, "node.pair.approve", json!({"requestId": request_id})).await
        }
        NodesCmd::Reject { request_id } => {
            print_call(&op, "node.pair.reject", json!({"requestId": request_id})).await
        }
        NodesCmd::Remove { node } => {
            let id = s(&op.resolve_node(&node).await?["nodeId"]);
            print_call(&op, "node.pair.remove", json!({"nodeId": id})).await
        }
        NodesCmd::Rename { node, name } => {
            let id = s(&op.resolve_node(&node).await?["nodeId"]);
            print_call(
                &op,
                "node.rename",
                json!({"nodeId": id, "displayName": name}),
            )
            .await
        }
        NodesCmd::Run {
            node,
            cwd,
            env,
            command_timeout,
            agent,
            argv,
        } => run_command(&op, &node, cwd, &env, command_timeout, agent, argv).await,
        NodesCmd::Canvas { command } => canvas_cmd::run(command, &op).await,
        NodesCmd::Location { command } => device_families_cmd::location(command, &op).await,
        NodesCmd::Notify(args) => device_families_cmd::notify(args, &op).await,
        NodesCmd::Screen { command } => device_families_cmd::screen(command, &op).await,
        NodesCmd::Camera { command } => device_families_cmd::camera(command, &op).await,
        NodesCmd::Invoke {
            node,
            command,
            params,
            invoke_timeout,
            idempotency_key,
        } => {
            invoke(
                &op,
                &node,
                &command,
                &params,
                invoke_timeout,
                idempotency_key,
            )
            .await
        }
    }
}

async fn print_call(op: &Operator, method: &str, params: Value) -> Result<()> {
    println!("{}", pretty(&op.call(method, params).await?));
    Ok(())
}

async fn status(op: &Operator, only_connected: bool) -> Result<()> {
    let reply = op.call("node.list", json!({})).await?;
    let mut nodes = reply["nodes"].as_array().cloned().unwrap_or_default();
    if only_connected {
        nodes.retain(|n| n["connected"] == true);
    }
    if op.json {
        println!("{}", pretty(&json!({"ts": reply["ts"], "nodes": nodes})));
        return Ok(());
    }
    let paired = nodes.iter().filter(|n| n["paired"] == true).count();
    let connected = nodes.iter().filter(|n| n["connected"] == true).count();
    println!(
        "Known: {} · Paired: {paired} · Connected: {connected}",
        nodes.len()
    );
    if nodes.is_empty() {
        return Ok(());
    }
    let rows = nodes
        .iter()
        .map(|n| {
            let conn = if n["connected"] == true {
                format!("connected ({})", age(n["connectedAtMs"].as_u64()))
            } else {
                "disconnected".to_string()
            };
            let paired = if n["paired"] == true {
                "paired"
            } else {
                "unpaired"
            };
            vec![
                name_of(n),
                s(&n["nodeId"]),
                s(&n["remoteIp"]),
                detail(n),
                format!("{paired} · {conn} · {}", s(&n["approvalState"])),
                list(&n["caps"]),
            ]
        })
        .collect();
    println!(
        "{}",
        table(&["Node", "ID", "IP", "Detail", "Status", "Caps"], rows)
    );
    Ok(())
}

fn name_of(n: &Value) -> String {
    n["displayName"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| s(&n["nodeId"]))
}

/// `client: node-host/node · device: Linux · core v… · load … · mem … · disk … · path: …`
fn detail(n: &Value) -> String {
    let mut parts = vec![format!(
        "client: {}/{}",
        s(&n["clientId"]),
        s(&n["clientMode"])
    )];
    if let Some(family) = n["deviceFamily"].as_str() {
        parts.push(format!("device: {family}"));
    }
    if let Some(v) = n["version"].as_str().filter(|v| !v.is_empty()) {
        parts.push(format!("core v{v}"));
    }
    if let Some(stats) = stats_line(&n["hostStats"]) {
        parts.push(stats);
    }
    if let Some(path) = n["pathEnv"].as_str() {
        parts.push(format!("path: {path}"));
    }
    parts.join(" · ")
}

fn stats_line(stats: &Value) -> Option<String> {
    let cpus = stats["cpuCount"].as_u64()?;
    let gb = |b: u64| b as f64 / 1e9;
    let mut parts = Vec::new();
    if let Some(load) = stats["loadAverage"][0].as_f64() {
        parts.push(format!("load {load:.1}/{cpus}"));
    }
    if let (Some(total), Some(free)) = (
        stats["memoryTotalBytes"].as_u64(),
        stats["memoryFreeBytes"].as_u64(),
    ) {
        parts.push(format!("mem {:.1}/{:.0} GB", gb(total - free), gb(total)));
    }
    if let Some(avail) = stats["diskAvailableBytes"].as_u64() {
        parts.push(format!("disk {:.0} GB free", gb(avail)));
    }
    Some(parts.join(" · "))
}

async fn list_nodes(op: &Operator) -> Result<()> {
    let pairs = op.call("node.pair.list", json!({})).await?;
    if op.json {
        println!("{}", pretty(&pairs));
        return Ok(());
    }
    let pending = pairs["pending"].as_array().cloned().unwrap_or_default();
    let paired = pairs["paired"].as_array().cloned().unwrap_or_default();
    println!("Pending: {} · Paired: {}", pending.len(), paired.len());
    if !pending.is_empty() {
        println!("\nPending");
        println!("{}", pending_table(&pending));
    }
    if !paired.is_empty() {
        println!("\nPaired");
        let rows = paired
            .iter()
            .map(|n| {
                vec![
                    name_of(n),
                    s(&n["nodeId"]),
                    s(&n["remoteIp"]),
                    age(n["lastConnectedAtMs"].as_u64()),
                ]
            })
            .collect();
        println!("{}", table(&["Node", "ID", "IP", "Last Connect"], rows));
    }
    Ok(())
}

fn pending_table(pending: &[Value]) -> String {
    let rows = pending
        .iter()
        .map(|r| {
            vec![
                s(&r["requestId"]),
                name_of(r),
                s(&r["remoteIp"]),
                age(r["ts"].as_u64()),
            ]
        })
        .collect();
    table(&["Request", "Node", "IP", "Requested"], rows)
}

async fn pending(op: &Operator) -> Result<()> {
    let pairs = op.call("node.pair.list", json!({})).await?;
    let pending = pairs["pending"].as_array().cloned().unwrap_or_default();
    if op.json {
        println!("{}", pretty(&Value::Array(pending)));
    } else if pending.is_empty() {
        println!("No pending pairing requests.");
    } else {
        println!("Pending");
        println!("{}", pending_table(&pending));
    }
    Ok(())
}

async fn describe(op: &Operator, query: &str) -> Result<()> {
    let node = op.resolve_node(query).await?;
    let d = op
        .call("node.describe", json!({"nodeId": node["nodeId"]}))
        .await?;
    if op.json {
        println!("{}", pretty(&d));
        return Ok(());
    }
    let mut rows = vec![
        vec!["ID".into(), s(&d["nodeId"])],
        vec!["Name".into(), name_of(&d)],
        vec![
            "Client".into(),
            format!("{}/{}", s(&d["clientId"]), s(&d["clientMode"])),
        ],
    ];
    if let Some(family) = d["deviceFamily"].as_str() {
        rows.push(vec!["Device".into(), family.into()]);
    }
    rows.push(vec![
        "Version".into(),
        format!("core v{}", s(&d["version"])),
    ]);
    if let Some(stats) = stats_line(&d["hostStats"]) {
        rows.push(vec!["Stats".into(), stats]);
    }
    if let Some(path) = d["pathEnv"].as_str() {
        rows.push(vec!["PATH".into(), path.into()]);
    }
    let paired = if d["paired"] == true {
        "paired"
    } else {
        "unpaired"
    };
    let connected = if d["connected"] == true {
        "connected"
    } else {
        "disconnected"
    };
    rows.push(vec!["Status".into(), format!("{paired} · {connected}")]);
    rows.push(vec!["Approval".into(), s(&d["approvalState"])]);
    rows.push(vec!["Caps".into(), list(&d["caps"])]);
    println!("Node");
    println!("{}", table(&["Field", "Value"], rows));
    println!("\nCommands");
    for c in d["commands"].as_array().into_iter().flatten() {
        println!("- {}", s(c));
    }
    Ok(())
}

async fn invoke(
    op: &Operator,
    query: &str,
    command: &str,
    params: &str,
    timeout_ms: u64,
    key: Option<String>,
) -> Result<()> {
    let params: Value = match serde_json::from_str(params) {
        Ok(p) => p,
        Err(e) => return invoke_failed(&format!("--params is not valid JSON: {e}")),
    };
    let node = match op.resolve_node(query).await {
        Ok(n) => n,
        Err(e) => return invoke_failed(&e.to_string()),
    };
    let request = json!({
        "nodeId": node["nodeId"],
        "command": command,
        "params": params,
        "timeoutMs": timeout_ms,
        "idempotencyKey": key.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
    });
    let wait = op
        .timeout
        .max(std::time::Duration::from_millis(timeout_ms + 5_000));
    match op
        .client
        .request_with_timeout("node.invoke", request, wait)
        .await
    {
        Ok(reply) => {
            println!("{}", pretty(&reply));
            Ok(())
        }
        Err(e) => match e.error_shape() {
            Some(shape) => invoke_failed(&shape.message),
            None => Err(e.into()),
        },
    }
}

/// Prints the failure as the real CLI does (JSON on stdout, reason on stderr), then exits 1.
fn invoke_failed(message: &str) -> Result<()> {
    println!(
        "{}",
        pretty(&json!({"ok": false, "error": {"type": "cli_error", "message": message}}))
    );
    bail!("{message}")
}

async fn run_command(
    op: &Operator,
    query: &str,
    cwd: Option<String>,
    env: &[String],
    timeout_ms: Option<u64>,
    agent: Option<String>,
    argv: Vec<String>,
) -> Result<()> {
    let mut overrides = serde_json::Map::new();
    for kv in env {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--env {kv}: expected KEY=VALUE")
        };
        overrides.insert(k.to_string(), json!(v));
    }
    let node_id = s(&op.resolve_node(query).await?["nodeId"]);
    let call = |command: &str, params: Value| {
        let request = json!({"nodeId": node_id, "command": command, "params": params, "idempotencyKey": uuid::Uuid::new_v4().to_string()});
        let wait = op.timeout.max(std::time::Duration::from_millis(
            timeout_ms.unwrap_or(0) + 35_000,
        ));
        async move {
            op.client
                .request_with_timeout("node.invoke", request, wait)
                .await
        }
    };
    let prepared = call(
        "system.run.prepare",
        json!({"command": argv, "cwd": cwd, "agentId": agent}),
    )
    .await?;
    let plan = &prepared["payload"]["plan"];
    let params = json!({
        "command": plan["argv"],
        "rawCommand": plan["commandText"],
        "cwd": plan["cwd"],
        "env": overrides,
        "timeoutMs": timeout_ms,
        "agentId": agent,
    });
    let result = call("system.run", params).await?;
    let out = &result["payload"];
    print!("{}", s(&out["stdout"]));
    eprint!("{}", s(&out["stderr"]));
    use std::io::Write;
    std::io::stdout().flush().ok();
    if let Some(error) = out["error"].as_str() {
        bail!("{error}");
    }
    if out["timedOut"] == true {
        eprintln!("openclaw: the command timed out on the node");
        std::process::exit(124);
    }
    std::process::exit(out["exitCode"].as_i64().map_or(1, |c| c as i32));
}
