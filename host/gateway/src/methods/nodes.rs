//! `node.list`, `node.describe`, `node.rename`: the node catalog, joined from approved surfaces,
//! pending surface requests, paired devices and live sessions.

use std::sync::Arc;

use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::nodes::{NodeDescription, NodeEntry, NodeList};
use openclaw_protocol::now_ms;
use openclaw_protocol::records::{NodeMeta, NodePairRequest, PairedDevice, PairedNode};
use serde::Deserialize;
use serde_json::{json, Value};

use super::params::{ByNode, Empty};
use super::{parse, to_value, unavailable, Reply};
use crate::session::Session;
use crate::state::Gateway;
use crate::store::{kind, StoreResult};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Rename {
    node_id: String,
    display_name: String,
}

pub fn list(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    parse::<Empty>("node.list", params)?;
    let nodes = catalog(gw).map_err(unavailable)?;
    Ok(to_value(NodeList {
        ts: now_ms(),
        nodes,
    }))
}

pub fn describe(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let p: ByNode = parse("node.describe", params)?;
    let node = catalog(gw)
        .map_err(unavailable)?
        .into_iter()
        .find(|n| n.node_id == p.node_id)
        .ok_or_else(|| ErrorShape::invalid_request("unknown nodeId"))?;
    Ok(to_value(NodeDescription { ts: now_ms(), node }))
}

pub fn rename(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let p: Rename = parse("node.rename", params)?;
    let name = p.display_name.trim().to_string();
    if name.is_empty() {
        return Err(ErrorShape::invalid_params(
            "node.rename",
            "displayName must not be empty",
        ));
    }
    let known = gw
        .store
        .write(|w| {
            let mut known = false;
            if let Some(mut node) = w.get::<PairedNode>(kind::NODE, &p.node_id)? {
                node.meta.display_name = Some(name.clone());
                w.put(kind::NODE, &p.node_id, &p.node_id, &node)?;
                known = true;
            }
            if let Some(mut device) = w.get::<PairedDevice>(kind::DEVICE, &p.node_id)? {
                device.display_name = Some(name.clone());
                w.put(kind::DEVICE, &p.node_id, "", &device)?;
                known = true;
            }
            Ok(known)
        })
        .map_err(unavailable)?;
    if !known {
        return Err(ErrorShape::invalid_request("unknown nodeId"));
    }
    Ok(json!({"nodeId": p.node_id, "displayName": name}))
}

/// Every node the gateway knows, connected first, then by name.
pub fn catalog(gw: &Gateway) -> StoreResult<Vec<NodeEntry>> {
    let approved: Vec<PairedNode> = gw.store.list(kind::NODE)?;
    let requests: Vec<NodePairRequest> = gw.store.list(kind::NODE_REQUEST)?;
    let devices: Vec<PairedDevice> = gw.store.list(kind::DEVICE)?;
    let mut ids: Vec<String> = Vec::new();
    let mut add = |id: &str| {
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_string());
        }
    };
    approved.iter().for_each(|n| add(&n.meta.node_id));
    requests.iter().for_each(|r| add(&r.meta.node_id));
    devices
        .iter()
        .filter(|d| d.roles.iter().any(|r| r == "node"))
        .for_each(|d| add(&d.device_id));
    gw.node_sessions()
        .iter()
        .filter_map(|s| s.node_id().map(String::from))
        .for_each(|id| add(&id));

    let mut nodes: Vec<NodeEntry> = ids
        .iter()
        .map(|id| {
            node_view(
                gw,
                id,
                approved.iter().find(|n| &n.meta.node_id == id),
                requests.iter().find(|r| &r.meta.node_id == id),
                devices.iter().find(|d| &d.device_id == id),
            )
        })
        .collect();
    nodes.sort_by_key(|n| (!n.connected, n.name().to_lowercase()));
    Ok(nodes)
}

