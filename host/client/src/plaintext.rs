//! Which gateway URLs may carry credentials over plaintext `ws://`: the real OpenClaw's rule
//! (`isSecureWebSocketUrl` as its gateway client's WebSocket transport applies it to every
//! connection), mirrored step by step so both sides give the same verdict on the same URL.
//!
//! - `wss://` (and `https://`) always; anything that is neither `ws:`/`http:` nor `wss:`/`https:`
//!   never;
//! - `ws://` (and `http://`) to loopback (`localhost`, 127/8, `::1`, their IPv4-mapped forms),
//!   to a private address literal (10/8, 172.16/12, 192.168/16, CGNAT 100.64/10, 169.254/16,
//!   IPv6 ULA fc00::/7, link-local fe80::/10, site-local fec0::/10, and IPv4-mapped forms of
//!   those), and to `*.local` and `*.ts.net` names;
//! - with `OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1`, also to any other host *name* (the operator
//!   vouches that it resolves inside a trusted network); a public address literal stays refused.
//!
//! The URL is parsed as WHATWG URL does (the `url` crate), so numeric IPv4 forms (`10.1`,
//! `0x0a.0.0.1`, `167772161`), a trailing dot, case and IPv6 compression are read as the real
//! reads them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Set to `1` to allow plaintext `ws://` to host names outside the built-in private set.
pub const ALLOW_INSECURE_ENV: &str = "OPENCLAW_ALLOW_INSECURE_PRIVATE_WS";

/// Whether `OPENCLAW_ALLOW_INSECURE_PRIVATE_WS` is set the way the real reads it (exactly `1`).
pub fn allow_private_ws_from_env() -> bool {
    std::env::var(ALLOW_INSECURE_ENV).is_ok_and(|v| v == "1")
}

/// The real's `isSecureWebSocketUrl(url, { allowPrivateWs })`.
pub fn is_secure_websocket_url(url: &str, allow_private_ws: bool) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    match parsed.scheme() {
        "wss" | "https" => return true,
        "ws" | "http" => {}
        _ => return false,
    }
    let hostname = parsed.host_str().unwrap_or_default();
    if is_loopback_host(hostname) || is_trusted_plaintext_host(hostname) {
        return true;
    }
    if allow_private_ws {
        return is_private_or_loopback_host(hostname)
            || canonical_ip(unbracket(hostname)).is_none();
    }
    false
}

/// Whether `url` is plaintext `ws://` (or `http://`) to a host that is not loopback: what earns
/// the one warning per connection.
pub fn is_plaintext_beyond_loopback(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    matches!(parsed.scheme(), "ws" | "http")
        && !is_loopback_host(parsed.host_str().unwrap_or_default())
}

/// `parseHostForAddressChecks`: `None` for an empty host, else (is `localhost`, unbracketed).
fn host_for_checks(host: &str) -> Option<(bool, String)> {
    if host.is_empty() {
        return None;
    }
    let normalized = host.trim().to_lowercase();
    if normalized.trim_end_matches('.') == "localhost" {
        return Some((true, "localhost".into()));
    }
    Some((false, unbracket(&normalized).to_string()))
}

fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// `parseCanonicalIpAddress` + IPv4-mapped to IPv4: four-part dotted decimal or an IPv6
/// literal, nothing else (no zone id, no legacy numeric IPv4 forms).
fn canonical_ip(host: &str) -> Option<IpAddr> {
    let host = unbracket(host.trim());
    if host.is_empty() {
        return None;
    }
    let ip = if host.contains(':') {
        IpAddr::V6(host.parse::<Ipv6Addr>().ok()?)
    } else {
        let parts: Vec<&str> = host.split('.').collect();
        let decimal = parts.len() == 4
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.len() <= 3
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && p.parse::<u16>().is_ok_and(|n| n <= 255)
            });
        if !decimal {
            return None;
        }
        let octets: Vec<u8> = parts.iter().map(|p| p.parse().unwrap()).collect();
        IpAddr::V4(Ipv4Addr::new(octets[0], octets[1], octets[2], octets[3]))
    };
    Some(match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    })
}

/// `isGatewayLoopbackHost`.
fn is_loopback_host(host: &str) -> bool {
    match host_for_checks(host) {
        None => false,
        Some((true, _)) => true,
        Some((false, h)) => canonical_ip(&h).is_some_and(|ip| ip.is_loopback()),
    }
}

/// `isPrivateOrLoopbackHost` of the transport: ipaddr.js ranges loopback, private, linkLocal and
/// carrierGradeNat for IPv4; loopback, linkLocal, uniqueLocal and deprecatedSiteLocal for IPv6.
fn is_private_or_loopback_host(host: &str) -> bool {
    match host_for_checks(host) {
        None => false,
        Some((true, _)) => true,
        Some((false, h)) => canonical_ip(&h).is_some_and(is_private_or_loopback_ip),
    }
}

fn is_private_or_loopback_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || first & 0xffc0 == 0xfe80 // linkLocal fe80::/10
                || first & 0xfe00 == 0xfc00 // uniqueLocal fc00::/7
                || first & 0xffc0 == 0xfec0 // deprecatedSiteLocal fec0::/10
        }
    }
}

/// `isTrustedPlaintextWebSocketHost`.
fn is_trusted_plaintext_host(host: &str) -> bool {
    if is_private_or_loopback_host(host) {
        return true;
    }
    let normalized = host.trim().to_lowercase();
    let normalized = normalized.trim_end_matches('.');
    normalized.ends_with(".local") || normalized.ends_with(".ts.net")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_networks_pass_and_public_addresses_do_not() {
        for ok in [
            "ws://127.0.0.1:18789",
            "ws://localhost.",
            "ws://[::1]:2",
            "ws://10.0.0.5",
            "ws://172.31.255.255",
            "ws://192.168.1.10:18789",
            "ws://100.64.0.1",
            "ws://169.254.1.1",
            "ws://[fd00::2]:1",
            "ws://[fe80::1]",
            "ws://[::ffff:10.0.0.1]",
            "ws://10.1",
            "ws://printer.local.",
            "ws://box.tail1.ts.net",
            "wss://8.8.8.8",
            "https://8.8.8.8",
        ] {
            assert!(is_secure_websocket_url(ok, false), "{ok}");
        }
        for refused in [
            "ws://8.8.8.8",
            "ws://172.32.0.0",
            "ws://100.128.0.0",
            "ws://[2001:db8::1]",
            "ws://[::ffff:8.8.8.8]",
            "ws://[ff02::1]",
            "ws://0.0.0.0",
            "ftp://10.0.0.1",
            "not a url",
        ] {
            assert!(!is_secure_websocket_url(refused, false), "{refused}");
            assert!(
                !is_secure_websocket_url(refused, true),
                "{refused} with the opt-in"
            );
        }
        for name in ["ws://gateway.example:18789", "ws://gateway", "ws://local"] {
            assert!(!is_secure_websocket_url(name, false), "{name}");
            assert!(
                is_secure_websocket_url(name, true),
                "{name} with the opt-in"
            );
        }
    }

    #[test]
    fn only_plaintext_beyond_loopback_earns_the_warning() {
        assert!(is_plaintext_beyond_loopback("ws://10.0.0.5:1"));
        assert!(is_plaintext_beyond_loopback("ws://[fd00::2]:1"));
        assert!(!is_plaintext_beyond_loopback("ws://127.0.0.1:1"));
        assert!(!is_plaintext_beyond_loopback("ws://localhost:1"));
        assert!(!is_plaintext_beyond_loopback("wss://10.0.0.5:1"));
    }
}
