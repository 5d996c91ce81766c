//! `mcp.tools.call.v1` of a trivial tool through our gateway, on our node host and on the real
//! node host (OpenClaw 2026.9.6 from npm), in one run and interleaved so that both meet the
//! same machine. Two servers over stdio, one per node: `echo` on the reference server
//! (TypeScript SDK) and `add` on a small server on the official Python SDK. Timed at the
//! operator: request sent to the gateway's answer received.
//!
//! Run: `cargo bench -p openclaw-cli --bench mcp_call`

use std::time::{Duration, Instant};

use openclaw_test_support::bench::percentiles;
use openclaw_test_support::gateway::*;
use openclaw_test_support::mcp_servers;
use openclaw_test_support::node::*;
use openclaw_test_support::real;
use serde_json::{json, Value};

const ROUNDS: usize = 300;

fn main() {
    openclaw_test_support::bench::block_on(run());
}

async fn published(op: &openclaw_client::GatewayClient, node: &str, tool: &str) {
    let started = Instant::now();
    loop {
        let described = op
            .request("node.describe", json!({"nodeId": node}))
            .await
            .unwrap();
        let tools = described["nodePluginTools"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if tools.iter().any(|t| t["name"] == tool) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{node} never published {tool}: {}",
            described["nodePluginTools"]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One server, its tool, the arguments, and the text the result starts with.
struct Case {
    label: &'static str,
    server: Value,
    tool: &'static str,
    arguments: Value,
    answer: &'static str,
}

async fn run() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let cases = [
        Case {
            label: "echo on the reference server (TypeScript SDK)",
            server: mcp_servers::everything_stdio(),
            tool: "echo",
            arguments: json!({"message": "5"}),
            answer: "Echo: 5",
        },
        Case {
            label: "add on a Python SDK server           ",
            server: mcp_servers::python_stdio(json!({})),
            tool: "add",
            arguments: json!({"a": 2, "b": 3}),
            answer: "5",
        },
    ];
    for (n, case) in cases.iter().enumerate() {
        // One server per node: the server's name is the tool's prefix.
        let config = json!({"nodeHost": {"mcp": {"servers": {"s": case.server}}}});
        let ours = format!("bench-ours-{n}");
        let (_ours, our_id) = start_paired(&gw, &op, &ours, config.clone()).await;
        let real_home = tempfile::tempdir().unwrap();
        real::write_config(real_home.path(), &config);
        let real_name = format!("bench-real-{n}");
        let (_real, real_id) = pair_real_node(&gw, &op, real_home.path(), &real_name).await;
        let published_name = format!("s_{}", case.tool);
        published(&op, &our_id, &published_name).await;
        published(&op, &real_id, &published_name).await;

        let params = json!({"server": "s", "tool": case.tool, "arguments": case.arguments});
        let targets = [("ours", &our_id), ("real", &real_id)];
        let mut samples = vec![Vec::new(), Vec::new()];
        for round in 0..ROUNDS + 20 {
            for (i, (_, node)) in targets.iter().enumerate() {
                let started = Instant::now();
                let reply = invoke(&op, node, "mcp.tools.call.v1", params.clone())
                    .await
                    .unwrap_or_else(|e| panic!("{node}: {}", message(&e)));
                let took = started.elapsed();
                assert_eq!(text(&reply), case.answer);
                // The first rounds warm both up.
                if round >= 20 {
                    samples[i].push(took);
                }
            }
        }
        for ((node, _), mut taken) in targets.into_iter().zip(samples) {
            let (p50, p99) = percentiles(&mut taken);
            println!(
                "mcp.tools.call.v1 {} via our gateway, {node} node host  n={:<4} p50={:>8.1} us  p99={:>8.1} us",
                case.label,
                taken.len(),
                p50,
                p99
            );
        }
    }
}

/// The first text of the tool's result.
fn text(reply: &Value) -> String {
    let payload: Value = match &reply["payload"] {
        Value::Null => serde_json::from_str(reply["payloadJSON"].as_str().unwrap()).unwrap(),
        p => p.clone(),
    };
    payload["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
