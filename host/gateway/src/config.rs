//! What a gateway needs to run: the CLI sets what flags and the environment decide, and
//! [`GatewayConfig::apply_file`] (config_file.rs) what `openclaw.json` does.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub bind: IpAddr,
    pub port: u16,
    /// `gateway.auth.mode`: which shared secret a client must present (spec §2.5).
    pub auth_mode: AuthMode,
    /// The shared secret operators and unpaired nodes present as `auth.token` (token mode).
    pub token: String,
    /// `gateway.auth.password` / `OPENCLAW_GATEWAY_PASSWORD` (password mode).
    pub password: Option<String>,
    /// `gateway.auth.rateLimit`: failed shared-secret attempts per client address.
    pub auth_rate_limit: RateLimitConfig,
    pub tls: Option<TlsSource>,
    /// Holds `gateway.sqlite` and generated TLS material.
    pub state_dir: PathBuf,
    pub pairing: PairingConfig,
    pub commands: CommandsConfig,
    /// The `openclaw.json` to re-read `gateway.nodes.commands` from when it changes (none:
    /// the lists above stay as they are).
    pub config_file: Option<PathBuf>,
    pub browser_nodes: BrowserNodesConfig,
    /// A client that has not completed `connect` by then is closed.
    pub handshake_timeout: Duration,
    pub tick_interval: Duration,
    /// `gateway.remote.url`: what setup codes advertise when asked to prefer it.
    pub remote_url: Option<String>,
    /// `plugins.entries.device-pair.config.publicUrl`: the URL setup codes advertise.
    pub setup_public_url: Option<String>,
    /// `gateway.nodes.pluginTools.enabled` (default true): false keeps no node's tools.
    pub plugin_tools_enabled: bool,
}

/// `gateway.auth.mode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// `auth.token` must equal the shared token.
    #[default]
    Token,
    /// `auth.password` must equal the shared password.
    Password,
    /// No shared secret; allowed on a loopback bind only.
    None,
}

impl AuthMode {
    pub fn parse(s: &str) -> Option<AuthMode> {
        match s {
            "token" => Some(AuthMode::Token),
            "password" => Some(AuthMode::Password),
            "none" => Some(AuthMode::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Token => "token",
            AuthMode::Password => "password",
            AuthMode::None => "none",
        }
    }
}

/// `gateway.auth.rateLimit`, with the real gateway's defaults: 10 failures in 60 s lock the
/// address out for 5 minutes; loopback is never locked out (it is slowed down instead).
#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    pub max_attempts: usize,
    pub window: Duration,
    pub lockout: Duration,
    pub exempt_loopback: bool,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            max_attempts: 10,
            window: Duration::from_secs(60),
            lockout: Duration::from_secs(300),
            exempt_loopback: true,
        }
    }
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
    /// `gateway.nodes.pairing.autoApproveCidrs`: approve fresh node devices from these networks.
    pub auto_approve_cidrs: Vec<String>,
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
            auth_mode: AuthMode::Token,
            token,
            password: None,
            auth_rate_limit: RateLimitConfig::default(),
            tls: None,
            state_dir,
            pairing: PairingConfig {
                auto_approve_local: true,
                auto_approve_cidrs: Vec::new(),
            },
            commands: CommandsConfig::default(),
            config_file: None,
            browser_nodes: BrowserNodesConfig::default(),
            plugin_tools_enabled: true,
            handshake_timeout: Duration::from_secs(10),
            tick_interval: Duration::from_millis(openclaw_protocol::limits::TICK_INTERVAL_MS),
            remote_url: None,
            setup_public_url: None,
        }
    }
}

/// Why a gateway configuration cannot start, in the real gateway's words.
pub fn check_auth_config(config: &GatewayConfig) -> Result<(), String> {
    let has_secret = match config.auth_mode {
        AuthMode::Token => !config.token.trim().is_empty(),
        AuthMode::Password => config
            .password
            .as_deref()
            .is_some_and(|p| !p.trim().is_empty()),
        AuthMode::None => false,
    };
    if config.auth_mode == AuthMode::Password && !has_secret {
        return Err("gateway auth mode is password, but no password was configured.".into());
    }
    if !config.bind.is_loopback() && !has_secret {
        return Err(format!(
            "refusing to bind gateway to {}:{} without auth (set gateway.auth.token/password, or set OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD)",
            config.bind, config.port
        ));
    }
    Ok(())
}
