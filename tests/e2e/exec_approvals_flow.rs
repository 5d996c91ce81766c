//! The exec approval flow end to end through our gateway and our real node host: `nodes run`
//! asks and waits while another operator (or `openclaw approvals`) decides; a denial runs
//! nothing; a timeout goes only as far as the node's `askFallback`; allow-always writes the
//! node's cwd-bound grant; a pending approval survives a `kill -9` of the gateway; and the
//! ways to misuse an approval are refused by the gateway or the node.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use openclaw_client::{ClientError, Events, GatewayClient};
use openclaw_protocol::identity::DeviceIdentity;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const APPROVALS: &str = "operator.approvals";
const WRITE: &str = "operator.write";
const ADMIN: &str = "operator.admin";

/// Node approvals under which a miss asks, and a timeout falls back to `fallback`.
fn asking(fallback: &str) -> Value {
    json!({"version": 1,
           "defaults": {"security": "allowlist", "ask": "on-miss", "askFallback": fallback}})
}

/// A node of ours on `gw`, paired, with `approvals`.
async fn node_with(
    gw: &GatewayProc,
    op: &GatewayClient,
    name: &str,
    approvals: Value,
) -> (NodeProc, String) {
    let (node, id) = start_paired(gw, op, name, json!({})).await;
    replace_approvals(op, &id, approvals).await;
    (node, id)
}

/// `openclaw nodes run ARGS` as a process of its own: it waits as long as the approval does.
fn nodes_run(gw: &GatewayProc, args: &[&str]) -> Child {
    Command::new(openclaw_test_support::bin())
        .args(["nodes", "--url", &gw.url, "--token", TOKEN, "run"])
        .args(args)
        .env("OPENCLAW_STATE_DIR", &gw.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The exit code, stdout and stderr of a finished run.
async fn finished(child: Child) -> (Option<i32>, String, String) {
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .expect("`nodes run` finished")
    .unwrap()
    .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).to_string();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The next `exec.approval.requested` payload.
async fn requested(events: &mut Events) -> Value {
    tokio::time::timeout(WAIT * 2, events.wait_for("exec.approval.requested"))
        .await
        .expect("an approval was asked")
        .unwrap()
        .payload
        .unwrap()
}

/// No approval was asked (after the others had time to be).
async fn none_asked(events: &mut Events) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Some(ev) = events.try_next() {
        assert_ne!(ev.event, "exec.approval.requested");
    }
}

/// The plan the node prepares for `argv`.
async fn prepare(op: &GatewayClient, node: &str, argv: &[&str]) -> Value {
    call(op, node, "system.run.prepare", json!({ "command": argv })).await["plan"].clone()
}

/// Files an approval request for `plan` on `node`, as the exec tool does; answers its id.
async fn ask(asker: &GatewayClient, node: &str, plan: &Value, timeout_ms: u64) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let request = json!({"id": id, "host": "node", "nodeId": node, "systemRunPlan": plan,
                         "timeoutMs": timeout_ms, "twoPhase": true});
    let accepted = asker
        .request("exec.approval.request", request)
        .await
        .unwrap();
    assert_eq!(accepted["status"], "accepted", "{accepted}");
    id
}

async fn resolve(reviewer: &GatewayClient, id: &str, decision: &str) {
    let ok = reviewer
        .request(
            "exec.approval.resolve",
            json!({"id": id, "decision": decision}),
        )
        .await
        .unwrap();
    assert_eq!(ok, json!({"ok": true}));
}

/// `system.run` of `plan` with `extra` (the approval fields), as the exec tool sends it.
async fn run_plan(
    asker: &GatewayClient,
    node: &str,
    plan: &Value,
    extra: Value,
) -> Result<Value, ClientError> {
    let mut params = json!({"command": plan["argv"], "rawCommand": plan["commandText"],
                            "systemRunPlan": plan, "cwd": plan["cwd"], "agentId": plan["agentId"],
                            "sessionKey": plan["sessionKey"], "suppressNotifyOnExit": true});
    let fields = params.as_object_mut().unwrap();
    fields.extend(extra.as_object().unwrap().clone());
    invoke(asker, node, "system.run", params).await
}

fn allow_once(id: &str) -> Value {
    json!({"approved": true, "approvalDecision": "allow-once", "runId": id})
}

/// The gateway's refusal of an approval: `(message, details.code)`, its `runId` checked.
fn guard(e: &ClientError, run_id: &str) -> (String, String) {
    let shape = e.error_shape().expect("an error reply");
    assert_eq!(shape.code, "INVALID_REQUEST", "{e}");
    let d = details(e);
    assert_eq!(d["runId"], run_id, "{d}");
    (
        shape.message.clone(),
        d["code"].as_str().unwrap().to_string(),
    )
}

