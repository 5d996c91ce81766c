//! `nodes status|list|pending|describe`: what the gateway knows of its nodes, as tables.

use anyhow::Result;
use serde_json::{json, Value};

use openclaw_protocol::nodes::{NodeDescription, NodeEntry};

use crate::operator::Operator;
use crate::render::{age, pretty, s, table};

pub async fn status(op: &Operator, only_connected: bool) -> Result<()> {
    let reply = op.call("node.list", json!({})).await?;
    let mut raw = reply["nodes"].as_array().cloned().unwrap_or_default();
    if only_connected {
        raw.retain(|n| n["connected"] == true);
    }
    if op.json {
        // What the gateway sent, whatever fields it has.
        println!("{}", pretty(&json!({"ts": reply["ts"], "nodes": raw})));
        return Ok(());
    }
    let nodes: Vec<NodeEntry> = serde_json::from_value(Value::Array(raw))?;
    let paired = nodes.iter().filter(|n| n.paired).count();
    let connected = nodes.iter().filter(|n| n.connected).count();
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
            let conn = if n.connected {
                format!("connected ({})", age(n.connected_at_ms))
            } else {
                "disconnected".to_string()
            };
            let paired = if n.paired { "paired" } else { "unpaired" };
            vec![
                n.name().to_string(),
                n.node_id.clone(),
                n.remote_ip.clone().unwrap_or_default(),
                detail(n),
                format!("{paired} · {conn} · {}", n.approval_state),
                n.caps.join(", "),
            ]
        })
        .collect();
    println!(
        "{}",
        table(&["Node", "ID", "IP", "Detail", "Status", "Caps"], rows)
    );
    Ok(())
}

/// A pairing record's name: its display name, else its node id.
fn name_of(n: &Value) -> String {
    n["displayName"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| s(&n["nodeId"]))
}

/// `client: node-host/node · device: Linux · core v… · load … · mem … · disk … · path: …`
fn detail(n: &NodeEntry) -> String {
    let mut parts = vec![format!("client: {}/{}", n.client_id, n.client_mode)];
    if let Some(family) = &n.device_family {
        parts.push(format!("device: {family}"));
    }
    if !n.version.is_empty() {
        parts.push(format!("core v{}", n.version));
    }
    if let Some(stats) = n.host_stats.as_ref().and_then(stats_line) {
        parts.push(stats);
    }
    if let Some(path) = &n.path_env {
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

pub async fn list_nodes(op: &Operator) -> Result<()> {
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

pub async fn pending(op: &Operator) -> Result<()> {
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

pub async fn describe(op: &Operator, query: &str) -> Result<()> {
    let node = op.resolve_node(query).await?;
    let reply = op
        .call("node.describe", json!({"nodeId": node.node_id}))
        .await?;
    if op.json {
        println!("{}", pretty(&reply));
        return Ok(());
    }
    let d: NodeDescription = serde_json::from_value(reply)?;
    let d = d.node;
    let mut rows = vec![
        vec!["ID".into(), d.node_id.clone()],
        vec!["Name".into(), d.name().to_string()],
        vec![
            "Client".into(),
            format!("{}/{}", d.client_id, d.client_mode),
        ],
    ];
    if let Some(family) = &d.device_family {
        rows.push(vec!["Device".into(), family.clone()]);
    }
    rows.push(vec!["Version".into(), format!("core v{}", d.version)]);
    if let Some(stats) = d.host_stats.as_ref().and_then(stats_line) {
        rows.push(vec!["Stats".into(), stats]);
    }
    if let Some(path) = &d.path_env {
        rows.push(vec!["PATH".into(), path.clone()]);
    }
    let paired = if d.paired { "paired" } else { "unpaired" };
    let connected = if d.connected {
        "connected"
    } else {
        "disconnected"
    };
    rows.push(vec!["Status".into(), format!("{paired} · {connected}")]);
    rows.push(vec!["Approval".into(), d.approval_state.clone()]);
    rows.push(vec!["Caps".into(), d.caps.join(", ")]);
    println!("Node");
    println!("{}", table(&["Field", "Value"], rows));
    println!("\nCommands");
    for c in &d.commands {
        println!("- {c}");
    }
    Ok(())
}
