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

use crate::config::AuthMode;
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
    /// The upgrade carried an `Origin` header: a browser.
    pub browser_origin: bool,
}

/// How the client authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    SharedToken,
    Password,
    DeviceToken,
    /// A setup code's bootstrap token, still to be checked against the proven device key.
    BootstrapToken,
    /// `gateway.auth.mode` is `none`.
    None,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::SharedToken => "token",
            AuthMethod::Password => "password",
            AuthMethod::DeviceToken => "device-token",
            AuthMethod::BootstrapToken => "bootstrap-token",
            AuthMethod::None => "none",
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

/// The shared-secret and device-token checks of spec §2.5, as the real gateway's
/// `authorizeGatewayConnect` runs them: the configured mode's secret (`auth.password` falls back
/// to `auth.token` and the other way round, as the real's `resolveConnectSecret`), then a
/// bootstrap or device token. Failed shared secrets count against the client's address;
/// `penalty` is how long to hold a refusal back (loopback is slowed down, never locked out).
pub fn check_auth(
    gw: &Gateway,
    p: &ConnectParams,
    peer: &Peer,
    penalty: &mut std::time::Duration,
) -> Result<AuthMethod, Rejection> {
    let auth = p.auth.clone().unwrap_or_default();
    let has_device = p.device.is_some();
    let nonblank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let token = nonblank(&auth.token);
    let password = nonblank(&auth.password);
    let shared_provided = token.is_some() || password.is_some();
    let mode = gw.config.auth_mode;
    let limiter = &gw.auth_limiter;

    if shared_provided && mode != AuthMode::None {
        if let Err(locked) = limiter.check(&peer.remote_ip) {
            let retry_after_ms = locked.retry_after.as_nanos().div_ceil(1_000_000).max(1) as u64;
            let mut error = ErrorShape::invalid_request(
                "unauthorized: too many failed authentication attempts (retry later)",
            )
            .retryable(true)
            .with_details(json!({
                "code": detail::AUTH_RATE_LIMITED,
                "authReason": "rate_limited",
                "canRetryWithDeviceToken": false,
                "recommendedNextStep": "wait_then_retry",
            }));
            error.retry_after_ms = Some(retry_after_ms);
            return Err(Rejection::policy(error));
        }
    }

    let shared: Result<AuthMethod, &str> = match mode {
        AuthMode::None => Ok(AuthMethod::None),
        AuthMode::Token => match token.as_ref().or(password.as_ref()) {
            None => Err("token_missing"),
            Some(t) if constant_time_eq(t.as_bytes(), gw.config.token.as_bytes()) => {
                Ok(AuthMethod::SharedToken)
            }
            Some(_) => Err("token_mismatch"),
        },
        AuthMode::Password => match gw.config.password.as_deref().filter(|p| !p.is_empty()) {
            None => Err("password_missing_config"),
            Some(expected) => match password.as_ref().or(token.as_ref()) {
                None => Err("password_missing"),
                Some(given) if constant_time_eq(given.as_bytes(), expected.as_bytes()) => {
                    Ok(AuthMethod::Password)
                }
                Some(_) => Err("password_mismatch"),
            },
        },
    };
    let shared_reason = match shared {
        Ok(method) => {
            if shared_provided {
                limiter.reset(&peer.remote_ip);
            }
            return Ok(method);
        }
        Err(reason) => reason,
    };
    let mismatch = shared_reason.ends_with("_mismatch");

    let outcome: Result<AuthMethod, &str> =
        if has_device && auth.device_token.is_none() && nonblank(&auth.bootstrap_token).is_some() {
            // Bound to the device only after its signature is checked (`bootstrap::verify`).
            Ok(AuthMethod::BootstrapToken)
        } else if let Some(candidate) = auth
            .device_token
            .as_deref()
            .or(auth.token.as_deref().filter(|_| has_device))
        {
            let explicit = auth.device_token.is_some();
            let stored = p.device.as_ref().and_then(|d| {
                gw.store
                    .get::<openclaw_protocol::records::DeviceToken>(
                        crate::store::kind::TOKEN,
                        &token_key(&d.id, p.role()),
                    )
                    .ok()
                    .flatten()
            });
            match stored {
                Some(t)
                    if t.revoked_at_ms.is_none()
                        && constant_time_eq(t.token.as_bytes(), candidate.as_bytes()) =>
                {
                    Ok(AuthMethod::DeviceToken)
                }
                _ if explicit => Err("device_token_mismatch"),
                _ => Err(shared_reason),
            }
        } else {
            Err(shared_reason)
        };
    let reason = match outcome {
        Ok(method) => return Ok(method),
        Err(reason) => reason,
    };
    if mismatch {
        *penalty = limiter.record_failure(&peer.remote_ip);
    }
    Err(auth_failure(p, peer, &auth, reason))
}

