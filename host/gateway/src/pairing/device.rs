//! Device pairing (spec §3.1): who may connect at all. Requests, approval, per-role tokens.

use openclaw_protocol::connect::ConnectParams;
use openclaw_protocol::errors::{detail, ErrorCode};
use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::identity::random_token;
use openclaw_protocol::limits::DEVICE_PAIR_REQUEST_TTL_MS;
use openclaw_protocol::now_ms;
use openclaw_protocol::records::{DevicePairRequest, DeviceToken, PairedDevice};
use openclaw_protocol::signature::normalize_metadata;
use serde_json::{json, Value};

use super::trusted_cidr;
use crate::connection::checks::{token_key, Peer, Rejection};
use crate::pairing::bootstrap::Profile;
use crate::state::Gateway;
use crate::store::{kind, StoreResult, Writer};

/// Checks that the connecting device is paired for its role; creates a request when not.
/// `bootstrap` is the profile of the setup code the device presented, if it did.
pub fn ensure_paired(
    gw: &Gateway,
    p: &ConnectParams,
    public_key: &str,
    peer: &Peer,
    bootstrap: Option<&Profile>,
) -> Result<PairedDevice, Rejection> {
    let device_id = &p.device.as_ref().expect("checked before").id;
    let role = p.role();
    let existing: Option<PairedDevice> = gw
        .store
        .get(kind::DEVICE, device_id)
        .map_err(Rejection::unavailable)?;
    let reason = match &existing {
        None => "not-paired",
        Some(d) if d.public_key != public_key => "not-paired",
        Some(d) if !d.roles.iter().any(|r| r == role) => "role-upgrade",
        Some(d) if pinned_metadata_changed(d, p) => "metadata-upgrade",
        Some(d) => {
            let mut d = d.clone();
            d.display_name = p.client.display_name.clone().or(d.display_name);
            d.remote_ip = Some(peer.remote_ip.clone());
            d.last_seen_at_ms = Some(now_ms());
            gw.store
                .write(|w| w.put(kind::DEVICE, device_id, "", &d))
                .map_err(Rejection::unavailable)?;
            return Ok(d);
        }
    };
    let is_repair = existing
        .as_ref()
        .is_some_and(|d| d.public_key != public_key);
    let request = request_for(p, public_key, peer, is_repair);
    // The trusted networks as the config file has them now.
    crate::policy_apply::refresh_policy(gw);
    let local = gw.config.pairing.auto_approve_local && peer.direct_local;
    let via = if existing.is_none() && bootstrap.is_some_and(|b| enrolls_node_host(b, p)) {
        Some("bootstrap")
    } else if local && reason != "metadata-upgrade" {
        Some("silent")
    } else if trusted_cidr::approves(
        &gw.trusted_cidrs.read().unwrap(),
        p,
        peer,
        existing.is_some(),
    ) {
        Some("trusted-cidr")
    } else {
        None
    };
    if let Some(via) = via {
        let request = DevicePairRequest {
            silent: true,
            ..request
        };
        let device = approve(gw, request, via).map_err(Rejection::unavailable)?;
        return Ok(device);
    }
    let request = file_request(gw, request).map_err(Rejection::unavailable)?;
    let mut details = json!({
        "code": detail::PAIRING_REQUIRED,
        "reason": reason,
        "requestId": request.request_id,
        "remediationHint": "Approve this device from the pending pairing requests.",
        "deviceId": device_id,
        "requestedRole": role,
    });
    if let Some(d) = &existing {
        details["approvedRoles"] = json!(d.roles);
        details["approvedScopes"] = json!(d.scopes);
    }
    let error = ErrorShape::new(
        ErrorCode::NotPaired,
        "pairing required: device is not approved yet",
    )
    .with_details(details);
    Err(Rejection {
        close_reason: format!(
            "pairing required: device is not approved yet (requestId: {})",
            request.request_id
        ),
        error,
        close_code: 1008,
    })
}

/// An administrator's node setup code enrolls a headless node host without another approval
/// (the real's setup-code handoff for `client.id = node-host`); any other profile or client
/// files a request as usual.
fn enrolls_node_host(profile: &Profile, p: &ConnectParams) -> bool {
    *profile == Profile::node()
        && p.client.id == "node-host"
        && p.client.mode == "node"
        && p.role() == openclaw_protocol::connect::ROLE_NODE
        && p.scopes().is_empty()
}

/// A paired node-host may not silently change the platform it was paired as.
fn pinned_metadata_changed(d: &PairedDevice, p: &ConnectParams) -> bool {
    let pinned = d.platform.as_deref().map(normalize_metadata);
    pinned.is_some_and(|pinned| pinned != normalize_metadata(&p.client.platform))
}

fn request_for(
    p: &ConnectParams,
    public_key: &str,
    peer: &Peer,
    is_repair: bool,
) -> DevicePairRequest {
    DevicePairRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        device_id: p.device.as_ref().expect("checked before").id.clone(),
        public_key: public_key.to_string(),
        display_name: p.client.display_name.clone(),
        platform: p.client.platform.clone(),
        device_family: p.client.device_family.clone(),
        client_id: p.client.id.clone(),
        client_mode: p.client.mode.clone(),
        role: p.role().to_string(),
        roles: vec![p.role().to_string()],
        scopes: p.scopes().to_vec(),
        remote_ip: Some(peer.remote_ip.clone()),
        silent: false,
        is_repair,
        ts: now_ms(),
    }
}

