//! Opens the byte stream under the WebSocket: plain TCP for `ws://`, TLS for `wss://`.

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;

use crate::error::ClientError;
use crate::tls;

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub struct Target {
    pub tls: bool,
    pub host: String,
    pub port: u16,
}

/// The gateway URL for a host and port, with an IPv6 literal bracketed (`ws://[fd00::2]:18789`).
pub fn gateway_url(tls: bool, host: &str, port: u16) -> String {
    let scheme = if tls { "wss" } else { "ws" };
    if host.contains(':') && !host.starts_with('[') {
        format!("{scheme}://[{host}]:{port}")
    } else {
        format!("{scheme}://{host}:{port}")
    }
}

/// `url` with a gateway's WebSocket context path (`--context-path`) appended, as the real node
/// host appends it: trimmed, with a leading `/` added when missing, and nothing when blank.
pub fn with_context_path(url: String, context_path: Option<&str>) -> String {
    match context_path.map(str::trim).filter(|p| !p.is_empty()) {
        Some(path) if path.starts_with('/') => url + path,
        Some(path) => format!("{url}/{path}"),
        None => url,
    }
}

pub fn parse_url(url: &str) -> Result<Target, ClientError> {
    let bad = |why: &str| ClientError::Url {
        url: url.to_string(),
        why: why.to_string(),
    };
    // Parsed as WHATWG URL (what the plaintext rule judges), so the host connected to is the
    // host that was judged.
    let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    let tls = match parsed.scheme() {
        "ws" => false,
        "wss" => true,
        _ => return Err(bad("it must start with ws:// or wss://")),
    };
    let host = match parsed.host() {
        Some(url::Host::Domain(d)) if !d.is_empty() => d.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(bad("it has no host")),
    };
    Ok(Target {
        tls,
        host,
        port: parsed
            .port_or_known_default()
            .unwrap_or(if tls { 443 } else { 80 }),
    })
}

use crate::plaintext::ALLOW_INSECURE_ENV;

/// Refuses to carry credentials over plaintext `ws://` where the real OpenClaw refuses it
/// (`crate::plaintext`), with the real's words; `allow` is `OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1`.
pub fn check_plaintext(url: &str, allow: bool) -> Result<(), ClientError> {
    if crate::plaintext::is_secure_websocket_url(url, allow) {
        return Ok(());
    }
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| url.to_string());
    let break_glass = if allow {
        String::new()
    } else {
        format!(" Break-glass (trusted private networks only): set {ALLOW_INSECURE_ENV}=1.")
    };
    Err(ClientError::Insecure(format!(
        "SECURITY ERROR: Cannot connect to \"{host}\" over plaintext ws://. Both credentials and chat data would be exposed to network interception. \
         Use wss:// for remote URLs. Safe defaults: keep gateway.bind=loopback and connect via SSH tunnel \
         (ssh -N -L 18789:127.0.0.1:18789 user@gateway-host), or use Tailscale Serve/Funnel.{break_glass}"
    )))
}

/// The one warning a plaintext connection beyond loopback earns.
pub fn warn_plaintext(url: &str) {
    if crate::plaintext::is_plaintext_beyond_loopback(url) {
        tracing::warn!(
            "gateway url {url} is plaintext ws:// to a non-loopback host: the token and all traffic cross the network unencrypted; use wss:// (the gateway's --tls) beyond a trusted network"
        );
    }
}

pub async fn open(
    url: &str,
    target: &Target,
    fingerprint: Option<&str>,
) -> Result<Box<dyn Io>, ClientError> {
    if fingerprint.is_some() && !target.tls {
        return Err(ClientError::Tls(
            "a TLS fingerprint was given for a ws:// url; use wss:// or drop the pin".into(),
        ));
    }
    let tcp = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|source| ClientError::Connect {
            url: url.to_string(),
            source,
        })?;
    tcp.set_nodelay(true).ok();
    if !target.tls {
        return Ok(Box::new(tcp));
    }
    let config = tls::client_config(fingerprint)?;
    let name = ServerName::try_from(target.host.clone())
        .map_err(|e| ClientError::Tls(format!("bad server name {}: {e}", target.host)))?;
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| ClientError::Tls(e.to_string()))?;
    Ok(Box::new(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_stay_off_plaintext_where_the_real_refuses_it() {
        for ok in [
            "ws://127.0.0.1:18789",
            "ws://localhost:1",
            "ws://[::1]:2",
            "ws://10.0.0.5",
            "ws://[fd00::2]:1",
            "wss://192.0.2.1:443",
        ] {
            assert!(check_plaintext(ok, false).is_ok(), "{ok}");
        }
        for refused in ["ws://192.0.2.1:18789", "ws://[2001:db8::1]:1"] {
            assert!(check_plaintext(refused, false).is_err(), "{refused}");
            assert!(
                check_plaintext(refused, true).is_err(),
                "{refused} with the opt-in"
            );
        }
        assert!(check_plaintext("ws://gateway.example:18789", false).is_err());
        assert!(check_plaintext("ws://gateway.example:18789", true).is_ok());
        let e = check_plaintext("ws://192.0.2.1:1", false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"192.0.2.1\"")
                && e.contains("OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1")
                && e.contains("wss://"),
            "{e}"
        );
    }

    #[test]
    fn urls_are_read_as_whatwg_reads_them() {
        let t = parse_url("ws://[FD00::2]:18789/x").unwrap();
        assert_eq!((t.tls, t.host.as_str(), t.port), (false, "fd00::2", 18789));
        let t = parse_url("wss://Gateway.Example").unwrap();
        assert_eq!(
            (t.tls, t.host.as_str(), t.port),
            (true, "gateway.example", 443)
        );
        let t = parse_url("ws://10.1:5").unwrap();
        assert_eq!(t.host, "10.0.0.1");
        assert!(parse_url("http://10.0.0.1").is_err());
        assert_eq!(gateway_url(false, "fd00::2", 1), "ws://[fd00::2]:1");
        assert_eq!(gateway_url(false, "[fd00::2]", 1), "ws://[fd00::2]:1");
        assert_eq!(gateway_url(true, "192.168.1.10", 2), "wss://192.168.1.10:2");
        let url = || gateway_url(false, "gw", 1);
        assert_eq!(with_context_path(url(), Some("/oc-gw")), "ws://gw:1/oc-gw");
        assert_eq!(
            with_context_path(url(), Some(" oc-gw/")),
            "ws://gw:1/oc-gw/"
        );
        assert_eq!(with_context_path(url(), Some(" ")), "ws://gw:1");
        let t = parse_url(&gateway_url(false, "fd00::2", 18789)).unwrap();
        assert_eq!((t.host.as_str(), t.port), ("fd00::2", 18789));
        assert!(parse_url("ws://").is_err());
    }
}
