//! `openclaw node run` and `openclaw node identity`; the service commands live in
//! `node_service`.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use openclaw_node::files::{load_identity, load_node_file, GatewayEndpoint};
use openclaw_node::{grants_path, NodeHost, NodeHostConfig, NodeOptions};
use openclaw_protocol::tls_pin::normalize_fingerprint;
use serde_json::json;

use crate::config::{self, Config};

#[derive(Subcommand)]
pub enum NodeCmd {
    /// Run the headless node host in the foreground
    Run(RunArgs),
    /// Print this node's device identity
    Identity {
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    Service(crate::node_service::ServiceCmd),
}

/// Where and as whom the node connects: `node run`'s flags, which `node install` writes into
/// the service's command.
#[derive(Args)]
pub struct RunArgs {
    /// Gateway host [default: the saved gateway, else 127.0.0.1]
    #[arg(long)]
    pub host: Option<String>,
    /// Gateway port [default: the saved gateway, else 18789]
    #[arg(long)]
    pub port: Option<u16>,
    /// Connect with wss://
    #[arg(long, conflicts_with = "no_tls")]
    pub tls: bool,
    /// Connect with ws://, even when the saved gateway used TLS
    #[arg(long)]
    pub no_tls: bool,
    /// SHA-256 of the gateway's TLS certificate (implies --tls)
    #[arg(long)]
    pub tls_fingerprint: Option<String>,
    /// This node's instance id [default: the saved one, else a new UUID]
    #[arg(long)]
    pub node_id: Option<String>,
    /// The name operators see [default: the saved one, else the host name]
    #[arg(long)]
    pub display_name: Option<String>,
    /// A directory of *.wasm plugins, watched for changes
    #[arg(long)]
    pub plugins: Option<PathBuf>,
}

impl RunArgs {
    /// Flags that cannot work together, in the real CLI's words.
    pub fn check(&self) -> Result<(), String> {
        if self.no_tls && self.tls_fingerprint.is_some() {
            return Err("--no-tls cannot be combined with --tls-fingerprint".into());
        }
        match &self.tls_fingerprint {
            Some(pin) if normalize_fingerprint(pin).is_none() => Err(format!(
                "--tls-fingerprint {pin}: expected 64 hex digits or 32 colon-separated pairs"
            )),
            _ => Ok(()),
        }
    }

    /// The gateway: the flags, else where the node connected last, else 127.0.0.1:18789.
    pub fn endpoint(&self, saved: Option<&GatewayEndpoint>) -> GatewayEndpoint {
        let tls_fingerprint = self
            .tls_fingerprint
            .clone()
            .or_else(|| saved.and_then(|g| g.tls_fingerprint.clone()))
            .filter(|_| !self.no_tls);
        GatewayEndpoint {
            host: self
                .host
                .clone()
                .or_else(|| saved.map(|g| g.host.clone()))
                .unwrap_or_else(|| "127.0.0.1".into()),
            port: self
                .port
                .or(saved.map(|g| g.port))
                .unwrap_or(openclaw_protocol::DEFAULT_PORT),
            tls: !self.no_tls
                && (self.tls || tls_fingerprint.is_some() || saved.is_some_and(|g| g.tls)),
            tls_fingerprint,
        }
    }
}

pub async fn run(cmd: NodeCmd) -> Result<()> {
    let state_dir = config::state_dir();
    match cmd {
        NodeCmd::Identity { json } => {
            let identity = load_identity(&state_dir)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &json!({"deviceId": identity.device_id(), "publicKey": identity.public_key()})
                    )?
                );
            } else {
                println!(
                    "device id   {}\npublic key  {}",
                    identity.device_id(),
                    identity.public_key()
                );
            }
            Ok(())
        }
        NodeCmd::Run(args) => run_node(args, state_dir).await,
        NodeCmd::Service(_) => unreachable!("service commands run before the runtime starts"),
    }
}

/// Makes the state dir private and says what it had to tighten.
pub fn secure_state(state_dir: &std::path::Path) -> Result<()> {
    for notice in openclaw_node::files::secure_state_dir(state_dir)? {
        eprintln!("warning: {notice}");
    }
    Ok(())
}

/// A configuration `node run` cannot work with. It exits with EX_CONFIG (78), on which the
/// service unit tells systemd not to restart it: the next try would fail the same way.
#[derive(Debug)]
pub struct InvalidConfig;

impl std::fmt::Display for InvalidConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the node's configuration cannot work")
    }
}

pub const EX_CONFIG: u8 = 78;

async fn run_node(args: RunArgs, state_dir: PathBuf) -> Result<()> {
    secure_state(&state_dir)?;
    let invalid = |e: anyhow::Error| e.context(InvalidConfig);
    let cfg = Config::load(&state_dir).map_err(invalid)?;
    let saved = load_node_file(&state_dir)?.unwrap_or_default();
    args.check().map_err(|e| invalid(anyhow::anyhow!(e)))?;
    let endpoint = args.endpoint(saved.gateway.as_ref());
    let node_id = args
        .node_id
        .or(Some(saved.node_id.clone()).filter(|id| !id.is_empty()))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let display_name = args
        .display_name
        .or(saved.display_name)
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "openclaw-node".into());
    let grants = grants_path(&state_dir);
    let options = NodeOptions {
        endpoint,
        token: config::gateway_token(None, &cfg).map_err(invalid)?,
        node_id,
        display_name: display_name.clone(),
        state_dir,
    };
    let node = NodeHost::start(NodeHostConfig {
        options,
        plugins_dir: args.plugins.clone(),
        settings: config::node_settings(&cfg).map_err(invalid)?,
    })
    .await?;
    for e in &node.plugin_errors {
        eprintln!("plugin not loaded: {e}");
    }
    let set = node.plugins.current();
    println!(
        "node {} ({}) serving {} commands: {}",
        display_name,
        node.identity.device_id(),
        set.commands().len(),
        set.commands().join(", ")
    );
    println!("grants {}", grants.display());
    if let Some(dir) = &args.plugins {
        println!("watching {}", dir.display());
    }
    node.wait().await?;
    Ok(())
}
