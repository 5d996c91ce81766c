//! The operator's connection to a gateway (`--url`, `--token`, `--timeout`, `--json`) and the
//! `--node` lookup shared by the node commands.

use std::time::Duration;

use anyhow::{bail, Result};
use clap::Args;
use openclaw_client::{connect, ConnectOptions, GatewayClient};
use openclaw_protocol::nodes::{NodeEntry, NodeList};
use serde_json::{json, Value};

use openclaw_config::{self as config, Config};

#[derive(Args, Clone)]
pub struct OperatorArgs {
    /// Gateway WebSocket URL [default: gateway.remote.url with gateway.mode=remote, else
    /// ws://127.0.0.1:<gateway.port or 18789>]
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// Gateway token [default: OPENCLAW_GATEWAY_TOKEN, gateway.auth.token]; visible in the process
    /// list, so prefer the environment variable or the config file
    #[arg(long, global = true)]
    pub token: Option<String>,
    /// Gateway password, for a gateway in password auth mode [default: OPENCLAW_GATEWAY_PASSWORD,
    /// gateway.auth.password; gateway.remote.password with gateway.mode=remote]
    #[arg(long, global = true)]
    pub password: Option<String>,
    /// Request timeout in milliseconds [default: 15000; 10000 for `approvals pending|resolve`]
    #[arg(long, global = true)]
    pub timeout: Option<u64>,
    /// Print the gateway's JSON payload instead of tables
    #[arg(long, global = true)]
    pub json: bool,
    /// SHA-256 pin of the gateway's TLS certificate (for wss:// with a self-signed certificate)
    #[arg(long, global = true)]
    pub tls_fingerprint: Option<String>,
}

pub struct Operator {
    pub client: GatewayClient,
    pub json: bool,
    pub timeout: Duration,
}

impl OperatorArgs {
    pub async fn connect(&self) -> Result<Operator> {
        self.connect_with(&["operator.admin"], 15_000).await
    }

    /// Connects asking for `scopes`, with `default_timeout_ms` when `--timeout` is not given.
    pub async fn connect_with(&self, scopes: &[&str], default_timeout_ms: u64) -> Result<Operator> {
        let cfg = Config::load(&config::state_dir())?;
        let port = cfg
            .get("gateway.port")
            .and_then(Value::as_u64)
            .unwrap_or(openclaw_protocol::DEFAULT_PORT as u64);
        let remote_url = Some(&cfg)
            .filter(|c| config::is_remote(c))
            .and_then(|c| c.str("gateway.remote.url"));
        let url = self
            .url
            .clone()
            .or(remote_url)
            .unwrap_or_else(|| format!("ws://127.0.0.1:{port}"));
        let (token, password) =
            config::client_secrets(self.token.clone(), self.password.clone(), &cfg, false)?;
        let mut opts = ConnectOptions::operator(&url, token, scopes);
        opts.auth.password = password;
        opts.timeout = Duration::from_millis(self.timeout.unwrap_or(default_timeout_ms));
        opts.tls_fingerprint = self.tls_fingerprint.clone();
        let (client, _events) = connect(&opts).await?;
        Ok(Operator {
            client,
            json: self.json,
            timeout: opts.timeout,
        })
    }
}

impl Operator {
    pub async fn call(&self, method: &str, params: Value) -> Result<Value> {
        Ok(self.client.request(method, params).await?)
    }

    /// Resolves `--node`: an id, a display name, an IP, or a unique id prefix of 6+ characters.
    pub async fn resolve_node(&self, query: &str) -> Result<NodeEntry> {
        let list = self.call("node.list", json!({})).await?;
        let list: NodeList = serde_json::from_value(list)?;
        resolve(&list.nodes, query)
    }
}

pub fn resolve(nodes: &[NodeEntry], query: &str) -> Result<NodeEntry> {
    let q = query.trim();
    let stages: [&dyn Fn(&NodeEntry) -> bool; 4] = [
        &|n| n.node_id == q,
        &|n| {
            n.display_name
                .as_deref()
                .is_some_and(|name| name.eq_ignore_ascii_case(q))
        },
        &|n| n.remote_ip.as_deref() == Some(q),
        &|n| q.len() >= 6 && n.node_id.starts_with(q),
    ];
    for matches in stages {
        let found: Vec<&NodeEntry> = nodes.iter().filter(|n| matches(n)).collect();
        match found.as_slice() {
            [one] => return Ok((*one).clone()),
            [] => continue,
            many => {
                let ids: Vec<&str> = many.iter().map(|n| n.node_id.as_str()).collect();
                bail!(
                    "--node {q} matches {} nodes ({}); use the full node id",
                    many.len(),
                    ids.join(", ")
                );
            }
        }
    }
    bail!("no node matches --node {q}; `openclaw nodes list` shows the known nodes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_by_id_name_ip_and_prefix() {
        let node = |v: Value| serde_json::from_value::<NodeEntry>(v).unwrap();
        let nodes = vec![
            node(
                json!({"nodeId": "abcdef123456", "displayName": "Build Node", "remoteIp": "10.0.0.5"}),
            ),
            node(json!({"nodeId": "abcdef999999", "displayName": "Other"})),
        ];
        assert_eq!(
            resolve(&nodes, "abcdef123456").unwrap().name(),
            "Build Node"
        );
        assert_eq!(
            resolve(&nodes, "build node").unwrap().node_id,
            "abcdef123456"
        );
        assert_eq!(resolve(&nodes, "10.0.0.5").unwrap().node_id, "abcdef123456");
        assert_eq!(resolve(&nodes, "abcdef9").unwrap().node_id, "abcdef999999");
        assert!(resolve(&nodes, "abcdef")
            .unwrap_err()
            .to_string()
            .contains("matches 2 nodes"));
        assert!(resolve(&nodes, "abc").is_err());
    }
}
