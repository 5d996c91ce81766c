//! What a gateway needs to run. The CLI builds it from flags, env and `openclaw.json`.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub bind: IpAddr,
    pub port: u16,
    /// The shared secret operators and unpaired nodes present as `auth.token`.
    pub token: String,
    pub tls: Option<TlsSource>,
    /// Holds `gateway.sqlite` and generated TLS material.
    pub state_dir: PathBuf,
    pub pairing: PairingConfig,
    pub commands: CommandsConfig,
    pub browser_nodes: BrowserNodesConfig,
    /// A client that has not completed `connect` by then is closed.
    pub handshake_timeout: Duration,
    pub tick_interval: Duration,
}

#[derive(Debug, Clone)]
pub enum TlsSource {
    Files {
        cert: PathBuf,
        key: PathBuf,
    },
    /// A self-signed certificate kept under `<state>/gateway/tls/`.
    SelfSigned,
}

#[derive(Debug, Clone)]
pub struct PairingConfig {
    /// `gateway.nodes.pairing.autoApproveLocal`: approve devices on a direct loopback socket.
    pub auto_approve_local: bool,
}

#[derive(Debug, Clone, Default)]
pub struct CommandsConfig {
    /// `gateway.nodes.commands.allow`
    pub allow: Vec<String>,
    /// `gateway.nodes.commands.deny` (always wins)
    pub deny: Vec<String>,
}

/// `gateway.nodes.browser`: which node serves `browser.request`.
#[derive(Debug, Clone, Default)]
pub struct BrowserNodesConfig {
    pub mode: BrowserNodeMode,
    /// `gateway.nodes.browser.node`: a node id, display name or id prefix.
    pub node: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BrowserNodeMode {
    /// The one connected browser node, or the pinned one.
    #[default]
    Auto,
    /// Only a node the request or the pin names.
    Manual,
    /// No node serves `browser.request`.
    Off,
}

impl GatewayConfig {
    pub fn new(state_dir: PathBuf, token: String) -> Self {
        GatewayConfig {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: openclaw_protocol::DEFAULT_PORT,
            token,
            tls: None,
            state_dir,
            pairing: PairingConfig {
                auto_approve_local: true,
            },
            commands: CommandsConfig::default(),
            browser_nodes: BrowserNodesConfig::default(),
            handshake_timeout: Duration::from_secs(10),
            tick_interval: Duration::from_millis(openclaw_protocol::limits::TICK_INTERVAL_MS),
        }
    }
}
