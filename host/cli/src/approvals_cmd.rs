//! `openclaw approvals get|set|allowlist add|remove [--node X]`: a node's exec approvals, over
//! the gateway (`exec.approvals.node.*`), or this machine's own without `--node`.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use openclaw_exec::ApprovalsStore;
use openclaw_protocol::exec_approvals::{NodeApprovalsGet, NodeApprovalsSet};
use serde_json::{json, Value};

use crate::approvals_queue;
use crate::operator::{Operator, OperatorArgs};
use crate::render::{age, pretty, s, table};
use openclaw_config as config;

#[derive(Subcommand)]
pub enum ApprovalsCmd {
    /// Show the approvals
    Get {
        #[arg(long)]
        node: Option<String>,
    },
    /// Replace the approvals with a JSON5 document
    Set {
        #[arg(long)]
        node: Option<String>,
        #[arg(long, conflicts_with = "stdin")]
        file: Option<PathBuf>,
        #[arg(long)]
        stdin: bool,
    },
    /// Edit the allowlist
    Allowlist {
        #[command(subcommand)]
        command: AllowlistCmd,
    },
    /// List pending exec, plugin, and system-agent approvals
    Pending,
    /// Resolve a pending approval
    Resolve(approvals_queue::ResolveArgs),
}

#[derive(Subcommand)]
pub enum AllowlistCmd {
    /// Allow a path glob or a bare command name
    Add {
        pattern: String,
        #[arg(long)]
        node: Option<String>,
        /// Agent id the entry is for [default: * (every agent)]
        #[arg(long, default_value = "*")]
        agent: String,
    },
    /// Remove an entry
    Remove {
        pattern: String,
        #[arg(long)]
        node: Option<String>,
        #[arg(long, default_value = "*")]
        agent: String,
    },
}

/// Whose approvals: a node through the gateway, or this machine's file.
enum Target {
    Node { op: Operator, node_id: String },
    Local(ApprovalsStore),
}

impl Target {
    async fn open(node: Option<String>, args: &OperatorArgs) -> Result<Target> {
        match node {
            Some(query) => {
                let op = args.connect().await?;
                let node_id = op.resolve_node(&query).await?.node_id;
                Ok(Target::Node { op, node_id })
            }
            None => Ok(Target::Local(ApprovalsStore::new(
                config::state_dir().join("exec-approvals.json"),
            ))),
        }
    }

    fn label(&self) -> String {
        match self {
            Target::Node { node_id, .. } => format!("node:{node_id}"),
            Target::Local(_) => "local".into(),
        }
    }

    fn json(&self) -> bool {
        matches!(self, Target::Node { op, .. } if op.json)
    }

    async fn get(&self) -> Result<Value> {
        match self {
            Target::Node { op, node_id } => {
                let params = NodeApprovalsGet {
                    node_id: node_id.clone(),
                };
                op.call("exec.approvals.node.get", serde_json::to_value(params)?)
                    .await
            }
            Target::Local(store) => store.snapshot().map_err(anyhow::Error::msg),
        }
    }

    async fn set(&self, file: Value, base_hash: &str) -> Result<Value> {
        match self {
            Target::Node { op, node_id } => {
                let params = NodeApprovalsSet {
                    node_id: node_id.clone(),
                    file: Some(file),
                    base_hash: Some(base_hash.into()),
                    ..NodeApprovalsSet::default()
                };
                op.call("exec.approvals.node.set", serde_json::to_value(params)?)
                    .await
            }
            Target::Local(store) => store.set(file, Some(base_hash)).map_err(anyhow::Error::msg),
        }
    }
}

