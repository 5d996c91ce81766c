//! `device.pair.*` and `device.token.*`: the operator side of device pairing.

use std::sync::Arc;

use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::now_ms;
use openclaw_protocol::records::{DeviceToken, PairedDevice};
use serde::Deserialize;
use serde_json::{json, Value};

use super::params::{ByDevice, ByRequest, Empty};
use super::{parse, require_scope, unavailable, Reply};
use crate::connection::checks::token_key;
use crate::pairing::device;
use crate::session::{Role, Session};
use crate::state::Gateway;
use crate::store::kind;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TokenParams {
    device_id: String,
    role: String,
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

pub fn list(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    parse::<Empty>("device.pair.list", params)?;
    let pending = device::pending_requests(gw).map_err(unavailable)?;
    let devices: Vec<PairedDevice> = gw.store.list(kind::DEVICE).map_err(unavailable)?;
    let sessions = gw.sessions();
    let mut paired = Vec::new();
    for d in devices {
        let tokens: Vec<DeviceToken> = gw
            .store
            .children(kind::TOKEN, &d.device_id)
            .map_err(unavailable)?;
        let mut v = serde_json::to_value(&d).expect("device serializes");
        v["connected"] = json!(sessions
            .iter()
            .any(|s| s.device_id.as_deref() == Some(d.device_id.as_str())));
        v["tokens"] = serde_json::to_value(&tokens).expect("tokens serialize");
        paired.push(v);
    }
    Ok(json!({"pending": pending, "paired": paired}))
}

/// What a non-admin caller hears for any refused approval, so it learns nothing about other
/// devices' requests; the real CLI retries with `operator.admin` on this exact text.
const APPROVAL_DENIED: &str = "device pairing approval denied";

pub fn approve(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: ByRequest = parse("device.pair.approve", params)?;
    let admin = session.has_scope("operator.admin");
    let request = device::pending_requests(gw)
        .map_err(unavailable)?
        .into_iter()
        .find(|r| r.request_id == p.request_id.trim());
    let request = match (request, admin) {
        (Some(r), true) => r,
        (Some(r), false) if r.roles.iter().all(|role| role == "operator") => r,
        (None, true) => return Err(ErrorShape::invalid_request("unknown requestId")),
        _ => return Err(ErrorShape::invalid_request(APPROVAL_DENIED)),
    };
    let device = device::approve(gw, request, "manual").map_err(unavailable)?;
    Ok(json!({"requestId": p.request_id, "device": device}))
}

pub fn reject(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let p: ByRequest = parse("device.pair.reject", params)?;
    let request = device::pending_requests(gw)
        .map_err(unavailable)?
        .into_iter()
        .find(|r| r.request_id == p.request_id)
        .ok_or_else(|| ErrorShape::invalid_request("unknown requestId"))?;
    gw.store
        .write(|w| w.delete(kind::DEVICE_REQUEST, &request.request_id))
        .map_err(unavailable)?;
    device::broadcast_resolved(gw, &request.request_id, &request.device_id, "rejected");
    Ok(json!({"requestId": request.request_id, "deviceId": request.device_id}))
}

pub fn remove(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let p: ByDevice = parse("device.pair.remove", params)?;
    let removed = gw
        .store
        .write(|w| {
            let had = w.delete(kind::DEVICE, &p.device_id)?;
            w.delete_children(kind::TOKEN, &p.device_id)?;
            w.delete(kind::NODE, &p.device_id)?;
            w.delete_children(kind::NODE_REQUEST, &p.device_id)?;
            Ok(had)
        })
        .map_err(unavailable)?;
    if !removed {
        return Err(ErrorShape::invalid_request("unknown deviceId"));
    }
    gw.disconnect_device(&p.device_id, None, "device removed");
    Ok(json!({"deviceId": p.device_id}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RenameParams {
    device_id: String,
    label: String,
}

/// The longest operator label the real gateway's schema admits.
const MAX_LABEL_CHARS: usize = 64;

/// `device.pair.rename`: sets the operator label, which survives re-pairing and never changes
/// the device id. Replies `{deviceId, label}` as the real gateway does.
pub fn rename(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let p: RenameParams = parse("device.pair.rename", params)?;
    if p.device_id.trim().is_empty() {
        return Err(ErrorShape::invalid_params(
            "device.pair.rename",
            "deviceId must not be empty",
        ));
    }
    if p.label.chars().count() > MAX_LABEL_CHARS {
        return Err(ErrorShape::invalid_params(
            "device.pair.rename",
            "label must be at most 64 characters",
        ));
    }
    let label = p.label.trim().to_string();
    if label.is_empty() {
        return Err(ErrorShape::invalid_request("label required"));
    }
    let known = gw
        .store
        .write(|w| {
            let Some(mut device) = w.get::<PairedDevice>(kind::DEVICE, &p.device_id)? else {
                return Ok(false);
            };
            device.operator_label = Some(label.clone());
            w.put(kind::DEVICE, &p.device_id, "", &device)?;
            Ok(true)
        })
        .map_err(unavailable)?;
    if !known {
        return Err(ErrorShape::invalid_request("unknown deviceId"));
    }
    gw.broadcast_operators("device.pair.changed", &json!({}));
    Ok(json!({"deviceId": p.device_id, "label": label}))
}

fn paired_device(gw: &Gateway, device_id: &str, role: &str) -> Result<PairedDevice, ErrorShape> {
    let device: PairedDevice = gw
        .store
        .get(kind::DEVICE, device_id)
        .map_err(unavailable)?
        .ok_or_else(|| ErrorShape::invalid_request("unknown deviceId"))?;
    if !device.roles.iter().any(|r| r == role) {
        return Err(ErrorShape::invalid_request(format!(
            "device is not paired for role {role}"
        )));
    }
    Ok(device)
}

pub fn rotate(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: TokenParams = parse("device.token.rotate", params)?;
    if p.role != "operator" {
        require_scope(session, "operator.admin")?;
    }
    let device = paired_device(gw, &p.device_id, &p.role)?;
    let scopes = p.scopes.unwrap_or_else(|| {
        if p.role == "operator" {
            device.scopes.clone()
        } else {
            Vec::new()
        }
    });
    let token = gw
        .store
        .write(|w| device::issue_token(w, &p.device_id, &p.role, &scopes))
        .map_err(unavailable)?;
    // A token travels only back to the device it belongs to.
    let same_device = session.device_id.as_deref() == Some(p.device_id.as_str());
    let mut reply = json!({
        "deviceId": p.device_id,
        "role": p.role,
        "scopes": token.scopes,
        "rotatedAtMs": token.rotated_at_ms.unwrap_or(token.created_at_ms),
        "tokenDelivery": if same_device { "in-band" } else { "withheld-cross-device" },
    });
    if same_device {
        reply["token"] = json!(token.token);
    }
    Ok(reply)
}

pub fn revoke(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: TokenParams = parse("device.token.revoke", params)?;
    if p.role != "operator" {
        require_scope(session, "operator.admin")?;
    }
    paired_device(gw, &p.device_id, &p.role)?;
    let key = token_key(&p.device_id, &p.role);
    let now = now_ms();
    gw.store
        .write(|w| {
            let Some(mut token) = w.get::<Value>(kind::TOKEN, &key)? else {
                return Ok(());
            };
            token["revokedAtMs"] = json!(now);
            w.put(kind::TOKEN, &key, &p.device_id, &token)
        })
        .map_err(unavailable)?;
    let role = if p.role == "node" {
        Role::Node
    } else {
        Role::Operator
    };
    gw.disconnect_device(&p.device_id, Some(role), "device token revoked");
    Ok(json!({"deviceId": p.device_id, "role": p.role, "revokedAtMs": now}))
}
