//! Node surface pairing (spec §3.2): which declared commands are effective, and the
//! `node.pair.*` requests that widen them.

use std::collections::BTreeMap;

use openclaw_protocol::connect::ClientInfo;
use openclaw_protocol::now_ms;
use openclaw_protocol::records::{NodeMeta, NodePairRequest, PairedNode};
use serde_json::json;

use crate::policy::{required_approve_scopes, Stage};
use crate::session::{LiveSurface, NodeLive, Session};
use crate::state::Gateway;
use crate::store::{kind, StoreResult};

/// What a node declares on connect or in `node.pluginSurface.refresh`.
pub struct Declared {
    pub caps: Vec<String>,
    pub commands: Vec<String>,
    pub permissions: Option<BTreeMap<String, bool>>,
}

/// Reconciles a declaration with the approved surface: returns the live surface, filing a
/// request (and broadcasting it) when the declaration is wider than what is approved.
pub fn reconcile(
    gw: &Gateway,
    meta: &NodeMeta,
    platform_id: &str,
    declared: Declared,
    previous: Option<&LiveSurface>,
) -> StoreResult<LiveSurface> {
    let (admitted, withheld) = gw.policy.admit_declared(platform_id, &declared.commands);
    if !withheld.is_empty() {
        tracing::info!(node = %meta.node_id, ?withheld, "commands withheld by the gateway's command policy");
    }
    let approved: Option<PairedNode> = gw.store.get(kind::NODE, &meta.node_id)?;
    let approved_commands = approved
        .as_ref()
        .map(|n| n.commands.clone())
        .unwrap_or_default();
    let effective: Vec<String> = admitted
        .iter()
        .filter(|c| approved_commands.contains(c))
        .cloned()
        .collect();
    let widened = approved.is_none() || admitted.iter().any(|c| !approved_commands.contains(c));

    let existing: Vec<NodePairRequest> = gw.store.children(kind::NODE_REQUEST, &meta.node_id)?;
    let mut pending_request_id = None;
    if widened {
        let same = existing
            .iter()
            .find(|r| r.commands == admitted && r.caps == declared.caps);
        let request = match same {
            Some(r) => r.clone(),
            None => NodePairRequest {
                request_id: uuid::Uuid::new_v4().to_string(),
                meta: meta.clone(),
                caps: declared.caps.clone(),
                commands: admitted.clone(),
                required_approve_scopes: required_approve_scopes(&admitted),
                permissions: declared.permissions.clone(),
                silent: false,
                ts: now_ms(),
            },
        };
        let fresh = same.is_none();
        gw.store.write(|w| {
            for old in existing
                .iter()
                .filter(|r| r.request_id != request.request_id)
            {
                w.delete(kind::NODE_REQUEST, &old.request_id)?;
            }
            w.put(
                kind::NODE_REQUEST,
                &request.request_id,
                &meta.node_id,
                &request,
            )
        })?;
        if fresh {
            gw.broadcast_operators("node.pair.requested", &serde_json::to_value(&request)?);
        }
        pending_request_id = Some(request.request_id);
    } else if !existing.is_empty() {
        gw.store.write(|w| {
            w.delete_children(kind::NODE_REQUEST, &meta.node_id)
                .map(|_| ())
        })?;
    }

    let mut surface = previous.cloned().unwrap_or_default();
    surface.requested = declared.commands;
    surface.caps = declared.caps;
    surface.declared = admitted;
    surface.permissions = declared.permissions;
    surface.pending_request_id = pending_request_id;
    set_effective(gw, platform_id, &mut surface, effective);
    Ok(surface)
}

/// Runs a connected node's declaration through the command policy again (after a reload): a
/// newly denied command leaves its surface at once; a newly allowed one joins it when its
/// approval covers it, else goes to an approval request, as at connect.
pub fn readmit(gw: &Gateway, session: &Session) -> StoreResult<()> {
    let (Some(live), Some(node_id)) = (&session.node, session.node_id()) else {
        return Ok(());
    };
    let meta = session_meta(session, node_id);
    let previous = live.surface.lock().unwrap().clone();
    let declared = Declared {
        caps: previous.caps.clone(),
        commands: previous.requested.clone(),
        permissions: previous.permissions.clone(),
    };
    let updated = reconcile(gw, &meta, live.platform_id, declared, Some(&previous))?;
    *live.surface.lock().unwrap() = updated;
    Ok(())
}

/// Sets the effective commands and recomputes the invoke fast path.
pub fn set_effective(
    gw: &Gateway,
    platform_id: &str,
    surface: &mut LiveSurface,
    effective: Vec<String>,
) {
    let allow = gw.policy.allowlist(platform_id, Stage::Runtime, &effective);
    surface.invocable = effective
        .iter()
        .filter(|c| gw.policy.admits(&allow, c))
        .cloned()
        .collect();
    surface.effective = effective;
}

