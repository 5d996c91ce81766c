//! The added cost of an approved run over an allowlisted one, at the operator: our gateway with
//! our node host against the real gateway with the real node host (OpenClaw 2026.9.6 from npm,
//! installed into the interop cache), in one run and interleaved so that both meet the same
//! machine.
//!
//! Both nodes hold the same approvals: `security=allowlist`, `ask=on-miss`, the real path of
//! `uname` on the allowlist. Timed from the first request sent to the last answer received, on
//! one operator connection (the asker), each round and stack:
//! - allowlisted: `node.invoke system.run uname -s`;
//! - approved: `node.invoke system.run.prepare id -u`, `exec.approval.request` (two-phase: the
//!   interim `accepted`, then the decision), which a second operator connection (the approver,
//!   an approval client on both gateways) answers with `allow-once` as soon as it is shown the
//!   request, then `node.invoke system.run` of the plan with the approval. Allow-once every
//!   round, so nothing becomes durable.
//!
//! Both connections carry the shared token and no device identity, so both gateways bind the
//! approval to the asking connection. The same client code drives both stacks.
//!
//! Run: `cargo bench -p openclaw-cli --bench approved_run`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use openclaw_client::{connect, ConnectOptions, GatewayClient};
use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::bench::percentiles;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use openclaw_test_support::real::{self, RealProc};
use serde_json::{json, Value};

const ROUNDS: usize = 30;
const WARM_UPS: usize = 2;
const ADMIN: &str = "operator.admin";
const WRITE: &str = "operator.write";
const APPROVALS: &str = "operator.approvals";

fn main() {
    openclaw_test_support::bench::block_on(run());
}

/// One gateway with its node, and the two operator connections the sequence uses.
struct Stack {
    label: &'static str,
    node: String,
    asker: Asker,
    _approver: GatewayClient,
}

async fn run() {
    let work = tempfile::tempdir().unwrap();
    let cwd = std::fs::canonicalize(work.path()).unwrap();
    let uname = std::fs::canonicalize(which("uname")).unwrap();
    let approvals = json!({"version": 1,
        "defaults": {"security": "allowlist", "ask": "on-miss", "askFallback": "deny"},
        "agents": {"main": {"allowlist": [{"pattern": uname}]}}});

    // Ours: our gateway and our node host.
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_ours, our_id) = start_paired(&gw, &op, "bench-ours", json!({})).await;
    replace_approvals(&op, &our_id, approvals.clone()).await;
    op.close();

    // Theirs: the real gateway and the real node host, paired as a person would pair them.
    let real_home = tempfile::tempdir().unwrap();
    let port = real::free_port();
    let real_url = format!("ws://127.0.0.1:{port}");
    let _real_gw = real::gateway(real_home.path(), port, TOKEN, &[], json!({}));
    let real_op = operator_with(&real_url, &[ADMIN]).await;
    let node_home = tempfile::tempdir().unwrap();
    let (_real_node, real_id) =
        pair_real_node_on(&real_op, port, node_home.path(), "bench-real").await;
    replace_approvals(&real_op, &real_id, approvals).await;
    real_op.close();

    let mut stacks = [
        Stack {
            label: "our gateway + our node host",
            node: our_id,
            asker: Asker::connect(&gw.url).await,
            _approver: approver(&gw.url).await,
        },
        Stack {
            label: "real gateway + real node host",
            node: real_id,
            asker: Asker::connect(&real_url).await,
            _approver: approver(&real_url).await,
        },
    ];
    // SAFETY: getuid(2) cannot fail.
    let uid = format!("{}\n", unsafe { libc::getuid() });
    // [stack][allowlisted, approved]
    let mut samples = vec![[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]];
    for round in 0..WARM_UPS + ROUNDS {
        for (i, stack) in stacks.iter_mut().enumerate() {
            let started = Instant::now();
            let ran = allowlisted(&mut stack.asker, &stack.node, &cwd).await;
            let allowlisted_took = started.elapsed();
            check(stack.label, &ran, "Linux\n");

            let started = Instant::now();
            let ran = approved(&mut stack.asker, &stack.node, &cwd).await;
            let approved_took = started.elapsed();
            check(stack.label, &ran, &uid);

            // The first rounds warm both up.
            if round >= WARM_UPS {
                samples[i][0].push(allowlisted_took);
                samples[i][1].push(approved_took);
            }
        }
    }
    report(&stacks, samples);
}

