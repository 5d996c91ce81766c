//! `openclaw up`: a loopback gateway and a node host with the built-in plugins and a watched
//! `./plugins` dir, in one process, paired with each other. The quickest way to try things.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use openclaw_client::{connect, ConnectOptions, GatewayClient};
use openclaw_gateway::GatewayConfig;
use openclaw_node::files::GatewayEndpoint;
use openclaw_node::{NodeHost, NodeHostConfig, NodeOptions};
use openclaw_protocol::nodes::NodeDescription;
use serde_json::json;

use openclaw_config::{self as config, Config};

#[derive(Args)]
pub struct UpArgs {
    /// Gateway port [default: gateway.port, 18789]
    #[arg(long)]
    port: Option<u16>,
    /// The watched plugins dir
    #[arg(long, default_value = "plugins")]
    plugins: PathBuf,
    /// The node's display name
    #[arg(long, default_value = "local-node")]
    display_name: String,
}

pub async fn run(args: UpArgs) -> Result<()> {
    let state_dir = config::state_dir();
    crate::node_cmd::secure_state(&state_dir)?;
    let mut cfg = Config::load(&state_dir)?;
    let token = match config::gateway_token(None, &cfg)? {
        Some(token) => token,
        None => {
            let token = openclaw_protocol::identity::random_hex_token(24);
            cfg.set_and_save("gateway.auth.token", json!(token))?;
            token
        }
    };
    let port = args
        .port
        .or_else(|| {
            cfg.get("gateway.port")
                .and_then(|p| p.as_u64())
                .and_then(|p| u16::try_from(p).ok())
        })
        .unwrap_or(openclaw_protocol::DEFAULT_PORT);

    let mut gw_config = GatewayConfig::new(state_dir.clone(), token.clone());
    gw_config.bind = IpAddr::from([127, 0, 0, 1]);
    gw_config.port = port;
    gw_config.apply_file(&cfg).map_err(anyhow::Error::msg)?;
    // A local playground: route whatever the local plugins declare, bar dangerous commands.
    // Its lists are fixed at start: a reload of the file would drop the `*` default.
    if gw_config.commands.allow.is_empty() {
        gw_config.commands.allow = vec!["*".into()];
    }
    gw_config.config_file = None;
    let gateway = openclaw_gateway::start(gw_config).await?;

    let (op, _) = connect(&ConnectOptions::operator(
        &gateway.url(),
        Some(token.clone()),
        &["operator.admin"],
    ))
    .await?;
    let options = NodeOptions {
        endpoint: GatewayEndpoint {
            host: "127.0.0.1".into(),
            port: gateway.addr.port(),
            tls: false,
            tls_fingerprint: None,
            context_path: None,
        },
        token: Some(token),
        password: None,
        node_id: uuid::Uuid::new_v4().to_string(),
        display_name: args.display_name.clone(),
        state_dir: state_dir.clone(),
        allowlist: Default::default(),
        bootstrap: None,
        stop_after_first_connect: false,
    };
    let node = NodeHost::start(NodeHostConfig {
        options,
        plugins_dir: Some(args.plugins.clone()),
        settings: openclaw_node::NodeSettings::from_config(&cfg)?,
    })
    .await?;
    for e in &node.plugin_errors {
        eprintln!("plugin not loaded: {e}");
    }
    let node_id = node.identity.device_id();
    tokio::spawn(approve_own_surfaces(op.clone(), node_id.clone()));

    let commands = wait_until_served(&op, &node_id).await;
    let name = &args.display_name;
    println!("gateway  {} (state {})", gateway.url(), state_dir.display());
    println!(
        "node     {name} ({node_id}), {} commands: {}",
        commands.len(),
        commands.join(", ")
    );
    println!(
        "plugins  {} (watched: drop a .wasm in to add commands)",
        args.plugins.display()
    );
    println!("\nTry, from another shell:");
    println!("  openclaw nodes status");
    println!("  openclaw nodes invoke --node {name} --command system.which --params '{{\"bins\":[\"sh\"]}}'");
    println!("  openclaw nodes run --node {name} -- uname -a");
    println!("  openclaw nodes canvas a2ui push --node {name} --text \"Hello from A2UI\"");
    println!("  openclaw nodes canvas snapshot --node {name} --format png");
    println!(
        "  openclaw plugins list --plugins {}",
        args.plugins.display()
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        ended = node.wait() => {
            if let Err(fatal) = ended {
                eprintln!("openclaw: {fatal}");
            }
        }
    }
    gateway.shutdown();
    Ok(())
}

/// This process is the operator of its own node: it approves the node's surface requests.
async fn approve_own_surfaces(op: GatewayClient, node_id: String) {
    loop {
        if let Ok(list) = op.request("node.pair.list", json!({})).await {
            for request in list["pending"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["nodeId"] == node_id.as_str())
            {
                op.request(
                    "node.pair.approve",
                    json!({"requestId": request["requestId"]}),
                )
                .await
                .ok();
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the node is connected and its whole surface approved, with no request left
/// pending (a command invoked before then could meet "pending approval"); returns its commands.
async fn wait_until_served(op: &GatewayClient, node_id: &str) -> Vec<String> {
    loop {
        if let Ok(d) = op
            .request("node.describe", json!({"nodeId": node_id}))
            .await
        {
            if let Ok(node) = serde_json::from_value::<NodeDescription>(d) {
                let node = node.node;
                let served = node.connected
                    && node.approval_state == "approved"
                    && node.pending_request_id.is_none()
                    && !node.commands.is_empty();
                if served {
                    return node.commands;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
