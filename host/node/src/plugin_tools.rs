//! Publishing the plugins' agent-visible tools (`node.pluginTools.update`), as the real node
//! host does: after every hello even when there are none, and again whenever the plugins or
//! the MCP servers change. A gateway that does not know the method is not asked again on this
//! connection; params it rejected are not sent again unchanged; other failures are retried
//! with backoff (250 ms doubling to 5 s).

use std::time::Duration;

use openclaw_client::{ClientError, GatewayClient};
use openclaw_runtime::{PluginHost, PluginTool};
use serde_json::{json, Map, Value};
use tokio::sync::watch;

use crate::allowlist::CommandAllowlist;

const METHOD: &str = "node.pluginTools.update";
const MIN_RETRY: Duration = Duration::from_millis(250);
const MAX_RETRY: Duration = Duration::from_millis(5_000);

/// Publishing for one connection; dropped with it.
pub struct Publisher(tokio::task::JoinHandle<()>);

impl Drop for Publisher {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Publishes for one connection until the [`Publisher`] is dropped.
pub fn spawn(
    client: GatewayClient,
    host: std::sync::Arc<PluginHost>,
    allowlist: CommandAllowlist,
) -> Publisher {
    Publisher(tokio::spawn(async move {
        let (desired, wanted) = watch::channel(None);
        let sender = tokio::spawn(send(client, wanted));
        let mut plugins = host.subscribe();
        let mut servers = host.services().mcp.as_ref().map(|m| m.subscribe());
        loop {
            let params = catalog(&host, &allowlist).await;
            desired.send_if_modified(|d| {
                let changed = d.as_ref() != Some(&params);
                *d = Some(params);
                changed
            });
            let server_change = async {
                match &mut servers {
                    Some(s) => s.changed().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                r = plugins.changed() => if r.is_err() { break },
                r = server_change => if r.is_err() { break },
            }
        }
        sender.abort();
    }))
}

/// The params of `node.pluginTools.update`: every plugin's tools whose command this node
/// serves, each plugin's in its own order, the plugins by id.
async fn catalog(host: &PluginHost, allowlist: &CommandAllowlist) -> Value {
    let mut tools: Vec<Value> = host
        .plugin_tools()
        .await
        .into_iter()
        .filter(|t| allowlist.allows(&t.tool.command))
        .map(descriptor)
        .collect();
    tools.sort_by(|a, b| a["pluginId"].as_str().cmp(&b["pluginId"].as_str()));
    json!({ "tools": tools })
}

fn descriptor(t: PluginTool) -> Value {
    let PluginTool { plugin, tool } = t;
    let mut d = Map::new();
    // The MCP client's tools go by the id the real node host gives them.
    let plugin_id = match &tool.mcp {
        Some(_) => "node-mcp".to_string(),
        None => plugin.to_string(),
    };
    d.insert("pluginId".into(), json!(plugin_id));
    d.insert("name".into(), json!(tool.name));
    d.insert("description".into(), json!(tool.description));
    if let Some(Ok(parameters)) = tool
        .parameters_json
        .as_deref()
        .map(serde_json::from_str::<Value>)
    {
        d.insert("parameters".into(), parameters);
    }
    d.insert("command".into(), json!(tool.command));
    if let Some(target) = tool.mcp {
        d.insert(
            "mcp".into(),
            json!({"server": target.server, "tool": target.tool}),
        );
    }
    Value::Object(d)
}

enum Outcome {
    Published,
    Unsupported,
    Rejected,
    Transient,
}

fn classify(result: &Result<Value, ClientError>) -> Outcome {
    let Err(e) = result else {
        return Outcome::Published;
    };
    match e.error_shape() {
        Some(shape) if shape.code == "INVALID_REQUEST" => {
            if shape.message == format!("unknown method: {METHOD}") {
                Outcome::Unsupported
            } else {
                Outcome::Rejected
            }
        }
        _ => Outcome::Transient,
    }
}

/// Sends the latest wanted params, deduplicated against what was published or rejected.
async fn send(client: GatewayClient, mut wanted: watch::Receiver<Option<Value>>) {
    let (mut published, mut rejected) = (None::<Value>, None::<Value>);
    let mut backoff = MIN_RETRY;
    let mut retry = false;
    loop {
        if !retry && wanted.changed().await.is_err() {
            return;
        }
        retry = false;
        let Some(params) = wanted.borrow_and_update().clone() else {
            continue;
        };
        if published.as_ref() == Some(&params) || rejected.as_ref() == Some(&params) {
            continue;
        }
        let result = client.request(METHOD, params.clone()).await;
        let outcome = classify(&result);
        if let Err(e) = &result {
            if !matches!(outcome, Outcome::Unsupported) {
                eprintln!("node host plugin tool publish failed: {e}");
            }
        }
        match outcome {
            Outcome::Published => {
                tracing::info!(
                    tools = params["tools"].as_array().map_or(0, Vec::len),
                    "plugin tools published"
                );
                published = Some(params);
                backoff = MIN_RETRY;
            }
            Outcome::Unsupported => return,
            Outcome::Rejected => rejected = Some(params),
            Outcome::Transient => {
                // A newer catalog replaces the one that failed.
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => retry = true,
                    r = wanted.changed() => if r.is_err() { return },
                }
                if !retry {
                    // The changed value is marked unseen again for the next pass.
                    wanted.mark_changed();
                }
                backoff = (backoff * 2).min(MAX_RETRY);
            }
        }
    }
}
