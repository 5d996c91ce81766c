//! Options and the handshake: wait for `connect.challenge`, sign, send `connect`, read `hello-ok`.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use openclaw_protocol::connect::{ClientInfo, ConnectAuth, ConnectParams, DeviceProof};
use openclaw_protocol::frames::{Frame, RequestFrame};
use openclaw_protocol::hello::HelloOk;
use openclaw_protocol::identity::DeviceIdentity;
use openclaw_protocol::limits::MAX_PAYLOAD_BYTES;
use openclaw_protocol::signature::{payload_v3, SignedFields};
use openclaw_protocol::PROTOCOL_VERSION;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::connection::{self, Events, GatewayClient, Ws};
use crate::error::ClientError;
use crate::transport;

/// Everything `connect` needs. Start from [`ConnectOptions::operator`] or [`ConnectOptions::node`].
#[derive(Clone)]
pub struct ConnectOptions {
    pub url: String,
    pub role: String,
    pub scopes: Vec<String>,
    pub client: ClientInfo,
    pub auth: ConnectAuth,
    /// The device identity to prove in `connect`.
    pub device: Option<DeviceIdentity>,
    pub caps: Option<Vec<String>>,
    pub commands: Option<Vec<String>>,
    pub permissions: Option<BTreeMap<String, bool>>,
    pub path_env: Option<String>,
    pub min_protocol: u32,
    pub max_protocol: u32,
    pub tls_fingerprint: Option<String>,
    /// Bound on the handshake and the default bound on each request.
    pub timeout: Duration,
}

impl ConnectOptions {
    /// A CLI operator authenticated with the gateway's shared token.
    pub fn operator(url: &str, token: Option<String>, scopes: &[&str]) -> Self {
        ConnectOptions {
            url: url.to_string(),
            role: "operator".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            client: ClientInfo {
                id: "cli".into(),
                mode: "cli".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                platform: std::env::consts::OS.into(),
                ..ClientInfo::default()
            },
            auth: ConnectAuth {
                token,
                ..ConnectAuth::default()
            },
            device: None,
            caps: Some(Vec::new()),
            commands: None,
            permissions: None,
            path_env: None,
            min_protocol: PROTOCOL_VERSION,
            max_protocol: PROTOCOL_VERSION,
            tls_fingerprint: None,
            timeout: Duration::from_secs(15),
        }
    }

    /// A Linux node host with a device identity.
    pub fn node(url: &str, identity: DeviceIdentity, display_name: &str) -> Self {
        ConnectOptions {
            role: "node".into(),
            scopes: Vec::new(),
            client: ClientInfo {
                id: "node-host".into(),
                mode: "node".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                platform: "linux".into(),
                device_family: Some("Linux".into()),
                display_name: Some(display_name.to_string()),
                ..ClientInfo::default()
            },
            auth: ConnectAuth::default(),
            device: Some(identity),
            caps: Some(Vec::new()),
            commands: Some(Vec::new()),
            min_protocol: 3,
            ..ConnectOptions::operator(url, None, &[])
        }
    }

    fn params(&self, nonce: &str, ts: u64) -> ConnectParams {
        let mut params = ConnectParams {
            min_protocol: self.min_protocol,
            max_protocol: self.max_protocol,
            client: self.client.clone(),
            role: Some(self.role.clone()),
            scopes: Some(self.scopes.clone()),
            caps: self.caps.clone(),
            commands: self.commands.clone(),
            permissions: self.permissions.clone(),
            path_env: self.path_env.clone(),
            locale: None,
            user_agent: None,
            device: None,
            auth: Some(self.auth.clone()),
            computer_use: None,
            worker_runs: None,
            model_catalog: None,
        };
        if let Some(device) = &self.device {
            let id = device.device_id();
            let payload = payload_v3(&SignedFields {
                device_id: &id,
                client_id: &params.client.id,
                client_mode: &params.client.mode,
                role: &self.role,
                scopes: &self.scopes,
                signed_at_ms: ts,
                token: params.signature_token(),
                nonce,
                platform: Some(&params.client.platform),
                device_family: params.client.device_family.as_deref(),
            });
            params.device = Some(DeviceProof {
                id,
                public_key: device.public_key(),
                signature: device.sign(&payload),
                signed_at: ts,
                nonce: nonce.to_string(),
            });
        }
        params
    }
}

/// Connects, completes the handshake and returns the running client with its `hello-ok`.
pub async fn connect(opts: &ConnectOptions) -> Result<(GatewayClient, Events), ClientError> {
    let ms = opts.timeout.as_millis() as u64;
    tokio::time::timeout(opts.timeout, handshake(opts))
        .await
        .map_err(|_| ClientError::Timeout(ms))?
}

async fn handshake(opts: &ConnectOptions) -> Result<(GatewayClient, Events), ClientError> {
    let target = transport::parse_url(&opts.url)?;
    transport::check_plaintext(&opts.url, crate::plaintext::allow_private_ws_from_env())?;
    transport::warn_plaintext(&opts.url);
    let stream = transport::open(&opts.url, &target, opts.tls_fingerprint.as_deref()).await?;
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_PAYLOAD_BYTES))
        .max_frame_size(Some(MAX_PAYLOAD_BYTES));
    let (mut ws, _) =
        tokio_tungstenite::client_async_with_config(opts.url.as_str(), stream, Some(config))
            .await?;

    let (nonce, ts) = read_challenge(&mut ws).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let req = Frame::Req(RequestFrame {
        id: id.clone(),
        method: "connect".into(),
        params: Some(serde_json::to_value(opts.params(&nonce, ts)).expect("params serialize")),
        traceparent: None,
        expected_profile_id: None,
    });
    ws.send(Message::text(req.to_text())).await?;

    let res = loop {
        match next_frame(&mut ws).await? {
            Frame::Res(res) if res.id == id => break res,
            _ => continue,
        }
    };
    if !res.ok {
        let error = res.error.unwrap_or_else(|| {
            openclaw_protocol::frames::ErrorShape::new(
                openclaw_protocol::errors::ErrorCode::Unavailable,
                "connect failed",
            )
        });
        return Err(ClientError::Rejected(Box::new(error)));
    }
    let hello: HelloOk = serde_json::from_value(res.payload.unwrap_or_default())
        .map_err(|e| ClientError::Protocol(format!("bad hello-ok: {e}")))?;
    Ok(connection::start(ws, hello, opts.timeout))
}

async fn read_challenge(ws: &mut Ws) -> Result<(String, u64), ClientError> {
    match next_frame(ws).await? {
        Frame::Event(ev) if ev.event == "connect.challenge" => {
            let payload = ev.payload.unwrap_or_default();
            let nonce = payload["nonce"].as_str().unwrap_or_default().to_string();
            let ts = payload["ts"].as_u64().ok_or_else(|| {
                ClientError::Protocol("connect.challenge without a non-negative integer ts".into())
            })?;
            Ok((nonce, ts))
        }
        other => Err(ClientError::Protocol(format!(
            "expected connect.challenge, got {}",
            other.to_text()
        ))),
    }
}

async fn next_frame(ws: &mut Ws) -> Result<Frame, ClientError> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(&text)
                    .map_err(|e| ClientError::Protocol(format!("{e}: {text}")))
            }
            Some(Ok(Message::Close(frame))) => {
                return Err(ClientError::Closed(frame.map(|f| f.reason.to_string())))
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
            None => return Err(ClientError::Closed(None)),
        }
    }
}
