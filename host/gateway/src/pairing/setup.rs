//! What a setup code says and who may use it: the gateway URL a new device should dial, the
//! access its bootstrap token hands off, in the real's order and words
//! (`resolvePairingSetupFromConfig`). Shared by `device.pair.setupCode` and `openclaw qr`.

use std::net::{IpAddr, Ipv4Addr};

use openclaw_protocol::setup_code::{self, normalize_gateway_url, SetupPayload};

use super::bootstrap::{self, Profile};
use crate::store::Store;

/// Where the gateway listens, as far as the URL it advertises goes.
#[derive(Debug, Clone)]
pub enum Bind {
    Loopback,
    /// Every interface: advertise this machine's private LAN address.
    Lan,
    /// One address (the real's `gateway.bind=custom`).
    Custom(IpAddr),
}

impl Bind {
    /// The bind of an address the gateway listens on: `loopback` is 127.0.0.1 (what
    /// `--bind loopback` means); any other single address is the real's `custom`.
    pub fn of(ip: IpAddr) -> Bind {
        if ip == IpAddr::from([127, 0, 0, 1]) {
            Bind::Loopback
        } else if ip.is_unspecified() {
            Bind::Lan
        } else {
            Bind::Custom(ip)
        }
    }
}

pub struct Request {
    pub tls: bool,
    pub port: u16,
    pub bind: Bind,
    /// `--url`, `--public-url`, or the method's `publicUrl`.
    pub public_url: Option<String>,
    /// `gateway.remote.url`, and whether to prefer it (`--remote`, `preferRemoteUrl`).
    pub remote_url: Option<String>,
    pub prefer_remote: bool,
    /// `token`, `password`, or why neither can be used.
    pub auth: Result<&'static str, String>,
    /// The fingerprint to pin when the URL is this gateway's own `wss://` bind.
    pub local_tls_fingerprint: Option<String>,
    pub profile: Profile,
}

pub struct Setup {
    pub payload: SetupPayload,
    pub setup_id: String,
    pub auth: &'static str,
    pub url_source: String,
    pub access: &'static str,
    pub access_downgraded: bool,
}

/// The auth label for a gateway's mode and secrets, as `resolvePairingSetupAuthLabel`.
pub fn auth_label(mode: &str, token: bool, password: bool) -> Result<&'static str, String> {
    match mode {
        "password" if !password => {
            Err("Gateway auth is set to password, but no password is configured.".into())
        }
        "password" => Ok("password"),
        "token" if !token => {
            Err("Gateway auth is set to token, but no token is configured.".into())
        }
        "token" => Ok("token"),
        _ if token => Ok("token"),
        _ if password => Ok("password"),
        "none" => Err(format!(
            "Pairing setup requires gateway.auth.mode \"token\" or \"password\"; current mode is \"{mode}\"."
        )),
        _ => Err("Gateway auth is not configured (no token or password).".into()),
    }
}

/// Resolves the URL and access and issues the bootstrap token into `store`.
pub fn create(store: &Store, req: Request) -> Result<Setup, String> {
    let auth = req.auth.clone()?;
    let (url, source) = gateway_url(&req)?;
    check_cleartext(&url, &source)?;
    let downgraded = req.profile == Profile::full() && !full_access_url(&url);
    let profile = if downgraded {
        Profile::limited()
    } else {
        req.profile.clone()
    };
    let fingerprint = match (url.starts_with("wss://"), source.as_str()) {
        (true, s) if s.starts_with("gateway.bind=") => req.local_tls_fingerprint.clone(),
        _ => None,
    };
    let access = profile.access();
    let issued = bootstrap::issue(store, profile).map_err(|e| e.to_string())?;
    Ok(Setup {
        payload: SetupPayload {
            url,
            urls: None,
            bootstrap_token: issued.token,
            expires_at_ms: Some(issued.expires_at_ms),
            tls_fingerprint: fingerprint,
        },
        setup_id: issued.setup_id,
        auth,
        url_source: source,
        access,
        access_downgraded: downgraded,
    })
}

fn gateway_url(req: &Request) -> Result<(String, String), String> {
    let scheme = if req.tls { "wss" } else { "ws" };
    if let Some(public) = req.public_url.as_deref().filter(|u| !u.trim().is_empty()) {
        return normalize_gateway_url(public, scheme)
            .map(|u| (u, "plugins.entries.device-pair.config.publicUrl".into()))
            .ok_or_else(|| "Configured publicUrl is invalid.".into());
    }
    let remote = match req.remote_url.as_deref().filter(|u| !u.trim().is_empty()) {
        Some(raw) => Some(
            normalize_gateway_url(raw, scheme)
                .ok_or("Configured gateway.remote.url is invalid.")?,
        ),
        None => None,
    };
    if let Some(url) = remote.filter(|_| req.prefer_remote) {
        return Ok((url, "gateway.remote.url".into()));
    }
    let host = match &req.bind {
        Bind::Custom(ip) => Some((bracketed(ip), "gateway.bind=custom")),
        Bind::Lan => match lan_ipv4() {
            Some(ip) => Some((ip.to_string(), "gateway.bind=lan")),
            None => return Err("gateway.bind=lan set, but no private LAN IP was found.".into()),
        },
        Bind::Loopback => None,
    };
    match host {
        Some((host, source)) => Ok((format!("{scheme}://{host}:{}", req.port), source.into())),
        None => Err("Gateway is only bound to loopback. Set gateway.bind=lan, enable tailscale serve, or configure plugins.entries.device-pair.config.publicUrl.".into()),
    }
}

