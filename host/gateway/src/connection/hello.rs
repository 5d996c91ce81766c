//! From the first frame to `hello-ok`: runs the handshake checks, pairs, reconciles a node's
//! surface, registers the session. Also what happens when a session ends.

use std::sync::Arc;

use futures_util::stream::SplitStream;
use openclaw_protocol::connect::{ConnectParams, ROLE_NODE};
use openclaw_protocol::frames::{ErrorShape, Frame, ResponseFrame, StateVersion};
use openclaw_protocol::hello::{Features, HelloAuth, HelloOk, Policy, ServerInfo, Snapshot};
use openclaw_protocol::identity::encode_public_key;
use openclaw_protocol::limits::{MAX_BUFFERED_BYTES, MAX_PAYLOAD_BYTES};
use openclaw_protocol::PROTOCOL_VERSION;
use serde_json::json;
use tokio_tungstenite::WebSocketStream;

use super::checks::{self, AuthMethod, Peer, Rejection};
use super::frames::{first_text, frame_id, Io};
use crate::methods::{method_names, EVENTS};
use crate::pairing::surface::{self, Declared};
use crate::pairing::{bootstrap, device};
use crate::policy::{canonical_node_host_platform, platform_id};
use crate::session::{Outbound, Role, Session};
use crate::state::{Gateway, VERSION};

type Stream = SplitStream<WebSocketStream<Box<dyn Io>>>;

/// Runs the handshake. `None` when the connection was refused (and told why) or went away.
pub async fn handshake(
    gw: &Arc<Gateway>,
    stream: &mut Stream,
    out: &Outbound,
    peer: &Peer,
) -> Option<Arc<Session>> {
    let first = first_text(stream).await?;
    let not_connect =
        || ErrorShape::invalid_request("invalid handshake: first request must be connect");
    let (id, params) = match first.map(|t| (serde_json::from_str::<Frame>(&t), t)) {
        Ok((Ok(Frame::Req(req)), _)) if req.method == "connect" => (req.id, req.params),
        Ok((_, text)) => return refuse(out, &frame_id(&text), Rejection::policy(not_connect())),
        Err(()) => return refuse(out, "", Rejection::policy(not_connect())),
    };
    let mut penalty = std::time::Duration::ZERO;
    match accept(gw, params, out, peer, &mut penalty) {
        Ok((session, hello, bootstrap_token)) => {
            gw.register(session.clone());
            if let Err(e) = surface::resync(gw, &session) {
                tracing::warn!("could not bring the node's surface up to date: {e}");
            }
            out.respond(ResponseFrame::ok(
                id,
                serde_json::to_value(hello).expect("hello serializes"),
            ));
            if let Some(token) = bootstrap_token {
                consume_setup_code(gw, &session, &token);
            }
            Some(session)
        }
        Err(rejection) => {
            // A failed shared secret from loopback is answered late, as the real gateway does.
            tokio::time::sleep(penalty).await;
            refuse(out, &id, rejection)
        }
    }
}

/// A setup code admits one connection: burn its token once that connection has its hello.
fn consume_setup_code(gw: &Gateway, session: &Session, token: &str) {
    let device = session.device_id.as_deref().unwrap_or_default();
    let name = session.client.display_name.as_deref();
    if let Err(e) = bootstrap::consume(&gw.store, token, device, name) {
        tracing::error!("could not burn the setup code's bootstrap token: {e}");
    }
}

fn refuse(out: &Outbound, id: &str, r: Rejection) -> Option<Arc<Session>> {
    out.respond(ResponseFrame::err(id, r.error));
    out.close(r.close_code, &r.close_reason);
    None
}