/// The declared commands an approval covers, in declaration order.
fn approved_part(declared: &[String], approved: &[String]) -> Vec<String> {
    declared
        .iter()
        .filter(|c| approved.contains(c))
        .cloned()
        .collect()
}

/// Records the connection times on an approved surface.
pub fn touch(
    gw: &Gateway,
    node_id: &str,
    meta: Option<&NodeMeta>,
    connected: bool,
) -> StoreResult<()> {
    let Some(mut node) = gw.store.get::<PairedNode>(kind::NODE, node_id)? else {
        return Ok(());
    };
    let now = now_ms();
    if let Some(meta) = meta {
        node.meta = meta.clone();
    }
    if connected {
        node.last_connected_at_ms = Some(now);
        node.last_seen_reason = Some("connect".into());
    } else {
        node.last_disconnected_at_ms = Some(now);
        node.last_seen_reason = Some("disconnect".into());
    }
    node.last_seen_at_ms = Some(now);
    gw.store
        .write(|w| w.put(kind::NODE, node_id, node_id, &node))
}

/// Approves a surface request; a connected node gets the new commands at once.
pub fn approve(gw: &Gateway, request: NodePairRequest) -> StoreResult<PairedNode> {
    let now = now_ms();
    let previous: Option<PairedNode> = gw.store.get(kind::NODE, &request.meta.node_id)?;
    let node = PairedNode {
        meta: request.meta.clone(),
        caps: request.caps.clone(),
        commands: request.commands.clone(),
        permissions: request.permissions.clone(),
        created_at_ms: previous.as_ref().map_or(now, |p| p.created_at_ms),
        approved_at_ms: now,
        // A node approved while connected has connected, though before its record existed.
        last_connected_at_ms: previous
            .as_ref()
            .and_then(|p| p.last_connected_at_ms)
            .or_else(|| {
                gw.node_session(&request.meta.node_id)
                    .map(|s| s.connected_at_ms)
            }),
        last_disconnected_at_ms: previous.as_ref().and_then(|p| p.last_disconnected_at_ms),
        last_seen_at_ms: previous
            .as_ref()
            .and_then(|p| p.last_seen_at_ms)
            .or(Some(request.ts)),
        last_seen_reason: Some("connect".into()),
        last_host_stats: previous.and_then(|p| p.last_host_stats),
    };
    gw.store.write(|w| {
        w.put(kind::NODE, &node.meta.node_id, &node.meta.node_id, &node)?;
        w.delete(kind::NODE_REQUEST, &request.request_id)
            .map(|_| ())
    })?;
    let resolved = resolved_payload(&request.request_id, &node.meta.node_id, "approved");
    if let Some(session) = gw.node_session(&node.meta.node_id) {
        if let Some(live) = &session.node {
            let mut surface = live.surface.lock().unwrap();
            let effective = approved_part(&surface.declared, &node.commands);
            set_effective(gw, live.platform_id, &mut surface, effective);
            if surface.pending_request_id.as_deref() == Some(request.request_id.as_str()) {
                surface.pending_request_id = None;
            }
        }
        session.send_event("node.pair.resolved", resolved.clone());
    }
    gw.broadcast_operators("node.pair.resolved", &resolved);
    Ok(node)
}

/// Approves the first surface of a node whose device a setup code enrolled, as the real
/// gateway's bootstrap enrollment does. Never widens a surface approved before.
pub fn approve_first(
    gw: &Gateway,
    surface: &mut LiveSurface,
    platform_id: &str,
) -> StoreResult<()> {
    let Some(request_id) = surface.pending_request_id.clone() else {
        return Ok(());
    };
    let Some(request) = gw
        .store
        .get::<NodePairRequest>(kind::NODE_REQUEST, &request_id)?
    else {
        return Ok(());
    };
    if gw
        .store
        .get::<PairedNode>(kind::NODE, &request.meta.node_id)?
        .is_some()
    {
        return Ok(());
    }
    let node = approve(gw, request)?;
    tracing::info!(
        node = %node.meta.node_id,
        commands = %node.commands.join(","),
        "security audit: node capability surface bootstrap auto-approve"
    );
    let effective = approved_part(&surface.declared, &node.commands);
    set_effective(gw, platform_id, surface, effective);
    surface.pending_request_id = None;
    Ok(())
}

/// Brings a node session registered just now up to date with the store. Its surface was
/// reconciled before it was registered; an approval or rejection that landed in between found
/// no session to update. `approve` writes the store and then looks for the session, and this
/// runs after registering, so one of the two always sees the other.
pub fn resync(gw: &Gateway, session: &Session) -> StoreResult<()> {
    let Some(live) = &session.node else {
        return Ok(());
    };
    let approved: Option<PairedNode> = gw.store.get(kind::NODE, &live.node_id)?;
    let requests: Vec<NodePairRequest> = gw.store.children(kind::NODE_REQUEST, &live.node_id)?;
    let approved_commands = approved.map(|n| n.commands).unwrap_or_default();
    let mut surface = live.surface.lock().unwrap();
    let effective = approved_part(&surface.declared, &approved_commands);
    set_effective(gw, live.platform_id, &mut surface, effective);
    surface.pending_request_id = requests.first().map(|r| r.request_id.clone());
    Ok(())
}

