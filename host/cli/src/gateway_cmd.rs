//! `openclaw gateway run`.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use openclaw_gateway::{AuthMode, GatewayConfig, TlsSource};

use openclaw_config::{self as config, Config};

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
    /// Gateway auth mode: none (loopback only), token or password [default: gateway.auth.mode,
    /// else password when a password is set, else token]
    #[arg(long = "auth")]
    auth: Option<String>,
    /// Password for auth mode=password [default: gateway.auth.password,
    /// OPENCLAW_GATEWAY_PASSWORD]; visible in the process list, prefer --password-file
    #[arg(long, conflicts_with = "password_file")]
    password: Option<String>,
    /// Read the gateway password from a file
    #[arg(long)]
    password_file: Option<PathBuf>,
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
    // A configuration that cannot start: said as the real says it, and EX_CONFIG (78).
    let invalid = |msg: String| -> anyhow::Error {
        eprintln!("{msg}");
        std::process::exit(crate::node_cmd::EX_CONFIG.into())
    };
    let token = config::gateway_token(args.token, &cfg)?;
    if args.password.is_some() {
        eprintln!("Warning: --password can be exposed via process listings. Prefer --password-file or OPENCLAW_GATEWAY_PASSWORD.");
    }
    let password_flag = match &args.password_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read Gateway password file {}", path.display()))?
                .trim()
                .to_string(),
        ),
        None => args.password,
    };
    let password = config::gateway_password(password_flag, &cfg)?;
    let mode_raw = args.auth.or_else(|| cfg.str("gateway.auth.mode"));
    let auth_mode = match mode_raw.as_deref() {
        Some(m) => match AuthMode::parse(m) {
            Some(mode) => mode,
            None => {
                // As the real: exit 1. trusted-proxy is the real's fourth mode; not served here.
                eprintln!("Invalid --auth. Use \"none\", \"token\", or \"password\".");
                std::process::exit(1)
            }
        },
        None if password.is_some() => AuthMode::Password,
        None => AuthMode::Token,
    };
    let bind = args
        .bind
        .or_else(|| cfg.str("gateway.bind"))
        .unwrap_or_else(|| "loopback".into());
    let bind_ip: IpAddr = match bind.as_str() {
        "loopback" => IpAddr::from([127, 0, 0, 1]),
        "lan" => IpAddr::from([0, 0, 0, 0]),
        other => other
            .parse()
            .with_context(|| format!("--bind {other}: expected loopback, lan or an IP address"))?,
    };
    let has_secret = match auth_mode {
        AuthMode::Token => token.is_some(),
        AuthMode::Password => password.is_some(),
        AuthMode::None => false,
    };
    if auth_mode == AuthMode::Password && password.is_none() {
        return Err(invalid("Gateway auth is set to password, but no password is configured.\nSet gateway.auth.password (or OPENCLAW_GATEWAY_PASSWORD), or pass --password.".into()));
    }
    if !bind_ip.is_loopback() && !has_secret {
        return Err(invalid(format!("Refusing to bind gateway to {bind} without auth.\nSet gateway.auth.token/password (or OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD) or pass --token/--password.")));
    }
    if auth_mode == AuthMode::Token && token.is_none() {
        bail!("no gateway token: pass --token, set OPENCLAW_GATEWAY_TOKEN, or set gateway.auth.token in {}", cfg.path.display());
    }
    if auth_mode == AuthMode::None {
        eprintln!("Gateway auth mode=none explicitly configured; all gateway connections are unauthenticated.");
    }
    let mut config = GatewayConfig::new(state_dir, token.unwrap_or_default());
    config.auth_mode = auth_mode;
    config.password = password;
    config.bind = bind_ip;
    config.apply_file(&cfg).map_err(anyhow::Error::msg)?;
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
