//! The node host's figures, on this machine:
//! - instantiate + call of a trivial plugin command (a fresh instance per call);
//! - `node.invoke` of `system.which` through our gateway and node host, operator side;
//! - node host start (plugins from a warm `.cwasm` cache) to `hello-ok`;
//! - `canvas.eval` and `canvas.snapshot` (PNG, 1200 px wide) through gateway and node host,
//!   with the node's Chromium already started;
//! - `system.which` again while cores + 2 invokes of a plugin command that loops run on the
//!   same node (each with a 20 s timeout);
//! - hot reload: plugin file written to the new surface visible on the gateway.
//!
//! Run: `cargo bench -p openclaw-node --bench node_host`

use std::path::Path;
use std::time::{Duration, Instant};

use openclaw_client::{connect, ConnectOptions, GatewayClient};
use openclaw_gateway::GatewayConfig;
use openclaw_node::files::{load_identity, GatewayEndpoint};
use openclaw_node::{load_plugins, NodeOptions, NodeSettings};
use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_runtime::Call;
use openclaw_test_support::bench::percentiles;
use openclaw_test_support::fixtures::{LOOPER, TAG_V1};
use serde_json::json;

const TOKEN: &str = "bench-token";

fn main() {
    openclaw_test_support::bench::block_on(run());
}

fn report(label: &str, mut samples: Vec<Duration>) {
    let (p50, p99) = percentiles(&mut samples);
    println!(
        "{label:<50} n={:<6} p50={p50:>9.1} us  p99={p99:>9.1} us",
        samples.len()
    );
}

