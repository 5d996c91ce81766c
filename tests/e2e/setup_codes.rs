//! Setup codes end to end, with real processes: an administrator's node code enrolls a node with
//! no other step; the code works once, for one device, and the bearer lands in no file; a
//! phone code from `openclaw qr` still waits for an approval; a join URL is fetched once and
//! `openclaw connect` enrolls through it.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use openclaw_protocol::identity::DeviceIdentity;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);

fn node_with(state: &Path, args: &[&str]) -> Child {
    Command::new(openclaw_test_support::bin())
        .args(["node", "run"])
        .args(args)
        .env("OPENCLAW_STATE_DIR", state)
        .env_remove("OPENCLAW_GATEWAY_TOKEN")
        .env_remove("DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn cli(state: &Path, args: &[&str]) -> Output {
    Command::new(openclaw_test_support::bin())
        .args(args)
        .env("OPENCLAW_STATE_DIR", state)
        .env("OPENCLAW_GATEWAY_TOKEN", TOKEN)
        .output()
        .unwrap()
}

async fn node_code(op: &openclaw_client::GatewayClient, gw: &GatewayProc) -> Value {
    let params = json!({"bootstrapProfile": "node", "publicUrl": gw.url, "includeQr": false});
    op.request("device.pair.setupCode", params).await.unwrap()
}

/// Waits for `name` to be connected with an approved surface; answers its node id.
async fn connected(op: &openclaw_client::GatewayClient, name: &str) -> String {
    let node = poll_until(op, "node.list", WAIT, |r| {
        let found = r["nodes"].as_array()?.iter().find(|n| {
            n["displayName"] == name && n["connected"] == true && n["approvalState"] == "approved"
        })?;
        Some(found.clone())
    })
    .await;
    node["nodeId"].as_str().unwrap().to_string()
}

/// Every file under `dir`, read whole.
fn contents(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(contents(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push(bytes);
        }
    }
    out
}

fn stderr_of(mut child: Child) -> String {
    let status = child.wait().unwrap();
    assert!(!status.success());
    let mut text = String::new();
    child.stderr.take().unwrap().read_to_string(&mut text).ok();
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_code_enrolls_a_node_once_and_leaves_no_bearer_behind() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let minted = node_code(&op, &gw).await;
    assert_eq!(minted["access"], "node");
    // Served, but not advertised in hello-ok, as the real gateway keeps it.
    let methods = &op.hello().features.methods;
    assert!(!methods.iter().any(|m| m.starts_with("device.pair.setup")));
    assert!(methods.iter().any(|m| m == "device.pair.list"));
    assert_eq!(minted["urlSource"], "request.publicUrl");
    let code = minted["setupCode"].as_str().unwrap();
    let payload = openclaw_protocol::setup_code::decode(code, 0).unwrap();
    assert_eq!(payload.url, gw.url);

    // No gateway token on this machine: the code is its only credential.
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let mut node = node_with(&state, &["--pair", code, "--display-name", "by-code"]);
    let node_id = connected(&op, "by-code").await;
    let reply = op
        .request(
            "node.invoke",
            json!({"nodeId": node_id, "command": "system.which",
                   "params": {"bins": ["sh"]}, "idempotencyKey": "k1"}),
        )
        .await
        .unwrap();
    assert_eq!(reply["ok"], true, "{reply}");

    // The setup shows as done, for this device.
    let setup_id = minted["setupId"].as_str().unwrap();
    let status = op
        .request("device.pair.setupStatus", json!({"setupId": setup_id}))
        .await
        .unwrap();
    assert_eq!(status["completion"]["access"], "node", "{status}");
    assert_eq!(status["completion"]["deviceName"], "by-code");

    // The bearer is in no file of the node or the gateway.
    let token = payload.bootstrap_token.as_bytes();
    for file in contents(&state).into_iter().chain(contents(&gw.dir)) {
        assert!(!file.windows(token.len()).any(|w| w == token));
    }

    // Used up: another machine with the same code is refused, in the real's words.
    let other = tempfile::tempdir().unwrap();
    let again = node_with(&other.path().join("state"), &["--pair", code]);
    let said = stderr_of(again);
    assert!(
        said.contains("setup code invalid, expired, revoked, or already used"),
        "{said}"
    );

    // The node comes back on its device token, with no code at all.
    node.kill().ok();
    node.wait().ok();
    let mut back = node_with(&state, &["--display-name", "by-code"]);
    connected(&op, "by-code").await;
    back.kill().ok();
    back.wait().ok();

    // A supervisor's command line keeps the used code: the saved device token goes first.
    poll_until(&op, "node.list", WAIT, |r| {
        let n = r["nodes"]
            .as_array()?
            .iter()
            .find(|n| n["displayName"] == "by-code")?;
        (n["connected"] == false).then_some(Value::Null)
    })
    .await;
    let args = ["--pair-if-needed", code, "--display-name", "by-code"];
    let mut supervised = node_with(&state, &args);
    connected(&op, "by-code").await;
    supervised.kill().ok();
    supervised.wait().ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_code_from_qr_still_needs_an_approval_and_bad_codes_are_refused() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    // `openclaw qr` on the gateway's host writes into the running gateway's database.
    let out = cli(&gw.dir, &["qr", "--url", &gw.url, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let qr: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (qr["access"].as_str(), qr["auth"].as_str()),
        (Some("full"), Some("token"))
    );
    let code = qr["setupCode"].as_str().unwrap().to_string();

    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let url = format!("oc-pair://{code}");
    let mut node = node_with(&state, &["--pair", &url, "--display-name", "by-qr"]);
    // A phone's code does not enroll a headless node by itself: an operator approves.
    approve_pending(&op, "device.pair", "by-qr", WAIT).await;
    approve_surface(&op, "by-qr").await;
    node.kill().ok();
    node.wait().ok();

    // A plaintext LAN URL is limited, and says so on stderr.
    let out = cli(
        &gw.dir,
        &[
            "qr",
            "--url",
            "ws://192.168.1.10:18789",
            "--setup-code-only",
        ],
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("limited for safety"));
    let limited = String::from_utf8(out.stdout).unwrap();
    assert!(openclaw_protocol::setup_code::decode(limited.trim(), 0).is_ok());
    // Loopback-only without a URL, and conflicting flags, fail with the real's words.
    let out = cli(&gw.dir, &["qr"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("Gateway is only bound to loopback."));
    let out = cli(
        &gw.dir,
        &["qr", "--limited", "--voice-node", "--url", &gw.url],
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("Use either --limited or --voice-node, not both."));

    // Codes that are not codes, and a forged token, never get in.
    let forged =
        openclaw_protocol::setup_code::encode(&openclaw_protocol::setup_code::SetupPayload {
            url: gw.url.clone(),
            bootstrap_token: "forged-token".into(),
            ..Default::default()
        });
    let other = tempfile::tempdir().unwrap();
    let said = stderr_of(node_with(&other.path().join("state"), &["--pair", &forged]));
    assert!(said.contains("setup code invalid"), "{said}");
    let said = stderr_of(node_with(
        &other.path().join("s2"),
        &["--pair", "not a code"],
    ));
    assert!(
        said.contains("Invalid pairing setup code or URL."),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_url_is_fetched_once_and_connect_enrolls_through_it() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    // A join URL over plain HTTP is for a loopback gateway only: advertise this one.
    let params = json!({"bootstrapProfile": "node", "includeQr": false, "joinUrl": true, "publicUrl": gw.url});
    let minted = op.request("device.pair.setupCode", params).await.unwrap();
    let join = minted["joinUrl"].as_str().unwrap().to_string();
    assert!(
        join.starts_with(&format!("{}/j/", gw.url.replace("ws://", "http://"))),
        "{join}"
    );

    // `connect` reads the target from a file and removes it.
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    std::fs::write(&target, format!("{join}\n")).unwrap();
    let state = dir.path().join("state");
    let mut node = Command::new(openclaw_test_support::bin())
        .args(["connect", "--display-name", "by-join", "--target-file"])
        .arg(&target)
        .env("OPENCLAW_STATE_DIR", &state)
        .env_remove("OPENCLAW_GATEWAY_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    connected(&op, "by-join").await;
    assert!(!target.exists());
    node.kill().ok();
    node.wait().ok();

    // Fetched once: the same URL now answers as an unknown one.
    let path = join.split_once("/j/").unwrap().1;
    let (status, body) = http_get(&gw.url, &format!("/j/{path}"));
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("404", r#"{"error":"not_found"}"#)
    );
    let out = cli(&state, &["connect", &join]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("Gateway join code was not found or has expired."));
    // A plain HTTP join URL beyond loopback is refused before any request.
    let out = cli(&state, &["connect", &format!("http://10.9.9.9/j/{path}")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("allowed only for loopback"));
}

/// A node `connect` that presents `token` as its bootstrap token, signed by `signer` for
/// `id`'s device.
fn bootstrap_connect(
    id: &DeviceIdentity,
    signer: &DeviceIdentity,
    raw: &RawConn,
    token: &str,
) -> String {
    let auth = json!({"bootstrapToken": token});
    signed_node_connect(id, signer, raw.ts, &raw.nonce, auth, token).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_binds_only_to_a_device_that_proves_its_key() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let minted = node_code(&op, &gw).await;
    let code = minted["setupCode"].as_str().unwrap();
    let token = openclaw_protocol::setup_code::decode(code, 0)
        .unwrap()
        .bootstrap_token;

    // Someone who saw the code but holds no key for the device id they claim: refused on the
    // signature, and the code stays unbound.
    let claimed = DeviceIdentity::generate();
    let forger = DeviceIdentity::generate();
    let mut raw = RawConn::open(&gw.url).await;
    let frame = bootstrap_connect(&claimed, &forger, &raw, &token);
    raw.send(frame).await;
    let res = raw.next_json().await.expect("a response");
    assert_eq!(
        res["error"]["details"]["code"], "DEVICE_AUTH_SIGNATURE_INVALID",
        "{res}"
    );

    // So the machine it was meant for still enrolls with it.
    let dir = tempfile::tempdir().unwrap();
    let mut node = node_with(
        &dir.path().join("state"),
        &["--pair", code, "--display-name", "owner"],
    );
    connected(&op, "owner").await;

    // And once bound and burned, even a proper proof from another device gets nothing.
    let thief = DeviceIdentity::generate();
    let mut raw = RawConn::open(&gw.url).await;
    let frame = bootstrap_connect(&thief, &thief, &raw, &token);
    raw.send(frame).await;
    let res = raw.next_json().await.expect("a response");
    assert_eq!(
        res["error"]["details"]["code"], "AUTH_BOOTSTRAP_TOKEN_INVALID",
        "{res}"
    );
    node.kill().ok();
    node.wait().ok();
}

/// A raw HTTP GET to the gateway's port: status code and body.
pub(crate) fn http_get(ws_url: &str, path: &str) -> (String, String) {
    let addr = ws_url.trim_start_matches("ws://");
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    tcp.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).unwrap_or("").to_string();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or("")
        .to_string();
    (status, body)
}
