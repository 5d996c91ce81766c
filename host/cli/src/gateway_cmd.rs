//! `openclaw gateway run`.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use openclaw_gateway::{BrowserNodeMode, GatewayConfig, TlsSource};

use crate::config::{self, Config};

#[derive(Args)]
pub struct RunArgs {
    /// Port to listen on [default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789]
    #[arg(long)]
    port: Option<u16>,
    /// loopback, lan, or an IP address [default: gateway.bind, loopback]
    #[arg(long)]
    bind: Option<String>,
    /// Shared token [default: OPENCLAW_GATEWAY_TOKEN, gateway.auth.token]; visible in the process
    /// list, so prefer the environment variable or the config file
    #[arg(long)]
    token: Option<String>,
    /// Serve wss:// (with --tls-cert/--tls-key, or a self-signed certificate in the state dir)
    #[arg(long)]
    tls: bool,
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

pub async fn run(args: RunArgs) -> Result<()> {
    let state_dir = config::state_dir();
    let cfg = Config::load(&state_dir)?;
    let Some(token) = config::gateway_token(args.token, &cfg)? else {
        bail!("no gateway token: pass --token, set OPENCLAW_GATEWAY_TOKEN, or set gateway.auth.token in {}", cfg.path.display());
    };
    let mut config = GatewayConfig::new(state_dir, token);
    config.port = match args.port {
        Some(p) => p,
        None => match std::env::var("OPENCLAW_GATEWAY_PORT") {
            Ok(p) => p
                .parse()
                .context("OPENCLAW_GATEWAY_PORT is not a port number")?,
            Err(_) => cfg
                .get("gateway.port")
                .and_then(|v| v.as_u64())
                .map_or(Ok(config.port), u16::try_from)
                .context("gateway.port is not a port number")?,
        },
    };
    let bind = args
        .bind
        .or_else(|| cfg.str("gateway.bind"))
        .unwrap_or_else(|| "loopback".into());
    config.bind = match bind.as_str() {
        "loopback" => IpAddr::from([127, 0, 0, 1]),
        "lan" => IpAddr::from([0, 0, 0, 0]),
        other => other
            .parse()
            .with_context(|| format!("--bind {other}: expected loopback, lan or an IP address"))?,
    };
    let tls_enabled = args.tls || cfg.bool("gateway.tls.enabled").unwrap_or(false);
    if tls_enabled {
        let cert = args
            .tls_cert
            .or_else(|| cfg.str("gateway.tls.certPath").map(PathBuf::from));
        let key = args
            .tls_key
            .or_else(|| cfg.str("gateway.tls.keyPath").map(PathBuf::from));
        config.tls = Some(match (cert, key) {
            (Some(cert), Some(key)) => TlsSource::Files { cert, key },
            (None, None) => TlsSource::SelfSigned,
            _ => bail!("TLS needs both a certificate and a key (--tls-cert and --tls-key)"),
        });
    }
    if let Some(auto) = cfg.bool("gateway.nodes.pairing.autoApproveLocal") {
        config.pairing.auto_approve_local = auto;
    }
    config.commands.allow = cfg.strings("gateway.nodes.commands.allow");
    config.commands.deny = cfg.strings("gateway.nodes.commands.deny");
    config.browser_nodes.mode = match cfg.str("gateway.nodes.browser.mode").as_deref() {
        None | Some("auto") => BrowserNodeMode::Auto,
        Some("manual") => BrowserNodeMode::Manual,
        Some("off") => BrowserNodeMode::Off,
        Some(other) => bail!(
            "gateway.nodes.browser.mode {other:?} in {}: expected auto, manual or off",
            cfg.path.display()
        ),
    };
    config.browser_nodes.node = cfg.str("gateway.nodes.browser.node");
    if let Some(ms) = std::env::var("OPENCLAW_HANDSHAKE_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.handshake_timeout = std::time::Duration::from_millis(ms);
    }
    if let Some(ms) = std::env::var("OPENCLAW_TICK_INTERVAL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.tick_interval = std::time::Duration::from_millis(ms);
    }

    let running = openclaw_gateway::start(config).await?;
    println!("gateway listening on {}", running.url());
    if let Some(fp) = &running.tls_fingerprint {
        println!("tls fingerprint sha256:{fp}");
    }
    println!("state {}", running.state.config.state_dir.display());
    tokio::signal::ctrl_c().await.ok();
    running.shutdown();
    Ok(())
}
