//! Setup codes across the two implementations (issue 27): a node code minted by the real
//! gateway enrolls our node host, and one minted by ours enrolls the real node host, each with
//! no gateway secret on the node's machine and no approval step.

use std::process::{Command, Stdio};
use std::time::Duration;

use openclaw_test_support::bin;
use openclaw_test_support::gateway::{poll_until, GatewayProc};
use openclaw_test_support::real::{self, text};
use serde_json::{json, Value};

use crate::ours_on_theirs::{json_out, until, OurNode};

#[test]
fn a_node_code_from_the_real_gateway_enrolls_our_node() {
    let home = tempfile::tempdir().unwrap();
    let port = real::free_port();
    let _gateway = real::gateway(
        home.path(),
        port,
        "interop-token",
        &["system.which"],
        json!(null),
    );
    let cli = |args: &[&str]| real::cli(home.path(), args);
    let params = json!({
        "bootstrapProfile": "node",
        "publicUrl": format!("ws://127.0.0.1:{port}"),
        "includeQr": false,
    });
    let minted = json_out(&cli(&[
        "gateway",
        "call",
        "device.pair.setupCode",
        "--params",
        &params.to_string(),
        "--json",
    ]));
    let code = minted["setupCode"]
        .as_str()
        .expect("a setup code")
        .to_string();

    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let _node = OurNode(
        Command::new(bin())
            .args([
                "node",
                "run",
                "--pair",
                &code,
                "--display-name",
                "rust-code",
            ])
            .env("OPENCLAW_STATE_DIR", &state)
            .env("HOME", dir.path())
            .env_remove("OPENCLAW_GATEWAY_TOKEN")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Enrolled by the code alone: connected, with its commands approved.
    let node = until(&cli, &["nodes", "status", "--json"], |v| {
        v["nodes"]
            .as_array()?
            .iter()
            .find(|n| {
                n["displayName"] == "rust-code"
                    && n["connected"] == true
                    && n["commands"]
                        .as_array()
                        .is_some_and(|c| c.iter().any(|c| c == "system.which"))
            })
            .cloned()
    });
    let params = json!({
        "nodeId": node["nodeId"], "command": "system.which",
        "params": {"bins": ["sh"]}, "idempotencyKey": "setup-code-1",
    });
    let out = cli(&[
        "gateway",
        "call",
        "node.invoke",
        "--params",
        &params.to_string(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    // The node keeps the device token it was given, and no bootstrap token.
    let saved: Value =
        serde_json::from_slice(&std::fs::read(state.join("node.json")).unwrap()).unwrap();
    assert!(saved["token"].as_str().is_some_and(|t| !t.is_empty()));
    let payload = openclaw_protocol::setup_code::decode(&code, 0).unwrap();
    let raw = std::fs::read_to_string(state.join("node.json")).unwrap();
    assert!(!raw.contains(&payload.bootstrap_token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_code_from_our_gateway_enrolls_the_real_node_host() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let params = json!({"bootstrapProfile": "node", "publicUrl": gw.url, "includeQr": false});
    let minted = op.request("device.pair.setupCode", params).await.unwrap();
    let code = minted["setupCode"].as_str().unwrap();

    let home = tempfile::tempdir().unwrap();
    let node = real::RealProc::spawn(
        home.path(),
        "node",
        &["node", "run", "--pair", code, "--display-name", "real-code"],
        &[],
    );
    let slow = Duration::from_secs(120);
    let found = poll_until(&op, "node.list", slow, |r| {
        r["nodes"]
            .as_array()?
            .iter()
            .find(|n| {
                n["displayName"] == "real-code"
                    && n["connected"] == true
                    && n["approvalState"] == "approved"
            })
            .cloned()
    })
    .await;
    assert!(
        found["commands"].as_array().is_some_and(|c| !c.is_empty()),
        "{found}; log:\n{}",
        std::fs::read_to_string(&node.log).unwrap_or_default()
    );
    let status = op
        .request(
            "device.pair.setupStatus",
            json!({"setupId": minted["setupId"]}),
        )
        .await
        .unwrap();
    assert_eq!(status["completion"]["access"], "node", "{status}");
}
