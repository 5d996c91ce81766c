//! `node.invoke` through the gateway to an in-process node over loopback WebSockets.
//! Prints p50/p99 round trip and invokes per second with 1 and with 64 calls in flight.
//!
//! Run: `cargo bench -p openclaw-gateway --bench invoke`

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::bench::percentiles;
use serde_json::json;
use support::{gateway_config, operator_and_node, COMMAND};

fn main() {
    openclaw_test_support::bench::block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = openclaw_gateway::start(gateway_config(dir.path().to_path_buf()))
        .await
        .unwrap();
    let (op, node_id) = operator_and_node(&gateway.url()).await;

    let params =
        |key: String| InvokeParams::new(&node_id, COMMAND, json!({"n": 1}), key).to_value();
    let seq = Arc::new(AtomicU64::new(0));
    // Warm up.
    for _ in 0..2_000 {
        op.request("node.invoke", params(next_key(&seq)))
            .await
            .unwrap();
    }
    for in_flight in [1usize, 64] {
        let total = if in_flight == 1 { 20_000 } else { 100_000 };
        let per_task = total / in_flight;
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..in_flight {
            let op = op.clone();
            let seq = seq.clone();
            let node_id = node_id.clone();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let p = InvokeParams::new(&node_id, COMMAND, json!({"n": 1}), next_key(&seq))
                        .to_value();
                    let t = Instant::now();
                    op.request("node.invoke", p).await.unwrap();
                    lat.push(t.elapsed());
                }
                lat
            }));
        }
        let mut all: Vec<Duration> = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let elapsed = started.elapsed();
        let (p50, p99) = percentiles(&mut all);
        println!(
            "node.invoke in_flight={in_flight:<3} n={:<6} p50={p50:>7.1} us  p99={p99:>7.1} us  throughput={:>8.0} invokes/s",
            all.len(),
            all.len() as f64 / elapsed.as_secs_f64()
        );
    }
    gateway.shutdown();
}

fn next_key(seq: &AtomicU64) -> String {
    format!("bench-{}", seq.fetch_add(1, Ordering::Relaxed))
}
