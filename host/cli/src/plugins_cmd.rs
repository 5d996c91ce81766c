//! `openclaw plugins list|inspect|invoke|new|build`: a plugin author's tools, with no gateway
//! involved.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use openclaw_node::{grants_path, invoke_agent, load_plugins, new_host};
use openclaw_runtime::{Call, Origin};
use serde_json::Value;

use crate::render::table;
use openclaw_config as config;
use openclaw_plugin_build as plugin_project;

#[derive(Subcommand)]
pub enum PluginsCmd {
    /// The plugins a node host would serve: the built-ins and a plugins dir
    List {
        #[arg(long)]
        plugins: Option<PathBuf>,
    },
    /// A plugin file's commands, the capabilities it imports, and whether they are granted
    Inspect { file: PathBuf },
    /// Runs one command of a plugin file here, and prints its payload
    Invoke {
        file: PathBuf,
        command: String,
        /// JSON params
        params: Option<String>,
        /// Deadline in ms
        #[arg(long, default_value_t = 30_000)]
        timeout: u64,
    },
    /// Writes a plugin project NAME (its example command NAME.greet, its own test, the SDK)
    New {
        name: String,
        #[arg(long, value_enum, default_value = "rust")]
        lang: plugin_project::Lang,
        /// Where to put the project's dir
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Builds the plugin project in DIR into DIR/NAME.wasm
    Build {
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

pub async fn run(cmd: PluginsCmd) -> Result<()> {
    let state_dir = config::state_dir();
    match cmd {
        PluginsCmd::List { plugins } => list(&state_dir, plugins.as_deref()).await,
        PluginsCmd::Inspect { file } => inspect(&state_dir, &file).await,
        PluginsCmd::Invoke {
            file,
            command,
            params,
            timeout,
        } => invoke(&state_dir, &file, &command, params, timeout).await,
        PluginsCmd::New { name, lang, dir } => plugin_project::new(&name, lang, &dir),
        PluginsCmd::Build { dir } => plugin_project::build(&dir),
    }
}

fn node_settings(state_dir: &Path) -> Result<openclaw_node::NodeSettings> {
    openclaw_node::NodeSettings::from_config(&config::Config::load(state_dir)?)
}

fn plugin_name(file: &Path) -> Result<String> {
    file.file_stem()
        .and_then(|s| s.to_str())
        .map(String::from)
        .with_context(|| format!("{} has no usable file name", file.display()))
}

async fn list(state_dir: &Path, dir: Option<&Path>) -> Result<()> {
    let loaded = load_plugins(state_dir, dir, &node_settings(state_dir)?)
        .await
        .map_err(anyhow::Error::msg)?;
    let set = loaded.host.current();
    let rows = set
        .plugins()
        .map(|p| {
            let origin = match &p.origin {
                Origin::Builtin => "built-in".to_string(),
                Origin::File(path) => path.display().to_string(),
            };
            let commands: Vec<String> = p.surface.commands.iter().map(|c| c.name.clone()).collect();
            vec![
                p.name.to_string(),
                origin,
                commands.join("\n"),
                p.capabilities.join(", "),
            ]
        })
        .collect();
    println!(
        "{}",
        table(&["Plugin", "From", "Commands", "Capabilities"], rows)
    );
    for e in &loaded.errors {
        println!("not loaded: {e}");
    }
    Ok(())
}

async fn inspect(state_dir: &Path, file: &Path) -> Result<()> {
    let name = plugin_name(file)?;
    let wasm = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (host, _) = new_host(state_dir, &node_settings(state_dir)?).map_err(anyhow::Error::msg)?;
    let found = host.inspect(&name, file, &wasm).await?;
    println!("Plugin {name} ({})", file.display());
    match &found.contract {
        Some(contract) => println!("Contract: {contract}"),
        None => println!("Contract: none (it exports no openclaw:plugin/plugin interface)"),
    }
    match &found.surface {
        Some(surface) => {
            println!("Caps: {}", surface.caps.join(", "));
            let rows = surface
                .commands
                .iter()
                .map(|c| vec![c.name.clone(), c.summary.clone()])
                .collect();
            println!("{}", table(&["Command", "Summary"], rows));
        }
        None => println!("Commands: not described until every capability it imports is granted"),
    }
    let rows = found
        .capabilities
        .iter()
        .map(|(cap, granted)| {
            vec![
                cap.clone(),
                if *granted {
                    "granted".into()
                } else {
                    host.grants().how_to_grant(&name, false, cap)
                },
            ]
        })
        .collect::<Vec<_>>();
    if rows.is_empty() {
        println!("Capabilities: none (it needs no grant)");
    } else {
        println!("{}", table(&["Capability", "Grant"], rows));
    }
    for import in &found.unknown_imports {
        println!("unsupported import: {import}");
    }
    if let Some(e) = &found.error {
        println!("error: {e}");
    }
    println!("grants file: {}", grants_path(state_dir).display());
    Ok(())
}

async fn invoke(
    state_dir: &Path,
    file: &Path,
    command: &str,
    params: Option<String>,
    timeout_ms: u64,
) -> Result<()> {
    if let Some(p) = &params {
        serde_json::from_str::<Value>(p).context("PARAMS is not valid JSON")?;
    }
    let name = plugin_name(file)?;
    let (host, _) = new_host(state_dir, &node_settings(state_dir)?).map_err(anyhow::Error::msg)?;
    host.load_file(&name, file).await?;
    let call = Call {
        invoke_id: uuid::Uuid::new_v4().to_string(),
        node_id: "local".into(),
        timeout_ms,
        idempotency_key: None,
    };
    // Bound to the agent its params name, as the node binds an invoke.
    let agent_id = invoke_agent(params.as_deref());
    match host
        .invoke_for_agent(
            &call,
            agent_id.as_deref(),
            command,
            params.as_deref(),
            Duration::from_millis(timeout_ms),
        )
        .await
    {
        Ok(payload) => {
            let pretty = serde_json::from_str::<Value>(&payload)
                .map(|v| crate::render::pretty(&v))
                .unwrap_or(payload);
            println!("{pretty}");
            Ok(())
        }
        Err(f) => bail!("{}: {}", f.code, f.message),
    }
}
