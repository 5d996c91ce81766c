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

pub fn parse_url(url: &str) -> Result<Target, ClientError> {
    let bad = |why: &str| ClientError::Url {
        url: url.to_string(),
        why: why.to_string(),
    };
    let (tls, rest) = if let Some(rest) = url.strip_prefix("ws://") {
        (false, rest)
    } else if let Some(rest) = url.strip_prefix("wss://") {
        (true, rest)
    } else {
        return Err(bad("it must start with ws:// or wss://"));
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            let port = p.parse().map_err(|_| bad("the port is not a number"))?;
            (h, port)
        }
        _ => (authority, if tls { 443 } else { 80 }),
    };
    if host.is_empty() {
        return Err(bad("it has no host"));
    }
    Ok(Target {
        tls,
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
        port,
    })
}

/// Set to `1` to send credentials over plaintext `ws://` to a host that is not loopback.
pub const ALLOW_INSECURE_ENV: &str = "OPENCLAW_ALLOW_INSECURE_PRIVATE_WS";

/// Refuses to carry credentials over plaintext `ws://` beyond this machine: the token and
/// everything after it would cross the network readable. `allow` is the explicit opt-in.
pub fn check_plaintext(url: &str, target: &Target, allow: bool) -> Result<(), ClientError> {
    if target.tls || allow || is_loopback(&target.host) {
        return Ok(());
    }
    Err(ClientError::Insecure(format!(
        "gateway url {url} uses plaintext ws:// to a non-loopback address, so the token would cross the network readable. \
         Use wss:// (the gateway's --tls), or an SSH tunnel to a loopback gateway; on a trusted private network only, set {ALLOW_INSECURE_ENV}=1"
    )))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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

    fn check(url: &str, allow: bool) -> bool {
        check_plaintext(url, &parse_url(url).unwrap(), allow).is_ok()
    }

    #[test]
    fn credentials_stay_off_plaintext_beyond_loopback_unless_asked() {
        for ok in [
            "ws://127.0.0.1:18789",
            "ws://127.8.9.1",
            "ws://localhost:1",
            "ws://[::1]:2",
            "wss://192.0.2.1:443",
        ] {
            assert!(check(ok, false), "{ok}");
        }
        for refused in [
            "ws://192.0.2.1:18789",
            "ws://10.0.0.5",
            "ws://gateway.example:18789",
            "ws://[2001:db8::1]:1",
        ] {
            assert!(!check(refused, false), "{refused}");
            assert!(check(refused, true), "{refused} with the opt-in");
        }
        let e = check_plaintext(
            "ws://10.0.0.5:1",
            &parse_url("ws://10.0.0.5:1").unwrap(),
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1") && e.contains("wss://"),
            "{e}"
        );
    }
}