/// A path in `dir` the tests touch to see whether a command ran.
fn marker(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let text = path.to_str().unwrap().to_string();
    (path, text)
}

/// A miss makes `nodes run` ask and wait; another operator sees the request and allows it
/// once, and the run prints what the node ran. Then the same with `openclaw approvals
/// pending|resolve`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_run_asks_and_runs_what_another_operator_allows() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_node, node_id) = node_with(&gw, &op, "ask-node", asking("deny")).await;
    let (reviewer, mut events) = operator_proving(&gw.url, &[APPROVALS, ADMIN], None).await;

    let child = nodes_run(
        &gw,
        &[
            "--node", "ask-node", "--ask", "on-miss", "--", "uname", "-s",
        ],
    );
    let asked = requested(&mut events).await;
    let id = asked["id"].as_str().unwrap().to_string();
    let request = &asked["request"];
    // The node pins the program it resolved; the command shown is the one that runs.
    let uname = real_path("uname");
    let command = format!("{uname} -s");
    assert_eq!(asked["approvalKind"], "exec");
    assert_eq!(request["command"], command.as_str());
    assert_eq!(request["host"], "node");
    assert_eq!(request["nodeId"], node_id.as_str());
    assert_eq!(request["systemRunPlan"]["argv"], json!([uname, "-s"]));
    // Our CLI proves no device, so its record is its connection's: an approvals-only
    // operator elsewhere does not see it, an admin does.
    let (stranger, _) = operator_proving(&gw.url, &[APPROVALS], None).await;
    let unseen = stranger
        .request("exec.approval.list", json!({}))
        .await
        .unwrap();
    assert_eq!(unseen, json!([]));
    let listed = reviewer
        .request("exec.approval.list", json!({}))
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["request"]["command"], command.as_str());
    resolve(&reviewer, &id, "allow-once").await;
    let (code, stdout, stderr) = finished(child).await;
    assert_eq!((code, stdout.as_str()), (Some(0), "Linux\n"), "{stderr}");
    assert!(
        stderr.contains(&format!("Approval required (id {id}).")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            // No agent named: no node writes an "always" for none, so it is not offered.
            "Resolve with: openclaw approvals resolve {id} allow-once|deny"
        )),
        "{stderr}"
    );
    let resolved = events.wait_for("exec.approval.resolved").await.unwrap();
    let p = resolved.payload.unwrap();
    assert_eq!(
        (&p["id"], &p["decision"]),
        (&json!(id), &json!("allow-once"))
    );

    // The same, answered with our CLI.
    let child = nodes_run(
        &gw,
        &[
            "--node", "ask-node", "--ask", "on-miss", "--", "uname", "-s",
        ],
    );
    let asked = requested(&mut events).await;
    let id = asked["id"].as_str().unwrap().to_string();
    let out = gw.cli(&["approvals", "pending", "--json"]);
    let pending: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        pending,
        json!({"approvals": [{"id": id, "kind": "exec", "agentId": null, "sessionKey": null,
                              "createdAtMs": asked["createdAtMs"],
                              "expiresAtMs": asked["expiresAtMs"], "summary": command}]})
    );
    let out = gw.cli(&["approvals", "resolve", &id, "allow-once"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("Approval {id} resolved allow-once by runtime:cli.\n")
    );
    let (code, stdout, stderr) = finished(child).await;
    assert_eq!((code, stdout.as_str()), (Some(0), "Linux\n"), "{stderr}");
    let out = gw.cli(&["approvals", "pending"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "No pending approvals.\n"
    );
}

/// A denial ends the run with the real exec tool's line, and the node runs nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_run_never_reaches_the_program() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_node, node_id) = node_with(&gw, &op, "deny-node", asking("deny")).await;
    let (reviewer, mut events) = operator_proving(&gw.url, &[APPROVALS, ADMIN], None).await;
    let dir = tempfile::tempdir().unwrap();
    let (touched, path) = marker(dir.path(), "touched");

    let child = nodes_run(
        &gw,
        &[
            "--node",
            "deny-node",
            "--ask",
            "on-miss",
            "--",
            "touch",
            &path,
        ],
    );
    let id = requested(&mut events).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    resolve(&reviewer, &id, "deny").await;
    let (code, stdout, stderr) = finished(child).await;
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    assert_eq!(
        stderr.lines().last(),
        Some(
            format!(
                "Exec denied (node={node_id} id={id}, user-denied): {} {path}",
                real_path("touch")
            )
            .as_str()
        ),
        "{stderr}"
    );
    assert!(!touched.exists(), "the node ran a denied command");
}

