//! `device.pair.setupCode` and `device.pair.setupStatus`: an administrator mints a setup code
//! (and, for a node, a single-use join URL), then follows how that setup ended.

use std::sync::Arc;

use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::setup_code::{encode, is_loopback, SetupPayload};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse, unavailable, Reply};
use crate::config::AuthMode;
use crate::pairing::bootstrap::{self, Profile};
use crate::pairing::setup::{self, Bind, Request};
use crate::session::Session;
use crate::state::Gateway;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SetupCodeParams {
    public_url: Option<String>,
    prefer_remote_url: Option<bool>,
    include_qr: Option<bool>,
    bootstrap_profile: Option<String>,
    join_url: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SetupStatusParams {
    setup_id: String,
}

const MAX_QR_DATA_URL_LENGTH: usize = 16384;

pub fn setup_code(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    const METHOD: &str = "device.pair.setupCode";
    let p: SetupCodeParams = parse(METHOD, params)?;
    if p.public_url.as_deref().is_some_and(|u| u.is_empty()) {
        return Err(ErrorShape::invalid_params(
            METHOD,
            "publicUrl must not be empty",
        ));
    }
    if p.join_url == Some(false) {
        return Err(ErrorShape::invalid_params(METHOD, "joinUrl must be true"));
    }
    let join = p.join_url == Some(true);
    let profile = match p.bootstrap_profile.as_deref() {
        _ if join && !matches!(p.bootstrap_profile.as_deref(), None | Some("node")) => {
            return Err(ErrorShape::invalid_request(
                "Join URLs require bootstrapProfile=node.",
            ))
        }
        _ if join => Profile::node(),
        None => Profile::full(),
        Some("node") => Profile::node(),
        Some("limited") => Profile::limited(),
        Some("voice-node") => Profile::voice_node(),
        Some(_) => {
            return Err(ErrorShape::invalid_params(
                METHOD,
                "bootstrapProfile must be limited, node or voice-node",
            ))
        }
    };
    let config = &gw.config;
    let bound = gw.endpoint.get().cloned();
    let auth = match config.auth_mode {
        AuthMode::Token => setup::auth_label("token", !config.token.is_empty(), false),
        AuthMode::Password => setup::auth_label("password", false, config.password.is_some()),
        AuthMode::None => setup::auth_label("none", false, false),
    };
    let from_request = p.public_url.is_some();
    let created = setup::create(
        &gw.store,
        Request {
            tls: config.tls.is_some(),
            port: bound.as_ref().map_or(config.port, |b| b.port),
            bind: Bind::of(config.bind),
            // The configured URL unless the request prefers the remote one (the real's rule).
            public_url: p.public_url.or_else(|| {
                let configured = config.setup_public_url.clone();
                configured.filter(|_| p.prefer_remote_url != Some(true))
            }),
            remote_url: config.remote_url.clone(),
            prefer_remote: p.prefer_remote_url == Some(true),
            auth,
            local_tls_fingerprint: bound.and_then(|b| b.tls_fingerprint),
            profile,
        },
    )
    .map_err(ErrorShape::invalid_request)?;
    let join_url = if join {
        let base = join_base(&created.payload).map_err(ErrorShape::invalid_request)?;
        let expires = created.payload.expires_at_ms.unwrap_or_default();
        let code = bootstrap::register_join_code(&gw.store, created.payload.clone(), expires)
            .map_err(unavailable)?;
        Some(format!("{}/j/{code}", base.trim_end_matches('/')))
    } else {
        None
    };
    let mut reply = json!({
        "setupId": created.setup_id,
        "expiresAtMs": created.payload.expires_at_ms,
        "setupCode": encode(&created.payload),
    });
    if let Some(url) = join_url {
        reply["joinUrl"] = json!(url);
    }
    if p.include_qr != Some(false) {
        // As the real: an image too large to carry is left out.
        let image = crate::pairing::qr_image::png_data_url(&encode(&created.payload));
        if let Some(image) = image.filter(|i| i.len() <= MAX_QR_DATA_URL_LENGTH) {
            reply["qrDataUrl"] = json!(image);
        }
    }
    reply["gatewayUrl"] = json!(created.payload.url);
    reply["auth"] = json!(created.auth);
    reply["urlSource"] = json!(if from_request {
        "request.publicUrl"
    } else {
        created.url_source.as_str()
    });
    reply["access"] = json!(created.access);
    if created.access_downgraded {
        reply["accessDowngraded"] = json!(true);
    }
    Ok(reply)
}

/// The HTTP base of a join URL: `https` for `wss`, `http` only for loopback.
fn join_base(payload: &SetupPayload) -> Result<String, String> {
    for candidate in payload.urls.iter().flatten().chain([&payload.url]) {
        let Ok(mut url) = url::Url::parse(candidate) else {
            continue;
        };
        let scheme = match url.scheme() {
            "wss" => "https",
            "ws" if is_loopback(&url) => "http",
            _ => continue,
        };
        url.set_scheme(scheme).ok();
        url.set_query(None);
        url.set_fragment(None);
        return Ok(url.to_string());
    }
    Err("Join URLs require a TLS gateway endpoint, except for loopback. Use the setup code directly for plaintext LAN pairing.".into())
}

pub fn setup_status(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let p: SetupStatusParams = parse("device.pair.setupStatus", params)?;
    let completion = bootstrap::completion(&gw.store, p.setup_id.trim()).map_err(unavailable)?;
    Ok(match completion {
        None => json!({}),
        Some(c) => {
            let mut done = json!({"setupId": c.setup_id, "deviceId": c.device_id});
            if let Some(name) = c.device_name {
                done["deviceName"] = json!(name);
            }
            done["access"] = json!(c.access);
            done["ts"] = json!(c.completed_at_ms);
            json!({ "completion": done })
        }
    })
}