/// `system.run` of a command on the node's allowlist: no one is asked.
async fn allowlisted(asker: &mut Asker, node: &str, cwd: &Path) -> Value {
    let params = json!({"command": ["uname", "-s"], "cwd": cwd, "agentId": "main"});
    asker.invoke(node, "system.run", params).await
}

/// A command off the allowlist, as the real exec tool runs it: prepare, ask, wait for the
/// decision, run the approved plan.
async fn approved(asker: &mut Asker, node: &str, cwd: &Path) -> Value {
    let prepare = json!({"command": ["id", "-u"], "cwd": cwd, "agentId": "main",
        "security": "allowlist", "ask": "on-miss"});
    let prepared = asker.invoke(node, "system.run.prepare", prepare).await;
    let plan = prepared["plan"].clone();
    assert!(plan["argv"].is_array(), "no plan in {prepared}");

    let id = uuid::Uuid::new_v4().to_string();
    let request = json!({"id": id, "host": "node", "nodeId": node, "systemRunPlan": plan,
        "cwd": plan["cwd"], "agentId": "main", "security": "allowlist", "ask": "on-miss",
        "timeoutMs": 60000, "twoPhase": true});
    let asked = asker.send("exec.approval.request", request).await;
    let accepted = asker.answer(&asked).await;
    assert_eq!(
        (
            accepted["status"].as_str(),
            accepted["deliveryRoute"].as_str()
        ),
        (Some("accepted"), Some("approval-client")),
        "{accepted}"
    );
    let decided = asker.answer(&asked).await;
    assert_eq!(decided["decision"], "allow-once", "{decided}");

    let run = json!({"command": plan["argv"], "rawCommand": plan["commandText"],
        "systemRunPlan": plan, "cwd": plan["cwd"], "agentId": "main", "approved": true,
        "approvalDecision": "allow-once", "runId": id});
    asker.invoke(node, "system.run", run).await
}

/// The command ran and printed `stdout`.
fn check(label: &str, ran: &Value, stdout: &str) {
    assert_eq!(
        (ran["exitCode"].as_i64(), ran["stdout"].as_str()),
        (Some(0), Some(stdout)),
        "{label}: {ran}"
    );
}

/// The asking operator: a raw socket, so that it reads both answers of a two-phase request.
struct Asker {
    conn: RawConn,
    sent: usize,
}

impl Asker {
    async fn connect(url: &str) -> Asker {
        let mut conn = RawConn::open(url).await;
        let hello = json!({"type": "req", "id": "c", "method": "connect", "params": {
            "minProtocol": 4, "maxProtocol": 4,
            "client": {"id": "cli", "mode": "cli", "version": "1", "platform": "linux"},
            "role": "operator", "scopes": [ADMIN, WRITE, APPROVALS], "auth": {"token": TOKEN},
        }});
        conn.send(hello.to_string()).await;
        let hello = conn
            .next_json_within(Duration::from_secs(30))
            .await
            .unwrap();
        assert_eq!(hello["ok"], true, "{hello}");
        Asker { conn, sent: 0 }
    }

    /// Sends a request; answers its id.
    async fn send(&mut self, method: &str, params: Value) -> String {
        self.sent += 1;
        let id = format!("r{}", self.sent);
        let frame = json!({"type": "req", "id": id, "method": method, "params": params});
        self.conn.send(frame.to_string()).await;
        id
    }

    /// The payload of the next answer to request `id`, skipping events.
    async fn answer(&mut self, id: &str) -> Value {
        loop {
            let frame = self
                .conn
                .next_json_within(Duration::from_secs(60))
                .await
                .expect("the socket stays open");
            if frame["type"] == "res" && frame["id"] == id {
                assert_eq!(frame["ok"], true, "{frame}");
                return frame["payload"].clone();
            }
        }
    }

    /// `node.invoke`; answers the node's payload.
    async fn invoke(&mut self, node: &str, command: &str, params: Value) -> Value {
        let key = uuid::Uuid::new_v4().to_string();
        let params = InvokeParams::new(node, command, params, key).to_value();
        let id = self.send("node.invoke", params).await;
        let answer = self.answer(&id).await;
        match &answer["payload"] {
            Value::Null => serde_json::from_str(answer["payloadJSON"].as_str().unwrap()).unwrap(),
            payload => payload.clone(),
        }
    }
}