/// Files a request, reusing an identical pending one and superseding a different one.
fn file_request(gw: &Gateway, request: DevicePairRequest) -> StoreResult<DevicePairRequest> {
    let same = |r: &DevicePairRequest| {
        r.role == request.role && r.scopes == request.scopes && r.public_key == request.public_key
    };
    let pending = pending_requests(gw)?;
    let mut superseded = Vec::new();
    let mut reused = None;
    for r in pending
        .into_iter()
        .filter(|r| r.device_id == request.device_id)
    {
        if same(&r) && reused.is_none() {
            reused = Some(r);
        } else {
            superseded.push(r);
        }
    }
    let filed = reused.unwrap_or(request);
    gw.store.write(|w| {
        for old in &superseded {
            w.delete(kind::DEVICE_REQUEST, &old.request_id)?;
        }
        w.put(
            kind::DEVICE_REQUEST,
            &filed.request_id,
            &filed.device_id,
            &filed,
        )
    })?;
    for old in superseded {
        broadcast_resolved(gw, &old.request_id, &old.device_id, "rejected");
    }
    gw.broadcast_operators("device.pair.requested", &serde_json::to_value(&filed)?);
    Ok(filed)
}

/// Pending device requests; expired ones are dropped on the way.
pub fn pending_requests(gw: &Gateway) -> StoreResult<Vec<DevicePairRequest>> {
    let all: Vec<DevicePairRequest> = gw.store.list(kind::DEVICE_REQUEST)?;
    let now = now_ms();
    let (live, expired): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|r| now.saturating_sub(r.ts) < DEVICE_PAIR_REQUEST_TTL_MS);
    if !expired.is_empty() {
        gw.store.write(|w| {
            for r in &expired {
                w.delete(kind::DEVICE_REQUEST, &r.request_id)?;
            }
            Ok(())
        })?;
    }
    Ok(live)
}

/// Approves a request: adds its role to the device (replacing a record with another key) and
/// issues that role's token, in one transaction.
pub fn approve(gw: &Gateway, request: DevicePairRequest, via: &str) -> StoreResult<PairedDevice> {
    let now = now_ms();
    let device = gw.store.write(|w| {
        let existing: Option<PairedDevice> = w.get(kind::DEVICE, &request.device_id)?;
        let existing = existing.filter(|d| d.public_key == request.public_key);
        if existing.is_none() {
            // A new key for this id: the old record's tokens belong to the old key.
            w.delete_children(kind::TOKEN, &request.device_id)?;
        }
        let mut device = existing.unwrap_or_else(|| PairedDevice {
            device_id: request.device_id.clone(),
            public_key: request.public_key.clone(),
            display_name: None,
            operator_label: None,
            platform: None,
            device_family: None,
            client_id: None,
            client_mode: None,
            roles: Vec::new(),
            scopes: Vec::new(),
            remote_ip: None,
            created_at_ms: now,
            approved_at_ms: now,
            approved_via: None,
            last_seen_at_ms: None,
        });
        for role in &request.roles {
            if !device.roles.contains(role) {
                device.roles.push(role.clone());
            }
        }
        for scope in &request.scopes {
            if !device.scopes.contains(scope) {
                device.scopes.push(scope.clone());
            }
        }
        device.display_name = request.display_name.clone().or(device.display_name);
        device.platform = Some(request.platform.clone());
        device.device_family = request.device_family.clone();
        device.client_id = Some(request.client_id.clone());
        device.client_mode = Some(request.client_mode.clone());
        device.remote_ip = request.remote_ip.clone();
        device.approved_at_ms = now;
        device.approved_via = Some(via.to_string());
        w.put(kind::DEVICE, &device.device_id, "", &device)?;
        w.delete(kind::DEVICE_REQUEST, &request.request_id)?;
        issue_token(w, &device.device_id, &request.role, &request.scopes)?;
        Ok(device)
    })?;
    broadcast_resolved(gw, &request.request_id, &device.device_id, "approved");
    Ok(device)
}

pub fn broadcast_resolved(gw: &Gateway, request_id: &str, device_id: &str, decision: &str) {
    gw.broadcast_operators(
        "device.pair.resolved",
        &json!({"requestId": request_id, "deviceId": device_id, "decision": decision, "ts": now_ms()}),
    );
}

/// Writes a fresh token for (device, role), replacing any earlier one.
pub fn issue_token(
    w: &Writer,
    device_id: &str,
    role: &str,
    scopes: &[String],
) -> StoreResult<DeviceToken> {
    let previous: Option<DeviceToken> = w.get(kind::TOKEN, &token_key(device_id, role))?;
    let now = now_ms();
    let token = DeviceToken {
        role: role.to_string(),
        token: random_token(32),
        scopes: scopes.to_vec(),
        created_at_ms: previous.as_ref().map_or(now, |p| p.created_at_ms),
        rotated_at_ms: previous.as_ref().map(|_| now),
        revoked_at_ms: None,
        last_used_at_ms: None,
    };
    w.put(
        kind::TOKEN,
        &token_key(device_id, role),
        device_id,
        &stored(&token),
    )?;
    Ok(token)
}

/// The token handed out in `hello-ok`: the live one, or a new one when none is (revoked).
pub fn current_token(
    gw: &Gateway,
    device_id: &str,
    role: &str,
    scopes: &[String],
) -> StoreResult<DeviceToken> {
    gw.store.write(|w| {
        let key = token_key(device_id, role);
        let existing: Option<DeviceToken> = w.get(kind::TOKEN, &key)?;
        let mut token = match existing {
            Some(t) if t.revoked_at_ms.is_none() => t,
            _ => issue_token(w, device_id, role, scopes)?,
        };
        token.last_used_at_ms = Some(now_ms());
        w.put(kind::TOKEN, &key, device_id, &stored(&token))?;
        Ok(token)
    })
}

/// A token record with its secret, which the listing shape leaves out.
fn stored(t: &DeviceToken) -> Value {
    let mut v = serde_json::to_value(t).expect("token serializes");
    v["token"] = json!(t.token);
    v
}
