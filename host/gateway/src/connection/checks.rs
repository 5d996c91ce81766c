//! The `connect` checks, in the real gateway's order (spec §2.5): params, protocol, auth,
//! device identity, device proof, device pairing. Each failure carries its error and close code.

use openclaw_protocol::connect::{ConnectParams, ROLE_NODE, ROLE_OPERATOR};
use openclaw_protocol::errors::{detail, ErrorCode};
use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::identity::{device_id_of, parse_public_key, verify};
use openclaw_protocol::limits::SIGNATURE_SKEW_MS;
use openclaw_protocol::signature::{payload_v2, payload_v3, SignedFields};
use openclaw_protocol::{now_ms, MIN_NODE_PROTOCOL_VERSION, PROTOCOL_VERSION};
use serde_json::json;

use crate::state::Gateway;

/// A refused handshake: the error to answer with, then the close.
#[derive(Debug)]
pub struct Rejection {
    pub error: ErrorShape,
    pub close_code: u16,
    pub close_reason: String,
}

impl Rejection {
    /// The state store failed: tell the client to retry, and close as a server error.
    pub fn unavailable(e: crate::store::StoreError) -> Rejection {
        tracing::error!("{e}");
        Rejection {
            error: ErrorShape::new(
                ErrorCode::Unavailable,
                format!("gateway state unavailable: {e}"),
            )
            .retryable(true),
            close_code: 1011,
            close_reason: "gateway state unavailable".into(),
        }
    }

    pub fn policy(error: ErrorShape) -> Rejection {
        let reason = error.message.clone();
        Rejection {
            error,
            close_code: 1008,
            close_reason: reason,
        }
    }
}

/// Where a connection came from, as far as pairing cares.
pub struct Peer {
    pub nonce: String,
    pub remote_ip: String,
    /// A loopback socket without proxy headers or a browser origin.
    pub direct_local: bool,
}

/// How the client authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    SharedToken,
    DeviceToken,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::SharedToken => "token",
            AuthMethod::DeviceToken => "device-token",
        }
    }
}

pub fn parse_params(params: Option<serde_json::Value>) -> Result<ConnectParams, Rejection> {
    let params: ConnectParams =
        serde_json::from_value(params.unwrap_or_default()).map_err(|e| {
            Rejection::policy(ErrorShape::invalid_request(format!(
                "invalid connect params: {e}"
            )))
        })?;
    params.validate().map_err(|e| {
        Rejection::policy(ErrorShape::invalid_request(format!(
            "invalid connect params: {e}"
        )))
    })?;
    if params.role() != ROLE_OPERATOR && params.role() != ROLE_NODE {
        return Err(Rejection::policy(ErrorShape::invalid_request(
            "invalid role",
        )));
    }
    Ok(params)
}

pub fn check_protocol(p: &ConnectParams) -> Result<(), Rejection> {
    let v4 = p.min_protocol <= PROTOCOL_VERSION && PROTOCOL_VERSION <= p.max_protocol;
    let node_like = (p.role() == ROLE_NODE && p.client.mode == "node") || p.client.mode == "probe";
    let v3 = node_like
        && p.min_protocol <= MIN_NODE_PROTOCOL_VERSION
        && MIN_NODE_PROTOCOL_VERSION <= p.max_protocol;
    if v4 || v3 {
        return Ok(());
    }
    let error = ErrorShape::invalid_request("protocol mismatch").with_details(json!({
        "code": detail::PROTOCOL_MISMATCH,
        "clientMinProtocol": p.min_protocol,
        "clientMaxProtocol": p.max_protocol,
        "expectedProtocol": PROTOCOL_VERSION,
        "minimumProbeProtocol": MIN_NODE_PROTOCOL_VERSION,
    }));
    Err(Rejection {
        error,
        close_code: 1002,
        close_reason: "protocol mismatch".into(),
    })
}

