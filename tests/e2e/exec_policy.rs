//! The exec policy our node takes from its `openclaw.json` (`tools.exec`: the mode, an agent's
//! own layer, safe bins, `strictInlineEval`), under the approvals document, which only tightens
//! it; and `config set` on those keys, in the real CLI's words.

use std::process::Command;

use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::json;

/// `tools.exec` in the node's `openclaw.json` sets its exec policy (an agent's own layer for
/// runs for that agent), and the approvals document can only tighten it; the default safe bins
/// filter stdin without an entry; `config set` takes `tools.exec.mode` and refuses a mode beside
/// the legacy fields, in the real CLI's words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configs_exec_policy_is_what_the_approvals_tighten() {
    let gw = GatewayProc::start();
    let config = json!({"tools": {"exec": {"mode": "allowlist"}},
                        "agents": {"entries": {"ops": {"tools": {"exec": {"mode": "full"}}}}}});
    let node_proc = NodeProc::start_in(&gw, "policy-node", config, &[]);
    let op = gw.operator().await;
    let node = pair(&op, "policy-node").await;
    let run = |agent: Option<&str>| {
        let mut params = json!({"command": ["echo", "ran"]});
        if let Some(agent) = agent {
            params["agentId"] = json!(agent);
        }
        let (op, node) = (&op, &node);
        async move { invoke(op, node, "system.run", params).await }
    };
    // No approvals document: the config decides.
    let e = run(None).await.unwrap_err();
    assert_eq!(message(&e), "SYSTEM_RUN_DENIED: allowlist miss");
    assert_eq!(
        run(Some("ops")).await.unwrap()["payload"]["stdout"],
        "ran\n"
    );
    let prepared = invoke(
        &op,
        &node,
        "system.run.prepare",
        json!({"command": ["echo", "x"]}),
    )
    .await
    .unwrap();
    assert_eq!(
        prepared["payload"]["execPolicy"],
        json!({"security": "allowlist", "ask": "off"})
    );

    // A document that says full loosens nothing; one that says deny for `ops` tightens it.
    let file = json!({"version": 1, "defaults": {"security": "full", "ask": "off"},
                      "agents": {"ops": {"security": "deny"}}});
    replace_approvals(&op, &node, file).await;
    let e = run(None).await.unwrap_err();
    assert_eq!(message(&e), "SYSTEM_RUN_DENIED: allowlist miss");
    let e = run(Some("ops")).await.unwrap_err();
    assert_eq!(
        message(&e),
        "SYSTEM_RUN_DENIED: SYSTEM_RUN_DISABLED: security=deny"
    );

    // Safe bins: a filter of stdin needs no entry; given a file, it is a miss.
    let file =
        json!({"version": 1, "agents": {"*": {"allowlist": [{"pattern": "/usr/bin/echo"}]}}});
    replace_approvals(&op, &node, file).await;
    let counted = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["sh", "-c", "echo one two three | wc -w"]}),
    )
    .await
    .unwrap();
    assert_eq!(counted["payload"]["stdout"], "3\n");
    let e = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["wc", "-w", "/etc/hostname"]}),
    )
    .await
    .unwrap_err();
    assert_eq!(message(&e), "SYSTEM_RUN_DENIED: allowlist miss");

    let path = node_proc.state.join("openclaw.json");
    let config = |args: &[&str]| {
        Command::new(openclaw_test_support::bin())
            .arg("config")
            .args(args)
            .env("OPENCLAW_CONFIG_PATH", &path)
            .output()
            .unwrap()
    };
    assert!(config(&["set", "tools.exec.mode", "ask"]).status.success());
    assert!(
        config(&["set", "tools.exec.safeBins", "[\"wc\", \"sort\"]"])
            .status
            .success()
    );
    let out = config(&["set", "tools.exec.mode", "yolo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "tools.exec.mode: Invalid option: expected one of \"deny\"|\"allowlist\"|\"ask\"|\"auto\"|\"full\""
    ));
    let out = config(&["set", "agents.entries.ops.tools.exec.security", "allowlist"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "agents.entries.ops.tools.exec.mode: mode cannot be combined with security or ask in the same exec object. Update the deploy script, template, or patch at this scope. The legacy policy is incomplete."
    ), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `tools.exec.strictInlineEval`: an interpreter given its program inline needs an explicit
/// approval, even under `security=full`, found through shells and wrappers; other runs go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_inline_eval_refuses_inline_programs_under_any_security() {
    let gw = GatewayProc::start();
    let config = json!({"tools": {"exec": {"strictInlineEval": true}}});
    let _node = NodeProc::start_in(&gw, "strict-node", config, &[]);
    let op = gw.operator().await;
    let node = pair(&op, "strict-node").await;
    for (command, what) in [
        (json!(["python3", "-c", "print(1)"]), "python3 -c"),
        (
            json!(["sh", "-c", "echo x && nice python3 -c 'print(1)'"]),
            "python3 -c",
        ),
        (
            json!(["sh", "-c", "echo . | xargs ls"]),
            "xargs inline command",
        ),
        (
            json!(["find", ".", "-maxdepth", "0", "-exec", "true", ";"]),
            "find -exec",
        ),
    ] {
        let e = invoke(&op, &node, "system.run", json!({"command": command}))
            .await
            .unwrap_err();
        assert_eq!(
            message(&e),
            format!("SYSTEM_RUN_DENIED: approval required ({what} requires explicit approval in strictInlineEval mode)"),
            "{command}"
        );
    }
    let run = invoke(
        &op,
        &node,
        "system.run",
        json!({"command": ["python3", "-V"]}),
    )
    .await
    .unwrap();
    assert_eq!(run["payload"]["exitCode"], 0);
}