/// Nobody answers: an ask-fallback run goes only as far as the node's own `askFallback`:
/// `deny` runs nothing, `allowlist` runs only what is on it, `full` runs even where the
/// node's policy always asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_runs_only_as_far_as_the_nodes_fallback() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (asker, _) = operator_proving(&gw.url, &[WRITE, APPROVALS], None).await;
    let (_reviewer, _) = operator_proving(&gw.url, &[APPROVALS, ADMIN], None).await;
    let dir = tempfile::tempdir().unwrap();
    let (touched, path) = marker(dir.path(), "touched");
    // Asks, lets the approval time out, then runs under the fallback.
    let timed_out = |node: String, argv: Vec<String>| {
        let asker = asker.clone();
        async move {
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            let plan = prepare(&asker, &node, &argv).await;
            let id = ask(&asker, &node, &plan, 500).await;
            let waited = asker
                .request("exec.approval.waitDecision", json!({ "id": id }))
                .await
                .unwrap();
            assert_eq!(waited["decision"], Value::Null);
            let fallback = json!({"approvalSource": "ask-fallback", "runId": id});
            run_plan(&asker, &node, &plan, fallback).await
        }
    };
    let touch = vec!["touch".to_string(), path.clone()];
    let uname = vec!["uname".to_string(), "-s".to_string()];

    let (_deny, node) = node_with(&gw, &op, "fallback-deny", asking("deny")).await;
    let e = timed_out(node, touch.clone()).await.unwrap_err();
    assert_eq!(
        message(&e),
        "SYSTEM_RUN_DENIED: SYSTEM_RUN_DISABLED: security=deny"
    );

    let (_allowlist, node) = node_with(&gw, &op, "fallback-list", asking("allowlist")).await;
    let e = timed_out(node.clone(), touch.clone()).await.unwrap_err();
    assert_eq!(message(&e), "SYSTEM_RUN_DENIED: allowlist miss");
    let mut listed = asking("allowlist");
    listed["agents"] = json!({"*": {"allowlist": [{"pattern": real_path("uname")}]}});
    replace_approvals(&op, &node, listed).await;
    let ran = timed_out(node, uname).await.unwrap();
    assert_eq!(ran["payload"]["stdout"], "Linux\n");

    let always = json!({"version": 1,
                        "defaults": {"security": "full", "ask": "always", "askFallback": "full"}});
    let (_full, node) = node_with(&gw, &op, "fallback-full", always).await;
    let e = invoke(&op, &node, "system.run", json!({"command": touch}))
        .await
        .unwrap_err();
    assert_eq!(message(&e), "SYSTEM_RUN_DENIED: approval required");
    assert!(!touched.exists());
    let ran = timed_out(node, touch).await.unwrap();
    assert_eq!(ran["payload"]["exitCode"], 0);
    assert!(touched.exists(), "the full fallback ran the command");
}

/// The real path of `program` on PATH, as the node names it in its allowlist.
fn real_path(program: &str) -> String {
    let path = std::env::var_os("PATH").unwrap();
    let found = std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap();
    std::fs::canonicalize(found)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string()
}

