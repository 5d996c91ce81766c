//! `mcp.tools.call.v1` of a trivial tool (`add` on the small server built on the official
//! Python SDK, over stdio) through our gateway, on our node host and on the real node host
//! (OpenClaw 2026.9.6 from npm), in one run and interleaved so that both meet the same
//! machine. Timed at the operator: request sent to the gateway's answer received.
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

async fn published(op: &openclaw_client::GatewayClient, node: &str) {
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
        if tools.iter().any(|t| t["name"] == "py_add") {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{node} never published py_add"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn run() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let config =
        json!({"nodeHost": {"mcp": {"servers": {"py": mcp_servers::python_stdio(json!({}))}}}});
    let (_ours, our_id) = start_paired(&gw, &op, "bench-ours", config.clone()).await;
    let real_home = tempfile::tempdir().unwrap();
    real::write_config(real_home.path(), &config);
    let (_real, real_id) = pair_real_node(&gw, &op, real_home.path(), "bench-real").await;
    published(&op, &our_id).await;
    published(&op, &real_id).await;

    let targets = [("ours", our_id), ("real", real_id)];
    let mut samples = vec![Vec::new(), Vec::new()];
    let params = json!({"server": "py", "tool": "add", "arguments": {"a": 2, "b": 3}});
    for round in 0..ROUNDS + 20 {
        for (i, (_, node)) in targets.iter().enumerate() {
            let started = Instant::now();
            let reply = invoke(&op, node, "mcp.tools.call.v1", params.clone())
                .await
                .unwrap_or_else(|e| panic!("{node}: {}", message(&e)));
            let took = started.elapsed();
            let payload: Value = match &reply["payload"] {
                Value::Null => {
                    serde_json::from_str(reply["payloadJSON"].as_str().unwrap()).unwrap()
                }
                p => p.clone(),
            };
            assert_eq!(payload["structuredContent"], json!({"result": 5}));
            // The first rounds warm both up.
            if round >= 20 {
                samples[i].push(took);
            }
        }
    }
    for ((label, _), mut taken) in targets.into_iter().zip(samples) {
        let (p50, p99) = percentiles(&mut taken);
        println!(
            "mcp.tools.call.v1 add via our gateway, {label} node host  n={:<4} p50={:>8.1} us  p99={:>8.1} us",
            taken.len(),
            p50,
            p99
        );
    }
}
