//! `openclaw nodes ...`: the operator's view of nodes.

use anyhow::Result;
use clap::Subcommand;
use serde_json::{json, Value};

mod canvas;
mod exec_node;
mod hardware;
mod invoke;
mod media;
mod node_call;
mod run;
mod run_approval;
mod status;
mod tools;

use canvas::CanvasCmd;
use hardware::{CameraCmd, LocationCmd, NotifyArgs, ScreenCmd};
use invoke::{invoke, invoke_failed};
use run::run_command;
use status::{describe, list_nodes, pending, status};

use crate::operator::{Operator, OperatorArgs};
use crate::render::pretty;

#[derive(Subcommand)]
pub enum NodesCmd {
    /// Known nodes with their connection and approval state
    Status {
        #[command(flatten)]
        filter: ConnectionFilter,
    },
    /// Paired and pending nodes
    List {
        #[command(flatten)]
        filter: ConnectionFilter,
    },
    /// One node's details and commands
    Describe {
        /// The node (id, name or IP), as `--node` or in place
        #[arg(
            long = "node",
            value_name = "NODE",
            required_unless_present = "node_arg"
        )]
        node: Option<String>,
        #[arg(value_name = "NODE", conflicts_with = "node")]
        node_arg: Option<String>,
    },
    /// Node surfaces waiting for approval
    Pending,
    /// Approve a node surface request
    Approve { request_id: String },
    /// Reject a node surface request
    Reject { request_id: String },
    /// Unpair a node
    Remove {
        #[arg(long)]
        node: String,
    },
    /// Set a node's display name: `--node X --name Y`, or `rename X Y`
    Rename {
        #[arg(long)]
        node: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// The node and the name in place, for whichever flag is not given
        #[arg(value_name = "NODE_AND_NAME", num_args = 0..=2)]
        rest: Vec<String>,
    },
    /// Run a shell command on a node (system.run.prepare, then system.run) and exit with its
    /// code. Without --node: the agent's bound node (agents.entries.<id>.tools.exec.node),
    /// else tools.exec.node, else the one connected node that runs commands
    Run {
        #[arg(long)]
        node: Option<String>,
        #[arg(long)]
        cwd: Option<String>,
        /// Environment override KEY=VALUE (repeatable)
        #[arg(long = "env")]
        env: Vec<String>,
        /// Kill the command after this many ms
        #[arg(long)]
        command_timeout: Option<u64>,
        /// Agent whose exec approvals apply
        #[arg(long)]
        agent: Option<String>,
        /// The command records the screen: run it only on a node that can
        #[arg(long)]
        needs_screen_recording: bool,
        /// Exec security, combined with the node's own (the stricter applies)
        #[arg(long, value_parser = ["deny", "allowlist", "full"])]
        security: Option<String>,
        /// When to ask for an approval, combined with the node's own (the more asking applies);
        /// a run that needs one waits for `openclaw approvals resolve`, or asks on a terminal
        #[arg(long, value_parser = ["off", "on-miss", "always"])]
        ask: Option<String>,
        /// The command and its arguments, after `--`
        #[arg(last = true, required = true)]
        argv: Vec<String>,
    },
    /// Drive a node's canvas (present, hide, navigate, eval, snapshot, a2ui)
    Canvas {
        #[command(subcommand)]
        command: CanvasCmd,
    },
    /// A node's position (location.get)
    Location {
        #[command(subcommand)]
        command: LocationCmd,
    },
    /// Show a desktop notification on a node (system.notify)
    Notify(NotifyArgs),
    /// Record a node's screen (screen.record)
    Screen {
        #[command(subcommand)]
        command: ScreenCmd,
    },
    /// A node's cameras (camera.list, camera.snap, camera.clip)
    Camera {
        #[command(subcommand)]
        command: CameraCmd,
    },
    /// The tools nodes publish for agents (their MCP servers' among them), or call one
    Tools(tools::ToolsArgs),
    /// Invoke a command on a node and print the gateway's JSON response
    Invoke {
        #[arg(long)]
        node: String,
        #[arg(long)]
        command: String,
        /// JSON params
        #[arg(long, default_value = "{}")]
        params: String,
        /// Node invoke timeout in ms; the CLI waits for the gateway up to the larger of
        /// --timeout (default 30000 here) and this plus 10000
        #[arg(long, default_value_t = 15_000, value_parser = node_call::positive_ms)]
        invoke_timeout: u64,
        #[arg(long)]
        idempotency_key: Option<String>,
    },
}

/// `--connected` and `--last-connected <duration>` on `nodes status|list`.
#[derive(clap::Args, Clone, Default)]
pub struct ConnectionFilter {
    /// Only show connected nodes
    #[arg(long)]
    pub connected: bool,
    /// Only show nodes connected within duration (e.g. 24h)
    #[arg(long, value_name = "DURATION")]
    pub last_connected: Option<String>,
}

impl ConnectionFilter {
    /// `--last-connected` in ms, worded as the real CLI words a bad one.
    pub fn since_ms(&self) -> Result<Option<u64>> {
        self.last_connected
            .as_deref()
            .map(|raw| {
                node_call::parse_duration_ms(raw)
                    .map_err(|e| anyhow::anyhow!("Invalid --last-connected: {e}"))
            })
            .transpose()
    }