fn node_view(
    gw: &Gateway,
    node_id: &str,
    approved: Option<&PairedNode>,
    request: Option<&NodePairRequest>,
    device: Option<&PairedDevice>,
) -> NodeEntry {
    let session = gw.node_session(node_id);
    let live_meta = session
        .as_ref()
        .map(|s| crate::pairing::surface::session_meta(s, node_id));
    let mut meta: NodeMeta = approved
        .map(|n| n.meta.clone())
        .or_else(|| live_meta.clone())
        .or_else(|| request.map(|r| r.meta.clone()))
        .unwrap_or_else(|| NodeMeta {
            node_id: node_id.to_string(),
            display_name: device.and_then(|d| d.display_name.clone()),
            platform: device.and_then(|d| d.platform.clone()).unwrap_or_default(),
            device_family: device.and_then(|d| d.device_family.clone()),
            client_id: device.and_then(|d| d.client_id.clone()).unwrap_or_default(),
            client_mode: device
                .and_then(|d| d.client_mode.clone())
                .unwrap_or_default(),
            remote_ip: device.and_then(|d| d.remote_ip.clone()),
            ..NodeMeta::default()
        });
    if let Some(live) = &live_meta {
        // A live connection knows the current version and address; a rename outlives it.
        meta.version = live.version.clone();
        meta.remote_ip = live.remote_ip.clone();
        if live.model_identifier.is_some() {
            meta.model_identifier = live.model_identifier.clone();
        }
    }
    let surface = session
        .as_ref()
        .and_then(|s| s.node.as_ref())
        .map(|n| n.surface.lock().unwrap().clone());
    let (caps, commands) = match (&surface, approved) {
        (Some(s), _) => (s.caps.clone(), s.effective.clone()),
        (None, Some(a)) => (a.caps.clone(), a.commands.clone()),
        (None, None) => (
            request.map(|r| r.caps.clone()).unwrap_or_default(),
            Vec::new(),
        ),
    };
    let approval_state = match (approved.is_some(), request.is_some()) {
        (true, false) => "approved",
        (true, true) => "pending-reapproval",
        (false, true) => "pending-approval",
        (false, false) => "unapproved",
    };
    let host_stats = surface
        .as_ref()
        .and_then(|s| s.host_stats.clone())
        .or_else(|| approved.and_then(|a| a.last_host_stats.clone()));
    let permissions = surface
        .as_ref()
        .and_then(|s| s.permissions.clone())
        .or_else(|| approved.and_then(|a| a.permissions.clone()));
    let connected_at = session.as_ref().map(|s| s.connected_at_ms);
    NodeEntry {
        node_id: node_id.to_string(),
        display_name: meta.display_name,
        platform: meta.platform,
        version: meta.version,
        client_id: meta.client_id,
        client_mode: meta.client_mode,
        device_family: meta.device_family,
        model_identifier: meta.model_identifier,
        remote_ip: meta.remote_ip,
        caps,
        commands,
        session_host: false,
        host_stats,
        node_plugin_tools: surface
            .as_ref()
            .map(|s| super::plugin_tools::published(gw, node_id, s)),
        path_env: surface.as_ref().and_then(|s| s.path_env.clone()),
        permissions,
        approval_state: approval_state.into(),
        pending_request_id: request.map(|r| r.request_id.clone()),
        connected_at_ms: connected_at,
        last_connected_at_ms: approved
            .and_then(|a| a.last_connected_at_ms)
            .or(connected_at),
        last_disconnected_at_ms: approved.and_then(|a| a.last_disconnected_at_ms),
        last_seen_at_ms: approved
            .and_then(|a| a.last_seen_at_ms)
            .or(device.and_then(|d| d.last_seen_at_ms)),
        last_seen_reason: approved.and_then(|a| a.last_seen_reason.clone()),
        approved_at_ms: approved.map(|a| a.approved_at_ms),
        paired: device.is_some_and(|d| d.roles.iter().any(|r| r == "node")),
        connected: session.is_some(),
    }
}
