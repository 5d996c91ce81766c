//! `nodes status|list|pending|describe`: what the gateway knows of its nodes, as tables.

use anyhow::Result;
use serde_json::{json, Value};

use crate::operator::Operator;
use crate::render::{age, list, pretty, s, table};

pub async fn status(op: &Operator, only_connected: bool) -> Result<()> {
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