/// A bootstrap token that is unknown, expired, used, bound to another device, or outside its
/// profile: counted as a failed secret, refused with the real's words.
pub fn bootstrap_refused(gw: &Gateway, p: &ConnectParams, peer: &Peer) -> Rejection {
    gw.auth_limiter.record_failure(&peer.remote_ip);
    let auth = p.auth.clone().unwrap_or_default();
    auth_failure(p, peer, &auth, "bootstrap_token_invalid")
}

/// The refusal for an auth `reason`, with the real's message, detail code and advice.
fn auth_failure(
    p: &ConnectParams,
    peer: &Peer,
    auth: &openclaw_protocol::connect::ConnectAuth,
    reason: &str,
) -> Rejection {
    let is_cli = p.client.mode == "cli";
    let password_hint = match (is_cli, peer.direct_local) {
        (true, true) => "use this gateway's gateway.auth.password",
        (true, false) => "set gateway.remote.password to match gateway.auth.password",
        _ => "provide gateway auth password",
    };
    let (code, message) = match reason {
        "token_missing" => (
            detail::AUTH_TOKEN_MISSING,
            "unauthorized: gateway token missing (provide gateway auth token)".to_string(),
        ),
        "token_mismatch" => (
            detail::AUTH_TOKEN_MISMATCH,
            "unauthorized: gateway token mismatch (provide gateway auth token)".to_string(),
        ),
        "password_missing" => (
            detail::AUTH_PASSWORD_MISSING,
            format!("unauthorized: gateway password missing ({password_hint})"),
        ),
        "password_mismatch" => (
            detail::AUTH_PASSWORD_MISMATCH,
            format!("unauthorized: gateway password mismatch ({password_hint})"),
        ),
        "password_missing_config" => (
            detail::AUTH_PASSWORD_NOT_CONFIGURED,
            "unauthorized: gateway password not configured on gateway (set gateway.auth.password)"
                .to_string(),
        ),
        "bootstrap_token_invalid" => (
            detail::AUTH_BOOTSTRAP_TOKEN_INVALID,
            "unauthorized: setup code invalid, expired, revoked, or already used (create a new code; review `openclaw devices list`)".to_string(),
        ),
        _ => (
            detail::AUTH_DEVICE_TOKEN_MISMATCH,
            "unauthorized: device token mismatch (rotate/reissue device token)".to_string(),
        ),
    };
    let retry_with_device = reason == "token_mismatch"
        && p.device.is_some()
        && auth.password.is_none()
        && auth.token.is_some()
        && auth.device_token.is_none();
    let next = if retry_with_device {
        "retry_with_device_token"
    } else {
        match reason {
            "token_missing" | "password_missing" | "password_missing_config" => {
                "update_auth_configuration"
            }
            _ => "update_auth_credentials",
        }
    };
    Rejection::policy(ErrorShape::invalid_request(message).with_details(json!({
        "code": code,
        "authReason": reason,
        "canRetryWithDeviceToken": retry_with_device,
        "recommendedNextStep": next,
    })))
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
