//! Fetches a join URL's setup payload (`GET https://<gateway>/j/<shortcode>`), as the real's
//! `openclaw connect` does: the system's roots over HTTPS, plain HTTP only to loopback, no
//! redirects, a JSON answer of at most 24 KiB, fifteen seconds in all.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;

const MAX_PAYLOAD_BYTES: usize = 24 * 1024;
const MAX_HEAD_BYTES: usize = 16 * 1024;
const TIMEOUT: Duration = Duration::from_secs(15);

pub const NOT_FOUND: &str = "Gateway join code was not found or has expired.";
pub const INVALID: &str = "Gateway returned an invalid pairing payload.";
pub const UNREACHABLE: &str = "Could not fetch the Gateway join payload securely.";

/// A join URL, checked: `http(s)` ending in `/j/<22-character shortcode>`, no credentials,
/// query or fragment, and plain HTTP only to a loopback host. `Ok(None)`: not a web URL at
/// all (a setup code, say).
pub fn parse_join_url(target: &str) -> Result<Option<url::Url>, String> {
    let Ok(url) = url::Url::parse(target) else {
        return Ok(None);
    };
    if url.scheme() != "https" && url.scheme() != "http" {
        return Ok(None);
    }
    let shortcode = url.path().rsplit_once("/j/").map(|(_, c)| c).unwrap_or("");
    let shortcode_ok = shortcode.len() == 22
        && shortcode
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let clean = url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !clean || !shortcode_ok {
        return Err("Join URL must end with the exact /j/<shortcode> form.".into());
    }
    if url.scheme() == "http" && !openclaw_protocol::setup_code::is_loopback(&url) {
        return Err("Plain HTTP join URLs are allowed only for loopback gateways.".into());
    }
    Ok(Some(url))
}

/// The JSON the gateway answers for a join URL (the code is burned by this one fetch).
pub async fn fetch_join_payload(url: &url::Url) -> Result<Value, String> {
    match tokio::time::timeout(TIMEOUT, fetch(url)).await {
        Ok(result) => result,
        Err(_) => Err(UNREACHABLE.into()),
    }
}

async fn fetch(url: &url::Url) -> Result<Value, String> {
    let host = url.host_str().ok_or(UNREACHABLE)?.to_string();
    let port = url.port_or_known_default().ok_or(UNREACHABLE)?;
    let dial = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let tcp = TcpStream::connect((dial.as_str(), port))
        .await
        .map_err(|_| UNREACHABLE.to_string())?;
    let authority = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
        url.path()
    );
    let raw = if url.scheme() == "https" {
        let config = crate::tls::client_config(None).map_err(|_| UNREACHABLE.to_string())?;
        let name = ServerName::try_from(dial).map_err(|_| UNREACHABLE.to_string())?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|_| UNREACHABLE.to_string())?;
        exchange(tls, &request).await?
    } else {
        exchange(tcp, &request).await?
    };
    parse_response(&raw)
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &str,
) -> Result<Vec<u8>, String> {
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|_| UNREACHABLE.to_string())?;
    let mut raw = Vec::new();
    let limit = (MAX_HEAD_BYTES + MAX_PAYLOAD_BYTES + 1) as u64;
    (&mut stream)
        .take(limit)
        .read_to_end(&mut raw)
        .await
        .map_err(|_| UNREACHABLE.to_string())?;
    Ok(raw)
}

fn parse_response(raw: &[u8]) -> Result<Value, String> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(raw) {
        Ok(httparse::Status::Complete(n)) => n,
        _ => return Err(UNREACHABLE.into()),
    };
    let json = response.headers.iter().any(|h| {
        h.name.eq_ignore_ascii_case("content-type")
            && std::str::from_utf8(h.value).is_ok_and(|v| v.starts_with("application/json"))
    });
    // No redirects: only a 2xx JSON answer is a payload.
    if !(200..300).contains(&response.code.unwrap_or(0)) || !json {
        return Err(NOT_FOUND.into());
    }
    let body = &raw[head_len..];
    if body.len() > MAX_PAYLOAD_BYTES {
        return Err(INVALID.into());
    }
    let text = std::str::from_utf8(body).map_err(|_| INVALID.to_string())?;
    serde_json::from_str(text).map_err(|_| INVALID.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_urls_are_checked_as_the_real_checks_them() {
        let code = "AbCdEfGhIjKlMnOpQrStUv";
        assert!(parse_join_url(&format!("https://gw.example/j/{code}"))
            .unwrap()
            .is_some());
        assert!(parse_join_url(&format!("http://127.0.0.1:9/gw/j/{code}"))
            .unwrap()
            .is_some());
        assert!(parse_join_url("oc-pair://abc").unwrap().is_none());
        assert!(parse_join_url("eyJ1cmwiOiJ3cyJ9").unwrap().is_none());
        let bad = |u: String| parse_join_url(&u).unwrap_err();
        assert_eq!(
            bad(format!("http://10.0.0.2/j/{code}")),
            "Plain HTTP join URLs are allowed only for loopback gateways."
        );
        let shape = "Join URL must end with the exact /j/<shortcode> form.";
        assert_eq!(bad(format!("https://gw.example/j/{code}?x=1")), shape);
        assert_eq!(bad(format!("https://u:p@gw.example/j/{code}")), shape);
        assert_eq!(bad("https://gw.example/j/short".into()), shape);
    }

    #[test]
    fn only_a_json_success_is_a_payload() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"url\":\"ws://h\"}";
        assert_eq!(parse_response(ok).unwrap()["url"], "ws://h");
        let gone = b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{}";
        assert_eq!(parse_response(gone).unwrap_err(), NOT_FOUND);
        let moved = b"HTTP/1.1 302 Found\r\nLocation: https://elsewhere\r\n\r\n";
        assert_eq!(parse_response(moved).unwrap_err(), NOT_FOUND);
        let html = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>";
        assert_eq!(parse_response(html).unwrap_err(), NOT_FOUND);
    }
}
