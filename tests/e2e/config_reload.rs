//! `gateway.nodes.commands` edited while the gateway runs: the next `node.invoke` follows the
//! file, whether `openclaw config set` or an editor changed it, with no restart; an edit
//! that does not parse or check keeps the last good lists.

use std::process::Command;

use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::json;

fn config_set(gw: &GatewayProc, path: &str, value: &str) -> String {
    let out = Command::new(bin())
        .args(["config", "set", path, value])
        .env("OPENCLAW_STATE_DIR", &gw.dir)
        .env_remove("OPENCLAW_CONFIG_PATH")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_policy_edit_applies_to_the_next_invoke_without_a_restart() {
    let gw = GatewayProc::start();
    let _node = NodeProc::start(&gw, "reload-node");
    let op = gw.operator().await;
    let node = pair(&op, "reload-node").await;
    let which = json!({"bins": ["sh"]});
    invoke(&op, &node, "system.which", which.clone())
        .await
        .expect("allowed at start");

    // Denied by `config set`, which says it needs no restart.
    let said = config_set(&gw, "gateway.nodes.commands.deny", "[\"system.which\"]");
    assert_eq!(
        said.trim(),
        "Updated gateway.nodes.commands.deny. Change will apply without restarting the gateway."
    );
    let e = invoke(&op, &node, "system.which", which.clone())
        .await
        .unwrap_err();
    assert!(
        message(&e).contains("\"system.which\" is blocked by gateway.nodes.commands.deny"),
        "{}",
        message(&e)
    );

    // Edits that do not parse, or give the lists a wrong type, keep the last good policy.
    let file = gw.dir.join("openclaw.json");
    for bad in [
        "{gateway: ",
        r#"{"gateway": {"nodes": {"commands": {"deny": "system.which"}}}}"#,
    ] {
        std::fs::write(&file, bad).unwrap();
        let e = invoke(&op, &node, "system.which", which.clone())
            .await
            .unwrap_err();
        assert!(message(&e).contains("blocked by gateway.nodes.commands.deny"));
    }

    // Allowed again by an editor's write of a good file.
    let mut good = default_config();
    good["gateway"]["nodes"]["commands"]["deny"] = json!([]);
    std::fs::write(&file, serde_json::to_string_pretty(&good).unwrap()).unwrap();
    invoke(&op, &node, "system.which", which.clone())
        .await
        .expect("allowed again after the edit");

    // And denied again through the CLI, on the same running gateway.
    config_set(&gw, "gateway.nodes.commands.deny", "[\"system.which\"]");
    assert!(invoke(&op, &node, "system.which", which).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_withheld_at_connect_is_requested_once_the_policy_allows_it() {
    let mut config = default_config();
    config["gateway"]["nodes"]["commands"]["deny"] = json!(["system.which"]);
    let gw = GatewayProc::start_with(config, &[], &[]);
    let _node = NodeProc::start(&gw, "late-node");
    let op = gw.operator().await;
    let node = pair(&op, "late-node").await;
    let which = json!({"bins": ["sh"]});
    assert!(invoke(&op, &node, "system.which", which.clone())
        .await
        .is_err());

    // Allowed now, with the node still connected: the declaration it made at connect is
    // admitted again, and the command goes to an approval like any new one.
    config_set(&gw, "gateway.nodes.commands.deny", "[]");
    let e = invoke(&op, &node, "system.which", which.clone())
        .await
        .unwrap_err();
    assert!(!message(&e).contains("blocked by"), "{}", message(&e));
    approve_surface(&op, "late-node").await;
    invoke(&op, &node, "system.which", which)
        .await
        .expect("allowed and approved, without a reconnect");
}
