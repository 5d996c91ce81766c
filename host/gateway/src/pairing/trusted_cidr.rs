//! `gateway.nodes.pairing.autoApproveCidrs`: approve a fresh, scopeless `role: node` device
//! pairing from a client address the operator listed. As the real gateway decides it: no earlier
//! record for the device (so no role, scope, metadata or key upgrade), no requested scopes, not a
//! browser, Control UI or WebChat client, and a non-loopback client address. Entries are exact
//! IPs or CIDRs; an entry that parses as neither matches nothing.

use std::net::IpAddr;

use openclaw_protocol::connect::ConnectParams;

use crate::connection::checks::Peer;

/// Whether the trusted-CIDR policy approves this pairing without an operator.
pub fn approves(cidrs: &[String], p: &ConnectParams, peer: &Peer, existing: bool) -> bool {
    if existing || p.role() != "node" || !p.scopes().is_empty() || peer.browser_origin {
        return false;
    }
    if is_operator_ui(&p.client.id) || is_webchat(&p.client.id, &p.client.mode) {
        return false;
    }
    // A loopback caller could forge whatever it likes about where it is: never eligible.
    let ip = match peer.remote_ip.parse::<IpAddr>() {
        Ok(ip) => ip.to_canonical(),
        Err(_) => return false,
    };
    if peer.direct_local || ip.is_loopback() {
        return false;
    }
    cidrs.iter().any(|entry| ip_in_cidr(ip, entry))
}

/// The Control UI and the TUI (the real's `isControlUi`).
fn is_operator_ui(id: &str) -> bool {
    matches!(
        id.trim().to_lowercase().as_str(),
        "openclaw-control-ui" | "openclaw-tui"
    )
}

fn is_webchat(id: &str, mode: &str) -> bool {
    mode.trim().eq_ignore_ascii_case("webchat") || id.trim().eq_ignore_ascii_case("webchat-ui")
}

/// `ip` against an exact address or a `base/prefix` range; IPv4-mapped IPv6 compares as IPv4.
pub fn ip_in_cidr(ip: IpAddr, entry: &str) -> bool {
    let entry = entry.trim();
    if entry.is_empty() {
        return false;
    }
    let ip = ip.to_canonical();
    let Some((base, prefix)) = entry.split_once('/') else {
        return parse_ip(entry).is_some_and(|exact| exact.to_canonical() == ip);
    };
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let Some(base) = parse_cidr_base(base) else {
        return false;
    };
    let prefix = prefix.parse::<u32>().unwrap_or(u32::MAX);
    match (base, ip) {
        (IpAddr::V4(base), IpAddr::V4(ip)) if prefix <= 32 => {
            masked(u32::from(ip).into(), 32, prefix) == masked(u32::from(base).into(), 32, prefix)
        }
        (IpAddr::V6(base), _) if prefix <= 128 => match (base.to_ipv4_mapped(), ip) {
            // `::ffff:a.b.c.d/n` covers IPv4 clients with the last n - 96 bits.
            (Some(base4), IpAddr::V4(ip)) => {
                let prefix = prefix.saturating_sub(96);
                masked(u32::from(ip).into(), 32, prefix)
                    == masked(u32::from(base4).into(), 32, prefix)
            }
            (None, IpAddr::V6(ip)) => {
                masked(u128::from(ip), 128, prefix) == masked(u128::from(base), 128, prefix)
            }
            _ => false,
        },
        _ => false,
    }
}

/// The address part of an entry, brackets allowed around IPv6 as the real allows them.
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(s);
    s.parse().ok()
}

/// A range's base as the real's `ipaddr.parseCIDR` reads it: IPv6, or IPv4 in any of the
/// legacy forms (`10.0.0`, `0x0a.0.0.1`, `012.0.0.1`, `167772161`), never bracketed.
fn parse_cidr_base(s: &str) -> Option<IpAddr> {
    if let Ok(v6) = s.parse::<std::net::Ipv6Addr>() {
        return Some(IpAddr::V6(v6));
    }
    let parts = s
        .split('.')
        .map(legacy_part)
        .collect::<Option<Vec<u64>>>()?;
    let octets: Vec<u64> = match parts[..] {
        [a, b, c, d] => vec![a, b, c, d],
        [a, b, c] if c <= 0xffff => vec![a, b, c >> 8, c & 0xff],
        [a, b] if b <= 0xff_ffff => vec![a, b >> 16, (b >> 8) & 0xff, b & 0xff],
        [v] if v <= 0xffff_ffff => vec![v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff],
        _ => return None,
    };
    if octets.iter().any(|o| *o > 255) {
        return None;
    }
    Some(IpAddr::from([
        octets[0] as u8,
        octets[1] as u8,
        octets[2] as u8,
        octets[3] as u8,
    ]))
}

/// One dotted part: `0x..` hex, `0..` octal (an `8` or `9` in it is an error), else decimal.
fn legacy_part(p: &str) -> Option<u64> {
    let lower = p.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16)
            .ok()
            .filter(|_| !hex.is_empty());
    }
    if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) || p.len() > 12 {
        return None;
    }
    if p.len() > 1 && p.starts_with('0') {
        return u64::from_str_radix(p, 8).ok();
    }
    p.parse().ok()
}

