//! The real CLI's `devices` and `nodes` commands against our gateway (issue 27): an operator who
//! keeps the real CLI pairs, inspects, renames, invokes and removes our node through ours.

use openclaw_test_support::gateway::{GatewayProc, TOKEN};
use openclaw_test_support::node::NodeProc;
use openclaw_test_support::real::{self, text};
use serde_json::{json, Value};

use crate::ours_on_theirs::{json_out, pending_for, until};

fn find<'a>(list: &'a Value, key: &str, name: &str) -> Option<&'a Value> {
    list[key]
        .as_array()?
        .iter()
        .find(|n| n["displayName"] == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_cli_pairs_inspects_and_removes_our_node_on_our_gateway() {
    let gw = GatewayProc::start();
    let home = tempfile::tempdir().unwrap();
    real::write_config(
        home.path(),
        &json!({"gateway": {"mode": "remote", "remote": {"url": gw.url, "token": TOKEN}}}),
    );
    let theirs = |args: &[&str]| real::cli(home.path(), args);
    let _node = NodeProc::start(&gw, "cli-node");

    let request = until(
        &theirs,
        &["devices", "list", "--json"],
        pending_for("cli-node"),
    );
    let out = theirs(&["devices", "approve", request["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let surface = until(
        &theirs,
        &["nodes", "pending", "--json"],
        pending_for("cli-node"),
    );
    let out = theirs(&["nodes", "approve", surface["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let node = until(&theirs, &["nodes", "status", "--json"], |v| {
        find(v, "nodes", "cli-node")
            .filter(|n| n["connected"] == true && n["paired"] == true)
            .cloned()
    });
    let node_id = node["nodeId"].as_str().unwrap().to_string();

    let described = json_out(&theirs(&[
        "nodes", "describe", "--node", "cli-node", "--json",
    ]));
    assert_eq!(described["nodeId"], node_id.as_str(), "{described}");
    let out = theirs(&[
        "nodes",
        "invoke",
        "--node",
        "cli-node",
        "--command",
        "system.which",
        "--params",
        r#"{"bins":["sh"]}"#,
        "--json",
    ]);
    let invoked = json_out(&out);
    assert_eq!(invoked["ok"], true, "{invoked}");

    let out = theirs(&[
        "nodes",
        "rename",
        "--node",
        &node_id,
        "--name",
        "renamed-node",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = json_out(&theirs(&["nodes", "list", "--json"]));
    assert!(
        find(&listed, "paired", "renamed-node").is_some(),
        "{listed}"
    );

    let devices = json_out(&theirs(&["devices", "list", "--json"]));
    let device = devices["paired"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deviceId"] == node_id.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{devices}"));
    assert_eq!(device["roles"], json!(["node"]), "{device}");
    let out = theirs(&[
        "devices", "rename", "--device", &node_id, "--name", "rack 3",
    ]);
    assert!(out.status.success(), "{}", text(&out));

    // A loopback gateway refuses a join URL, in the same words as the real gateway.
    let out = theirs(&["devices", "join-code", "--json"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Gateway is only bound to loopback."),
        "{}",
        text(&out)
    );

    let out = theirs(&["devices", "remove", &node_id]);
    assert!(out.status.success(), "{}", text(&out));
    let devices = json_out(&theirs(&["devices", "list", "--json"]));
    let still = devices["paired"]
        .as_array()
        .is_some_and(|d| d.iter().any(|d| d["deviceId"] == node_id.as_str()));
    assert!(!still, "{devices}");
}
