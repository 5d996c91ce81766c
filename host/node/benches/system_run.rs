//! `system.run` of an allowlisted two-segment script through the built-in `system` plugin,
//! the node's way (security=allowlist: the script judged, then its plan run by the node) beside
//! the shell's way (security=full: `sh -c` runs the same script), in one run, interleaved.
//!
//! Run: `cargo bench -p openclaw-node --bench system_run`

use std::path::Path;
use std::time::{Duration, Instant};

use openclaw_node::{load_plugins, NodeSettings};
use openclaw_runtime::Call;
use openclaw_test_support::bench::percentiles;
use serde_json::json;

const ROUNDS: usize = 20;
const CALLS: usize = 50;

fn main() {
    openclaw_test_support::bench::block_on(run());
}

fn approvals(state: &Path, policy: serde_json::Value) {
    let path = state.join("exec-approvals.json");
    std::fs::write(path, serde_json::to_string(&policy).unwrap()).unwrap();
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("node");
    let loaded = load_plugins(&state, None, &NodeSettings::default())
        .await
        .unwrap();
    let call = Call {
        invoke_id: "b".into(),
        node_id: "n".into(),
        timeout_ms: 10_000,
        idempotency_key: None,
    };
    let real = |name: &str| std::fs::canonicalize(Path::new("/usr/bin").join(name)).unwrap();
    let allowlist = json!({"version": 1, "defaults": {"security": "allowlist", "ask": "off"},
        "agents": {"*": {"allowlist": [{"pattern": real("uname")}, {"pattern": real("id")}, {"pattern": real("wc")}]}}});
    let full = json!({"version": 1, "defaults": {"security": "full", "ask": "off"}});
    for script in ["uname -s && id -u", "uname -s | wc -c"] {
        let params = json!({"command": ["sh", "-c", script]}).to_string();
        let mut samples = [Vec::new(), Vec::new()];
        for round in 0..ROUNDS {
            for (i, policy) in [&full, &allowlist].into_iter().enumerate() {
                approvals(&state, policy.clone());
                for _ in 0..CALLS {
                    let t = Instant::now();
                    let answer = loaded
                        .host
                        .invoke(&call, "system.run", Some(&params), Duration::from_secs(10))
                        .await
                        .unwrap();
                    if round > 0 {
                        samples[i].push(t.elapsed());
                    }
                    assert!(answer.contains("\"exitCode\":0"), "{answer}");
                }
            }
        }
        let [shell, plan] = samples.map(|mut s| percentiles(&mut s));
        println!("system.run `sh -c '{script}'`");
        println!(
            "  security=full, sh -c runs it       p50={:>8.1} us  p99={:>8.1} us",
            shell.0, shell.1
        );
        println!("  security=allowlist, the node's plan p50={:>8.1} us  p99={:>8.1} us  ({:.2}x the shell's p50)", plan.0, plan.1, plan.0 / shell.0);
    }
}