pub async fn run(cmd: ApprovalsCmd, args: &OperatorArgs) -> Result<()> {
    match cmd {
        ApprovalsCmd::Pending => return approvals_queue::pending(args).await,
        ApprovalsCmd::Resolve(request) => return approvals_queue::resolve(request, args).await,
        ApprovalsCmd::Get { node } => {
            let target = Target::open(node, args).await?;
            show(&target, &target.get().await?);
        }
        ApprovalsCmd::Set { node, file, stdin } => {
            let text = match (file, stdin) {
                (Some(path), _) => std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
                (None, true) => {
                    let mut text = String::new();
                    std::io::stdin().read_to_string(&mut text)?;
                    text
                }
                (None, false) => bail!("give the document with --file FILE or --stdin"),
            };
            let doc: Value =
                json5::from_str(&text).context("the approvals document is not valid JSON5")?;
            let target = Target::open(node, args).await?;
            let current = target.get().await?;
            let updated = target.set(doc, &s(&current["hash"])).await?;
            println!("Target: {}", target.label());
            show(&target, &updated);
        }
        ApprovalsCmd::Allowlist { command } => {
            let (node, agent, pattern, add) = match command {
                AllowlistCmd::Add {
                    pattern,
                    node,
                    agent,
                } => (node, agent, pattern, true),
                AllowlistCmd::Remove {
                    pattern,
                    node,
                    agent,
                } => (node, agent, pattern, false),
            };
            let target = Target::open(node, args).await?;
            let current = target.get().await?;
            let mut file = current["file"].clone();
            edit_allowlist(&mut file, &agent, &pattern, add)?;
            let updated = target.set(file, &s(&current["hash"])).await?;
            println!("Target: {}", target.label());
            show(&target, &updated);
        }
    }
    Ok(())
}

fn edit_allowlist(file: &mut Value, agent: &str, pattern: &str, add: bool) -> Result<()> {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        bail!("the pattern is empty");
    }
    if !file["agents"].is_object() {
        file["agents"] = json!({});
    }
    if !file["agents"][agent].is_object() {
        file["agents"][agent] = json!({});
    }
    let list = file["agents"][agent]["allowlist"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let present = list.iter().any(|e| e["pattern"] == pattern);
    let list: Vec<Value> = match (add, present) {
        (true, true) => list,
        (true, false) => list
            .into_iter()
            .chain([json!({"pattern": pattern, "lastUsedAt": openclaw_protocol::now_ms()})])
            .collect(),
        (false, true) => list
            .into_iter()
            .filter(|e| e["pattern"] != pattern)
            .collect(),
        (false, false) => bail!("{pattern} is not on the allowlist of agent {agent}"),
    };
    file["agents"][agent]["allowlist"] = json!(list);
    Ok(())
}

fn show(target: &Target, snap: &Value) {
    if target.json() {
        println!("{}", pretty(snap));
        return;
    }
    let file = &snap["file"];
    let defaults = file["defaults"]
        .as_object()
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.iter()
                .map(|(k, v)| {
                    format!(
                        "{k}={}",
                        v.as_str()
                            .map(String::from)
                            .unwrap_or_else(|| v.to_string())
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "none".into());
    let agents = file["agents"].as_object().cloned().unwrap_or_default();
    let entries: Vec<(String, Value)> = agents
        .iter()
        .flat_map(|(agent, a)| {
            a["allowlist"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |e| (agent.clone(), e))
        })
        .collect();
    let rows = vec![
        vec!["Target".into(), target.label()],
        vec!["Path".into(), s(&snap["path"])],
        vec![
            "State".into(),
            if snap["exists"] == true {
                "stored"
            } else {
                "defaults (no stored overrides)"
            }
            .into(),
        ],
        vec!["Hash".into(), s(&snap["hash"])],
        vec!["Version".into(), file["version"].to_string()],
        vec!["Defaults".into(), defaults],
        vec!["Agents".into(), agents.len().to_string()],
        vec!["Allowlist".into(), entries.len().to_string()],
    ];
    println!("Approvals");
    println!("{}", table(&["Field", "Value"], rows));
    if entries.is_empty() {
        println!("\nNo allowlist entries.");
        return;
    }
    let rows = entries
        .iter()
        .map(|(agent, e)| {
            vec![
                target.label(),
                agent.clone(),
                s(&e["pattern"]),
                "any args".into(),
                age(e["lastUsedAt"].as_u64()),
            ]
        })
        .collect();
    println!("\nAllowlist");
    println!(
        "{}",
        table(&["Target", "Agent", "Pattern", "Scope", "Last Used"], rows)
    );
}
