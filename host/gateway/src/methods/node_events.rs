//! What a connected node reports: `node.event`, and `node.pluginSurface.refresh`, our extension
//! by which a node re-declares its surface without reconnecting.

use std::sync::Arc;

use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::node_events::{HostStats, NodeEventParams, SurfaceRefresh};
use openclaw_protocol::now_ms;
use openclaw_protocol::records::PairedNode;
use serde_json::{json, Value};

use super::{parse, unavailable, Reply};
use crate::pairing::surface::{self, Declared};
use crate::session::Session;
use crate::state::Gateway;
use crate::store::kind;

pub fn event(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: NodeEventParams = parse("node.event", params)?;
    let payload = p
        .payload()
        .map_err(|why| ErrorShape::invalid_params("node.event", why))?;
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

/// The payload's shape is the protocol's `HostStats`; its numbers must also make sense.
fn validate_host_stats(v: &Value) -> Result<(), String> {
    let stats: HostStats = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
    if !(1..=4096).contains(&stats.cpu_count) {
        return Err("cpuCount out of range".into());
    }
    if let Some(load) = &stats.load_average {
        if load.len() != 3 || load.iter().any(|f| *f < 0.0) {
            return Err("loadAverage must be three non-negative numbers".into());
        }
    }
    if stats.memory_free_bytes > stats.memory_total_bytes {
        return Err("memoryFreeBytes exceeds memoryTotalBytes".into());
    }
    match (stats.disk_total_bytes, stats.disk_available_bytes) {
        (Some(t), Some(a)) if a <= t => Ok(()),
        (None, None) => Ok(()),
        _ => Err(
            "diskTotalBytes and diskAvailableBytes go together, available not above total".into(),
        ),
    }
}

pub fn refresh_surface(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    if params.get("surface").is_some() {
        return Err(ErrorShape::invalid_request(
            "node.pluginSurface.refresh: plugin surface URLs are not served by this gateway; send {caps, commands, permissions} to re-declare the node's surface",
        ));
    }
    let p: SurfaceRefresh = parse("node.pluginSurface.refresh", params)?;
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
