//! Our node host (`openclaw node run`, a real process) on our gateway: pairing, the `system`
//! plugin's commands under the exec approvals, and plugins hot-reloaded from its dir.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::fixtures::{ECHO, IMPOSTOR, LEGACY_APPROVER, TAG_V1, TAG_V2};
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_plugin_serves_under_the_exec_approvals() {
    let gw = GatewayProc::start();
    let _node = NodeProc::start(&gw, "sys-node");
    let op = gw.operator().await;
    let node = pair(&op, "sys-node").await;

    let which = invoke(
        &op,
        &node,
        "system.which",
        json!({"bins": ["sh", "no-such-binary-xyz"]}),
    )
    .await
    .unwrap();
    assert!(which["payload"]["bins"]["sh"]
        .as_str()
        .unwrap()
        .ends_with("/sh"));
    assert!(which["payload"]["bins"].get("no-such-binary-xyz").is_none());
    let e = invoke(&op, &node, "system.which", json!({}))
        .await
        .unwrap_err();
    assert_eq!(message(&e), "INVALID_REQUEST: bins required");

    // No approvals document: security full.
    let run = invoke(&op, &node, "system.run", json!({"command": ["echo", "hi"]}))
        .await
        .unwrap();
    assert_eq!(
        run["payloadJSON"],
        r#"{"exitCode":0,"timedOut":false,"success":true,"stdout":"hi\n","stderr":"","error":null}"#
    );
    let run = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["sleep", "5"], "timeoutMs": 300}),
    )
    .await
    .unwrap();
    assert_eq!(
        run["payload"],
        json!({"timedOut": true, "success": false, "stdout": "", "stderr": "", "error": null})
    );
    let e = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["echo", "hi"], "env": {"PATH": "/somewhere"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        message(&e),
        "INVALID_REQUEST: SYSTEM_RUN_DENIED: environment override rejected (blocked override keys: PATH)"
    );
    let e = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["git", "ls-remote", "ssh://x/y"],
               "env": {"GIT_SSH_COMMAND": "touch pwned", "GIT_CONFIG_COUNT": "1", "BASH_FUNC_git%%": "() { id; }"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        message(&e),
        "INVALID_REQUEST: SYSTEM_RUN_DENIED: environment override rejected (blocked override keys: GIT_CONFIG_COUNT, GIT_SSH_COMMAND; invalid non-portable override keys: BASH_FUNC_git%%)"
    );
    let e = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["bash", "-lc", "echo hi"], "rawCommand": "echo hi"}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        message(&e),
        "INVALID_REQUEST: rawCommand does not match command"
    );

    // Allowlist mode through the gateway's exec.approvals.node.*; a stale hash is refused.
    let current = op
        .request("exec.approvals.node.get", json!({"nodeId": node}))
        .await
        .unwrap();
    assert_eq!(current["exists"], false);
    let file = json!({"version": 1, "defaults": {"security": "allowlist", "ask": "off", "askFallback": "deny"},
                      "agents": {"*": {"allowlist": [{"pattern": "/usr/bin/echo"}]}}});
    let set = op
        .request(
            "exec.approvals.node.set",
            json!({"nodeId": node, "file": file}),
        )
        .await
        .unwrap();
    assert_eq!(set["exists"], true);
    let e = op
        .request(
            "exec.approvals.node.set",
            json!({"nodeId": node, "file": {"version": 1}, "baseHash": "stale"}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "INVALID_REQUEST: exec approvals changed; reload and retry"
    );

    let run = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["echo", "allowed"], "agentId": "main"}),
    )
    .await
    .unwrap();
    assert_eq!(run["payload"]["stdout"], "allowed\n");
    let e = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["uname", "-a"], "agentId": "main"}),
    )
    .await
    .unwrap_err();
    assert_eq!(message(&e), "SYSTEM_RUN_DENIED: allowlist miss");
    // A wrapper's option that takes a value cannot smuggle a second command past the list.
    let marker = std::env::temp_dir().join(format!("openclaw-e2e-{}", uuid::Uuid::new_v4()));
    let e = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["env", "-u", "echo", "touch", marker], "agentId": "main"}),
    )
    .await
    .unwrap_err();
    assert_eq!(message(&e), "SYSTEM_RUN_DENIED: allowlist miss");
    assert!(!marker.exists());
    let plan = invoke(
        &op,
        &node,
        "system.run.prepare",
        json!({"command": ["echo", "x"]}),
    )
    .await
    .unwrap();
    assert_eq!(
        plan["payload"]["execPolicy"],
        json!({"security": "allowlist", "ask": "off"})
    );
    // The plan an approval would bind: the program by its real path, so the text is the plan.
    assert_eq!(
        plan["payload"]["plan"]["argv"],
        json!(["/usr/bin/echo", "x"])
    );
    assert_eq!(plan["payload"]["plan"]["commandText"], "/usr/bin/echo x");
    assert_eq!(plan["payload"]["plan"]["commandPreview"], Value::Null);

    // A script runs as the plan the node judged, never through bash: `test` is the program,
    // which evaluates no array subscript, so the substitution inside it never runs.
    let file = json!({"version": 1, "defaults": {"security": "allowlist", "ask": "off", "askFallback": "deny"},
                      "agents": {"*": {"allowlist": [{"pattern": "/usr/bin/echo"}, {"pattern": "/usr/bin/test"}]}}});
    replace_approvals(&op, &node, file).await;
    let script = format!("test -v 'a[$(touch {})]' || echo judged", marker.display());
    let run = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["bash", "-c", script], "agentId": "main"}),
    )
    .await
    .unwrap();
    assert_eq!(run["payload"]["stdout"], "judged\n");
    assert!(!marker.exists(), "bash evaluated the subscript");
    let plan = invoke(
        &op,
        &node,
        "system.run.prepare",
        json!({"command": ["sh", "-c", "test -f x && echo yes || echo no"]}),
    )
    .await
    .unwrap();
    assert_eq!(
        plan["payload"]["plan"]["commandPreview"],
        "/usr/bin/test -f x && /usr/bin/echo yes || /usr/bin/echo no"
    );
}

