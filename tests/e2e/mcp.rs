//! The node's MCP servers through our gateway, on real servers: the reference server from npm
//! and a server on the official Python SDK (stdio, streamable HTTP and legacy SSE), and
//! hostile servers.
//! Each test configures `nodeHost.mcp.servers`, waits for the tools to be published, and
//! calls them with `mcp.tools.call.v1`.

use std::time::Duration;

use openclaw_client::GatewayClient;
use openclaw_test_support::gateway::*;
use openclaw_test_support::mcp_servers::{self, HttpServer};
use openclaw_test_support::node::*;
use serde_json::{json, Value};

/// Servers start in parallel, the slowest (Python) within a few seconds.
const PUBLISHED: Duration = Duration::from_secs(40);

/// The node's published tools, by name, once `want` holds of them.
async fn tools_when(op: &GatewayClient, node: &str, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let started = std::time::Instant::now();
    let mut last = Value::Null;
    while started.elapsed() < PUBLISHED {
        if let Ok(d) = op.request("node.describe", json!({"nodeId": node})).await {
            let tools = d["nodePluginTools"].as_array().cloned().unwrap_or_default();
            if want(&tools) {
                return tools;
            }
            last = d["nodePluginTools"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the node never published what the test waited for; last: {last}");
}

fn named<'a>(tools: &'a [Value], name: &str) -> Option<&'a Value> {
    tools.iter().find(|t| t["name"] == name)
}

fn has(name: &'static str) -> impl Fn(&[Value]) -> bool {
    move |tools| named(tools, name).is_some()
}

async fn mcp_call(op: &GatewayClient, node: &str, server: &str, tool: &str, args: Value) -> Value {
    call(
        op,
        node,
        "mcp.tools.call.v1",
        json!({"server": server, "tool": tool, "arguments": args}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_over_stdio_and_http_publish_their_tools_and_answer_calls() {
    let http = HttpServer::start();
    let sse = HttpServer::start_sse();
    let config = json!({"nodeHost": {"mcp": {"servers": {
        "legacy": sse.entry(),
        "py": mcp_servers::python_stdio(json!({})),
        "everything": mcp_servers::everything_stdio(),
        "web": http.entry(),
        "off": {"command": "false", "enabled": false},
    }}}});
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_node, id) = start_paired(&gw, &op, "mcp-node", config).await;

    let tools = tools_when(&op, &id, |t| {
        ["py_add", "everything_echo", "web_add", "legacy_add"]
            .iter()
            .all(|n| named(t, n).is_some())
    })
    .await;
    let add = named(&tools, "py_add").unwrap();
    assert_eq!(add["pluginId"], "node-mcp");
    assert_eq!(add["command"], "mcp.tools.call.v1");
    assert_eq!(add["mcp"], json!({"server": "py", "tool": "add"}));
    assert_eq!(add["description"], "Add two numbers.");
    assert_eq!(add["parameters"]["required"], json!(["a", "b"]));
    // Sorted by server, then tool; none from the disabled server.
    let servers: Vec<&str> = tools
        .iter()
        .map(|t| t["mcp"]["server"].as_str().unwrap())
        .collect();
    let mut sorted = servers.clone();
    sorted.sort();
    assert_eq!(servers, sorted);
    assert!(!servers.contains(&"off"));

    let sum = mcp_call(&op, &id, "py", "add", json!({"a": 2, "b": 40})).await;
    assert_eq!(
        sum,
        json!({"content": [{"type": "text", "text": "42"}], "structuredContent": {"result": 42}})
    );
    let web = mcp_call(&op, &id, "web", "add", json!({"a": 1, "b": 2})).await;
    assert_eq!(web["structuredContent"], json!({"result": 3}));
    let legacy = mcp_call(&op, &id, "legacy", "add", json!({"a": 3, "b": 4})).await;
    assert_eq!(legacy["structuredContent"], json!({"result": 7}));
    let echo = mcp_call(&op, &id, "everything", "echo", json!({"message": "hi"})).await;
    assert_eq!(
        echo["content"],
        json!([{"type": "text", "text": "Echo: hi"}])
    );

    // The real's checks and words.
    let cases = [
        (
            json!({"server": "py"}),
            "INVALID_REQUEST",
            "Error: INVALID_REQUEST: server and tool required",
        ),
        (
            json!({"server": "py", "tool": "add", "arguments": [1]}),
            "INVALID_REQUEST",
            "Error: INVALID_REQUEST: arguments must be an object",
        ),
        (
            json!({"server": "nope", "tool": "add"}),
            "MCP_SERVER_UNAVAILABLE",
            "MCP server \"nope\" is unavailable",
        ),
        (
            json!({"server": "py", "tool": "nope"}),
            "MCP_TOOL_UNAVAILABLE",
            "MCP tool \"nope\" is unavailable on server \"py\"",
        ),
        (
            json!({"server": "py", "tool": "add", "arguments": {"a": "x"}}),
            "",
            "",
        ),
    ];
    for (params, code, message) in cases {
        let result = invoke(&op, &id, "mcp.tools.call.v1", params.clone()).await;
        if code.is_empty() {
            // A tool's own error is a result with isError, not a failure.
            let payload = &result.expect("a tool error is a result")["payload"];
            assert_eq!(payload["isError"], true, "{payload}");
            continue;
        }
        let (got_code, got_message) = refused(&op, &id, "mcp.tools.call.v1", params).await;
        assert_eq!((got_code.as_str(), got_message.as_str()), (code, message));
    }

    // Operators list and call them from the CLI, with the real's projection.
    let listed = gw.cli(&["nodes", "tools", "--node", "mcp-node", "--json"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{text}");
    let listed: Value = serde_json::from_str(&text).unwrap();
    assert!(named(listed["nodes"][0]["tools"].as_array().unwrap(), "web_add").is_some());
    let called = gw.cli(&[
        "nodes",
        "tools",
        "call",
        "--node",
        "mcp-node",
        "py_add",
        "--args",
        r#"{"a":20,"b":22}"#,
    ]);
    let out = String::from_utf8_lossy(&called.stdout);
    assert!(called.status.success(), "{out}");
    assert_eq!(out, "structuredContent:\n{\n  \"result\": 42\n}\n42\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_server_is_withdrawn_restarted_and_published_again() {
    let marks = tempfile::tempdir().unwrap();
    let env = json!({"MCP_TEST_MARKS": marks.path()});
    let config = json!({"nodeHost": {"mcp": {"servers": {"py": mcp_servers::python_stdio(env)}}}});
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (mut node, id) = start_paired(&gw, &op, "crashy", config).await;
    tools_when(&op, &id, has("py_add")).await;

    let (code, said) = refused(
        &op,
        &id,
        "mcp.tools.call.v1",
        json!({"server": "py", "tool": "crash"}),
    )
    .await;
    assert_eq!(
        (code.as_str(), said.as_str()),
        ("MCP_SERVER_UNAVAILABLE", "MCP server \"py\" disconnected")
    );
    // Restarted with backoff, listed and published again: it answers as before.
    tools_when(&op, &id, has("py_add")).await;
    let started = std::time::Instant::now();
    let sum = loop {
        match invoke(
            &op,
            &id,
            "mcp.tools.call.v1",
            json!({"server": "py", "tool": "add", "arguments": {"a": 1, "b": 1}}),
        )
        .await
        {
            Ok(reply) => break reply["payload"].clone(),
            Err(e) if started.elapsed() < PUBLISHED => {
                assert!(
                    message(&e).contains("MCP_SERVER_UNAVAILABLE"),
                    "{}",
                    message(&e)
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("the server never came back: {}", message(&e)),
        }
    };
    assert_eq!(sum["structuredContent"], json!({"result": 2}));

    // A slow call the gateway gives up on is cancelled on the server too.
    let slow = json!({"server": "py", "tool": "slow", "arguments": {"seconds": 30}});
    let key = uuid::Uuid::new_v4().to_string();
    let params =
        openclaw_protocol::node_invoke::InvokeParams::new(&id, "mcp.tools.call.v1", slow, key)
            .with_timeout_ms(Some(1500))
            .to_value();
    let e = op.request("node.invoke", params).await.unwrap_err();
    assert!(message(&e).contains("timed out"), "{}", message(&e));
    let cancelled = marks.path().join("cancelled");
    let started = std::time::Instant::now();
    while !cancelled.exists() {
        assert!(
            started.elapsed() < WAIT,
            "the server was never told the call was cancelled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A tool list that changes is published again.
    mcp_call(&op, &id, "py", "enable_extra", json!({})).await;
    let tools = tools_when(&op, &id, has("py_extra")).await;
    assert_eq!(named(&tools, "py_extra").unwrap()["mcp"]["tool"], "extra");

    // A node that drops mid-call: the gateway answers as the real does.
    let slow = json!({"server": "py", "tool": "slow", "arguments": {"seconds": 30}});
    let pending = tokio::spawn({
        let op = gw.operator().await;
        let id = id.clone();
        async move { invoke(&op, &id, "mcp.tools.call.v1", slow).await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    node.go_away();
    let e = pending.await.unwrap().unwrap_err();
    assert_eq!(
        message(&e),
        "MCP_SERVER_UNAVAILABLE: node host disconnected during MCP tool call"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_servers_get_clear_errors_and_starve_nothing() {
    let silent = json!({"connectionTimeoutMs": 1000});
    let mut silent_entry = mcp_servers::hostile("silent");
    silent_entry
        .as_object_mut()
        .unwrap()
        .extend(silent.as_object().unwrap().clone());
    let config = json!({"nodeHost": {"mcp": {"servers": {
        "garbage": mcp_servers::hostile("garbage"),
        "silent": silent_entry,
        "flood": mcp_servers::hostile("flood"),
        "py": mcp_servers::python_stdio(json!({})),
    }}}});
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (node, id) = start_paired(&gw, &op, "hostile", config).await;
    let tools = tools_when(&op, &id, |t| {
        ["garbage_poke", "flood_poke", "py_add"]
            .iter()
            .all(|n| named(t, n).is_some())
    })
    .await;
    assert!(tools.iter().all(|t| t["mcp"]["server"] != "silent"));

    // A server that never answers the handshake is no server, and holds up nothing.
    let (code, _) = refused(
        &op,
        &id,
        "mcp.tools.call.v1",
        json!({"server": "silent", "tool": "poke"}),
    )
    .await;
    assert_eq!(code, "MCP_SERVER_UNAVAILABLE");
    // Garbage for an answer: a clear error within the call's time, never a hang.
    let params = json!({"server": "garbage", "tool": "poke"});
    let key = uuid::Uuid::new_v4().to_string();
    let request =
        openclaw_protocol::node_invoke::InvokeParams::new(&id, "mcp.tools.call.v1", params, key)
            .with_timeout_ms(Some(3000))
            .to_value();
    let e = op.request("node.invoke", request).await.unwrap_err();
    // Lines that are not JSON-RPC are passed over; an answer that is no tool result is refused.
    assert_eq!(
        message(&e),
        "MCP_TOOL_ERROR: the server's tools/call result is not an MCP tool result"
    );
    // A server flooding notifications still answers, and so does everything else.
    for _ in 0..5 {
        let pong = mcp_call(&op, &id, "flood", "poke", json!({})).await;
        assert_eq!(pong["content"][0]["text"], "pong");
        let which = call(&op, &id, "system.which", json!({"bins": ["sh"]})).await;
        assert!(which["bins"]["sh"].is_string(), "{which}");
    }
    // A huge result is bounded to 1 MiB of text, and says so.
    let huge = mcp_call(&op, &id, "py", "huge", json!({"kib": 3072})).await;
    let text = huge["content"][0]["text"].as_str().unwrap();
    assert!(text.len() <= 1 << 20, "{}", text.len());
    assert!(text.ends_with("[truncated: MCP text content exceeded 1 MB]"));
    drop(node);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_stops_takes_its_servers_process_groups_with_it() {
    let pids = tempfile::tempdir().unwrap();
    let pidfile = pids.path().join("sleeper");
    // The server starts a child of its own, which outlives the server unless its group dies.
    let script = format!(
        "sleep 1000 & echo $! > {}; exec {} {}",
        pidfile.display(),
        mcp_servers::python(),
        mcp_servers::python_stdio(json!({}))["args"][0]
            .as_str()
            .unwrap()
    );
    let config = json!({"nodeHost": {"mcp": {"servers": {"py": {"command": "sh", "args": ["-c", script]}}}}});
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (mut node, id) = start_paired(&gw, &op, "stopper", config).await;
    tools_when(&op, &id, has("py_add")).await;
    let sleeper: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let alive = |pid: i32| {
        std::path::Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .unwrap_or_default()
                .contains(") Z ")
    };
    assert!(alive(sleeper));
    // SIGTERM, as a service manager stops it.
    unsafe { libc::kill(node.child.id() as i32, libc::SIGTERM) };
    let status = node.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let started = std::time::Instant::now();
    while alive(sleeper) {
        assert!(
            started.elapsed() < WAIT,
            "the server's child outlived the node"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_with_plugin_tools_off_keeps_none_and_still_routes_calls() {
    let mut config = default_config();
    config["gateway"]["nodes"]["pluginTools"] = json!({"enabled": false});
    let gw = GatewayProc::start_with(config, &[], &[]);
    let op = gw.operator().await;
    let servers =
        json!({"nodeHost": {"mcp": {"servers": {"py": mcp_servers::python_stdio(json!({}))}}}});
    let (_node, id) = start_paired(&gw, &op, "no-tools", servers).await;
    // The call answering shows the server is up, and so published.
    let started = std::time::Instant::now();
    loop {
        let params = json!({"server": "py", "tool": "add", "arguments": {"a": 1, "b": 2}});
        match invoke(&op, &id, "mcp.tools.call.v1", params).await {
            Ok(reply) => {
                assert_eq!(reply["payload"]["structuredContent"], json!({"result": 3}));
                break;
            }
            Err(e) => {
                assert!(started.elapsed() < PUBLISHED, "{}", message(&e));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let described = op
        .request("node.describe", json!({"nodeId": id}))
        .await
        .unwrap();
    assert_eq!(described["nodePluginTools"], json!([]));
}