fn bracketed(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// This machine's first private (RFC 1918) IPv4 address.
fn lan_ipv4() -> Option<Ipv4Addr> {
    if_addrs::get_if_addrs()
        .ok()?
        .into_iter()
        .filter(|i| !i.is_loopback())
        .find_map(|i| match i.ip() {
            IpAddr::V4(v4) if v4.is_private() => Some(v4),
            _ => None,
        })
}

fn host_of(url: &str) -> String {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.split('%')
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_string()
}

/// Full access only over `wss://`, or `ws://` to this machine.
fn full_access_url(url: &str) -> bool {
    url::Url::parse(url)
        .is_ok_and(|u| u.scheme() == "wss" || (u.scheme() == "ws" && setup_code::is_loopback(&u)))
}

/// Plaintext setup stays on private networks (the real's `validateMobilePairingUrl`).
fn check_cleartext(url: &str, source: &str) -> Result<(), String> {
    if !url.starts_with("ws://") {
        return Ok(());
    }
    let host = host_of(url);
    let private = host.ends_with(".local")
        || match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => v4.is_private() || v4.is_link_local(),
            Ok(IpAddr::V6(v6)) => {
                let first = v6.segments()[0];
                first & 0xffc0 == 0xfe80 || first & 0xfe00 == 0xfc00
            }
            Err(_) => false,
        };
    let loopback = url::Url::parse(url).is_ok_and(|u| setup_code::is_loopback(&u));
    if loopback || host == "10.0.2.2" || private {
        return Ok(());
    }
    Err(format!("Tailscale and public mobile pairing require a secure gateway URL (wss://) or Tailscale Serve/Funnel. Resolved source: {source}. Fix: use a private LAN address, prefer gateway.tailscale.mode=serve, or set gateway.remote.url / plugins.entries.device-pair.config.publicUrl to a wss:// URL. ws:// is only valid for localhost, private LAN addresses, .local hosts, or the Android emulator."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(public_url: Option<&str>, profile: Profile) -> Request {
        Request {
            tls: false,
            port: 18789,
            bind: Bind::Loopback,
            public_url: public_url.map(String::from),
            remote_url: None,
            prefer_remote: false,
            auth: Ok("token"),
            local_tls_fingerprint: None,
            profile,
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("gateway.sqlite")).unwrap();
        (dir, store)
    }

    #[test]
    fn plaintext_beyond_this_machine_is_limited_and_public_plaintext_refused() {
        let (_d, store) = store();
        let lan = create(&store, request(Some("192.168.1.10:18789"), Profile::full())).unwrap();
        assert_eq!(lan.payload.url, "ws://192.168.1.10:18789");
        assert_eq!((lan.access, lan.access_downgraded), ("limited", true));
        let local = create(&store, request(Some("ws://127.0.0.1:1"), Profile::full())).unwrap();
        assert_eq!((local.access, local.access_downgraded), ("full", false));
        let public = create(&store, request(Some("ws://8.8.8.8:1"), Profile::full()));
        assert!(public
            .err()
            .unwrap()
            .starts_with("Tailscale and public mobile pairing"));
        let node = create(&store, request(Some("ws://10.0.0.2:1"), Profile::node())).unwrap();
        assert_eq!((node.access, node.access_downgraded), ("node", false));
    }

    #[test]
    fn loopback_without_a_url_and_missing_auth_say_why() {
        let (_d, store) = store();
        let err = create(&store, request(None, Profile::node()))
            .err()
            .unwrap();
        assert!(err.starts_with("Gateway is only bound to loopback."));
        let mut req = request(Some("ws://127.0.0.1:1"), Profile::node());
        req.auth = auth_label("none", false, false);
        assert_eq!(
            create(&store, req).err().unwrap(),
            "Pairing setup requires gateway.auth.mode \"token\" or \"password\"; current mode is \"none\"."
        );
        assert_eq!(auth_label("", false, true), Ok("password"));
    }

    #[test]
    fn a_custom_ipv6_bind_is_bracketed() {
        let (_d, store) = store();
        let mut req = request(None, Profile::node());
        req.bind = Bind::of("fd00::2".parse().unwrap());
        let setup = create(&store, req).unwrap();
        assert_eq!(setup.payload.url, "ws://[fd00::2]:18789");
        assert_eq!(setup.url_source, "gateway.bind=custom");
    }
}
