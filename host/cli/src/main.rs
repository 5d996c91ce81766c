//! `openclaw`: the gateway and the operator CLI in one binary.

mod approvals_cmd;
mod approvals_pending;
mod approvals_queue;
mod approvals_text;
mod config_cmd;
mod connect_cmd;
mod devices_cmd;
mod gateway_cmd;
mod join_code;
mod node_cmd;
mod node_pairing;
mod node_run_args;
mod node_service;
mod nodes;
mod operator;
mod plugins_cmd;
mod qr_cmd;
mod render;
mod safe_table;
mod up_cmd;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "openclaw",
    version,
    about = "OpenClaw nodes: a minimal gateway and its operator CLI"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a loopback gateway and a node host with the built-in plugins, paired
    Up(up_cmd::UpArgs),
    /// Run the gateway
    Gateway {
        #[command(subcommand)]
        command: GatewayCmd,
    },
    /// Run this machine as a node
    Node {
        #[command(subcommand)]
        command: node_cmd::NodeCmd,
    },
    /// Read and edit the config file (openclaw.json)
    Config {
        #[command(subcommand)]
        command: config_cmd::ConfigCmd,
    },
    /// Inspect and run plugins locally
    Plugins {
        #[command(subcommand)]
        command: plugins_cmd::PluginsCmd,
    },
    /// Inspect, pair and invoke nodes
    Nodes {
        #[command(flatten)]
        operator: operator::OperatorArgs,
        #[command(subcommand)]
        command: nodes::NodesCmd,
    },
    /// Exec approvals of a node (--node) or of this machine, and pending approval requests
    #[command(visible_alias = "exec-approvals")]
    Approvals {
        #[command(flatten)]
        operator: operator::OperatorArgs,
        /// Without a subcommand: the node whose approvals to show (`get`)
        #[arg(long)]
        node: Option<String>,
        #[command(subcommand)]
        command: Option<approvals_cmd::ApprovalsCmd>,
    },
    /// Connect this machine to an OpenClaw Gateway as a node
    Connect(connect_cmd::ConnectArgs),
    /// Generate a pairing QR code and setup code (on the gateway's host)
    Qr(qr_cmd::QrArgs),
    /// Device pairing and tokens
    Devices {
        #[command(flatten)]
        operator: operator::OperatorArgs,
        #[command(subcommand)]
        command: devices_cmd::DevicesCmd,
    },
}

#[derive(Subcommand)]
enum GatewayCmd {
    /// Run the gateway in the foreground
    Run(gateway_cmd::RunArgs),
}

fn main() -> std::process::ExitCode {
    // Die quietly when output is piped into `head` and the pipe closes, like other Unix tools.
    // SAFETY: called before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OPENCLAW_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // Local file edits: no runtime, and failures worded as the real CLI words them.
    if let Command::Config { command } = cli.command {
        config_cmd::run(command);
        return std::process::ExitCode::SUCCESS;
    }
    // A setup code is written into the local gateway's database: no connection.
    if let Command::Qr(args) = cli.command {
        return match qr_cmd::run(args) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e:#}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    // The service commands only run systemctl: no runtime either.
    if let Command::Node {
        command: node_cmd::NodeCmd::Service(command),
    } = cli.command
    {
        return std::process::ExitCode::from(node_service::run(command));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Gateway {
                command: GatewayCmd::Run(args),
            } => gateway_cmd::run(args).await,
            Command::Up(args) => up_cmd::run(args).await,
            Command::Config { .. } | Command::Qr(_) => {
                unreachable!("handled before the runtime starts")
            }
            Command::Node { command } => node_cmd::run(command).await,
            Command::Connect(args) => connect_cmd::run(args).await,
            Command::Plugins { command } => plugins_cmd::run(command).await,
            Command::Nodes { operator, command } => nodes::run(command, &operator).await,
            Command::Approvals {
                operator,
                node,
                command,
            } => {
                // A bare `approvals [--node X]` shows them, as the real CLI does.
                let command = command.unwrap_or(approvals_cmd::ApprovalsCmd::Get { node });
                approvals_cmd::run(command, &operator).await
            }
            Command::Devices { operator, command } => devices_cmd::run(command, &operator).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("openclaw: {e:#}");
            if e.downcast_ref::<node_cmd::InvalidConfig>().is_some() {
                std::process::ExitCode::from(node_cmd::EX_CONFIG)
            } else {
                std::process::ExitCode::FAILURE
            }
        }
    }
}
