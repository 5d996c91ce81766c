//! The real node host and the real CLI against our gateway (scenarios 1, 3 and 4).

use std::time::Duration;

use openclaw_gateway::policy::FILE_TRANSFER;

use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::gateway::*;
use serde_json::{json, Value};

use crate::{file_transfer, files};
use openclaw_test_support::real::{self, text, RealProc};

/// The real node host needs seconds to start: wait up to a minute for a change.
const WAIT: Duration = Duration::from_secs(60);

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        text(out)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The real node host, staging terminal uploads under `<home>/tmp`.
fn start_real_node(home: &std::path::Path, url: &str) -> RealProc {
    let port = url.rsplit(':').next().unwrap();
    let tmp = home.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let tmp = tmp.display().to_string();
    real::node_host(
        home,
        port,
        "interop-node",
        &[("OPENCLAW_GATEWAY_TOKEN", TOKEN), ("TMPDIR", &tmp)],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_node_host_and_real_cli_on_our_gateway() {
    // Our gateway routes the file-transfer commands only when told to, as the real does.
    let mut config = default_config();
    let allow = config["gateway"]["nodes"]["commands"]["allow"]
        .as_array_mut()
        .unwrap();
    allow.extend(FILE_TRANSFER.iter().map(|c| json!(c)));
    let gw = GatewayProc::start_with(config, &[], &[]);
    let op = gw.operator().await;
    let node_home = tempfile::tempdir().unwrap();
    let cli_home = tempfile::tempdir().unwrap();
    let real_cli = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--url", &gw.url, "--token", TOKEN]);
        real::cli(cli_home.path(), &all)
    };

    // 1. The first connect is refused with a pairing request.
    let node = start_real_node(node_home.path(), &gw.url);
    node.wait_for_log("pairing required", Duration::from_secs(90));
    let request = poll_until(&op, "device.pair.list", WAIT, |r| {
        r["pending"]
            .as_array()?
            .iter()
            .find(|p| p["displayName"] == "interop-node")
            .cloned()
    })
    .await;
    let request_id = request["requestId"].as_str().unwrap().to_string();
    assert_eq!(request["clientId"], "node-host");

    // 3. The real CLI reads our gateway.
    let listed = ok(&real_cli(&["devices", "list"]));
    assert!(
        listed.contains("Pending (1)") && listed.contains(&request_id),
        "{listed}"
    );

    let approved = ok(&gw.cli(&["devices", "approve", &request_id]));
    assert!(approved.starts_with("Approved "), "{approved}");
    // The real node host pauses after PAIRING_REQUIRED; an operator restarts it.
    drop(node);
    let node = start_real_node(node_home.path(), &gw.url);
    let surface = poll_until(&op, "node.pair.list", WAIT, |r| {
        r["pending"]
            .as_array()?
            .iter()
            .find(|p| p["displayName"] == "interop-node")
            .cloned()
    })
    .await;
    let surface_id = surface["requestId"].as_str().unwrap().to_string();
    assert!(ok(&real_cli(&["nodes", "pending"])).contains(&surface_id));
    let commands = surface["commands"].as_array().unwrap();
    assert!(
        commands.iter().any(|c| c == "system.which") && commands.iter().any(|c| c == "dir.list"),
        "{surface}"
    );
    // The surface approved by the real CLI, the device above by ours.
    assert!(ok(&real_cli(&["nodes", "approve", &surface_id])).contains(&surface_id));

    let described = ok(&gw.cli(&["nodes", "describe", "--node", "interop-node", "--json"]));
    let described: Value = serde_json::from_str(&described).unwrap();
    assert_eq!(described["approvalState"], "approved");
    assert!(described["commands"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "system.run"));
    let status = ok(&real_cli(&["nodes", "status"]));
    assert!(
        status.contains("Connected: 1") && status.contains("approved"),
        "{status}"
    );
    assert!(ok(&real_cli(&["nodes", "list"])).contains("Paired: 1"));
    assert!(
        ok(&real_cli(&["nodes", "describe", "--node", "interop-node"])).contains("system.which")
    );

    // The real node's payloads, through our gateway, to our CLI and to the real one.
    let which: Value = serde_json::from_str(&ok(&gw.cli(&[
        "nodes",
        "invoke",
        "--node",
        "interop-node",
        "--command",
        "system.which",
        "--params",
        r#"{"bins":["sh"]}"#,
    ])))
    .unwrap();
    assert!(
        which["payload"]["bins"]["sh"]
            .as_str()
            .unwrap()
            .ends_with("/sh"),
        "{which}"
    );
    let which: Value = serde_json::from_str(&ok(&real_cli(&[
        "nodes",
        "invoke",
        "--node",
        "interop-node",
        "--command",
        "system.which",
        "--params",
        r#"{"bins":["sh"]}"#,
    ])))
    .unwrap();
    assert_eq!(which["ok"], true);

    // Exec approvals through our CLI, then system.run allowed and denied.
    let doc = node_home.path().join("approvals.json5");
    std::fs::write(
        &doc,
        r#"{ version: 1, defaults: { security: "allowlist", ask: "off", askFallback: "deny" } }"#,
    )
    .unwrap();
    ok(&gw.cli(&[
        "approvals",
        "set",
        "--node",
        "interop-node",
        "--file",
        doc.to_str().unwrap(),
    ]));
    ok(&gw.cli(&[
        "approvals",
        "allowlist",
        "add",
        "--node",
        "interop-node",
        "/usr/bin/echo",
    ]));
    let node_id = described["nodeId"].as_str().unwrap();
    let run = |argv: Value, key: &str| {
        let params = InvokeParams::new(
            node_id,
            "system.run",
            json!({"command": argv, "agentId": "main"}),
            key,
        )
        .to_value();
        real_cli(&[
            "gateway",
            "call",
            "node.invoke",
            "--json",
            "--params",
            &params.to_string(),
        ])
    };
    let allowed: Value =
        serde_json::from_str(&ok(&run(json!(["echo", "hi"]), "interop-run-1"))).unwrap();
    assert_eq!(allowed["payload"]["stdout"], "hi\n", "{allowed}");
    let denied = run(json!(["uname", "-a"]), "interop-run-2");
    assert_eq!(denied.status.code(), Some(1));
    assert!(
        text(&denied).contains("SYSTEM_RUN_DENIED: allowlist miss")
            && !text(&denied).contains("SYSTEM_RUN_DENIED: SYSTEM_RUN_DENIED"),
        "{}",
        text(&denied)
    );

    // fs.listDir on the real node host, through our gateway: the answers `ours_on_theirs`
    // expects of our node host for the same calls.
    let tree = node_home.path().join("tree");
    files::make_tree(&tree);
    files::check_calls(&tree, node_home.path(), |params| {
        real_cli(&[
            "nodes",
            "invoke",
            "--node",
            "interop-node",
            "--command",
            "fs.listDir",
            "--params",
            params,
        ])
    });

    // The file-transfer commands and terminal.upload on the real node host, through our
    // gateway: the answers `ours_on_theirs` expects of our node host for the same calls.
    let transfer_tree = node_home.path().join("transfer");
    file_transfer::make_tree(&transfer_tree);
    file_transfer::check_calls(&transfer_tree, |command, params| {
        real_cli(&[
            "nodes",
            "invoke",
            "--node",
            "interop-node",
            "--command",
            command,
            "--params",
            params,
        ])
    });
    file_transfer::check_uploads(&node_home.path().join("tmp"), |params| {
        real_cli(&[
            "nodes",
            "invoke",
            "--node",
            "interop-node",
            "--command",
            "terminal.upload",
            "--params",
            params,
        ])
    });

    // The real `openclaw browser` CLI, through our `browser.request`, to the real node's
    // browser control service.
    let browser = |args: &[&str]| {
        let mut all = vec!["browser", "--json"];
        all.extend_from_slice(args);
        real_cli(&all)
    };
    let status: Value = serde_json::from_str(&ok(&browser(&["status"]))).unwrap();
    assert_eq!(
        (&status["profile"], &status["driver"], &status["running"]),
        (&json!("openclaw"), &json!("openclaw"), &json!(false)),
        "{status}"
    );
    let tabs: Value = serde_json::from_str(&ok(&browser(&["tabs"]))).unwrap();
    assert_eq!(tabs, json!({"tabs": []}));
    let profiles: Value = serde_json::from_str(&ok(&browser(&["profiles"]))).unwrap();
    assert_eq!(profiles["profiles"][0]["name"], "openclaw", "{profiles}");
    // A route error comes back as the real gateway words it (409 is the caller's to fix).
    let focus = browser(&["focus", "t99"]);
    assert_eq!(focus.status.code(), Some(1));
    let said: Value = serde_json::from_slice(&focus.stdout).unwrap();
    assert_eq!(
        said["error"]["message"],
        "browser not running",
        "{}",
        text(&focus)
    );

    // The real CLI approves a device on our gateway, too.
    let other = openclaw_protocol::identity::DeviceIdentity::generate();
    let refused = connect_node(&gw.url, &other, &[]).await.err().unwrap();
    let other_request = details(&refused)["requestId"].as_str().unwrap().to_string();
    let approved = ok(&real_cli(&["devices", "approve", &other_request]));
    assert!(approved.contains(&other.device_id()), "{approved}");

    // 4. Handshake errors as the real client code reports them.
    let wrong = real::cli(
        cli_home.path(),
        &[
            "nodes",
            "status",
            "--url",
            &gw.url,
            "--token",
            "wrong-token",
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        text(&wrong).contains("gateway token mismatch"),
        "{}",
        text(&wrong)
    );
    let seen = real::probe(&gw.url, TOKEN, 5, 5);
    assert_eq!(
        (
            seen["gatewayCode"].as_str(),
            seen["details"]["code"].as_str()
        ),
        (Some("INVALID_REQUEST"), Some("PROTOCOL_MISMATCH")),
        "{seen}"
    );
    assert_eq!(seen["details"]["expectedProtocol"], 4);
    let seen = real::probe(&gw.url, "wrong-token", 4, 4);
    assert_eq!(seen["details"]["code"], "AUTH_TOKEN_MISMATCH", "{seen}");
    assert_eq!(real::probe(&gw.url, TOKEN, 4, 4)["event"], "hello");
    drop(node);
}
