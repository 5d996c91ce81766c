//! The node's life on a gateway: connect (device proof, stored device token), wait out
//! pairing, serve invokes concurrently, forward plugin events, re-declare the surface when
//! plugins change, and reconnect with backoff (1 s doubling to 30 s).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use openclaw_client::{connect, ConnectOptions, Events, GatewayClient};
use openclaw_exec::ExecEvent;
use openclaw_protocol::errors::ErrorCode;
use openclaw_protocol::frames::EventFrame;
use openclaw_protocol::identity::DeviceIdentity;
use openclaw_protocol::limits::MAX_PAYLOAD_BYTES;
use openclaw_protocol::node_events::{NodeEventParams, SurfaceRefresh};
use openclaw_protocol::node_invoke::{InvokeRequest, InvokeResult};
use openclaw_runtime::{Call, PluginHost};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::allowlist::{CommandAllowlist, Surface, NOT_ADVERTISED};
use crate::files::{load_node_file, save_node_file, GatewayEndpoint, NodeFile};

/// How the node reaches its gateway and names itself.
#[derive(Clone)]
pub struct NodeOptions {
    pub endpoint: GatewayEndpoint,
    pub token: Option<String>,
    /// The gateway password (`OPENCLAW_GATEWAY_PASSWORD`, `gateway.auth.password`), for a
    /// gateway in password auth mode.
    pub password: Option<String>,
    pub node_id: String,
    pub display_name: String,
    pub state_dir: PathBuf,
    /// The commands this node may advertise and serve (`--commands`).
    pub allowlist: CommandAllowlist,
    /// A setup code's bootstrap token (`--pair`, `--pair-if-needed`, `openclaw connect`): for
    /// the first connection only, and never saved.
    pub bootstrap: Option<Bootstrap>,
    /// Stop once the first connection is up and its device token saved (`connect --service`,
    /// which then hands over to the installed service).
    pub stop_after_first_connect: bool,
}

#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub token: String,
    /// `--pair`: use it even where a device token for this gateway is saved.
    pub prefer: bool,
}

/// Stops the node for good (the supervisor should not just restart it).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fatal(pub String);

const MIN_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How often the node reports `node.host.stats` (the first report goes at connect).
const STATS_INTERVAL: Duration = Duration::from_secs(60);
/// Largest `node.invoke.result` params; the frame around them needs a little more.
const MAX_RESULT_FRAME_BYTES: usize = MAX_PAYLOAD_BYTES - 4096;
/// How often a node waiting for its pairing approval asks again.
const PAIRING_RETRY: Duration = Duration::from_secs(3);
/// Auth failures that retrying cannot fix.
const FATAL_AUTH: &[&str] = &[
    "AUTH_TOKEN_MISSING",
    "AUTH_TOKEN_MISMATCH",
    "AUTH_BOOTSTRAP_TOKEN_INVALID",
    "AUTH_PASSWORD_MISMATCH",
    "AUTH_PASSWORD_MISSING",
];