/// The top `prefix` bits of a `width`-bit value.
fn masked(value: u128, width: u32, prefix: u32) -> u128 {
    if prefix == 0 {
        0
    } else {
        value >> (width - prefix.min(width))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openclaw_protocol::connect::ClientInfo;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_and_exact_addresses() {
        assert!(ip_in_cidr(ip("10.1.2.3"), "10.0.0.0/8"));
        assert!(ip_in_cidr(ip("10.1.2.3"), " 10.1.2.3 "));
        assert!(ip_in_cidr(ip("::ffff:10.1.2.3"), "10.0.0.0/8"));
        assert!(ip_in_cidr(ip("10.1.2.3"), "::ffff:10.0.0.0/104"));
        assert!(ip_in_cidr(ip("fd00:1234:5678::9"), "fd00:1234:5678::/64"));
        assert!(ip_in_cidr(ip("192.168.1.7"), "192.168.1.99/24"));
        assert!(ip_in_cidr(ip("8.8.8.8"), "0.0.0.0/0"));
        assert!(!ip_in_cidr(ip("11.0.0.1"), "10.0.0.0/8"));
        assert!(!ip_in_cidr(ip("10.1.2.4"), "10.1.2.3"));
        assert!(!ip_in_cidr(ip("fd00:1234:5679::9"), "fd00:1234:5678::/64"));
        assert!(!ip_in_cidr(ip("10.1.2.3"), "fd00::/8"));
    }

    #[test]
    fn an_entry_that_is_not_an_address_matches_nothing() {
        for bad in [
            "",
            "lan",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "/8",
            "[10.0.0.0]/8",
            "256.0.0.0/8",
            "09.0.0.0/8",
        ] {
            assert!(!ip_in_cidr(ip("10.0.0.1"), bad), "{bad:?}");
        }
        assert!(!ip_in_cidr(ip("::1"), "::/129"));
    }

    #[test]
    fn a_range_base_may_be_written_the_legacy_ipv4_ways() {
        // As ipaddr.js parses a range: short, hex, octal and single-number forms.
        assert!(ip_in_cidr(ip("10.1.2.3"), "10.0.0/8"));
        assert!(ip_in_cidr(ip("10.1.2.3"), "0x0a.0.0.0/8"));
        assert!(ip_in_cidr(ip("10.1.2.3"), "012.0.0.0/8"));
        assert!(ip_in_cidr(ip("10.1.2.3"), "167772160/8"));
        assert!(ip_in_cidr(ip("10.1.2.3"), "10.0.0.0/08"));
        // An exact entry must be a canonical address.
        assert!(!ip_in_cidr(ip("10.0.0.1"), "10.1"));
        assert!(ip_in_cidr(ip("fd00::1"), "[fd00::1]"));
    }

    fn node(role: &str, scopes: &[&str]) -> ConnectParams {
        ConnectParams {
            min_protocol: 3,
            max_protocol: 4,
            client: ClientInfo {
                id: "node-host".into(),
                mode: "node".into(),
                ..ClientInfo::default()
            },
            role: Some(role.into()),
            scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
            caps: None,
            commands: None,
            permissions: None,
            path_env: None,
            locale: None,
            user_agent: None,
            device: None,
            auth: None,
            computer_use: None,
            worker_runs: None,
            model_catalog: None,
        }
    }

    fn peer(ip: &str) -> Peer {
        Peer {
            nonce: String::new(),
            remote_ip: ip.into(),
            direct_local: false,
            browser_origin: false,
        }
    }

    #[test]
    fn only_a_fresh_scopeless_node_from_a_listed_address() {
        let cidrs = vec!["10.0.0.0/8".to_string()];
        let p = node("node", &[]);
        assert!(approves(&cidrs, &p, &peer("10.9.9.9"), false));
        assert!(approves(&cidrs, &p, &peer("::ffff:10.9.9.9"), false));
        assert!(!approves(&cidrs, &p, &peer("192.168.0.2"), false));
        assert!(!approves(&[], &p, &peer("10.9.9.9"), false));
        // An upgrade of a known device, an operator, requested scopes: always an operator's call.
        assert!(!approves(&cidrs, &p, &peer("10.9.9.9"), true));
        assert!(!approves(
            &cidrs,
            &node("operator", &[]),
            &peer("10.9.9.9"),
            false
        ));
        let scoped = node("node", &["operator.read"]);
        assert!(!approves(&cidrs, &scoped, &peer("10.9.9.9"), false));
        // A browser, the Control UI, WebChat.
        let browser = Peer {
            browser_origin: true,
            ..peer("10.9.9.9")
        };
        assert!(!approves(&cidrs, &p, &browser, false));
        let mut ui = node("node", &[]);
        ui.client.id = "openclaw-control-ui".into();
        assert!(!approves(&cidrs, &ui, &peer("10.9.9.9"), false));
        let mut chat = node("node", &[]);
        chat.client.mode = "webchat".into();
        assert!(!approves(&cidrs, &chat, &peer("10.9.9.9"), false));
    }

    #[test]
    fn loopback_is_never_a_trusted_network() {
        let cidrs = vec!["127.0.0.0/8".to_string(), "::1".to_string()];
        let p = node("node", &[]);
        assert!(!approves(&cidrs, &p, &peer("127.0.0.1"), false));
        assert!(!approves(&cidrs, &p, &peer("::1"), false));
        assert!(!approves(&cidrs, &p, &peer("::ffff:127.0.0.1"), false));
    }
}
