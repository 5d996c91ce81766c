//! Setup codes, as the real OpenClaw writes and reads them: the JSON payload
//! `{url, urls?, bootstrapToken, expiresAtMs?, tlsFingerprint?}` as unpadded base64url, bare or
//! behind `oc-pair://`. The payload carries a short-lived bootstrap token, never the gateway's
//! shared secret.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tls_pin::normalize_fingerprint;

pub const URL_PREFIX: &str = "oc-pair://";
/// A payload lists at most this many gateway URLs.
pub const MAX_URLS: usize = 8;
/// How long a bootstrap token lives (the real's `DEVICE_BOOTSTRAP_TOKEN_TTL_MS`).
pub const BOOTSTRAP_TOKEN_TTL_MS: u64 = 10 * 60 * 1000;

const INVALID_CODE: &str = "Invalid pairing setup code or URL.";
const INVALID_PAYLOAD: &str = "Invalid pairing setup payload.";
const EXPIRED: &str = "Pairing setup code has expired.";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupPayload {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
    pub bootstrap_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_fingerprint: Option<String>,
}

/// The setup code of a payload: its JSON, base64url without padding.
pub fn encode(payload: &SetupPayload) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(payload).expect("payload serializes"))
}

/// Reads a setup code or `oc-pair://` URL, checking it as the real's `decodePairingSetupCode`
/// does, with its messages. `now_ms` decides expiry.
pub fn decode(input: &str, now_ms: u64) -> Result<SetupPayload, String> {
    let trimmed = input.trim();
    let code = match trimmed.get(..URL_PREFIX.len()) {
        Some(head) if head.eq_ignore_ascii_case(URL_PREFIX) => &trimmed[URL_PREFIX.len()..],
        _ => trimmed,
    };
    let is_code_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if code.is_empty() || !code.chars().all(is_code_char) {
        return Err(INVALID_CODE.into());
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(code.trim_end_matches('='))
        .map_err(|_| INVALID_CODE.to_string())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| INVALID_CODE.to_string())?;
    from_value(&value, now_ms)
}

/// Checks a decoded payload (a setup code's JSON, or a join URL's answer).
pub fn from_value(value: &Value, now_ms: u64) -> Result<SetupPayload, String> {
    let bad = || INVALID_PAYLOAD.to_string();
    let object = value.as_object().ok_or_else(bad)?;
    let text = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let (Some(url), Some(bootstrap_token)) = (text("url"), text("bootstrapToken")) else {
        return Err(bad());
    };
    if normalize_gateway_url(&url, "ws").as_deref() != Some(url.as_str()) {
        return Err(bad());
    }
    let urls = match object.get("urls") {
        None => None,
        Some(Value::Array(list)) if !list.is_empty() && list.len() <= MAX_URLS => {
            let mut urls = Vec::new();
            for candidate in list {
                let s = candidate.as_str().ok_or_else(bad)?;
                if normalize_gateway_url(s, "ws").as_deref() != Some(s) {
                    return Err(bad());
                }
                urls.push(s.to_string());
            }
            Some(urls)
        }
        Some(_) => return Err(bad()),
    };
    let expires_at_ms = match object.get("expiresAtMs") {
        None => None,
        Some(v) => {
            let at = v.as_u64().filter(|n| *n < 1u64 << 53).ok_or_else(bad)?;
            if at <= now_ms {
                return Err(EXPIRED.into());
            }
            Some(at)
        }
    };
    let tls_fingerprint = match object.get("tlsFingerprint") {
        None => None,
        Some(v) => Some(v.as_str().and_then(normalize_fingerprint).ok_or_else(bad)?),
    };
    Ok(SetupPayload {
        url,
        urls,
        bootstrap_token,
        expires_at_ms,
        tls_fingerprint,
    })
}

/// A gateway URL in the real's canonical form (`ws[s]://host[:port][/path]`), or `None` for
/// what it refuses: credentials, other schemes, a scheme without `//`. A bare `host[:port]`
/// takes `fallback_scheme`; `http(s)` count as `ws(s)`.
pub fn normalize_gateway_url(raw: &str, fallback_scheme: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    let lower = trimmed.to_ascii_lowercase();
    for scheme in ["https:", "http:", "wss:", "ws:"] {
        if lower.starts_with(scheme) && !lower[scheme.len()..].starts_with("//") {
            return None;
        }
    }
    if let Some(url) = parse_canonical(trimmed) {
        return Some(url);
    }
    if trimmed.contains("://") || looks_like_scheme_and_path(trimmed) {
        return None;
    }
    let host = trimmed.split('/').next().unwrap_or("").trim();
    if host.is_empty() {
        return None;
    }
    parse_canonical(&format!("{fallback_scheme}://{host}"))
}

