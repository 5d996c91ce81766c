//! `plugin-grants.toml` applies live: a grant written while the node runs brings the plugin
//! that needed it into service (its commands declared to the gateway), and taking it back
//! puts the plugin out of service, without a restart.

use std::time::Duration;

use openclaw_test_support::fixtures::LISTER;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::{json, Value};

/// Waits until `pred` holds for the node's declared commands.
async fn commands_once(
    op: &openclaw_client::GatewayClient,
    node: &str,
    pred: impl Fn(&[Value]) -> bool,
) {
    poll_until(op, "node.list", WAIT, |r| {
        let n = r["nodes"]
            .as_array()?
            .iter()
            .find(|n| n["nodeId"] == node)?;
        let commands = n["commands"].as_array()?;
        pred(commands).then(|| n.clone())
    })
    .await;
}

fn grant(state: &std::path::Path, toml: &str) {
    openclaw_files::write_atomically(&state.join("plugin-grants.toml"), toml.as_bytes()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_written_while_the_node_runs_applies_and_taking_it_back_too() {
    let mut config = default_config();
    config["gateway"]["nodes"]["commands"]["allow"]
        .as_array_mut()
        .unwrap()
        .push(json!("lister.list"));
    let gw = GatewayProc::start_with(config, &[], &[]);
    let node_proc = NodeProc::start(&gw, "grants-node");
    let op = gw.operator().await;
    let node = pair(&op, "grants-node").await;

    // The lister imports fs: without the grant it does not load.
    std::fs::copy(LISTER.path(), node_proc.plugins.join("lister.wasm")).unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let list = || json!({"path": node_proc.plugins});
    let e = invoke(&op, &node, "lister.list", list()).await.unwrap_err();
    assert!(
        message(&e).contains("does not support \"lister.list\""),
        "{}",
        message(&e)
    );

    let granted = format!(
        "[plugins.lister]\ncapabilities = [\"fs\"]\nfs = {{ allowReadPaths = [{:?}] }}\n",
        node_proc.plugins
    );
    grant(&node_proc.state, &granted);
    approve_surface(&op, "grants-node").await;
    let has_lister = |c: &[Value]| c.iter().any(|c| c == "lister.list");
    commands_once(&op, &node, has_lister).await;
    let listed = invoke(&op, &node, "lister.list", list()).await.unwrap();
    assert_eq!(
        listed["payload"]["entries"][0]["name"], "lister.wasm",
        "{listed}"
    );

    // Taken back: the plugin goes out of service and its commands are no longer declared.
    grant(&node_proc.state, "");
    commands_once(&op, &node, |c| !has_lister(c)).await;
    let again = invoke(&op, &node, "lister.list", list()).await.unwrap_err();
    assert_eq!(message(&again), message(&e));

    // A grants file that does not parse changes nothing.
    grant(&node_proc.state, &granted);
    commands_once(&op, &node, has_lister).await;
    grant(&node_proc.state, "[plugins.lister\n");
    tokio::time::sleep(Duration::from_millis(800)).await;
    commands_once(&op, &node, has_lister).await;
    invoke(&op, &node, "lister.list", list()).await.unwrap();
}