pub fn reject(gw: &Gateway, request: &NodePairRequest) -> StoreResult<()> {
    gw.store.write(|w| {
        w.delete(kind::NODE_REQUEST, &request.request_id)
            .map(|_| ())
    })?;
    if let Some(session) = gw.node_session(&request.meta.node_id) {
        if let Some(live) = &session.node {
            live.surface.lock().unwrap().pending_request_id = None;
        }
    }
    gw.broadcast_operators(
        "node.pair.resolved",
        &resolved_payload(&request.request_id, &request.meta.node_id, "rejected"),
    );
    Ok(())
}

/// Unpairs a node: drops its surface, its requests, the device's node role and token, and its
/// connection. Returns false for an unknown node.
pub fn remove(gw: &Gateway, node_id: &str) -> StoreResult<bool> {
    let removed = gw.store.write(|w| {
        let had_surface = w.delete(kind::NODE, node_id)?;
        let had_requests = w.delete_children(kind::NODE_REQUEST, node_id)? > 0;
        let mut had_role = false;
        if let Some(mut device) =
            w.get::<openclaw_protocol::records::PairedDevice>(kind::DEVICE, node_id)?
        {
            had_role = device.roles.iter().any(|r| r == "node");
            device.roles.retain(|r| r != "node");
            w.delete(
                kind::TOKEN,
                &crate::connection::checks::token_key(node_id, "node"),
            )?;
            if device.roles.is_empty() {
                w.delete(kind::DEVICE, node_id)?;
            } else {
                w.put(kind::DEVICE, node_id, "", &device)?;
            }
        }
        Ok(had_surface || had_requests || had_role)
    })?;
    if removed {
        gw.broadcast_operators(
            "node.pair.resolved",
            &resolved_payload("", node_id, "removed"),
        );
        if let Some(session) = gw.node_session(node_id) {
            session.out.close(1008, "node pairing removed");
        }
    }
    Ok(removed)
}

fn resolved_payload(request_id: &str, node_id: &str, decision: &str) -> serde_json::Value {
    json!({"requestId": request_id, "nodeId": node_id, "decision": decision, "ts": now_ms()})
}

/// The metadata of a connecting node.
pub fn meta_of(c: &ClientInfo, node_id: &str, remote_ip: &str) -> NodeMeta {
    NodeMeta {
        node_id: node_id.to_string(),
        client_id: c.id.clone(),
        client_mode: c.mode.clone(),
        display_name: c.display_name.clone(),
        platform: c.platform.clone(),
        version: c.version.clone(),
        device_family: c.device_family.clone(),
        model_identifier: c.model_identifier.clone(),
        remote_ip: Some(remote_ip.to_string()),
    }
}

/// Builds the live part of a node session.
pub fn live(node_id: &str, platform_id: &'static str, surface: LiveSurface) -> NodeLive {
    NodeLive {
        node_id: node_id.to_string(),
        platform_id,
        surface: std::sync::Mutex::new(surface),
    }
}

/// A connected node's meta, from its session.
pub fn session_meta(session: &Session, node_id: &str) -> NodeMeta {
    meta_of(&session.client, node_id, &session.remote_ip)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::GatewayConfig;
    use crate::session::{Outbound, Role};
    use crate::store::Store;

    #[test]
    fn an_approval_between_reconcile_and_registration_reaches_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("gateway.sqlite")).unwrap();
        let gw = Gateway::new(GatewayConfig::new(dir.path().into(), "t".into()), store);
        let meta = NodeMeta {
            node_id: "n1".into(),
            ..NodeMeta::default()
        };
        let declared = Declared {
            caps: vec![],
            commands: vec!["system.which".into()],
            permissions: None,
        };
        // The connect reconciles: nothing approved yet, so a request is filed.
        let surface = reconcile(&gw, &meta, "linux", declared, None).unwrap();
        assert!(surface.effective.is_empty());
        let (out, _rx, _) = Outbound::new();
        let session = Arc::new(Session::new(
            "c1".into(),
            Role::Node,
            vec![],
            Some("n1".into()),
            ClientInfo::default(),
            "127.0.0.1".into(),
            out,
            Some(live("n1", "linux", surface)),
        ));
        // The operator approves before the session is registered: no session to update.
        let request: Vec<NodePairRequest> = gw.store.children(kind::NODE_REQUEST, "n1").unwrap();
        approve(&gw, request[0].clone()).unwrap();
        gw.register(session.clone());
        resync(&gw, &session).unwrap();
        let surface = session
            .node
            .as_ref()
            .unwrap()
            .surface
            .lock()
            .unwrap()
            .clone();
        assert_eq!(surface.effective, ["system.which"]);
        assert_eq!(surface.pending_request_id, None);
    }
}
