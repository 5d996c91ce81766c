//! `openclaw qr`: on the gateway's host, mints a setup code into the gateway's own database and
//! prints it, as a QR code for a phone or as text to paste into `openclaw node run --pair`.
//! The code carries a ten-minute, single-use bootstrap token, never the shared secret.

use anyhow::{bail, Result};
use clap::Args;
use openclaw_gateway::setup_codes::{self, Bind, Profile, Request};
use openclaw_gateway::store::Store;
use openclaw_gateway::TlsSource;
use openclaw_protocol::setup_code::encode;
use serde_json::json;

use openclaw_config::{self as config, Config};

const LIMITED_TRANSPORT_WARNING: &str = "This Gateway URL uses plaintext ws://, so the setup code was limited for safety. Use wss:// or Tailscale Serve, then generate a new code for full access.";

#[derive(Args)]
pub struct QrArgs {
    /// Use gateway.remote.url and gateway.remote token/password (ignores device-pair publicUrl)
    #[arg(long)]
    remote: bool,
    /// Override gateway URL used in the setup payload
    #[arg(long)]
    url: Option<String>,
    /// Override gateway public URL used in the setup payload
    #[arg(long)]
    public_url: Option<String>,
    /// Override gateway token for setup payload
    #[arg(long)]
    token: Option<String>,
    /// Override gateway password for setup payload
    #[arg(long)]
    password: Option<String>,
    /// Pair with limited operator access (omit operator.admin)
    #[arg(long)]
    limited: bool,
    /// Pair a voice node with node, read, and Talk access only
    #[arg(long)]
    voice_node: bool,
    /// Print only the setup code
    #[arg(long)]
    setup_code_only: bool,
    /// Skip ASCII QR rendering
    #[arg(long)]
    no_ascii: bool,
    /// Output JSON
    #[arg(long)]
    json: bool,
}

