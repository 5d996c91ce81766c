//! `file.fetch` of a 16 MiB file through our gateway, from our node host and from the real
//! node host (OpenClaw 2026.9.6 from npm, installed into the interop cache), in one run and
//! interleaved so that both meet the same machine. Timed at the operator: request sent to the
//! whole answer (the 16 MiB twice over as base64: `payload` and `payloadJSON`) received, not
//! parsed. The gateway's part (parsing the node's 22 MB result and writing its answer) is the
//! same for both.
//!
//! Run: `cargo bench -p openclaw-cli --bench file_fetch`

use std::time::{Duration, Instant};

use base64::Engine as _;
use futures_util::StreamExt;
use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::bench::percentiles;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::pair_real_node;
use openclaw_test_support::node::*;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const SIXTEEN_MIB: usize = 16 * 1024 * 1024;
const ROUNDS: usize = 15;

fn main() {
    openclaw_test_support::bench::block_on(run());
}

async fn run() {
    let mut config = default_config();
    config["gateway"]["nodes"]["commands"]["allow"] = json!(["file.fetch"]);
    let gw = GatewayProc::start_with(config, &[], &[]);
    let op = gw.operator().await;
    // The same bytes in each node user's home; not all one byte, so that nothing shortcuts.
    let content: Vec<u8> = (0..SIXTEEN_MIB).map(|i| (i * 7 % 251) as u8).collect();

    let our_home = tempfile::tempdir().unwrap();
    std::fs::write(our_home.path().join("big.bin"), &content).unwrap();
    let home_env = our_home.path().display().to_string();
    let (_ours, our_id) =
        start_paired_in(&gw, &op, "bench-ours", json!({}), &[("HOME", &home_env)]).await;

    let real_home = tempfile::tempdir().unwrap();
    std::fs::write(real_home.path().join("big.bin"), &content).unwrap();
    let (_real, real_id) = pair_real_node(&gw, &op, real_home.path(), "bench-real").await;

    let mut conn = RawConn::open_unbounded(&gw.url).await;
    conn.send(operator_connect("c", 4, 4, TOKEN)).await;
    assert_eq!(conn.next_json().await.unwrap()["ok"], true);

    let targets = [
        ("ours", our_id, our_home.path().join("big.bin")),
        ("real", real_id, real_home.path().join("big.bin")),
    ];
    let mut samples = vec![Vec::new(), Vec::new()];
    let mut request = 0;
    for round in 0..ROUNDS + 2 {
        for (i, (_, node, path)) in targets.iter().enumerate() {
            request += 1;
            let params = json!({"path": path, "maxBytes": SIXTEEN_MIB});
            let started = Instant::now();
            let answer = fetch(&mut conn, node, params, request).await;
            let took = started.elapsed();
            if round == 0 {
                check(&answer, &content);
            }
            // The first two rounds warm both up.
            if round >= 2 {
                samples[i].push(took);
            }
        }
    }
    for ((label, _, _), mut taken) in targets.into_iter().zip(samples) {
        let (p50, p99) = percentiles(&mut taken);
        println!(
            "file.fetch 16 MiB via our gateway, {label} node host   n={:<4} p50={:>8.1} ms  p99={:>8.1} ms",
            taken.len(),
            p50 / 1000.0,
            p99 / 1000.0
        );
    }
}

/// The gateway's whole answer as text: read, not parsed, so that the client's own JSON work
/// does not weigh on either node host.
async fn fetch(conn: &mut RawConn, node: &str, params: Value, n: usize) -> String {
    let params = InvokeParams::new(node, "file.fetch", params, format!("bench-{n}")).to_value();
    let id = format!("r{n}");
    let frame = json!({"type": "req", "id": id, "method": "node.invoke", "params": params});
    conn.send(frame.to_string()).await;
    let answer_to = format!(r#"{{"type":"res","id":"{id}""#);
    loop {
        let message = tokio::time::timeout(Duration::from_secs(60), conn.ws.next())
            .await
            .expect("the gateway answers in time")
            .expect("the socket stays open")
            .unwrap();
        if let Message::Text(text) = message {
            if text.starts_with(&answer_to) {
                return text.to_string();
            }
        }
    }
}

/// Both node hosts answer the whole file, and the same.
fn check(answer: &str, content: &[u8]) {
    let answer: Value = serde_json::from_str(answer).unwrap();
    let payload = &answer["payload"]["payload"];
    let Some(text) = payload["base64"].as_str() else {
        let shown = answer.to_string();
        panic!("no file in {}", &shown[..shown.len().min(500)]);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap();
    assert_eq!(bytes, content);
    assert_eq!(payload["size"], SIXTEEN_MIB);
}
