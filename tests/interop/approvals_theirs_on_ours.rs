//! The real node host and the real CLI on our gateway, through an exec approval: our
//! `nodes run` files the request and waits, the real `approvals pending|resolve` list and
//! answer it, our gateway forwards the approval and the real node host runs the command.
//! "Allow always" then leaves the same entries on the real node host as on ours.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use openclaw_test_support::bin;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::{pair_real_node, start_paired};
use openclaw_test_support::real::{self, text};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::approvals_cli::{said, wait};
use crate::ours_on_theirs::json_out;

/// The real CLI on loopback with the shared token connects without a device identity, so
/// the record names it by client id (the real gateway's `resolveApprovalResolver`).
const RESOLVER: &str = "runtime:cli";

const POLICY: &str =
    r#"{ version: 1, defaults: { security: "allowlist", ask: "on-miss", askFallback: "deny" } }"#;

/// Our `nodes run --ask on-miss -- uname -s` in `cwd` on `node`, for `agent` if given, left
/// running: it waits for an approval when the node's allowlist misses.
fn our_run(gw: &GatewayProc, node: &str, cwd: &Path, agent: Option<&str>) -> Child {
    let home = gw.dir.join("cli-home");
    let agent = agent.map(|a| ["--agent", a]);
    Command::new(bin())
        .args(["nodes", "run", "--node", node, "--ask", "on-miss", "--cwd"])
        .arg(cwd)
        .args(agent.iter().flatten())
        .args(["--url", &gw.url, "--token", TOKEN, "--", "uname", "-s"])
        .env("HOME", &home)
        .env("OPENCLAW_STATE_DIR", home.join(".openclaw"))
        .env_remove("OPENCLAW_GATEWAY_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The one approval the real CLI lists as pending, once `child` has filed it.
fn pending_one(real_cli: &dyn Fn(&[&str]) -> Output, child: &mut Child) -> Value {
    for _ in 0..60 {
        let listed = json_out(&real_cli(&["approvals", "pending", "--json"]));
        let list = listed["approvals"].as_array().unwrap();
        if let [one] = list.as_slice() {
            return one.clone();
        }
        assert!(list.is_empty(), "{listed}");
        if child.try_wait().unwrap().is_some() {
            let out = std::mem::replace(child, Command::new("true").spawn().unwrap());
            panic!(
                "`nodes run` ended unasked: {}",
                text(&out.wait_with_output().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("`nodes run` filed no approval");
}

/// The allow-always entries of a node's approvals, without what differs by node and time
/// (`id`, `lastUsedAt`), keyed by agent.
async fn always_entries(op: &openclaw_client::GatewayClient, node: &str) -> Value {
    let doc = op
        .request("exec.approvals.node.get", json!({"nodeId": node}))
        .await
        .unwrap();
    let mut agents = serde_json::Map::new();
    for (agent, entry) in doc["file"]["agents"].as_object().into_iter().flatten() {
        let kept: Vec<Value> = entry["allowlist"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| json!({"pattern": e["pattern"], "argPattern": e["argPattern"], "source": e["source"]}))
            .collect();
        agents.insert(agent.clone(), json!(kept));
    }
    Value::Object(agents)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `sha256:cwd-argv:v1:` over the directory and the arguments after the program, as the real
/// `buildCwdBoundHashedArgPattern` frames them.
fn cwd_argv(cwd: &Path, args: &[&str]) -> String {
    let field = |s: &str| format!("{}\0{s}\0", s.len());
    let cwd = cwd.to_str().unwrap();
    let mut subject = format!("{}\0{cwd}\0{}\0", cwd.len(), args.len());
    for arg in args {
        subject.push_str(&field(arg));
    }
    format!("sha256:cwd-argv:v1:{}", sha256_hex(subject.as_bytes()))
}

/// Approves the pending run of `child` with the real CLI; answers the run's exit code,
/// stdout and last line on stderr.
fn approve(
    real_cli: &dyn Fn(&[&str]) -> Output,
    mut child: Child,
    decision: &str,
) -> (Option<i32>, String, String) {
    let pending = pending_one(real_cli, &mut child);
    let id = pending["id"].as_str().unwrap().to_string();
    let resolved = real_cli(&["approvals", "resolve", &id, decision]);
    assert_eq!(
        said(&resolved),
        (
            Some(0),
            format!("Approval {id} resolved {decision} by {RESOLVER}.\n"),
            String::new()
        )
    );
    let (code, stdout, stderr) = said(&wait(child));
    assert!(
        stderr.starts_with(&format!("Approval required (id {id}).\n")),
        "{stderr}"
    );
    let last = stderr.lines().last().unwrap_or_default().to_string();
    (code, stdout, last)
}

/// For no named agent "allow always" is not offered (no node writes a grant for no agent):
/// the real CLI refuses it, and the run still waits.
fn always_not_offered(real_cli: &dyn Fn(&[&str]) -> Output, child: &mut Child) {
    let pending = pending_one(real_cli, child);
    let id = pending["id"].as_str().unwrap().to_string();
    let (code, _, stderr) = said(&real_cli(&["approvals", "resolve", &id, "allow-always"]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("Decision allow-always is not allowed for exec approvals"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_node_host_runs_what_the_real_cli_approved_on_our_gateway() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let real_home = tempfile::tempdir().unwrap();
    let cli_home = tempfile::tempdir().unwrap();
    let real_cli = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--url", &gw.url, "--token", TOKEN]);
        real::cli(cli_home.path(), &all)
    };
    let work_dir = tempfile::tempdir().unwrap();
    let work = std::fs::canonicalize(work_dir.path()).unwrap();
    // The node binds the plan to the program's real path: that is the command text shown.
    let uname = std::fs::canonicalize("/usr/bin/uname").unwrap();
    let command_text = format!("{} -s", uname.display());
    let linux = (
        Some(0),
        "Linux\n".to_string(),
        "Waiting for a decision...".to_string(),
    );

    let (_real_node, real_id) = pair_real_node(&gw, &op, real_home.path(), "real-asked").await;
    let set = real::cli_stdin(
        cli_home.path(),
        &[
            "approvals",
            "set",
            "--node",
            "real-asked",
            "--stdin",
            "--url",
            &gw.url,
            "--token",
            TOKEN,
        ],
        POLICY,
    );
    assert!(set.status.success(), "{}", text(&set));

    // Nothing pending: the real CLI reads all three kinds from our gateway.
    assert_eq!(
        said(&real_cli(&["approvals", "pending", "--json"])),
        (Some(0), "{\"approvals\":[]}\n".into(), String::new())
    );

    // Off the allowlist: our run files the request, the real CLI lists it and allows it once.
    let mut child = our_run(&gw, "real-asked", &work, None);
    let pending = pending_one(&real_cli, &mut child);
    let id = pending["id"].as_str().unwrap().to_string();
    let created = pending["createdAtMs"].as_u64().unwrap();
    assert_eq!(
        pending,
        json!({"id": id, "kind": "exec", "agentId": null, "sessionKey": null,
               "createdAtMs": created, "expiresAtMs": created + 1_800_000,
               "summary": command_text})
    );
    let table = String::from_utf8(real_cli(&["approvals", "pending"]).stdout).unwrap();
    assert!(table.starts_with("Pending approvals (1)\n"), "{table}");
    assert!(
        table.ends_with(&format!("Full request text\n{id}: {command_text}\n")),
        "{table}"
    );
    assert_eq!(approve(&real_cli, child, "allow-once"), linux);
    assert_eq!(always_entries(&op, &real_id).await, json!({}));

    // No agent, so no "allow always"; allowed once, the real node host writes nothing.
    let mut child = our_run(&gw, "real-asked", &work, None);
    always_not_offered(&real_cli, &mut child);
    assert_eq!(approve(&real_cli, child, "allow-once"), linux);
    assert_eq!(always_entries(&op, &real_id).await, json!({}));

    // For agent `main`: the real node host writes its entries and runs it.
    let child = our_run(&gw, "real-asked", &work, Some("main"));
    assert_eq!(approve(&real_cli, child, "allow-always"), linux);
    let theirs = always_entries(&op, &real_id).await;

    // The same on our node, through the same gateway and CLIs.
    let (_our_node, our_id) = start_paired(&gw, &op, "ours-asked", json!({})).await;
    let policy_file = gw.dir.join("policy.json5");
    std::fs::write(&policy_file, POLICY).unwrap();
    let set = gw.cli(&[
        "approvals",
        "set",
        "--node",
        "ours-asked",
        "--file",
        policy_file.to_str().unwrap(),
    ]);
    assert!(set.status.success(), "{}", text(&set));
    let mut child = our_run(&gw, "ours-asked", &work, None);
    always_not_offered(&real_cli, &mut child);
    assert_eq!(approve(&real_cli, child, "allow-once"), linux);
    assert_eq!(always_entries(&op, &our_id).await, json!({}));
    let child = our_run(&gw, "ours-asked", &work, Some("main"));
    assert_eq!(approve(&real_cli, child, "allow-always"), linux);
    let ours = always_entries(&op, &our_id).await;

    // The program's real path bound to this directory and these arguments, and the marker
    // for the command text.
    let marker = format!(
        "=node-command:{}",
        &sha256_hex(command_text.as_bytes())[..16]
    );
    let expected = json!({"main": [
        {"pattern": uname, "argPattern": cwd_argv(&work, &["-s"]), "source": "allow-always"},
        {"pattern": marker, "argPattern": null, "source": "allow-always"},
    ]});
    assert_eq!(theirs, expected, "the real node host's entries");
    assert_eq!(
        ours, theirs,
        "our node's entries differ from the real node host's"
    );

    // Durable on both: the same run for the same agent needs nobody now.
    for node in ["real-asked", "ours-asked"] {
        let out = wait(our_run(&gw, node, &work, Some("main")));
        assert_eq!(
            said(&out),
            (Some(0), "Linux\n".into(), String::new()),
            "{node}"
        );
    }
}
