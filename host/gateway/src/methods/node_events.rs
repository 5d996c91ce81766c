//! What a connected node reports: `node.event`, and `node.pluginSurface.refresh`, our extension
//! by which a node re-declares its surface without reconnecting.

use std::collections::BTreeMap;
use std::sync::Arc;

use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::now_ms;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse, unavailable, Reply};
use crate::pairing::surface::{self, Declared};
use crate::records::PairedNode;
use crate::session::Session;
use crate::state::Gateway;
use crate::store::kind;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EventParams {
    event: String,
    #[serde(default)]
    payload: Option<Value>,
    #[serde(default, rename = "payloadJSON")]
    payload_json: Option<String>,
}

pub fn event(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: EventParams = parse("node.event", params)?;
    let payload = match &p.payload_json {
        Some(text) => serde_json::from_str(text).map_err(|e| {
            ErrorShape::invalid_params("node.event", format!("payloadJSON is not JSON: {e}"))
        })?,
        None => p.payload.unwrap_or(Value::Null),
    };
    let node_id = session.node_id().expect("node role").to_string();
    let live = session.node.as_ref().expect("node role");
    let (handled, reason) = match p.event.as_str() {
        "node.host.stats" => match validate_host_stats(&payload) {
            Ok(()) => {
                let mut stats = payload.clone();
                stats["updatedAtMs"] = json!(now_ms());
                live.surface.lock().unwrap().host_stats = Some(stats.clone());
                gw.store
                    .write(|w| match w.get::<PairedNode>(kind::NODE, &node_id)? {
                        Some(mut node) => {
                            node.last_host_stats = Some(stats.clone());
                            w.put(kind::NODE, &node_id, &node_id, &node)
                        }
                        None => Ok(()),
                    })
                    .map_err(unavailable)?;
                gw.broadcast_operators(
                    "node.hostStats",
                    &json!({"nodeId": node_id, "hostStats": stats}),
                );
                (true, "updated")
            }
            Err(why) => {
                tracing::debug!(node = %node_id, "invalid node.host.stats: {why}");
                (false, "invalid_payload")
            }
        },
        "node.presence.alive" => {
            surface::touch(gw, &node_id, None, true).map_err(unavailable)?;
            (true, "persisted")
        }
        "exec.started" | "exec.finished" | "exec.denied" => {
            let run_id = payload["runId"].as_str().unwrap_or_default();
            if live
                .surface
                .lock()
                .unwrap()
                .recent_runs
                .iter()
                .any(|r| r == run_id)
            {
                (true, "recorded")
            } else {
                (false, "unmatched_exec_event")
            }
        }
        _ => (false, "unsupported_event"),
    };
    Ok(json!({"ok": true, "event": p.event, "handled": handled, "reason": reason}))
}

fn validate_host_stats(v: &Value) -> Result<(), String> {
    let obj = v.as_object().ok_or("not an object")?;
    const KEYS: &[&str] = &[
        "cpuCount",
        "loadAverage",
        "memoryTotalBytes",
        "memoryFreeBytes",
        "diskTotalBytes",
        "diskAvailableBytes",
    ];
    if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("unexpected field {k}"));
    }
    let int = |k: &str| obj.get(k).and_then(Value::as_u64);
    let cpu = int("cpuCount").ok_or("cpuCount required")?;
    if !(1..=4096).contains(&cpu) {
        return Err("cpuCount out of range".into());
    }
    if let Some(load) = obj.get("loadAverage") {
        let ok = load.as_array().is_some_and(|a| {
            a.len() == 3 && a.iter().all(|x| x.as_f64().is_some_and(|f| f >= 0.0))
        });
        if !ok {
            return Err("loadAverage must be three non-negative numbers".into());
        }
    }
    let (total, free) = (
        int("memoryTotalBytes").ok_or("memoryTotalBytes required")?,
        int("memoryFreeBytes").ok_or("memoryFreeBytes required")?,
    );
    if free > total {
        return Err("memoryFreeBytes exceeds memoryTotalBytes".into());
    }
    match (int("diskTotalBytes"), int("diskAvailableBytes")) {
        (Some(t), Some(a)) if a <= t => Ok(()),
        (None, None)
            if !obj.contains_key("diskTotalBytes") && !obj.contains_key("diskAvailableBytes") =>
        {
            Ok(())
        }
        _ => Err(
            "diskTotalBytes and diskAvailableBytes go together, available not above total".into(),
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshParams {
    caps: Vec<String>,
    commands: Vec<String>,
    #[serde(default)]
    permissions: Option<BTreeMap<String, bool>>,
}

pub fn refresh_surface(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    if params.get("surface").is_some() {
        return Err(ErrorShape::invalid_request(
            "node.pluginSurface.refresh: plugin surface URLs are not served by this gateway; send {caps, commands, permissions} to re-declare the node's surface",
        ));
    }
    let p: RefreshParams = parse("node.pluginSurface.refresh", params)?;
    let node_id = session.node_id().expect("node role").to_string();
    let live = session.node.as_ref().expect("node role");
    let meta = surface::session_meta(session, &node_id);
    let previous = live.surface.lock().unwrap().clone();
    let declared = Declared {
        caps: p.caps,
        commands: p.commands,
        permissions: p.permissions,
    };
    let updated = surface::reconcile(gw, &meta, live.platform_id, declared, Some(&previous))
        .map_err(unavailable)?;
    let reply = json!({
        "nodeId": node_id,
        "caps": updated.caps,
        "commands": updated.effective,
        "declaredCommands": updated.declared,
        "approvalState": if updated.pending_request_id.is_some() { "pending-approval" } else { "approved" },
        "pendingRequestId": updated.pending_request_id,
    });
    *live.surface.lock().unwrap() = updated;
    Ok(reply)
}
