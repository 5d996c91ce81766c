//! `nodes status|list|pending|describe`: what the gateway knows of its nodes, as tables.

use anyhow::Result;
use serde_json::{json, Value};

use openclaw_protocol::nodes::{NodeDescription, NodeEntry};

use openclaw_protocol::now_ms;

use super::ConnectionFilter;
use crate::operator::Operator;
use crate::render::{age, pretty, s, table};

pub async fn status(op: &Operator, filter: &ConnectionFilter) -> Result<()> {
    let since = filter.since_ms()?;
    let reply = op.call("node.list", json!({})).await?;
    let mut raw = reply["nodes"].as_array().cloned().unwrap_or_default();
    let known = raw.len();
    let now = now_ms();
    raw.retain(|n| filter.matches(n, since, now));
    if op.json {
        // What the gateway sent, whatever fields it has.
        let mut out = reply.clone();
        if !out.is_object() {
            out = json!({});
        }
        if !out["ts"].is_number() {
            out["ts"] = json!(now);
        }
        out["nodes"] = Value::Array(raw);
        println!("{}", pretty(&out));
        return Ok(());
    }
    let nodes: Vec<NodeEntry> = serde_json::from_value(Value::Array(raw))?;
    let paired = nodes.iter().filter(|n| n.paired).count();
    let connected = nodes.iter().filter(|n| n.connected).count();
    let of = if nodes.len() != known {
        format!(" (of {known})")
    } else {
        String::new()
    };
    println!(
        "Known: {}{of} · Paired: {paired} · Connected: {connected}",
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
    if let Some(model) = &n.model_identifier {
        parts.push(format!("hw: {model}"));
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

pub async fn list_nodes(op: &Operator, filter: &ConnectionFilter) -> Result<()> {
    let since = filter.since_ms()?;
    let pairs = op.call("node.pair.list", json!({})).await?;
    let pending = pairs["pending"].as_array().cloned().unwrap_or_default();
    let paired = pairs["paired"].as_array().cloned().unwrap_or_default();
    // The live view fills in connection times; a filter needs it, a plain list can do without.
    let live = match op.call("node.list", json!({})).await {
        Ok(r) => Some(r["nodes"].as_array().cloned().unwrap_or_default()),
        Err(e) if !filter.active() => {
            eprintln!("live node view unavailable ({e:#}); showing paired-only data");
            None
        }
        Err(e) => return Err(e),
    };
    let merged = match live {
        Some(live) => merge_paired(&paired, &live),
        None => paired,
    };
    let total = merged.len();
    let now = now_ms();
    let paired: Vec<Value> = merged
        .into_iter()
        .filter(|n| filter.matches(n, since, now))
        .collect();
    if op.json {
        let paired: Vec<Value> = paired
            .into_iter()
            .map(|mut n| {
                if let Some(o) = n.as_object_mut() {
                    o.remove("token");
                }
                n
            })
            .collect();
        println!("{}", pretty(&json!({"pending": pending, "paired": paired})));
        return Ok(());
    }
    let of = if filter.active() && paired.len() != total {
        format!(" (of {total})")
    } else {
        String::new()
    };
    println!("Pending: {} · Paired: {}{of}", pending.len(), paired.len());
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
                    age(n["lastConnectedAtMs"]
                        .as_u64()
                        .or_else(|| n["connectedAtMs"].as_u64())),
                ]
            })
            .collect();
        println!("{}", table(&["Node", "ID", "IP", "Last Connect"], rows));
    }
    Ok(())
}