fn accept(
    gw: &Gateway,
    params: Option<serde_json::Value>,
    out: &Outbound,
    peer: &Peer,
    penalty: &mut std::time::Duration,
) -> Result<(Arc<Session>, HelloOk, Option<String>), Rejection> {
    let p = checks::parse_params(params)?;
    checks::check_protocol(&p)?;
    let auth = checks::check_auth(gw, &p, peer, penalty)?;
    checks::check_device_required(&p)?;
    let key = checks::check_device_proof(&p, &peer.nonce)?;
    let bootstrap = match (auth, &p.device, key) {
        (AuthMethod::BootstrapToken, Some(device), Some(key)) => {
            let token = p.auth.as_ref().and_then(|a| a.bootstrap_token.as_deref());
            let verified = bootstrap::verify(
                &gw.store,
                token.unwrap_or_default(),
                &device.id,
                &encode_public_key(&key),
                p.role(),
                p.scopes(),
            )
            .map_err(Rejection::unavailable)?;
            Some(verified.ok_or_else(|| checks::bootstrap_refused(gw, &p, peer))?)
        }
        (AuthMethod::BootstrapToken, ..) => return Err(checks::bootstrap_refused(gw, &p, peer)),
        _ => None,
    };
    let role = if p.role() == ROLE_NODE {
        Role::Node
    } else {
        Role::Operator
    };

    // Nodes always pair; operators only when they come with a device token.
    let needs_pairing =
        role == Role::Node || auth == AuthMethod::DeviceToken || auth == AuthMethod::BootstrapToken;
    let paired = match (needs_pairing, key) {
        (true, Some(key)) => {
            let public_key = encode_public_key(&key);
            Some(device::ensure_paired(
                gw,
                &p,
                &public_key,
                peer,
                bootstrap.as_ref(),
            )?)
        }
        _ => None,
    };
    let scopes = match (&paired, role) {
        (_, Role::Node) => Vec::new(),
        (Some(device), Role::Operator) => p
            .scopes()
            .iter()
            .filter(|s| device.scopes.contains(s))
            .cloned()
            .collect(),
        (None, Role::Operator) => p.scopes().to_vec(),
    };
    let token = match &paired {
        Some(device) => Some(
            device::current_token(gw, &device.device_id, role.as_str(), &scopes)
                .map_err(Rejection::unavailable)?,
        ),
        None => None,
    };

    let device_id = p.device.as_ref().map(|d| d.id.clone());
    let node = match (role, &device_id) {
        (Role::Node, Some(node_id)) => {
            let enrolled = paired
                .as_ref()
                .is_some_and(|d| d.approved_via.as_deref() == Some("bootstrap"));
            Some(node_live(gw, &p, node_id, peer, enrolled)?)
        }
        _ => None,
    };
    let session = Arc::new(Session::new(
        uuid::Uuid::new_v4().to_string(),
        role,
        scopes.clone(),
        device_id,
        p.client.clone(),
        peer.remote_ip.clone(),
        out.clone(),
        node,
    ));
    let hello = HelloOk {
        kind: "hello-ok".into(),
        protocol: PROTOCOL_VERSION,
        server: ServerInfo {
            version: VERSION.into(),
            boot_id: Some(gw.boot_id.clone()),
            conn_id: session.conn_id.clone(),
        },
        features: Features {
            methods: method_names(),
            events: EVENTS.iter().map(|e| e.to_string()).collect(),
            capabilities: vec![openclaw_protocol::SURFACE_REDECLARE_CAPABILITY.to_string()],
        },
        snapshot: Snapshot {
            presence: Vec::new(),
            health: json!({}),
            state_version: StateVersion::default(),
            uptime_ms: gw.uptime_ms(),
        },
        auth: HelloAuth {
            method: Some(auth.as_str().into()),
            role: role.as_str().into(),
            scopes,
            issued_at_ms: token
                .as_ref()
                .map(|t| t.rotated_at_ms.unwrap_or(t.created_at_ms)),
            device_token: token.map(|t| t.token),
        },
        policy: Policy {
            max_payload: MAX_PAYLOAD_BYTES as u64,
            max_buffered_bytes: MAX_BUFFERED_BYTES as u64,
            tick_interval_ms: gw.config.tick_interval.as_millis() as u64,
        },
    };
    let bootstrap_token = bootstrap.and(p.auth.and_then(|a| a.bootstrap_token));
    Ok((session, hello, bootstrap_token))
}

fn node_live(
    gw: &Gateway,
    p: &ConnectParams,
    node_id: &str,
    peer: &Peer,
    enrolled_by_setup_code: bool,
) -> Result<crate::session::NodeLive, Rejection> {
    let family = p.client.device_family.as_deref().unwrap_or("");
    let (platform, family) = canonical_node_host_platform(&p.client.id, &p.client.platform, family);
    let platform_id = platform_id(platform, family);
    let meta = surface::meta_of(&p.client, node_id, &peer.remote_ip);
    let declared = Declared {
        caps: p.caps.clone().unwrap_or_default(),
        commands: p.commands.clone().unwrap_or_default(),
        permissions: p.permissions.clone(),
    };
    let mut live = surface::reconcile(gw, &meta, platform_id, declared, None)
        .map_err(Rejection::unavailable)?;
    if enrolled_by_setup_code {
        // The administrator who minted the code approved the node's first surface with it.
        surface::approve_first(gw, &mut live, platform_id).map_err(Rejection::unavailable)?;
    }
    live.path_env = p.path_env.clone();
    surface::touch(gw, node_id, Some(&meta), true).map_err(Rejection::unavailable)?;
    Ok(surface::live(node_id, platform_id, live))
}

/// Cleans up after a session: fails its invokes and records when a node left.
pub fn disconnected(gw: &Gateway, session: &Session) {
    let current = gw.unregister(session);
    gw.invokes.fail_connection(&session.conn_id);
    if let (true, Some(node_id)) = (current, session.node_id()) {
        gw.pending_delivered
            .lock()
            .unwrap()
            .retain(|_, conn| conn != &session.conn_id);
        if let Err(e) = surface::touch(gw, node_id, None, false) {
            tracing::warn!(node = node_id, "could not record the disconnect: {e}");
        }
    }
}
