//! Password auth both ways (issue 27): the real node host on our gateway in password mode, and
//! our node host on the real gateway with `gateway.auth.mode=password`.

use std::process::{Command, Stdio};
use std::time::Duration;

use openclaw_client::{connect, ConnectOptions};
use openclaw_test_support::bin;
use openclaw_test_support::gateway::{default_config, GatewayProc};
use openclaw_test_support::node::{approve_pending, approve_surface_within};
use openclaw_test_support::real::{self, text};
use serde_json::json;

use crate::ours_on_theirs::{pending_for, until, OurNode};

const PASSWORD: &str = "interop-gateway-password";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_node_host_on_our_gateway_with_a_password() {
    let mut config = default_config();
    config["gateway"]["auth"] = json!({"mode": "password", "password": PASSWORD});
    let gw = GatewayProc::start_with(config, &[], &[]);
    let port = gw.url.rsplit(':').next().unwrap().to_string();

    // The wrong password: the real node host stops for its supervisor, naming our code.
    let wrong_home = tempfile::tempdir().unwrap();
    let wrong = real::node_host(
        wrong_home.path(),
        &port,
        "real-wrong",
        &[("OPENCLAW_GATEWAY_PASSWORD", "not-it")],
    );
    wrong.wait_for_log(
        "detail=AUTH_PASSWORD_MISMATCH; exiting for supervisor restart",
        Duration::from_secs(120),
    );

    let mut opts = ConnectOptions::operator(&gw.url, None, &["operator.admin"]);
    opts.auth.password = Some(PASSWORD.into());
    let (op, _) = connect(&opts).await.expect("operator with the password");
    // As `pair_real_node`: the real node host pauses after its first refused connect, so it is
    // started again once its device is approved.
    let home = tempfile::tempdir().unwrap();
    let start = || {
        real::node_host(
            home.path(),
            &port,
            "real-pw",
            &[("OPENCLAW_GATEWAY_PASSWORD", PASSWORD)],
        )
    };
    let first = start();
    let slow = Duration::from_secs(90);
    approve_pending(&op, "device.pair", "real-pw", slow).await;
    drop(first);
    let _node = start();
    let node_id = approve_surface_within(&op, "real-pw", slow).await;
    let list = op.request("node.list", json!({})).await.unwrap();
    let node = list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["nodeId"] == node_id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(node["connected"], true, "{node}");
}

#[test]
fn our_node_host_on_the_real_gateway_with_a_password() {
    let home = tempfile::tempdir().unwrap();
    let port = real::free_port();
    let _gateway = real::gateway_with(
        home.path(),
        port,
        "unused-token",
        &[],
        json!({"gateway": {"auth": {"mode": "password", "password": PASSWORD}}}),
    );
    // The real CLI on the gateway's own home: local mode, so it reads gateway.auth.password.
    let cli = |args: &[&str]| real::cli(home.path(), args);
    let spawn = |dir: &std::path::Path, name: &str, password: &str| {
        let state = dir.join("state");
        openclaw_files::private_dir(&state).unwrap();
        Command::new(bin())
            .args([
                "node",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ])
            .args(["--display-name", name])
            .env("OPENCLAW_STATE_DIR", &state)
            .env("HOME", dir)
            .env_remove("OPENCLAW_GATEWAY_TOKEN")
            .env("OPENCLAW_GATEWAY_PASSWORD", password)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };

    // The wrong password: our node stops with the real gateway's code.
    let wrong_dir = tempfile::tempdir().unwrap();
    let wrong = spawn(wrong_dir.path(), "rust-wrong", "not-it")
        .wait_with_output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert!(
        text(&wrong).contains("gateway password mismatch"),
        "{}",
        text(&wrong)
    );

    let dir = tempfile::tempdir().unwrap();
    let _node = OurNode(spawn(dir.path(), "rust-pw", PASSWORD));
    let device = until(&cli, &["devices", "list", "--json"], pending_for("rust-pw"));
    let out = cli(&["devices", "approve", device["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let surface = until(
        &cli,
        &["nodes", "pending", "--json"],
        pending_for("rust-pw"),
    );
    let out = cli(&["nodes", "approve", surface["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    until(&cli, &["nodes", "status", "--json"], |v| {
        v["nodes"]
            .as_array()?
            .iter()
            .find(|n| n["displayName"] == "rust-pw" && n["connected"] == true)
            .cloned()
    });
}