fn parse_canonical(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw).ok()?;
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let scheme = match url.scheme() {
        "https" | "wss" => "wss",
        "http" | "ws" => "ws",
        _ => return None,
    };
    let host = match url.host()? {
        url::Host::Ipv6(ip) => format!("[{ip}]"),
        other => other.to_string(),
    };
    if host.is_empty() {
        return None;
    }
    // The web standard drops the default port of the parsed scheme; so does the real.
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = match url.path() {
        "/" => "",
        p => p,
    };
    Some(format!("{scheme}://{host}{port}{path}"))
}

fn looks_like_scheme_and_path(s: &str) -> bool {
    let mut chars = s.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    for c in chars {
        match c {
            ':' => return s[s.find(':').unwrap() + 1..].starts_with('/'),
            c if c.is_ascii_alphanumeric() || "+.-".contains(c) => {}
            _ => return false,
        }
    }
    false
}

/// Whether a URL's host is this machine: `localhost` or a loopback address. Plaintext join
/// URLs and full access over `ws://` are for these alone.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Where a payload URL points: what a node saves as its gateway endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub context_path: Option<String>,
}

/// The endpoint of a canonical payload URL (the real's `gatewayConfigFromUrl`).
pub fn endpoint_of(url: &str) -> Option<Endpoint> {
    let parsed = url::Url::parse(url).ok()?;
    let tls = parsed.scheme() == "wss";
    let host = match parsed.host()? {
        url::Host::Ipv6(ip) => ip.to_string(),
        other => other.to_string(),
    };
    Some(Endpoint {
        host,
        port: parsed.port().unwrap_or(if tls { 443 } else { 80 }),
        tls,
        context_path: Some(parsed.path().to_string()).filter(|p| p != "/"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> SetupPayload {
        SetupPayload {
            url: "ws://192.168.1.10:18789".into(),
            urls: None,
            bootstrap_token: "tok".into(),
            expires_at_ms: Some(2_000),
            tls_fingerprint: None,
        }
    }

    #[test]
    fn a_code_reads_back_bare_and_as_a_url() {
        let code = encode(&payload());
        assert!(!code.contains('=') && !code.contains('+') && !code.contains('/'));
        assert_eq!(decode(&code, 1_000).unwrap(), payload());
        assert_eq!(
            decode(&format!("  OC-PAIR://{code} "), 1_000).unwrap(),
            payload()
        );
    }

    #[test]
    fn the_real_refusals() {
        let code = encode(&payload());
        assert_eq!(decode(&code, 2_000).unwrap_err(), EXPIRED);
        assert_eq!(decode("not a code!", 0).unwrap_err(), INVALID_CODE);
        assert_eq!(decode("oc-pair://", 0).unwrap_err(), INVALID_CODE);
        let odd = |v: Value| decode(&URL_SAFE_NO_PAD.encode(v.to_string()), 0).unwrap_err();
        assert_eq!(odd(serde_json::json!([1])), INVALID_PAYLOAD);
        assert_eq!(odd(serde_json::json!({"url": "ws://h"})), INVALID_PAYLOAD);
        // Not canonical: the real compares the URL with its normalised form.
        let url = |u: &str| odd(serde_json::json!({"url": u, "bootstrapToken": "t"}));
        assert_eq!(url("ws://h/"), INVALID_PAYLOAD);
        assert_eq!(url("http://h"), INVALID_PAYLOAD);
        assert_eq!(url("ws://u:p@h"), INVALID_PAYLOAD);
        let pin =
            serde_json::json!({"url": "wss://h", "bootstrapToken": "t", "tlsFingerprint": "zz"});
        assert_eq!(odd(pin), INVALID_PAYLOAD);
    }

    #[test]
    fn urls_normalise_as_the_real_does() {
        let n = |s: &str| normalize_gateway_url(s, "ws");
        assert_eq!(n("ws://h:80").as_deref(), Some("ws://h"));
        assert_eq!(
            n("https://h.example/gw/").as_deref(),
            Some("wss://h.example/gw/")
        );
        assert_eq!(n("10.0.0.2:18789").as_deref(), Some("ws://10.0.0.2:18789"));
        assert_eq!(
            n("localhost:18789").as_deref(),
            Some("ws://localhost:18789")
        );
        assert_eq!(n("[fd00::2]:1").as_deref(), Some("ws://[fd00::2]:1"));
        assert_eq!(n("ws:h"), None);
        assert_eq!(n("ftp://h"), None);
        assert_eq!(n("mailto:/x"), None);
        assert_eq!(n(" "), None);
    }

    #[test]
    fn an_endpoint_keeps_its_path_and_default_port() {
        let e = endpoint_of("wss://gw.example/openclaw").unwrap();
        assert_eq!((e.port, e.tls), (443, true));
        assert_eq!(e.context_path.as_deref(), Some("/openclaw"));
        let e = endpoint_of("ws://[fd00::2]:18789").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.context_path),
            ("fd00::2", 18789, None)
        );
    }
}
