//! Node MCP tools across the two implementations: our node host publishes its MCP server's
//! tools to the real gateway, which calls them; the real node host publishes to our gateway,
//! whose CLI calls them. The server is the small one on the official Python SDK.

use std::time::Duration;

use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::gateway::*;
use openclaw_test_support::mcp_servers;
use openclaw_test_support::node::pair_real_node;
use openclaw_test_support::real::{self, text};
use serde_json::{json, Value};

use crate::ours_on_theirs::{json_out, our_paired_node, until, ASKING_POLICY};

const TOKEN: &str = "interop-mcp-token";

fn mcp_config() -> Value {
    json!({"nodeHost": {"mcp": {"servers": {"py": mcp_servers::python_stdio(json!({}))}}}})
}

fn tool_named(name: &'static str) -> impl Fn(&Value) -> Option<Value> {
    move |described: &Value| {
        described["nodePluginTools"]
            .as_array()?
            .iter()
            .find(|t| t["name"] == name)
            .cloned()
    }
}

#[test]
fn our_node_publishes_its_mcp_tools_to_the_real_gateway_which_calls_them() {
    let home = tempfile::tempdir().unwrap();
    let port = real::free_port();
    let _gateway = real::gateway(home.path(), port, TOKEN, &[], Value::Null);
    let url = format!("ws://127.0.0.1:{port}");
    let cli = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--url", &url, "--token", TOKEN]);
        real::cli(home.path(), &all)
    };
    let node_dir = tempfile::tempdir().unwrap();
    let state = node_dir.path().join("state");
    openclaw_files::private_dir(&state).unwrap();
    let config = mcp_config().to_string();
    openclaw_files::write_atomically(&state.join("openclaw.json"), config.as_bytes()).unwrap();
    let _node = our_paired_node(
        home.path(),
        &url,
        TOKEN,
        node_dir.path(),
        "rust-mcp",
        ASKING_POLICY,
    );

    // The real gateway took our node.pluginTools.update: its catalog has the tool.
    let described = ["nodes", "describe", "--node", "rust-mcp", "--json"];
    let add = until(&cli, &described, tool_named("py_add"));
    assert_eq!(add["pluginId"], "node-mcp");
    assert_eq!(add["mcp"], json!({"server": "py", "tool": "add"}));
    assert_eq!(add["command"], "mcp.tools.call.v1");

    // And its node.invoke reaches our node's server.
    let node = json_out(&cli(&described));
    let params = InvokeParams::new(
        node["nodeId"].as_str().unwrap(),
        "mcp.tools.call.v1",
        json!({"server": "py", "tool": "add", "arguments": {"a": 2, "b": 3}}),
        "ours-mcp-1",
    )
    .with_timeout_ms(Some(30_000))
    .to_value();
    let out = cli(&[
        "gateway",
        "call",
        "node.invoke",
        "--json",
        "--params",
        &params.to_string(),
    ]);
    let reply = json_out(&out);
    let payload = match &reply["payload"] {
        Value::Null => serde_json::from_str(reply["payloadJSON"].as_str().unwrap()).unwrap(),
        p => p.clone(),
    };
    assert_eq!(
        payload["structuredContent"],
        json!({"result": 5}),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_node_host_publishes_to_our_gateway_and_our_cli_calls_its_tools() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let home = tempfile::tempdir().unwrap();
    real::write_config(home.path(), &mcp_config());
    let (_node, id) = pair_real_node(&gw, &op, home.path(), "real-mcp").await;

    // Our gateway keeps the real node's catalog.
    let started = std::time::Instant::now();
    let add = loop {
        let described = op
            .request("node.describe", json!({"nodeId": id}))
            .await
            .unwrap();
        if let Some(add) = tool_named("py_add")(&described) {
            break add;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the real node never published: {described}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(add["mcp"], json!({"server": "py", "tool": "add"}));
    assert_eq!(add["description"], "Add two numbers.");

    // And our CLI calls it, with the real's projection.
    let out = gw.cli(&[
        "nodes",
        "tools",
        "call",
        "--node",
        "real-mcp",
        "py_add",
        "--args",
        r#"{"a":20,"b":22}"#,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "structuredContent:\n{\n  \"result\": 42\n}\n42\n"
    );
}