    pub fn active(&self) -> bool {
        self.connected || self.last_connected.is_some()
    }

    /// The real `matchesNodeConnectionFilter`, over a `node.list` entry or a merged pairing row.
    pub fn matches(&self, node: &Value, since_ms: Option<u64>, now_ms: u64) -> bool {
        if self.connected && node["connected"] != true {
            return false;
        }
        let last = node["lastConnectedAtMs"]
            .as_u64()
            .or_else(|| node["connectedAtMs"].as_u64());
        match since_ms {
            None => true,
            Some(since) => last.is_some_and(|t| now_ms.saturating_sub(t) <= since),
        }
    }
}

/// `--timeout` when not given, per command, as the real CLI defaults it; ours is 15000
/// elsewhere.
fn default_timeout_ms(cmd: &NodesCmd) -> u64 {
    match cmd {
        NodesCmd::Invoke { .. } | NodesCmd::Location { .. } => 30_000,
        NodesCmd::Notify(_) => 10_000,
        NodesCmd::Screen { .. } => 180_000,
        NodesCmd::Tools(_) => 130_000,
        _ => 15_000,
    }
}

const RUN_SCOPES: &[&str] = &["operator.admin", "operator.write", "operator.approvals"];

pub async fn run(cmd: NodesCmd, args: &OperatorArgs) -> Result<()> {
    if let NodesCmd::Invoke { command, .. } = &cmd {
        if command == "system.run" || command == "system.run.prepare" {
            return invoke_failed(&format!(
                "command \"{command}\" is reserved for shell execution; use the exec tool with host=node instead"
            ));
        }
    }
    if let NodesCmd::Status { filter } | NodesCmd::List { filter } = &cmd {
        filter.since_ms()?;
    }
    let op = if matches!(cmd, NodesCmd::Run { .. }) {
        // A run may file and resolve an approval, then run with it, as the exec tool does.
        args.connect_with(RUN_SCOPES, 15_000).await?
    } else {
        args.connect_with(&["operator.admin"], default_timeout_ms(&cmd))
            .await?
    };
    match cmd {
        NodesCmd::Status { filter } => status(&op, &filter).await,
        NodesCmd::List { filter } => list_nodes(&op, &filter).await,
        NodesCmd::Describe { node, node_arg } => {
            describe(&op, &node.or(node_arg).unwrap_or_default()).await
        }
        NodesCmd::Pending => pending(&op).await,
        NodesCmd::Approve { request_id } => {
            print_call(&op, "node.pair.approve", json!({"requestId": request_id})).await
        }
        NodesCmd::Reject { request_id } => {
            print_call(&op, "node.pair.reject", json!({"requestId": request_id})).await
        }
        NodesCmd::Remove { node } => {
            let id = op.resolve_node(&node).await?.node_id;
            print_call(&op, "node.pair.remove", json!({"nodeId": id})).await
        }
        NodesCmd::Rename { node, name, rest } => {
            let mut rest = rest.into_iter();
            let (Some(node), Some(name)) =
                (node.or_else(|| rest.next()), name.or_else(|| rest.next()))
            else {
                anyhow::bail!("rename needs a node and a name: --node <id|name|ip> --name <name>");
            };
            if rest.next().is_some() {
                anyhow::bail!("rename takes one node and one name");
            }
            let id = op.resolve_node(&node).await?.node_id;
            print_call(
                &op,
                "node.rename",
                json!({"nodeId": id, "displayName": name}),
            )
            .await
        }
        NodesCmd::Run {
            node,
            cwd,
            env,
            command_timeout,
            agent,
            needs_screen_recording,
            security,
            ask,
            argv,
        } => {
            let config = openclaw_config::Config::load(&openclaw_config::state_dir())?;
            let bound = exec_node::bound_node(&config, agent.as_deref());
            let list: openclaw_protocol::nodes::NodeList =
                serde_json::from_value(op.call("node.list", json!({})).await?)?;
            let target = exec_node::choose(&list.nodes, node.as_deref(), bound.as_deref())?;
            let node_id = target.node_id.clone();
            let options = run::RunOptions {
                cwd,
                env,
                timeout_ms: command_timeout,
                agent,
                needs_screen_recording,
                security,
                ask,
                argv,
            };
            run_command(&op, &node_id, options).await
        }
        NodesCmd::Canvas { command } => canvas::run(command, &op).await,
        NodesCmd::Location { command } => hardware::location(command, &op).await,
        NodesCmd::Notify(args) => hardware::notify(args, &op).await,
        NodesCmd::Screen { command } => hardware::screen(command, &op).await,
        NodesCmd::Camera { command } => hardware::camera(command, &op).await,
        NodesCmd::Tools(args) => tools::run(args, &op).await,
        NodesCmd::Invoke {
            node,
            command,
            params,
            invoke_timeout,
            idempotency_key,
        } => {
            invoke(
                &op,
                &node,
                &command,
                &params,
                invoke_timeout,
                idempotency_key,
            )
            .await
        }
    }
}

async fn print_call(op: &Operator, method: &str, params: Value) -> Result<()> {
    println!("{}", pretty(&op.call(method, params).await?));
    Ok(())
}