fn copy_atomically(from: &Path, to: &Path) {
    let tmp = to.with_extension("partial");
    std::fs::copy(from, &tmp).unwrap();
    std::fs::rename(&tmp, to).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_plugin_appears_and_a_replaced_one_answers_anew() {
    let gw = GatewayProc::start();
    let node_proc = NodeProc::start(&gw, "hot-node");
    let op = gw.operator().await;
    let node = pair(&op, "hot-node").await;

    copy_atomically(&TAG_V1.path(), &node_proc.plugins.join("tag.wasm"));
    // The new command is declared without a restart and goes through surface approval.
    approve_surface(&op, "hot-node").await;
    poll_until(&op, "node.list", WAIT, |r| {
        r["nodes"]
            .as_array()?
            .iter()
            .find(|n| {
                n["commands"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c == "fixture.tag"))
            })
            .cloned()
    })
    .await;
    let v1 = invoke(&op, &node, "fixture.tag", json!({})).await.unwrap();
    assert_eq!(v1["payload"], json!({"version": "v1"}));

    copy_atomically(&TAG_V2.path(), &node_proc.plugins.join("tag.wasm"));
    let mut answer = Value::Null;
    for _ in 0..100 {
        answer = invoke(&op, &node, "fixture.tag", json!({})).await.unwrap()["payload"].clone();
        if answer == json!({"version": "v2"}) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answer, json!({"version": "v2"}));

    std::fs::remove_file(node_proc.plugins.join("tag.wasm")).unwrap();
    poll_until(&op, "node.list", WAIT, |r| {
        let n = r["nodes"]
            .as_array()?
            .iter()
            .find(|n| n["nodeId"] == node.as_str())?;
        (!n["commands"].as_array()?.iter().any(|c| c == "fixture.tag")).then(|| n.clone())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_run_approvals_and_plugins_from_the_cli() {
    let gw = GatewayProc::start();
    let _node = NodeProc::start(&gw, "cli-node");
    let op = gw.operator().await;
    pair(&op, "cli-node").await;

    let out = gw.cli(&[
        "nodes",
        "run",
        "--node",
        "cli-node",
        "--",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 7",
    ]);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    // This node has no display: a command that needs to record the screen is not run.
    let out = gw.cli(&[
        "nodes",
        "run",
        "--node",
        "cli-node",
        "--needs-screen-recording",
        "--",
        "touch",
        gw.dir.join("ran").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("SYSTEM_RUN_DENIED: PERMISSION_MISSING: screenRecording"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!gw.dir.join("ran").exists());

    let doc = gw.dir.join("approvals.json5");
    std::fs::write(
        &doc,
        r#"{ version: 1, defaults: { security: "allowlist", ask: "off" } }"#,
    )
    .unwrap();
    let out = gw.cli(&[
        "approvals",
        "set",
        "--node",
        "cli-node",
        "--file",
        doc.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = gw.cli(&[
        "approvals",
        "allowlist",
        "add",
        "--node",
        "cli-node",
        "/usr/bin/echo",
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.starts_with("Target: node:") && text.contains("/usr/bin/echo"),
        "{text}"
    );
    let out = gw.cli(&[
        "nodes", "run", "--node", "cli-node", "--", "echo", "allowed",
    ]);
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string()
        ),
        (Some(0), "allowed\n".to_string())
    );
    // Without --node: the one connected node that runs commands, or the bound one.
    let out = gw.cli(&["nodes", "run", "--", "echo", "picked"]);
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string()
        ),
        (Some(0), "picked\n".to_string())
    );
    let config = |args: &[&str]| {
        Command::new(bin())
            .arg("config")
            .args(args)
            .env("OPENCLAW_STATE_DIR", &gw.dir)
            .output()
            .unwrap()
    };
    assert!(
        config(&["set", "agents.entries.ops.tools.exec.node", "ghost"])
            .status
            .success()
    );
    let out = gw.cli(&["nodes", "run", "--agent", "ops", "--", "echo", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown node: ghost (known: cli-node)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(config(&["set", "tools.exec.node", "cli-node"])
        .status
        .success());
    let out = gw.cli(&["nodes", "run", "--", "echo", "bound"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "bound\n");

    let out = gw.cli(&["nodes", "run", "--node", "cli-node", "--", "uname"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SYSTEM_RUN_DENIED: allowlist miss"));
    let snapshot: Value = serde_json::from_slice(
        &gw.cli(&["approvals", "get", "--node", "cli-node", "--json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(
        snapshot["file"]["agents"]["*"]["allowlist"][0]["pattern"],
        "/usr/bin/echo"
    );
    // A bare `approvals --node X` shows them, as the real CLI does.
    let bare: Value = serde_json::from_slice(
        &gw.cli(&["approvals", "--node", "cli-node", "--json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(bare, snapshot);

    // A plugin author's loop, no gateway: inspect names the missing grant, invoke runs it.
    let state = tempfile::tempdir().unwrap();
    let plugin = ECHO.path();
    let local = |args: &[&str]| {
        Command::new(bin())
            .args(args)
            .env("OPENCLAW_STATE_DIR", state.path())
            .output()
            .unwrap()
    };
    let out = local(&["plugins", "inspect", plugin.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("add `capabilities = [\"log\"]` under `[plugins.fixture_echo]`"));
    let contract = format!("Contract: openclaw:plugin@{}\n", current_contract());
    assert!(text.contains(&contract), "{text}");
    // A plugin built against the first released contract says so.
    let legacy = local(&[
        "plugins",
        "inspect",
        LEGACY_APPROVER.path().to_str().unwrap(),
    ]);
    assert!(
        String::from_utf8_lossy(&legacy.stdout).contains("Contract: openclaw:plugin@0.1.0\n"),
        "{}",
        String::from_utf8_lossy(&legacy.stdout)
    );
    std::fs::write(
        state.path().join("plugin-grants.toml"),
        "[plugins.fixture_echo]\ncapabilities = [\"log\"]\n",
    )
    .unwrap();
    let out = local(&[
        "plugins",
        "invoke",
        plugin.to_str().unwrap(),
        "fixture.echo",
        r#"{"x":1}"#,
    ]);
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"x": 1})
    );
}

/// Running or sleeping; a zombie waiting for its reaper is dead.
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat.rsplit(')').next().unwrap_or("").trim_start();
        !state.starts_with('Z') && !state.starts_with('X')
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_the_gateway_gives_up_on_leaves_no_process_behind() {
    let gw = GatewayProc::start();
    let _node = NodeProc::start(&gw, "cancel-node");
    let op = gw.operator().await;
    let node = pair(&op, "cancel-node").await;
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let script = format!(
        "sleep 300 & echo $! > {0}; sh -c 'sleep 300 & echo $! >> {0}; wait' & wait",
        pids.display()
    );
    let e = op
        .request(
            "node.invoke",
            InvokeParams::new(
                node,
                "system.run",
                json!({"command": ["sh", "-c", script]}),
                "cancel-1",
            )
            .with_timeout_ms(Some(1500))
            .to_value(),
        )
        .await
        .unwrap_err();
    assert_eq!(message(&e), "TIMEOUT: node invoke timed out");
    let pids = std::fs::read_to_string(&pids).unwrap();
    let pids: Vec<&str> = pids.lines().collect();
    assert_eq!(pids.len(), 2);
    for _ in 0..100 {
        if !pids.iter().any(|p| alive(p)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !pids.iter().any(|p| alive(p)),
        "{pids:?} outlived the invoke"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_file_named_system_gets_no_exec_and_the_built_in_serves() {
    let gw = GatewayProc::start();
    let node_proc = NodeProc::start(&gw, "impostor-node");
    std::fs::copy(IMPOSTOR.path(), node_proc.plugins.join("system.wasm")).unwrap();
    let op = gw.operator().await;
    let node = pair(&op, "impostor-node").await;
    let which = invoke(&op, &node, "system.which", json!({"bins": ["sh"]}))
        .await
        .unwrap();
    assert!(which["payload"]["bins"]["sh"].is_string());
    let described = op
        .request("node.describe", json!({"nodeId": node}))
        .await
        .unwrap();
    assert!(
        !described["commands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "system.pwn"),
        "{described}"
    );
    let out = Command::new(bin())
        .args(["plugins", "inspect"])
        .arg(node_proc.plugins.join("system.wasm"))
        .env("OPENCLAW_STATE_DIR", &node_proc.state)
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not described until every capability it imports is granted"),
        "{text}"
    );
    assert!(
        text.contains("add `capabilities = [\"exec\"]` under `[plugins.system]`"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_does_not_inherit_the_nodes_hook_variables() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let hooks = [
        ("BASH_ENV", "/nonexistent/hook.sh"),
        ("GIT_SSH_COMMAND", "touch pwned"),
        ("NODE_OPTIONS", "--require=/nonexistent/hook.js"),
    ];
    let (_node, node) = start_paired_in(&gw, &op, "hooked-node", json!({}), &hooks).await;
    let script = "echo ${BASH_ENV:-none} ${GIT_SSH_COMMAND:-none} ${NODE_OPTIONS:-none} ${OPENCLAW_CLI:-none}";
    let run = call(
        &op,
        &node,
        "system.run",
        json!({"command": ["sh", "-c", script]}),
    )
    .await;
    assert_eq!(run["stdout"], "none none none 1\n");
}

/// The version `wit/world.wit` declares.
fn current_contract() -> String {
    let wit = include_str!("../../wit/world.wit");
    let line = wit
        .lines()
        .find_map(|l| l.strip_prefix("package openclaw:plugin@"))
        .expect("a package line");
    line.trim_end_matches(';').to_string()
}