/// Allow-always writes the node's grant for the program, its arguments and the directory,
/// plus the command marker; the same command in the same directory runs unasked after, in
/// another directory it asks again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_always_grants_the_command_in_its_directory() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_node, node_id) = node_with(&gw, &op, "always-node", asking("deny")).await;
    let (reviewer, mut events) = operator_proving(&gw.url, &[APPROVALS, ADMIN], None).await;
    let expected = Command::new("uname").arg("-a").output().unwrap().stdout;
    let expected = String::from_utf8(expected).unwrap();
    let run_in = |cwd: &str| {
        nodes_run(
            &gw,
            &[
                "--node",
                "always-node",
                "--cwd",
                cwd,
                "--agent",
                "main",
                "--ask",
                "on-miss",
                "--",
                "uname",
                "-a",
            ],
        )
    };

    let child = run_in("/tmp");
    let asked = requested(&mut events).await;
    assert_eq!(
        asked["request"]["allowedDecisions"],
        json!(["allow-once", "allow-always", "deny"])
    );
    let id = asked["id"].as_str().unwrap().to_string();
    let out = gw.cli(&["approvals", "resolve", &id, "allow-always"]);
    assert!(out.status.success(), "{:?}", out);
    let (code, stdout, stderr) = finished(child).await;
    assert_eq!((code, stdout), (Some(0), expected.clone()), "{stderr}");

    let got = op
        .request("exec.approvals.node.get", json!({ "nodeId": node_id }))
        .await
        .unwrap();
    let entries = got["file"]["agents"]["main"]["allowlist"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let shown: Vec<Value> = entries
        .iter()
        .map(|e| {
            assert!(e["id"].is_string() && e["lastUsedAt"].is_u64(), "{e}");
            json!({"pattern": e["pattern"], "argPattern": e["argPattern"], "source": e["source"]})
        })
        .collect();
    // The argument hash is the real node host's own for `uname -a` in /tmp (spec, observed);
    // the marker hashes the command text, program pinned to its real path.
    let uname = real_path("uname");
    let text = format!("{uname} -a");
    let marker = openclaw_protocol::identity::hex(&Sha256::digest(text.as_bytes()));
    assert_eq!(
        shown,
        [
            json!({"pattern": uname,
                   "argPattern": "sha256:cwd-argv:v1:98939279b22ad6019c3e6467b3a5309b70bebdb6f3e75a229b4b62f6719d170b",
                   "source": "allow-always"}),
            json!({"pattern": format!("=node-command:{}", &marker[..16]), "argPattern": null,
                   "source": "allow-always"}),
        ]
    );

    let (code, stdout, stderr) = finished(run_in("/tmp")).await;
    assert_eq!((code, stdout), (Some(0), expected), "{stderr}");
    assert!(!stderr.contains("Approval required"), "{stderr}");
    none_asked(&mut events).await;

    let child = run_in("/");
    let asked = requested(&mut events).await;
    assert_eq!(asked["request"]["cwd"], "/");
    resolve(&reviewer, asked["id"].as_str().unwrap(), "deny").await;
    assert_eq!(finished(child).await.0, Some(1));
}

/// `kill -9` of the gateway with an approval pending: the node comes back by itself, the
/// approval is still listed, another operator allows it, and the asker's device runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_pending_across_a_gateway_crash_still_runs() {
    let mut gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_node, node_id) = node_with(&gw, &op, "crash-node", asking("deny")).await;
    let device = DeviceIdentity::generate();
    let (asker, _) = operator_proving(&gw.url, &[WRITE, APPROVALS], Some(&device)).await;
    let (_reviewer, _) = operator_proving(&gw.url, &[APPROVALS, ADMIN], None).await;
    let dir = tempfile::tempdir().unwrap();
    let (touched, path) = marker(dir.path(), "after-crash");
    let plan = prepare(&asker, &node_id, &["touch", &path]).await;
    let id = ask(&asker, &node_id, &plan, 600_000).await;
    let before = asker
        .request("exec.approval.list", json!({}))
        .await
        .unwrap();
    assert_eq!(before[0]["id"], id.as_str());

    gw.crash_and_restart();
    let admin = gw.operator().await;
    poll_until(&admin, "node.list", WAIT * 3, |r| {
        r["nodes"]
            .as_array()?
            .iter()
            .find(|n| n["nodeId"] == node_id.as_str() && n["connected"] == true)
            .map(|_| Value::Null)
    })
    .await;
    let after = admin
        .request("exec.approval.list", json!({}))
        .await
        .unwrap();
    assert_eq!(after, before);
    let (reviewer, _) = operator_proving(&gw.url, &[APPROVALS, ADMIN], None).await;
    resolve(&reviewer, &id, "allow-once").await;
    assert!(!touched.exists());
    let (asker, _) = operator_proving(&gw.url, &[WRITE, APPROVALS], Some(&device)).await;
    let ran = run_plan(&asker, &node_id, &plan, allow_once(&id))
        .await
        .unwrap();
    assert_eq!(ran["payload"]["exitCode"], 0);
    assert!(touched.exists(), "the approved command ran");
}