/// The approving operator: an approval client on both gateways (`operator.approvals`, admin
/// to see others' requests, the `exec-approvals` cap), which allows once whatever it is shown.
async fn approver(url: &str) -> GatewayClient {
    let mut opts = ConnectOptions::operator(url, Some(TOKEN.into()), &[ADMIN, APPROVALS]);
    opts.caps = Some(vec!["exec-approvals".into()]);
    let (client, mut events) = connect(&opts).await.expect("the approver connects");
    let answering = client.clone();
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            if event.event != "exec.approval.requested" {
                continue;
            }
            let id = event.payload.unwrap_or_default()["id"].clone();
            let approver = answering.clone();
            tokio::spawn(async move {
                let resolve = json!({"id": id, "decision": "allow-once"});
                approver
                    .request("exec.approval.resolve", resolve)
                    .await
                    .expect("the approval resolves");
            });
        }
    });
    client
}

/// The real node host paired on the real gateway on `port`: its device, then (once it has
/// been started again: it pauses after its first refused connect) its surface.
async fn pair_real_node_on(
    op: &GatewayClient,
    port: u16,
    home: &Path,
    name: &str,
) -> (RealProc, String) {
    let port = port.to_string();
    let start = || real::node_host(home, &port, name, &[("OPENCLAW_GATEWAY_TOKEN", TOKEN)]);
    let first = start();
    let request = pending(op, "device.pair.list", name).await;
    op.request("device.pair.approve", json!({"requestId": request}))
        .await
        .unwrap();
    drop(first);
    let node = start();
    pending(op, "node.pair.list", name).await;
    let id = approve_surface(op, name).await;
    (node, id)
}

/// The id of `name`'s pending request in `list`; the real node host takes seconds to ask.
async fn pending(op: &GatewayClient, list: &str, name: &str) -> Value {
    poll_until(op, list, Duration::from_secs(90), |r| {
        let found = r["pending"]
            .as_array()?
            .iter()
            .find(|p| p["displayName"] == name)?;
        Some(found["requestId"].clone())
    })
    .await
}

/// `program` as the shell would find it on PATH.
fn which(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

/// p50/p99 of each kind per stack, and of the added cost: the approved run less the
/// allowlisted one of the same round, so that a hiccup of the machine in one round weighs on
/// both sides of its difference, not on one percentile.
fn report(stacks: &[Stack], samples: Vec<[Vec<Duration>; 2]>) {
    const KINDS: [&str; 2] = [
        "allowlisted run (system.run uname -s)",
        "approved run (prepare, request, resolve, run: id -u)",
    ];
    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    // [stack] = (approved - allowlisted) p50 and p99 in ms, from each round's pair.
    let added: Vec<(f64, f64)> = samples
        .iter()
        .map(|[allowlisted, approved]| {
            let mut diffs: Vec<f64> = approved
                .iter()
                .zip(allowlisted)
                .map(|(a, b)| ms(a) - ms(b))
                .collect();
            diffs.sort_by(f64::total_cmp);
            let pct = |p: f64| diffs[((diffs.len() as f64 * p) as usize).min(diffs.len() - 1)];
            (pct(0.5), pct(0.99))
        })
        .collect();
    // [stack][kind] = (p50 ms, p99 ms, n)
    let mut figures = Vec::new();
    for mut kinds in samples {
        let mut of_stack = Vec::new();
        for taken in kinds.iter_mut() {
            let (p50, p99) = percentiles(taken);
            of_stack.push((p50 / 1000.0, p99 / 1000.0, taken.len()));
        }
        figures.push(of_stack);
    }
    for (k, kind) in KINDS.iter().enumerate() {
        println!("{kind}, at the operator:");
        for (s, stack) in stacks.iter().enumerate() {
            let (p50, p99, n) = figures[s][k];
            println!(
                "  {:<30} n={n:<4} p50={p50:>8.2} ms  p99={p99:>8.2} ms",
                stack.label
            );
        }
    }
    println!("added cost of approval (approved - allowlisted, of the same round):");
    for (stack, (p50, p99)) in stacks.iter().zip(&added) {
        println!(
            "  {:<30}        p50={p50:>8.2} ms  p99={p99:>8.2} ms",
            stack.label
        );
    }
    println!(
        "real/ours: allowlisted p50 x{:.1}, approved p50 x{:.1}, added cost p50 x{:.1} p99 x{:.1}",
        figures[1][0].0 / figures[0][0].0,
        figures[1][1].0 / figures[0][1].0,
        added[1].0 / added[0].0,
        added[1].1 / added[0].1,
    );
}
