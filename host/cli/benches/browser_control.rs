//! Browser control round trips through our gateway, on our node host and on the real node host
//! (OpenClaw 2026.9.6 from npm), in one run and interleaved: `GET /snapshot` (the default `ai`
//! format) of the test page, and a click on a ref followed by the snapshot an agent takes next.
//! Timed at the operator, from the `node.invoke` sent to its answer received.
//!
//! Run: `cargo bench -p openclaw-cli --bench browser_control`

use std::time::Instant;

use openclaw_test_support::bench::percentiles;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use openclaw_test_support::pages::Pages;
use serde_json::{json, Value};

const ROUNDS: usize = 30;

fn main() {
    openclaw_test_support::bench::block_on(run());
}

async fn proxy(op: &openclaw_client::GatewayClient, node: &str, params: Value) -> Value {
    let mut params = params;
    params["errorEnvelope"] = json!("browser-v1");
    let answer = call(op, node, "browser.proxy", params).await;
    assert!(answer.get("error").is_none(), "{answer}");
    answer["result"].clone()
}

async fn snapshot(op: &openclaw_client::GatewayClient, node: &str) -> Value {
    proxy(op, node, json!({"path": "/snapshot"})).await
}

/// The ref of the Subscribe checkbox, which a click toggles without leaving the page.
fn checkbox(snapshot: &Value) -> String {
    let refs = snapshot["refs"].as_object().expect("refs");
    refs.iter()
        .find(|(_, v)| v["role"] == "checkbox" && v["name"] == "Subscribe")
        .map(|(r, _)| r.clone())
        .unwrap_or_else(|| panic!("no checkbox in {}", snapshot["snapshot"]))
}

async fn run() {
    let pages = Pages::start();
    let gw = GatewayProc::start_with(default_config(), &[], &[]);
    let op = gw.operator().await;
    let (_ours, our_id) = start_paired_in(&gw, &op, "bench-ours", json!({}), &[]).await;

    let real_home = tempfile::tempdir().unwrap();
    openclaw_test_support::real::write_browser_node_config(real_home.path());
    let (_real, real_id) = pair_real_node(&gw, &op, real_home.path(), "bench-real").await;

    let nodes = [("ours", our_id), ("real", real_id)];
    for (_, node) in &nodes {
        proxy(&op, node, json!({"method": "POST", "path": "/tabs/open", "body": {"url": format!("{}/", pages.base)}})).await;
        // The page loads before the timing starts.
        proxy(&op, node, json!({"method": "POST", "path": "/act", "body": {"kind": "wait", "text": "Browser test"}})).await;
    }
    let mut snapshots = vec![Vec::new(), Vec::new()];
    let mut clicks = vec![Vec::new(), Vec::new()];
    for round in 0..ROUNDS + 2 {
        for (i, (_, node)) in nodes.iter().enumerate() {
            let started = Instant::now();
            let taken = snapshot(&op, node).await;
            let snap_took = started.elapsed();
            let target = checkbox(&taken);
            let started = Instant::now();
            proxy(
                &op,
                node,
                json!({"method": "POST", "path": "/act", "body": {"kind": "click", "ref": target}}),
            )
            .await;
            let after = snapshot(&op, node).await;
            let click_took = started.elapsed();
            assert!(after["snapshot"]
                .as_str()
                .unwrap()
                .contains("checkbox \"Subscribe\""));
            // The first two rounds warm both up.
            if round >= 2 {
                snapshots[i].push(snap_took);
                clicks[i].push(click_took);
            }
        }
    }
    for (what, samples) in [("snapshot (ai)", snapshots), ("click + snapshot", clicks)] {
        for ((label, _), mut taken) in nodes.iter().zip(samples) {
            let (p50, p99) = percentiles(&mut taken);
            println!(
                "browser.proxy {what:<17} via our gateway, {label} node host  n={:<3} p50={:>7.1} ms  p99={:>7.1} ms",
                taken.len(),
                p50 / 1000.0,
                p99 / 1000.0
            );
        }
    }
    for (_, node) in &nodes {
        proxy(&op, node, json!({"method": "POST", "path": "/stop"})).await;
    }
}
