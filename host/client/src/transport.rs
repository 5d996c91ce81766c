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
