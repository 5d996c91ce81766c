//! The same command in the three languages of `plugins new`: each project's `NAME.greet`
//! (typed params `{name}`, answer `{greeting}`), built as `plugins build` builds it, then run by the node
//! host's runtime with a fresh instance per call, as every invoke runs. Printed per language:
//! the component's size, its first load (compiled, into a cold cache), a load from the warm
//! cache, and instantiate + call: back to back, and spaced 5 ms apart as calls come from a
//! gateway (the instance a call uses is made ahead of it, when there is time).
//!
//! Run: `cargo bench -p openclaw-cli --bench plugin_languages`

use std::time::{Duration, Instant};

use openclaw_node::{load_plugins, NodeSettings};
use openclaw_plugin_build::Lang;
use openclaw_runtime::Call;
use openclaw_test_support::bench::percentiles;

const CALLS: usize = 2_000;
const SPACED_CALLS: usize = 300;
const WARMUP: usize = 200;

fn main() {
    openclaw_test_support::bench::block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let call = Call {
        invoke_id: "b".into(),
        node_id: "n".into(),
        timeout_ms: 1000,
        idempotency_key: None,
    };
    for (lang, name) in [
        (Lang::Rust, "hello-rs"),
        (Lang::Python, "hello-py"),
        (Lang::Js, "hello-js"),
    ] {
        openclaw_plugin_build::new(name, lang, dir.path()).unwrap();
        openclaw_plugin_build::build(&dir.path().join(name)).unwrap();
        let lang = lang.name();
        let plugins = dir.path().join(format!("{lang}-plugins"));
        std::fs::create_dir(&plugins).unwrap();
        let wasm = dir.path().join(name).join(format!("{name}.wasm"));
        std::fs::copy(&wasm, plugins.join(format!("{name}.wasm"))).unwrap();
        let size = std::fs::metadata(&wasm).unwrap().len();

        let state = dir.path().join(format!("{lang}-state"));
        let t = Instant::now();
        let loaded = load_plugins(&state, Some(&plugins), &NodeSettings::default())
            .await
            .unwrap();
        let cold = t.elapsed();
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        drop(loaded);
        let t = Instant::now();
        let loaded = load_plugins(&state, Some(&plugins), &NodeSettings::default())
            .await
            .unwrap();
        let warm = t.elapsed();

        let command = format!("{name}.greet");
        calls(&loaded.host, &call, &command, WARMUP, false).await;
        let back_to_back = calls(&loaded.host, &call, &command, CALLS, false).await;
        let spaced = calls(&loaded.host, &call, &command, SPACED_CALLS, true).await;
        println!(
            "{lang:<6} {name}.greet  {:>6} KiB  load: cold {:>7.1} ms, warm {:>6.1} ms",
            size.div_ceil(1024),
            cold.as_secs_f64() * 1e3,
            warm.as_secs_f64() * 1e3,
        );
        for (how, mut samples) in [("back to back", back_to_back), ("5 ms apart", spaced)] {
            let n = samples.len();
            let (p50, p99) = percentiles(&mut samples);
            println!(
                "{lang:<6} instantiate + call, {how:<12} n={n:<5} p50={p50:>8.1} us  p99={p99:>8.1} us"
            );
        }
    }
}

/// `n` invokes of `command`, each timed; `spaced` leaves 5 ms between them.
async fn calls(
    host: &openclaw_runtime::PluginHost,
    call: &Call,
    command: &str,
    n: usize,
    spaced: bool,
) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let answer = host
            .invoke(
                call,
                command,
                Some(r#"{"name":"Ada"}"#),
                Duration::from_secs(5),
            )
            .await
            .unwrap();
        samples.push(t.elapsed());
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer, serde_json::json!({"greeting": "Hello, Ada!"}));
        if spaced {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    samples
}