pub fn check_auth(gw: &Gateway, p: &ConnectParams) -> Result<AuthMethod, Rejection> {
    let auth = p.auth.clone().unwrap_or_default();
    let has_device = p.device.is_some();
    let fail = |reason: &str, code: &str, message: &str, next: &str, retry_with_device: bool| {
        Rejection::policy(ErrorShape::invalid_request(message).with_details(json!({
            "code": code,
            "authReason": reason,
            "canRetryWithDeviceToken": retry_with_device,
            "recommendedNextStep": next,
        })))
    };
    if auth.password.is_some() {
        return Err(fail(
            "password_mismatch",
            detail::AUTH_PASSWORD_MISMATCH,
            "unauthorized: gateway password mismatch (this gateway uses token auth; provide gateway auth token)",
            "update_auth_credentials",
            false,
        ));
    }
    if let Some(token) = auth.token.as_deref() {
        if constant_time_eq(token.as_bytes(), gw.config.token.as_bytes()) {
            return Ok(AuthMethod::SharedToken);
        }
        let retry = has_device && auth.device_token.is_none();
        return Err(fail(
            "token_mismatch",
            detail::AUTH_TOKEN_MISMATCH,
            "unauthorized: gateway token mismatch (provide gateway auth token)",
            if retry {
                "retry_with_device_token"
            } else {
                "update_auth_credentials"
            },
            retry,
        ));
    }
    if auth.bootstrap_token.is_some() {
        return Err(fail(
            "bootstrap_token_invalid",
            detail::AUTH_BOOTSTRAP_TOKEN_INVALID,
            "unauthorized: setup code invalid, expired, revoked, or already used (this gateway does not issue setup codes; use the gateway token)",
            "update_auth_credentials",
            false,
        ));
    }
    if let Some(device_token) = auth.device_token.as_deref() {
        let stored = p.device.as_ref().and_then(|d| {
            gw.store
                .get::<openclaw_protocol::records::DeviceToken>(
                    crate::store::kind::TOKEN,
                    &token_key(&d.id, p.role()),
                )
                .ok()
                .flatten()
        });
        return match stored {
            Some(t)
                if t.revoked_at_ms.is_none()
                    && constant_time_eq(t.token.as_bytes(), device_token.as_bytes()) =>
            {
                Ok(AuthMethod::DeviceToken)
            }
            _ => Err(fail(
                "device_token_mismatch",
                detail::AUTH_DEVICE_TOKEN_MISMATCH,
                "unauthorized: device token mismatch (rotate/reissue device token)",
                "update_auth_credentials",
                false,
            )),
        };
    }
    Err(fail(
        "token_missing",
        detail::AUTH_TOKEN_MISSING,
        "unauthorized: gateway token missing (provide gateway auth token)",
        "update_auth_configuration",
        false,
    ))
}

/// Nodes must prove a device identity; shared-secret operators may omit it.
pub fn check_device_required(p: &ConnectParams) -> Result<(), Rejection> {
    if p.role() == ROLE_NODE && p.device.is_none() {
        return Err(Rejection::policy(
            ErrorShape::new(ErrorCode::NotPaired, "device identity required")
                .with_details(json!({"code": detail::DEVICE_IDENTITY_REQUIRED})),
        ));
    }
    Ok(())
}

/// Verifies the device proof; returns the raw public key.
pub fn check_device_proof(p: &ConnectParams, nonce: &str) -> Result<Option<[u8; 32]>, Rejection> {
    let Some(device) = &p.device else {
        return Ok(None);
    };
    let invalid = |reason: &str, code: &str, message: &str| {
        Rejection::policy(
            ErrorShape::new(ErrorCode::InvalidRequest, message)
                .with_details(json!({"code": code, "reason": reason})),
        )
    };
    let key = parse_public_key(&device.public_key).ok();
    if key.map(|k| device_id_of(&k)).as_deref() != Some(device.id.as_str()) {
        return Err(invalid(
            "device-id-mismatch",
            detail::DEVICE_AUTH_DEVICE_ID_MISMATCH,
            "device identity mismatch",
        ));
    }
    if now_ms().abs_diff(device.signed_at) > SIGNATURE_SKEW_MS {
        return Err(invalid(
            "device-signature-stale",
            detail::DEVICE_AUTH_SIGNATURE_EXPIRED,
            "device signature expired",
        ));
    }
    let provided = device.nonce.trim();
    if provided.is_empty() {
        return Err(invalid(
            "device-nonce-missing",
            detail::DEVICE_AUTH_NONCE_REQUIRED,
            "device nonce required",
        ));
    }
    if provided != nonce {
        return Err(invalid(
            "device-nonce-mismatch",
            detail::DEVICE_AUTH_NONCE_MISMATCH,
            "device nonce mismatch",
        ));
    }
    let key = key.expect("id matched, so the key parsed");
    let fields = SignedFields {
        device_id: &device.id,
        client_id: &p.client.id,
        client_mode: &p.client.mode,
        role: p.role(),
        scopes: p.scopes(),
        signed_at_ms: device.signed_at,
        token: p.signature_token(),
        nonce: provided,
        platform: Some(&p.client.platform),
        device_family: p.client.device_family.as_deref(),
    };
    let ok = verify(&key, &payload_v3(&fields), &device.signature).is_ok()
        || verify(&key, &payload_v2(&fields), &device.signature).is_ok();
    if !ok {
        return Err(invalid(
            "device-signature",
            detail::DEVICE_AUTH_SIGNATURE_INVALID,
            "device signature invalid",
        ));
    }
    Ok(Some(key))
}

pub fn token_key(device_id: &str, role: &str) -> String {
    format!("{device_id}/{role}")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
