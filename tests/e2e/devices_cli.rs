//! `openclaw devices ...`, `nodes status|list` filters and `node identity` as the real CLI has
//! them (issue 27): `approve --latest` only shows, `rename`, `clear`, `rotate --no-scopes`.

use openclaw_protocol::identity::DeviceIdentity;
use openclaw_test_support::gateway::*;
use serde_json::Value;

fn out_text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {:?}", out_text(out)))
}

async fn pending_request(gw: &GatewayProc, id: &DeviceIdentity) -> String {
    let err = connect_node(&gw.url, id, &["test.echo"])
        .await
        .err()
        .unwrap();
    details(&err)["requestId"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_latest_only_shows_the_newest_request_and_exits_1() {
    let gw = GatewayProc::start();
    let out = gw.cli(&["devices", "approve", "--latest"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out_text(&out).1.trim(),
        "No pending device pairing requests to approve"
    );

    let id = DeviceIdentity::generate();
    let request_id = pending_request(&gw, &id).await;
    for args in [
        &["devices", "approve", "--latest"][..],
        &["devices", "approve"],
    ] {
        let out = gw.cli(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let (stdout, stderr) = out_text(&out);
        assert!(
            stdout.starts_with(&format!("Selected pending device request {request_id}\n"))
                && stdout.contains("  Requested: roles: node; scopes: none")
                && stdout.contains("  Note:   First-time device pairing request."),
            "{stdout}"
        );
        assert_eq!(
            stderr.trim(),
            format!(
                "Approve this exact request with: openclaw devices approve {request_id} --url {}\nReuse the same --token option when rerunning.",
                gw.url
            )
        );
    }
    // --latest wins over an id, as in the real CLI: still only a preview.
    let out = gw.cli(&["devices", "approve", &request_id, "--latest", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let preview = json_of(&out);
    assert_eq!(preview["selected"]["requestId"], request_id.as_str());
    assert_eq!(preview["approvalState"]["kind"], "new-pairing");
    assert_eq!(preview["approvalState"]["approved"], Value::Null);
    assert_eq!(preview["requiresAuthFlags"]["token"], true);
    assert!(preview["approveCommand"]
        .as_str()
        .unwrap()
        .ends_with(" --json"));

    // Nothing was approved.
    let list = json_of(&gw.cli(&["devices", "list", "--json"]));
    assert_eq!(list["pending"].as_array().unwrap().len(), 1);
    assert!(list["paired"].as_array().unwrap().is_empty());

    let out = gw.cli(&["devices", "approve", "no-such-request"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out_text(&out)
        .1
        .starts_with("No pending device request matches no-such-request."));

    let out = gw.cli(&["devices", "approve", &request_id]);
    assert!(out.status.success(), "{:?}", out_text(&out));
    assert_eq!(
        out_text(&out).0.trim(),
        format!("Approved {} ({request_id})", id.device_id())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_rotate_without_scopes_and_clear() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let device = id.device_id();
    let request_id = pending_request(&gw, &id).await;
    assert!(gw
        .cli(&["devices", "approve", &request_id])
        .status
        .success());

    // rename: the operator's label, shown first by `devices list`.
    let out = gw.cli(&[
        "devices",
        "rename",
        "--device",
        &device,
        "--name",
        "  Kitchen Mac ",
    ]);
    assert!(out.status.success(), "{:?}", out_text(&out));
    assert_eq!(
        out_text(&out).0.trim(),
        format!("Renamed {device} → Kitchen Mac")
    );
    let renamed = json_of(&gw.cli(&[
        "devices", "rename", "--device", &device, "--name", "Kitchen", "--json",
    ]));
    assert_eq!(
        renamed,
        serde_json::json!({"deviceId": device, "label": "Kitchen"})
    );
    let list = json_of(&gw.cli(&["devices", "list", "--json"]));
    assert_eq!(list["paired"][0]["operatorLabel"], "Kitchen");
    assert!(out_text(&gw.cli(&["devices", "list"]))
        .0
        .contains("Kitchen"));
    let long = "x".repeat(65);
    let out = gw.cli(&["devices", "rename", "--device", &device, "--name", &long]);
    assert_eq!(out.status.code(), Some(1));
    let out = gw.cli(&["devices", "rename", "--device", "nobody", "--name", "X"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out_text(&out).1.contains("unknown deviceId"),
        "{:?}",
        out_text(&out)
    );

    // rotate --no-scopes asks for an empty scope set; it cannot be combined with --scope.
    let rotated = json_of(&gw.cli(&[
        "devices",
        "rotate",
        "--device",
        &device,
        "--role",
        "node",
        "--no-scopes",
        "--json",
    ]));
    assert_eq!(rotated["scopes"], serde_json::json!([]));
    assert_eq!(rotated["role"], "node");
    let out = gw.cli(&[
        "devices",
        "rotate",
        "--device",
        &device,
        "--role",
        "node",
        "--no-scopes",
        "--scope",
        "operator.read",
    ]);
    assert_eq!(out.status.code(), Some(2));

    // clear: refused without --yes before anything is asked; --pending also rejects requests.
    let out = gw.cli(&["devices", "clear"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out_text(&out).1.trim(),
        "Refusing to clear pairing table without --yes"
    );
    let other = DeviceIdentity::generate();
    let other_request = pending_request(&gw, &other).await;
    let cleared = json_of(&gw.cli(&["devices", "clear", "--yes", "--pending", "--json"]));
    assert_eq!(
        cleared,
        serde_json::json!({"removedDevices": [device], "rejectedPending": [other_request]})
    );
    let list = json_of(&gw.cli(&["devices", "list", "--json"]));
    assert!(list["paired"].as_array().unwrap().is_empty());
    assert!(list["pending"].as_array().unwrap().is_empty());
    let out = gw.cli(&["devices", "clear", "--yes", "--pending"]);
    assert_eq!(
        out_text(&out).0.trim(),
        "Cleared 0 paired devices\nRejected 0 pending requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_status_and_list_filter_by_connection() {
    let gw = GatewayProc::start();
    let on = DeviceIdentity::generate();
    let (node, events) = paired_node(&gw, &on, &["test.echo"]).await;
    serve_invokes(node, events);
    // A second node, paired, then gone.
    let off = DeviceIdentity::generate();
    let (gone, _events) = paired_node(&gw, &off, &["test.echo"]).await;
    drop(gone);
    drop(_events);
    let op = gw.operator().await;
    poll_until(&op, "node.list", std::time::Duration::from_secs(10), |r| {
        let n = r["nodes"].as_array()?;
        (n.iter().filter(|n| n["connected"] == true).count() == 1).then_some(Value::Null)
    })
    .await;

    let text = out_text(&gw.cli(&["nodes", "status", "--connected"])).0;
    assert!(
        text.starts_with("Known: 1 (of 2) · Paired: 1 · Connected: 1"),
        "{text}"
    );
    let status = json_of(&gw.cli(&["nodes", "status", "--connected", "--json"]));
    let nodes = status["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["nodeId"], on.device_id().as_str());
    assert!(status["ts"].is_number());
    // Both connected within the last hour.
    let text = out_text(&gw.cli(&["nodes", "status", "--last-connected", "1h"])).0;
    assert!(text.starts_with("Known: 2 · Paired: 2"), "{text}");

    let text = out_text(&gw.cli(&["nodes", "list", "--connected"])).0;
    assert!(text.starts_with("Pending: 0 · Paired: 1 (of 2)"), "{text}");
    let list = json_of(&gw.cli(&["nodes", "list", "--last-connected", "24h", "--json"]));
    assert_eq!(list["paired"].as_array().unwrap().len(), 2);
    assert!(list["paired"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["lastConnectedAtMs"].is_number() && n.get("token").is_none()));

    let out = gw.cli(&["nodes", "status", "--last-connected", "soon"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out_text(&out).1.contains(
            "Invalid --last-connected: Invalid duration: \"soon\". Use values like 500ms, 30s, 5m, 2h, or 1h30m."
        ),
        "{:?}",
        out_text(&out)
    );
}

#[test]
fn node_identity_never_creates_a_key() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state");
    for args in [&["node", "identity", "--json"][..], &["node", "identity"]] {
        let out = std::process::Command::new(openclaw_test_support::bin())
            .args(args)
            .env("OPENCLAW_STATE_DIR", &state)
            .env("HOME", home.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            out_text(&out).1.trim(),
            "no node device identity found (start the node host once with `openclaw node run` or `openclaw node install`)"
        );
        assert!(!state.exists(), "{args:?} created {}", state.display());
    }
    // With a key, --json prints it on one line, as the real does.
    std::fs::create_dir_all(state.join("identity")).unwrap();
    let id = DeviceIdentity::generate();
    let file = serde_json::json!({"version": 1, "deviceId": id.device_id(),
        "publicKeyPem": id.public_key_pem(), "privateKeyPem": id.private_key_pem(), "createdAtMs": 1});
    std::fs::write(state.join("identity/device.json"), file.to_string()).unwrap();
    let out = std::process::Command::new(openclaw_test_support::bin())
        .args(["node", "identity", "--json"])
        .env("OPENCLAW_STATE_DIR", &state)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", out_text(&out));
    let stdout = out_text(&out).0;
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let shown: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(shown["deviceId"], id.device_id().as_str());
    assert_eq!(shown["publicKey"], id.public_key().as_str());
}