/// Misuse of an approval with the real node: a replayed allow-once, another argv, another
/// node, a tampered plan, a reviewer without `operator.approvals`, a node that asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_runs_what_was_approved_once_and_nothing_else() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_node, node_id) = node_with(&gw, &op, "guarded-node", asking("deny")).await;
    let (_other, other_id) = node_with(&gw, &op, "other-node", asking("deny")).await;
    let (asker, _) = operator_proving(&gw.url, &[WRITE, APPROVALS], None).await;
    let (reviewer, _) = operator_proving(&gw.url, &[APPROVALS, ADMIN], None).await;
    let dir = tempfile::tempdir().unwrap();
    let (approved, approved_path) = marker(dir.path(), "approved");
    let (sneaky, sneaky_path) = marker(dir.path(), "sneaky");

    // A tampered plan in the invoke: the node runs the approved one.
    let plan = prepare(&asker, &node_id, &["touch", &approved_path]).await;
    let id = ask(&asker, &node_id, &plan, 60_000).await;
    resolve(&reviewer, &id, "allow-once").await;
    let mut tampered = plan.clone();
    tampered["argv"] = json!(["touch", sneaky_path]);
    tampered["commandText"] = json!(format!("touch {sneaky_path}"));
    let mut extra = allow_once(&id);
    extra["systemRunPlan"] = tampered;
    let ran = run_plan(&asker, &node_id, &plan, extra).await.unwrap();
    assert_eq!(ran["payload"]["exitCode"], 0);
    assert!(approved.exists() && !sneaky.exists());

    // Replayed: spent, and the command does not run again.
    std::fs::remove_file(&approved).unwrap();
    let e = run_plan(&asker, &node_id, &plan, allow_once(&id))
        .await
        .unwrap_err();
    assert_eq!(
        guard(&e, &id),
        ("approval required".into(), "APPROVAL_REQUIRED".into())
    );
    assert!(!approved.exists(), "a spent allow-once ran again");

    // Another argv, another node.
    let id = ask(&asker, &node_id, &plan, 60_000).await;
    resolve(&reviewer, &id, "allow-once").await;
    let other_plan = prepare(&asker, &node_id, &["touch", &sneaky_path]).await;
    let e = run_plan(&asker, &node_id, &other_plan, allow_once(&id))
        .await
        .unwrap_err();
    assert_eq!(
        guard(&e, &id),
        (
            "approval id does not match request".into(),
            "APPROVAL_REQUEST_MISMATCH".into()
        )
    );
    let e = run_plan(&asker, &other_id, &plan, allow_once(&id))
        .await
        .unwrap_err();
    assert_eq!(
        guard(&e, &id),
        (
            "approval id not valid for this node".into(),
            "APPROVAL_NODE_MISMATCH".into()
        )
    );
    assert!(!approved.exists() && !sneaky.exists());

    // Only approvals resolve; a node never asks.
    let id = ask(&asker, &node_id, &plan, 60_000).await;
    let (writer, _) = operator_proving(&gw.url, &[WRITE], None).await;
    let e = writer
        .request(
            "exec.approval.resolve",
            json!({"id": id, "decision": "allow-once"}),
        )
        .await
        .unwrap_err();
    let shape = e.error_shape().unwrap();
    assert_eq!(
        (shape.code.as_str(), shape.message.as_str()),
        ("FORBIDDEN", "missing scope: operator.approvals")
    );
    let (node_conn, _) = paired_node(&gw, &DeviceIdentity::generate(), &["system.run"]).await;
    let request = json!({"host": "node", "nodeId": node_id, "systemRunPlan": plan});
    let e = node_conn
        .request("exec.approval.request", request)
        .await
        .unwrap_err();
    assert_eq!(e.error_shape().unwrap().message, "unauthorized role: node");
}

/// `nodes run` on a terminal, holding `operator.approvals`, asks there itself: the answer
/// typed is the decision (`script` gives the CLI a terminal).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_nodes_run_asks_itself() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_node, _) = node_with(&gw, &op, "tty-node", asking("deny")).await;
    let marker = gw.dir.join("made");
    for (answer, code, said) in [("d", 1, "user-denied"), ("o", 0, "")] {
        let cli = format!(
            "{} nodes --url {} --token {TOKEN} run --node tty-node --ask on-miss -- touch {}",
            openclaw_test_support::bin().display(),
            gw.url,
            marker.display()
        );
        let mut child = Command::new("script")
            .args(["-qefc", &cli, "/dev/null"])
            .env("OPENCLAW_STATE_DIR", &gw.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let seen = tokio::task::spawn_blocking(move || {
            use std::io::{Read, Write};
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            let question = b"Allow once [o] or deny [d]? ";
            while !seen.windows(question.len()).any(|w| w == question) {
                let n = stdout.read(&mut buf).unwrap();
                assert!(n > 0, "no question: {}", String::from_utf8_lossy(&seen));
                seen.extend_from_slice(&buf[..n]);
            }
            writeln!(stdin, "{answer}").unwrap();
            stdout.read_to_end(&mut seen).ok();
            String::from_utf8_lossy(&seen).to_string()
        });
        let seen = tokio::time::timeout(Duration::from_secs(60), seen)
            .await
            .expect("the run ended")
            .unwrap();
        assert_eq!(child.wait().unwrap().code(), Some(code), "{seen}");
        assert!(seen.contains(said), "{seen}");
        assert_eq!(marker.exists(), answer == "o", "{seen}");
    }
}
