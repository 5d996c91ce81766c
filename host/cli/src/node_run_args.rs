//! `node run`'s flags: where and as whom the node connects, and what it advertises. `node
//! install` writes them into the service's command, and `connect` shares them.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Args;
use openclaw_node::files::GatewayEndpoint;
use openclaw_protocol::tls_pin::normalize_fingerprint;

/// Where and as whom the node connects: `node run`'s flags, which `node install` writes into
/// the service's command.
#[derive(Args, Default)]
pub struct RunArgs {
    /// Gateway host [default: the saved gateway, else 127.0.0.1]
    #[arg(long)]
    pub host: Option<String>,
    /// Gateway port [default: the saved gateway, else 18789]
    #[arg(long)]
    pub port: Option<u16>,
    /// Gateway WebSocket context path (e.g. /openclaw-gw), appended to the WebSocket URL
    /// [default: the saved one, unless --host or --port changed]
    #[arg(long, value_name = "PATH")]
    pub context_path: Option<String>,
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
    /// Advertise only these exact command ids (comma-separated; repeatable), saved for the
    /// next runs [default: the saved list, else every command]
    #[arg(long, value_name = "IDS", value_parser = command_ids)]
    pub commands: Vec<String>,
    /// Advertise every command and forget any saved --commands allowlist
    #[arg(long)]
    pub all_commands: bool,
}

/// One `--commands` value, checked as the real checks it.
pub fn command_ids(value: &str) -> Result<String, String> {
    if value.split(',').any(|id| id.trim().is_empty()) {
        return Err("--commands requires comma-separated non-empty command ids".into());
    }
    Ok(value.to_string())
}

impl RunArgs {
    /// Flags that cannot work together, in the real CLI's words.
    pub fn check(&self) -> Result<(), String> {
        if self.all_commands && !self.commands.is_empty() {
            return Err("--all-commands cannot be combined with --commands".into());
        }
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

    /// The `--commands` ids, trimmed, deduplicated and sorted; `None` without the flag.
    pub fn command_ids(&self) -> Option<Vec<String>> {
        let ids = self.commands.iter().flat_map(|v| v.split(','));
        let ids: BTreeSet<String> = ids.map(|id| id.trim().to_string()).collect();
        (!self.commands.is_empty()).then(|| ids.into_iter().collect())
    }

    /// The allowlist to run with and save: `--all-commands` forgets the saved one, `--commands`
    /// replaces it, and without either the saved one stays.
    pub fn allowlist(&self, saved: Option<&Vec<String>>) -> Option<Vec<String>> {
        if self.all_commands {
            return None;
        }
        self.command_ids().or_else(|| saved.cloned())
    }

    /// The gateway: the flags, else where the node connected last, else 127.0.0.1:18789.
    pub fn endpoint(&self, saved: Option<&GatewayEndpoint>) -> GatewayEndpoint {
        let tls_fingerprint = self
            .tls_fingerprint
            .clone()
            .or_else(|| saved.and_then(|g| g.tls_fingerprint.clone()))
            .filter(|_| !self.no_tls);
        let host = self
            .host
            .clone()
            .or_else(|| saved.map(|g| g.host.clone()))
            .unwrap_or_else(|| "127.0.0.1".into());
        let port = self
            .port
            .or(saved.map(|g| g.port))
            .unwrap_or(openclaw_protocol::DEFAULT_PORT);
        // As the real: a blank flag clears the saved path, and another host or port drops it.
        let moved = saved.is_some_and(|g| g.host != host || g.port != port);
        let context_path = match &self.context_path {
            Some(path) => Some(path.trim().to_string()).filter(|p| !p.is_empty()),
            None if moved => None,
            None => saved.and_then(|g| g.context_path.clone()),
        };
        GatewayEndpoint {
            host,
            port,
            tls: !self.no_tls
                && (self.tls || tls_fingerprint.is_some() || saved.is_some_and(|g| g.tls)),
            tls_fingerprint,
            context_path,
        }
    }
}