fn nonblank(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub fn run(args: QrArgs) -> Result<()> {
    let token_flag = nonblank(args.token.clone());
    let password_flag = nonblank(args.password.clone());
    if token_flag.is_some() && password_flag.is_some() {
        bail!("Use either --token or --password, not both.");
    }
    if args.limited && args.voice_node {
        bail!("Use either --limited or --voice-node, not both.");
    }
    let state_dir = config::state_dir();
    let cfg = Config::load(&state_dir)?;
    let remote_url = nonblank(cfg.str("gateway.remote.url"));
    let explicit_url = nonblank(args.url.clone()).or(nonblank(args.public_url.clone()));
    if args.remote && explicit_url.is_none() && remote_url.is_none() {
        bail!("qr --remote requires gateway.remote.url (or gateway.tailscale.mode=serve/funnel).");
    }
    let auth = auth_label(&args, token_flag, password_flag, &cfg);
    let public_url = explicit_url.or_else(|| {
        let configured = cfg.str("plugins.entries.device-pair.config.publicUrl");
        nonblank(configured).filter(|_| !args.remote)
    });
    let tls = cfg.bool("gateway.tls.enabled").unwrap_or(false);
    let tls_source = match (
        cfg.str("gateway.tls.certPath"),
        cfg.str("gateway.tls.keyPath"),
    ) {
        (Some(cert), Some(key)) => TlsSource::Files {
            cert: cert.into(),
            key: key.into(),
        },
        _ => TlsSource::SelfSigned,
    };
    let profile = if args.voice_node {
        Profile::voice_node()
    } else if args.limited {
        Profile::limited()
    } else {
        Profile::full()
    };
    let request = Request {
        tls,
        port: gateway_port(&cfg)?,
        bind: bind(&cfg)?,
        public_url,
        remote_url,
        prefer_remote: args.remote,
        auth,
        local_tls_fingerprint: tls
            .then(|| setup_codes::existing_fingerprint(&tls_source, &state_dir))
            .flatten(),
        profile,
    };
    let store = open_store(&state_dir)?;
    let setup = setup_codes::create(&store, request).map_err(anyhow::Error::msg)?;
    let code = encode(&setup.payload);
    if args.json {
        let mut out = json!({"setupCode": code, "gatewayUrl": setup.payload.url});
        out["auth"] = json!(setup.auth);
        out["urlSource"] = json!(setup.url_source);
        out["access"] = json!(setup.access);
        if setup.access_downgraded {
            out["accessDowngraded"] = json!(true);
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if args.setup_code_only {
        if setup.access_downgraded {
            eprintln!("{LIMITED_TRANSPORT_WARNING}");
        }
        println!("{code}");
        return Ok(());
    }
    let mut lines = vec![
        "Pairing QR".to_string(),
        "Scan this with the OpenClaw mobile app (Onboarding -> Scan QR).".into(),
        String::new(),
    ];
    if !args.no_ascii {
        lines.push(terminal_qr(&code)?.trim_end().to_string());
        lines.push(String::new());
    }
    lines.push(format!("Setup code: {code}"));
    lines.push(format!("Gateway: {}", setup.payload.url));
    lines.push(format!("Auth: {}", setup.auth));
    lines.push(format!("Access: {}", setup.access));
    if setup.access_downgraded {
        lines.push(LIMITED_TRANSPORT_WARNING.into());
    }
    lines.push(format!("Source: {}", setup.url_source));
    lines.extend([
        String::new(),
        "Approve after scan with:".into(),
        "  openclaw devices list".into(),
        "  openclaw devices approve <requestId>".into(),
    ]);
    println!("{}", lines.join("\n"));
    Ok(())
}

/// The auth the code's gateway uses, as the real resolves it: an override flag, the remote
/// secrets with `--remote`, else `gateway.auth.mode` and the local secrets.
fn auth_label(
    args: &QrArgs,
    token: Option<String>,
    password: Option<String>,
    cfg: &Config,
) -> Result<&'static str, String> {
    if token.is_some() {
        return setup_codes::auth_label("token", true, false);
    }
    if password.is_some() {
        return setup_codes::auth_label("password", false, true);
    }
    let env = |k: &str| nonblank(std::env::var(k).ok());
    if args.remote {
        if nonblank(cfg.str("gateway.remote.token")).is_some() {
            return setup_codes::auth_label("token", true, false);
        }
        if nonblank(cfg.str("gateway.remote.password")).is_some() {
            return setup_codes::auth_label("password", false, true);
        }
    }
    let mode = cfg.str("gateway.auth.mode").unwrap_or_default();
    let token = env("OPENCLAW_GATEWAY_TOKEN").or(nonblank(cfg.str("gateway.auth.token")));
    let password = env("OPENCLAW_GATEWAY_PASSWORD").or(nonblank(cfg.str("gateway.auth.password")));
    if mode.is_empty() && token.is_some() && nonblank(cfg.str("gateway.auth.password")).is_some() {
        return Err("gateway.auth.token and gateway.auth.password are both configured; set gateway.auth.mode explicitly".into());
    }
    setup_codes::auth_label(&mode, token.is_some(), password.is_some())
}

fn gateway_port(cfg: &Config) -> Result<u16> {
    if let Ok(port) = std::env::var("OPENCLAW_GATEWAY_PORT") {
        return Ok(port.trim().parse()?);
    }
    let port = cfg.get("gateway.port").and_then(|v| v.as_u64());
    Ok(port.map_or(Ok(openclaw_protocol::DEFAULT_PORT), u16::try_from)?)
}

/// `gateway.bind` as the gateway reads it: loopback, lan, custom (`gateway.customBindHost`),
/// or an address.
fn bind(cfg: &Config) -> Result<Bind> {
    let bind = cfg.str("gateway.bind").unwrap_or_else(|| "loopback".into());
    Ok(match bind.as_str() {
        "loopback" => Bind::Loopback,
        "lan" => Bind::Lan,
        "custom" => match cfg.str("gateway.customBindHost").map(|h| h.parse()) {
            Some(Ok(ip)) => Bind::Custom(ip),
            _ => bail!("gateway.bind=custom requires gateway.customBindHost."),
        },
        other => Bind::of(other.parse()?),
    })
}

/// The gateway's database, made private from the first byte as the gateway makes it.
fn open_store(state_dir: &std::path::Path) -> Result<Store> {
    let database = state_dir.join("gateway.sqlite");
    openclaw_files::private_dir(state_dir)?;
    openclaw_files::private_file(&database)?;
    Ok(Store::open(&database)?)
}

/// The code as a QR drawn with half blocks, two modules to a character row.
fn terminal_qr(code: &str) -> Result<String> {
    use qrcode::render::unicode::Dense1x2;
    let qr = qrcode::QrCode::new(code.as_bytes())?;
    Ok(qr
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}