/// The real `mergePairedNodesWithEffectiveNodes`: each paired record overlaid with its live
/// entry (live fields win, the record fills what the live entry lacks), live paired nodes the
/// pairing list does not hold added, in the live view's order, then the remaining records.
fn merge_paired(paired: &[Value], live: &[Value]) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut rows = Vec::new();
    for effective in live {
        let id = effective["nodeId"].as_str().unwrap_or_default();
        let record = paired.iter().find(|p| p["nodeId"].as_str() == Some(id));
        if record.is_none() && effective["paired"] != true {
            continue;
        }
        seen.push(id.to_string());
        let mut row = record.cloned().unwrap_or_else(|| json!({}));
        if let (Some(row), Some(eff)) = (row.as_object_mut(), effective.as_object()) {
            for (k, v) in eff {
                if !v.is_null() {
                    row.insert(k.clone(), v.clone());
                }
            }
            match record
                .and_then(|r| r.get("createdAtMs"))
                .filter(|v| !v.is_null())
            {
                Some(c) => row.insert("createdAtMs".into(), c.clone()),
                None => row.remove("createdAtMs"),
            };
            let last = [
                effective.get("lastConnectedAtMs"),
                record.and_then(|r| r.get("lastConnectedAtMs")),
                effective.get("connectedAtMs"),
            ]
            .into_iter()
            .flatten()
            .find(|v| !v.is_null())
            .cloned();
            match last {
                Some(t) => row.insert("lastConnectedAtMs".into(), t),
                None => row.remove("lastConnectedAtMs"),
            };
        }
        rows.push(row);
    }
    for p in paired {
        if !seen
            .iter()
            .any(|id| p["nodeId"].as_str() == Some(id.as_str()))
        {
            rows.push(p.clone());
        }
    }
    rows
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
    if let Some(model) = &d.model_identifier {
        rows.push(vec!["Model".into(), model.clone()]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_as_the_real_cli_filters() {
        let now = 10 * 86_400_000;
        let on = json!({"nodeId": "a", "connected": true, "connectedAtMs": now - 1_000});
        let old =
            json!({"nodeId": "b", "connected": false, "lastConnectedAtMs": now - 2 * 86_400_000});
        let never = json!({"nodeId": "c", "connected": false});
        let f = |connected: bool, last: Option<&str>| ConnectionFilter {
            connected,
            last_connected: last.map(String::from),
        };
        let check = |f: ConnectionFilter, n: &Value| f.matches(n, f.since_ms().unwrap(), now);
        assert!(check(f(true, None), &on));
        assert!(!check(f(true, None), &old));
        assert!(check(f(false, Some("24h")), &on));
        assert!(!check(f(false, Some("24h")), &old));
        assert!(check(f(false, Some("3d")), &old));
        assert!(!check(f(false, Some("3d")), &never));
        assert!(check(f(false, None), &never));
        assert_eq!(
            f(false, Some("soon")).since_ms().unwrap_err().to_string(),
            "Invalid --last-connected: Invalid duration: \"soon\". Use values like 500ms, 30s, 5m, 2h, or 1h30m."
        );
    }

    #[test]
    fn paired_records_take_the_live_connection_times() {
        let paired = vec![
            json!({"nodeId": "a", "displayName": "A", "createdAtMs": 1, "lastConnectedAtMs": 5}),
            json!({"nodeId": "b", "displayName": "B", "lastConnectedAtMs": 7}),
        ];
        let live = vec![
            json!({"nodeId": "a", "connected": true, "connectedAtMs": 9, "paired": true, "createdAtMs": 3}),
            json!({"nodeId": "x", "connected": true, "paired": false}),
            json!({"nodeId": "y", "connected": false, "paired": true, "lastConnectedAtMs": 4}),
        ];
        let rows = merge_paired(&paired, &live);
        let ids: Vec<&str> = rows.iter().map(|r| r["nodeId"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "y", "b"]);
        assert_eq!(rows[0]["lastConnectedAtMs"], 5);
        assert_eq!(rows[0]["createdAtMs"], 1);
        assert_eq!(rows[0]["connected"], true);
        assert_eq!(rows[0]["displayName"], "A");
        assert_eq!(rows[1]["lastConnectedAtMs"], 4);
        assert!(rows[1].get("createdAtMs").is_none());
        assert_eq!(rows[2]["lastConnectedAtMs"], 7);
    }
}
