//! `openclaw node run` and `openclaw node identity`; the service commands live in
//! `node_service`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use openclaw_node::files::{load_node_file, read_identity, save_node_file, NodeFile};
use openclaw_node::{grants_path, CommandAllowlist, NodeHost, NodeHostConfig, NodeOptions};
use serde_json::json;

pub use crate::node_pairing::{NodeRunArgs, Pairing};
pub use crate::node_run_args::{command_ids, RunArgs};
use openclaw_config::{self as config, Config};

#[derive(Subcommand)]
pub enum NodeCmd {
    /// Run the headless node host in the foreground
    Run(NodeRunArgs),
    /// Print this node's device identity
    Identity {
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    Service(crate::node_service::ServiceCmd),
}

pub async fn run(cmd: NodeCmd) -> Result<()> {
    let state_dir = config::state_dir();
    match cmd {
        NodeCmd::Identity { json } => {
            // Shows the saved identity, never makes one (the real CLI's rule).
            let Some(identity) = read_identity(&state_dir)? else {
                eprintln!("no node device identity found (start the node host once with `openclaw node run` or `openclaw node install`)");
                std::process::exit(1);
            };
            let payload =
                json!({"deviceId": identity.device_id(), "publicKey": identity.public_key()});
            if json {
                println!("{payload}");
            } else {
                println!(
                    "deviceId:  {}\npublicKey: {}",
                    payload["deviceId"].as_str().unwrap_or_default(),
                    payload["publicKey"].as_str().unwrap_or_default()
                );
            }
            Ok(())
        }
        NodeCmd::Run(args) => {
            let pairing = match args.pairing() {
                Ok(pairing) => pairing,
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(1);
                }
            };
            run_node(args.run, state_dir, pairing).await
        }
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

/// Runs the node host as `node run` does, first connecting with a setup code's token when
/// `pairing` carries one (`--pair`, `openclaw connect`).
pub async fn run_with_pairing(args: RunArgs, pairing: Option<Pairing>) -> Result<()> {
    run_node(args, config::state_dir(), pairing).await
}

async fn run_node(args: RunArgs, state_dir: PathBuf, pairing: Option<Pairing>) -> Result<()> {
    secure_state(&state_dir)?;
    let invalid = |e: anyhow::Error| e.context(InvalidConfig);
    let cfg = Config::load(&state_dir).map_err(invalid)?;
    let saved = load_node_file(&state_dir)?.unwrap_or_default();
    args.check().map_err(|e| invalid(anyhow::anyhow!(e)))?;
    // The setup code's gateway stands where the saved one would; explicit flags still win.
    let baseline = match &pairing {
        Some(p) => Some(p.endpoint()?),
        None => saved.gateway.clone(),
    };
    let endpoint = args.endpoint(baseline.as_ref());
    let node_id = args
        .node_id
        .clone()
        .or(Some(saved.node_id.clone()).filter(|id| !id.is_empty()))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let display_name = args
        .display_name
        .clone()
        .or(saved.display_name.clone())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "openclaw-node".into());
    let allowlist = save_allowlist(&args, saved, &node_id, &state_dir)?;
    let grants = grants_path(&state_dir);
    // As the real node host: the environment first, then gateway.auth.*, and gateway.remote.*
    // only with gateway.mode=remote.
    let (token, password) = config::client_secrets(None, None, &cfg, true).map_err(invalid)?;
    let options = NodeOptions {
        endpoint,
        token,
        password,
        node_id,
        display_name: display_name.clone(),
        state_dir,
        allowlist: allowlist.clone(),
        bootstrap: pairing.as_ref().map(Pairing::bootstrap),
        stop_after_first_connect: pairing.as_ref().is_some_and(|p| p.stop_after_first_connect),
    };
    let node = NodeHost::start(NodeHostConfig {
        options,
        plugins_dir: args.plugins.clone(),
        settings: openclaw_node::NodeSettings::from_config(&cfg).map_err(invalid)?,
    })
    .await?;
    for e in &node.plugin_errors {
        eprintln!("plugin not loaded: {e}");
    }
    let commands = allowlist.surface(&node.plugins.current()).commands;
    println!(
        "node {} ({}) serving {} commands: {}",
        display_name,
        node.identity.device_id(),
        commands.len(),
        commands.join(", ")
    );
    println!("grants {}", grants.display());
    if let Some(dir) = &args.plugins {
        println!("watching {}", dir.display());
    }
    node.wait().await?;
    Ok(())
}

/// Saves the allowlist this run uses in `node.json` before the node starts, as the real saves
/// it, so a run without the flag (a service restart) keeps it.
fn save_allowlist(
    args: &RunArgs,
    saved: NodeFile,
    node_id: &str,
    state_dir: &std::path::Path,
) -> Result<CommandAllowlist> {
    let commands = args.allowlist(saved.commands.as_ref());
    if commands != saved.commands {
        if args.all_commands {
            eprintln!("node-host: cleared saved command allowlist; advertising the full default command surface");
        }
        let file = NodeFile {
            version: 1,
            node_id: node_id.to_string(),
            commands: commands.clone(),
            ..saved
        };
        save_node_file(state_dir, &file)?;
    }
    Ok(commands.map_or_else(CommandAllowlist::all, CommandAllowlist::only))
}