async fn run() {
    let tag = TAG_V1.path();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("node");
    let plugins_dir = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins_dir).unwrap();

    // 1. A trivial command: fresh instance + call, no gateway.
    std::fs::copy(&tag, plugins_dir.join("tag.wasm")).unwrap();
    let loaded = load_plugins(&state, Some(&plugins_dir), &NodeSettings::default())
        .await
        .unwrap();
    let call = Call {
        invoke_id: "b".into(),
        node_id: "n".into(),
        timeout_ms: 1000,
        idempotency_key: None,
    };
    let mut samples = Vec::new();
    for i in 0..5_000 {
        let t = Instant::now();
        loaded
            .host
            .invoke(&call, "fixture.tag", None, Duration::from_secs(1))
            .await
            .unwrap();
        if i >= 500 {
            samples.push(t.elapsed());
        }
    }
    report("plugin instantiate + call (fixture.tag)", samples);
    std::fs::remove_file(plugins_dir.join("tag.wasm")).unwrap();
    drop(loaded);

    // A gateway that routes the fixture's command, and an operator.
    let mut config = GatewayConfig::new(dir.path().join("gateway"), TOKEN.into());
    config.port = 0;
    config.commands.allow = vec!["fixture.*".into(), "looper.*".into()];
    let gateway = openclaw_gateway::start(config).await.unwrap();
    let (op, mut op_events) = connect(&ConnectOptions::operator(
        &gateway.url(),
        Some(TOKEN.into()),
        &["operator.admin"],
    ))
    .await
    .unwrap();

    // 3. Start to hello-ok with a warm cache (the cache was filled above).
    let mut starts = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let plugins = load_plugins(&state, None, &NodeSettings::default())
            .await
            .unwrap();
        let identity = load_identity(&state).unwrap();
        let set = plugins.host.current();
        let mut opts = ConnectOptions::node(&gateway.url(), identity, "bench-node");
        opts.auth.token = Some(TOKEN.into());
        opts.caps = Some(set.caps());
        opts.commands = Some(set.commands());
        let (client, _) = connect(&opts).await.unwrap();
        starts.push(t.elapsed());
        client.close();
    }
    report("node start (warm cache) to hello-ok", starts);

    // The node host proper, with a watched plugins dir and a plugin that loops.
    std::fs::copy(LOOPER.path(), plugins_dir.join("looper.wasm")).unwrap();
    let plugins = load_plugins(&state, Some(&plugins_dir), &NodeSettings::default())
        .await
        .unwrap();
    openclaw_runtime::watch::watch(plugins.host.clone(), Some(plugins_dir.clone()));
    let identity = load_identity(&state).unwrap();
    let node_id = identity.device_id();
    let opts = NodeOptions {
        endpoint: GatewayEndpoint {
            host: "127.0.0.1".into(),
            port: gateway.addr.port(),
            tls: false,
            tls_fingerprint: None,
            context_path: None,
        },
        token: Some(TOKEN.into()),
        password: None,
        node_id: "bench".into(),
        display_name: "bench-node".into(),
        state_dir: state.clone(),
        allowlist: Default::default(),
        bootstrap: None,
        stop_after_first_connect: false,
    };
    tokio::spawn(openclaw_node::run(
        opts,
        identity,
        plugins.host.clone(),
        plugins.events,
    ));
    approve_surface(&op, &node_id).await;

    // 2. system.which round trip through gateway and node host.
    let mut samples = Vec::new();
    for i in 0..3_000 {
        let params = InvokeParams::new(
            &node_id,
            "system.which",
            json!({"bins": ["sh"]}),
            format!("w{i}"),
        )
        .to_value();
        let t = Instant::now();
        op.request("node.invoke", params).await.unwrap();
        if i >= 300 {
            samples.push(t.elapsed());
        }
    }
    report("node.invoke system.which round trip", samples);

    // 2b. The same while loopers keep every core of the node busy.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut loopers = Vec::new();
    for i in 0..cores + 2 {
        let (op, node_id) = (op.clone(), node_id.clone());
        loopers.push(tokio::spawn(async move {
            let params = InvokeParams::new(&node_id, "looper.spin", json!({}), format!("l{i}"))
                .with_timeout_ms(Some(20_000))
                .to_value();
            op.request("node.invoke", params).await.ok();
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut samples = Vec::new();
    let started = Instant::now();
    for i in 0..1_000 {
        let params = InvokeParams::new(
            &node_id,
            "system.which",
            json!({"bins": ["sh"]}),
            format!("lw{i}"),
        )
        .to_value();
        let t = Instant::now();
        op.request("node.invoke", params).await.unwrap();
        samples.push(t.elapsed());
        if started.elapsed() > Duration::from_secs(15) {
            break;
        }
    }
    report(
        &format!("  ... with {} looping invokes on the node", cores + 2),
        samples,
    );
    for looper in loopers {
        looper.await.unwrap();
    }

    // 5. The canvas in the node's Chromium (started by the first call, not measured).
    let canvas = |command: &str, params: serde_json::Value, key: String| {
        InvokeParams::new(&node_id, command, params, key).to_value()
    };
    let page = "data:text/html,<title>bench</title><body style='font:20px sans-serif'><h1>Canvas benchmark</h1><p>A 1200-px-wide page.</p></body>";
    op.request(
        "node.invoke",
        canvas(
            "canvas.present",
            json!({"url": page, "width": 1200, "height": 800}),
            "p".into(),
        ),
    )
    .await
    .unwrap();
    let mut samples = Vec::new();
    for i in 0..1_100 {
        let params = canvas(
            "canvas.eval",
            json!({"javaScript": "document.title"}),
            format!("e{i}"),
        );
        let t = Instant::now();
        op.request("node.invoke", params).await.unwrap();
        if i >= 100 {
            samples.push(t.elapsed());
        }
    }
    report("node.invoke canvas.eval round trip", samples);
    let mut samples = Vec::new();
    let mut size = 0;
    for i in 0..60 {
        let params = canvas("canvas.snapshot", json!({"format": "png"}), format!("s{i}"));
        let t = Instant::now();
        let reply = op.request("node.invoke", params).await.unwrap();
        if i >= 10 {
            samples.push(t.elapsed());
        }
        size = reply["payload"]["width"].as_u64().unwrap_or(0);
    }
    report(
        &format!("node.invoke canvas.snapshot png ({size} px wide)"),
        samples,
    );

    // 4. Hot reload: write a plugin, wait for the gateway to hear the new surface.
    let mut reloads = Vec::new();
    for round in 0..10 {
        while op_events.try_next().is_some() {}
        let name = format!("tag{round}.wasm");
        let t = Instant::now();
        write_plugin(&tag, &plugins_dir.join(&name));
        loop {
            let ev = op_events.wait_for("node.pair.requested").await.unwrap();
            if ev
                .payload
                .as_ref()
                .is_some_and(|p| p["nodeId"] == node_id.as_str())
            {
                break;
            }
        }
        reloads.push(t.elapsed());
        std::fs::remove_file(plugins_dir.join(&name)).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    report("hot reload: file written to surface on gateway", reloads);
    gateway.shutdown();
}

fn write_plugin(from: &Path, to: &Path) {
    let tmp = to.with_extension("partial");
    std::fs::copy(from, &tmp).unwrap();
    std::fs::rename(&tmp, to).unwrap();
}

/// Approves the node's surface and waits until it serves `system.which`.
async fn approve_surface(op: &GatewayClient, node_id: &str) {
    loop {
        let list = op.request("node.pair.list", json!({})).await.unwrap();
        for r in list["pending"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["nodeId"] == node_id)
        {
            op.request("node.pair.approve", json!({"requestId": r["requestId"]}))
                .await
                .ok();
        }
        let d = op
            .request("node.describe", json!({"nodeId": node_id}))
            .await
            .unwrap();
        if d["connected"] == true
            && d["commands"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "system.which")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
