//! `node.list`, `node.describe`, `node.rename`: the node catalog, joined from approved surfaces,
//! pending surface requests, paired devices and live sessions.

use std::sync::Arc;

use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::now_ms;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::params::{ByNode, Empty};
use super::{parse, unavailable, Reply};
use crate::records::{NodeMeta, NodePairRequest, PairedDevice, PairedNode};
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
    Ok(json!({"ts": now_ms(), "nodes": nodes}))
}

pub fn describe(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let p: ByNode = parse("node.describe", params)?;
    let node = catalog(gw)
        .map_err(unavailable)?
        .into_iter()
        .find(|n| n["nodeId"] == p.node_id.as_str())
        .ok_or_else(|| ErrorShape::invalid_request("unknown nodeId"))?;
    let mut out = Map::new();
    out.insert("ts".into(), json!(now_ms()));
    out.extend(node.as_object().cloned().unwrap_or_default());
    Ok(Value::Object(out))
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
pub fn catalog(gw: &Gateway) -> StoreResult<Vec<Value>> {
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

    let mut nodes: Vec<Value> = ids
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
    nodes.sort_by_key(|n| {
        let name = n["displayName"]
            .as_str()
            .unwrap_or_else(|| n["nodeId"].as_str().unwrap_or(""))
            .to_lowercase();
        (!n["connected"].as_bool().unwrap_or(false), name)
    });
    Ok(nodes)
}

fn node_view(
    gw: &Gateway,
    node_id: &str,
    approved: Option<&PairedNode>,
    request: Option<&NodePairRequest>,
    device: Option<&PairedDevice>,
) -> Value {
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
    let v: Vec<(&str, Value)> = vec![
        ("nodeId", json!(node_id)),
        ("displayName", json!(meta.display_name)),
        ("platform", json!(meta.platform)),
        ("version", json!(meta.version)),
        ("clientId", json!(meta.client_id)),
        ("clientMode", json!(meta.client_mode)),
        ("deviceFamily", json!(meta.device_family)),
        ("modelIdentifier", json!(meta.model_identifier)),
        ("remoteIp", json!(meta.remote_ip)),
        ("caps", json!(caps)),
        ("commands", json!(commands)),
        ("sessionHost", json!(false)),
        ("hostStats", json!(host_stats)),
        (
            "pathEnv",
            json!(surface.as_ref().and_then(|s| s.path_env.clone())),
        ),
        ("permissions", json!(permissions)),
        ("approvalState", json!(approval_state)),
        (
            "pendingRequestId",
            json!(request.map(|r| r.request_id.clone())),
        ),
        ("connectedAtMs", json!(connected_at)),
        (
            "lastConnectedAtMs",
            json!(approved
                .and_then(|a| a.last_connected_at_ms)
                .or(connected_at)),
        ),
        (
            "lastDisconnectedAtMs",
            json!(approved.and_then(|a| a.last_disconnected_at_ms)),
        ),
        (
            "lastSeenAtMs",
            json!(approved
                .and_then(|a| a.last_seen_at_ms)
                .or(device.and_then(|d| d.last_seen_at_ms))),
        ),
        (
            "lastSeenReason",
            json!(approved.and_then(|a| a.last_seen_reason.clone())),
        ),
        ("approvedAtMs", json!(approved.map(|a| a.approved_at_ms))),
        (
            "paired",
            json!(device.is_some_and(|d| d.roles.iter().any(|r| r == "node"))),
        ),
        ("connected", json!(session.is_some())),
    ];
    // Absent fields are left out rather than sent as null, as the real gateway does.
    Value::Object(
        v.into_iter()
            .filter(|(_, val)| !val.is_null())
            .map(|(k, val)| (k.to_string(), val))
            .collect(),
    )
}