pub async fn run(
    opts: NodeOptions,
    identity: DeviceIdentity,
    host: Arc<PluginHost>,
    mut events: mpsc::UnboundedReceiver<ExecEvent>,
) -> Result<(), Fatal> {
    let mut backoff = MIN_BACKOFF;
    let mut bootstrap = opts.bootstrap.clone();
    loop {
        let mut waiting_for_pairing = false;
        let stored = load_node_file(&opts.state_dir)
            .map_err(|e| Fatal(e.to_string()))?
            .unwrap_or_default();
        let device_token = stored
            .token
            .clone()
            .filter(|_| stored.gateway.as_ref() == Some(&opts.endpoint));
        let permissions = crate::permissions::permissions(&host).await;
        let setup_token = bootstrap
            .as_ref()
            .filter(|b| b.prefer || device_token.is_none())
            .map(|b| b.token.clone());
        let credential = match setup_token {
            Some(token) => Credential::Bootstrap(token),
            None => Credential::Stored(device_token.clone()),
        };
        let request = options(&opts, &identity, &host, permissions, credential);
        let attempt = connect(&request).await;
        match attempt {
            Ok((client, ev)) => {
                backoff = MIN_BACKOFF;
                // The gateway burned the setup code; the device token stands in from now on.
                bootstrap = None;
                remember(&opts, &client, stored)?;
                if opts.stop_after_first_connect {
                    client.close();
                    return Ok(());
                }
                tracing::info!(url = %url(&opts.endpoint), "connected to the gateway");
                crate::pending::drain(&client, &opts.display_name);
                match serve(&client, ev, &host, &opts.allowlist, &mut events).await {
                    Ended::SurfaceChanged => continue,
                    Ended::Closed => tracing::warn!("gateway connection closed; reconnecting"),
                }
            }
            Err(e @ openclaw_client::ClientError::Insecure(_)) => return Err(Fatal(e.to_string())),
            Err(e) => {
                let detail = e
                    .error_shape()
                    .and_then(|s| s.detail_code().map(String::from))
                    .unwrap_or_default();
                if FATAL_AUTH.contains(&detail.as_str()) {
                    return Err(Fatal(format!("the gateway refused this node: {e}")));
                }
                if detail == "AUTH_DEVICE_TOKEN_MISMATCH" && device_token.is_some() {
                    tracing::warn!(
                        "the stored device token was refused; retrying with the gateway token"
                    );
                    save_node_file(
                        &opts.state_dir,
                        &NodeFile {
                            token: None,
                            ..stored
                        },
                    )
                    .map_err(|e| Fatal(e.to_string()))?;
                    continue;
                }
                if detail == "PAIRING_REQUIRED" {
                    waiting_for_pairing = true;
                    let request = e
                        .error_shape()
                        .and_then(|s| s.details.as_ref())
                        .and_then(|d| d["requestId"].as_str())
                        .unwrap_or("?")
                        .to_string();
                    eprintln!("waiting for pairing approval: on the gateway run `openclaw devices approve {request}`");
                } else {
                    tracing::warn!("cannot connect to the gateway: {e}");
                }
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
        if waiting_for_pairing {
            // An operator is about to approve: look again soon rather than in 30 s.
            backoff = backoff.min(PAIRING_RETRY);
        }
    }
}

fn url(e: &GatewayEndpoint) -> String {
    let url = openclaw_client::gateway_url(e.tls, &e.host, e.port);
    openclaw_client::with_context_path(url, e.context_path.as_deref())
}

fn options(
    opts: &NodeOptions,
    identity: &DeviceIdentity,
    host: &PluginHost,
    permissions: BTreeMap<String, bool>,
    credential: Credential,
) -> ConnectOptions {
    let surface = opts.allowlist.surface(&host.current());
    let mut c = ConnectOptions::node(&url(&opts.endpoint), identity.clone(), &opts.display_name);
    c.client.instance_id = Some(opts.node_id.clone());
    c.client.model_identifier = crate::machine_model::model_identifier();
    c.caps = Some(surface.caps);
    c.commands = Some(surface.commands);
    c.permissions = Some(permissions);
    // As the real: a restricted surface does not tell the gateway the node's PATH.
    c.path_env = std::env::var("PATH")
        .ok()
        .filter(|_| !opts.allowlist.is_restricted());
    c.tls_fingerprint = opts.endpoint.tls_fingerprint.clone();
    // A stored device token stands in for the shared token on the gateway that issued it; a
    // setup code's token goes alone, as the real's first bootstrap connect.
    match credential {
        Credential::Bootstrap(token) => c.auth.bootstrap_token = Some(token),
        Credential::Stored(Some(token)) => c.auth.device_token = Some(token),
        Credential::Stored(None) => {
            c.auth.token = opts.token.clone();
            c.auth.password = opts.password.clone();
        }
    }
    c
}

enum Credential {
    Bootstrap(String),
    /// The saved device token for this gateway, else the shared secret.
    Stored(Option<String>),
}

/// Keeps the device token the gateway issued, for this gateway.
fn remember(opts: &NodeOptions, client: &GatewayClient, stored: NodeFile) -> Result<(), Fatal> {
    let file = NodeFile {
        version: 1,
        node_id: opts.node_id.clone(),
        token: client.hello().auth.device_token.clone().or(stored.token),
        display_name: Some(opts.display_name.clone()),
        gateway: Some(opts.endpoint.clone()),
        commands: stored.commands,
    };
    save_node_file(&opts.state_dir, &file).map_err(|e| Fatal(e.to_string()))
}

enum Ended {
    Closed,
    /// Plugins changed on a gateway without our refresh: reconnect at once to re-declare.
    SurfaceChanged,
}

/// Serves one connection until it closes, or until the surface changed on a gateway that
/// cannot take a refresh (then the reconnect declares the new surface).
async fn serve(
    client: &GatewayClient,
    mut gateway: Events,
    host: &Arc<PluginHost>,
    allowlist: &CommandAllowlist,
    exec_events: &mut mpsc::UnboundedReceiver<ExecEvent>,
) -> Ended {
    let refreshable = client
        .hello()
        .features
        .capabilities
        .iter()
        .any(|c| c == openclaw_protocol::SURFACE_REDECLARE_CAPABILITY);
    let mut changes = host.subscribe();
    changes.mark_unchanged();
    let mut declared = allowlist.surface(&host.current());
    let _publisher = crate::plugin_tools::spawn(client.clone(), host.clone(), allowlist.clone());
    let mut stats = tokio::time::interval(STATS_INTERVAL);
    let inflight = Inflight::default();
    loop {
        tokio::select! {
            _ = stats.tick() => send_stats(client),
            ev = gateway.next() => match ev {
                Some(ev) => on_gateway_event(client, host, allowlist, &inflight, ev),
                None => return Ended::Closed,
            },
            Ok(()) = changes.changed() => {
                // A change the allowlist hides (or a plugin replaced in place) declares nothing new.
                let surface = allowlist.surface(&host.current());
                if surface == declared {
                    continue;
                }
                declared = surface.clone();
                if !refreshable {
                    tracing::info!("plugins changed; reconnecting to declare the new surface");
                    client.close();
                    return Ended::SurfaceChanged;
                }
                let Surface { caps, commands } = surface;
                let surface = SurfaceRefresh { caps, commands, permissions: None };
                let params = serde_json::to_value(&surface).expect("surface serializes");
                match client.request("node.pluginSurface.refresh", params).await {
                    Ok(r) => tracing::info!(commands = %r["commands"], pending = %r["pendingRequestId"], "surface re-declared"),
                    Err(e) => tracing::warn!("surface refresh failed: {e}"),
                }
            }
            Some(ev) = exec_events.recv() => {
                let client = client.clone();
                let params = crate::exec_events::node_event(&ev);
                tokio::spawn(async move {
                    let event = params.event.clone();
                    if let Err(e) = client.request("node.event", params.to_value()).await {
                        tracing::debug!("node.event {event} not delivered: {e}");
                    }
                });
            }
        }
    }
}

/// Invokes being served, by invoke id, so a `node.invoke.cancel` can end one: dropping its
/// task drops the plugin call, and with it any process it runs (the whole process group).
#[derive(Clone, Default)]
struct Inflight(Arc<std::sync::Mutex<BTreeMap<String, tokio::task::AbortHandle>>>);

impl Inflight {
    fn cancel(&self, invoke_id: &str) {
        if let Some(task) = self.0.lock().unwrap().remove(invoke_id) {
            tracing::info!(invoke = invoke_id, "invoke cancelled by the gateway");
            task.abort();
        }
    }
}

fn on_gateway_event(
    client: &GatewayClient,
    host: &Arc<PluginHost>,
    allowlist: &CommandAllowlist,
    inflight: &Inflight,
    ev: EventFrame,
) {
    let payload = ev.payload.unwrap_or_default();
    match ev.event.as_str() {
        "node.invoke.request" => {
            let id = payload["id"].as_str().unwrap_or_default().to_string();
            let (client, host, tasks) = (client.clone(), host.clone(), inflight.clone());
            let allowlist = allowlist.clone();
            let mut map = inflight.0.lock().unwrap();
            let task = tokio::spawn({
                let id = id.clone();
                async move {
                    answer(&client, &host, &allowlist, payload).await;
                    tasks.0.lock().unwrap().remove(&id);
                }
            });
            map.insert(id, task.abort_handle());
        }
        "node.invoke.cancel" => inflight.cancel(payload["invokeId"].as_str().unwrap_or_default()),
        "node.pair.resolved" => {
            tracing::info!(payload = %payload, "surface pairing resolved")
        }
        _ => {}
    }
}

fn send_stats(client: &GatewayClient) {
    let client = client.clone();
    tokio::spawn(async move {
        let params = NodeEventParams::new("node.host.stats", &crate::stats::host_stats());
        match client.request("node.event", params.to_value()).await {
            Ok(reply) => tracing::debug!(%reply, "node.host.stats sent"),
            Err(e) => tracing::debug!("node.host.stats not delivered: {e}"),
        }
    });
}

/// Runs one invoke in its plugin and sends `node.invoke.result`.
async fn answer(
    client: &GatewayClient,
    host: &PluginHost,
    allowlist: &CommandAllowlist,
    payload: Value,
) {
    let request: InvokeRequest = match serde_json::from_value(payload) {
        Ok(request) => request,
        Err(e) => {
            tracing::warn!("a node.invoke.request that does not parse: {e}");
            return;
        }
    };
    let timeout_ms = request
        .timeout_ms
        .unwrap_or(30_000)
        .clamp(1, 10 * 60 * 1000);
    let call = Call {
        invoke_id: request.id.clone(),
        node_id: request.node_id.clone(),
        timeout_ms,
        idempotency_key: request.idempotency_key.clone(),
    };
    let command = &request.command;
    // The plugin's exec runs are for the agent the invoke names, and only for it.
    let agent_id = crate::invoke_agent(request.params_json.as_deref());
    let result = if allowlist.allows(command) {
        host.invoke_for_agent(
            &call,
            agent_id.as_deref(),
            command,
            request.params_json.as_deref(),
            Duration::from_millis(timeout_ms),
        )
        .await
    } else {
        // A gateway that forwards a command this node hides gets the real's refusal.
        Err(openclaw_runtime::Failure {
            code: ErrorCode::Unavailable.as_str().into(),
            message: NOT_ADVERTISED.into(),
        })
    };
    let mut result = match result {
        Ok(payload) => InvokeResult::ok(&request, payload),
        Err(f) => InvokeResult::failed(&request, &f.code, &f.message),
    };
    // A result the gateway's frame limit would refuse (and close the connection over) goes
    // back as an error instead.
    let size = serde_json::to_string(&result).map_or(0, |text| text.len());
    if size > MAX_RESULT_FRAME_BYTES {
        let message = format!("the {command} result is {size} bytes, over the gateway's {MAX_PAYLOAD_BYTES}-byte frame limit");
        result = InvokeResult::failed(&request, ErrorCode::PayloadTooLarge.as_str(), &message);
    }
    let params = serde_json::to_value(&result).expect("an invoke result serializes");
    if let Err(e) = client.request("node.invoke.result", params).await {
        tracing::warn!(invoke = %call.invoke_id, "result not delivered: {e}");
    }
}
