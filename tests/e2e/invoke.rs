//! Invoke routing through a real gateway to a node over loopback.

use std::sync::atomic::Ordering;

use openclaw_protocol::identity::DeviceIdentity;
use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::gateway::*;
use serde_json::{json, Value};

fn invoke(node_id: &str, command: &str, params: Value, key: &str) -> Value {
    InvokeParams::new(node_id, command, params, key).to_value()
}

#[tokio::test]
async fn results_and_node_errors_reach_the_operator() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let (node, events) = paired_node(&gw, &id, TEST_COMMANDS).await;
    serve_invokes(node, events);
    let op = gw.operator().await;
    let node_id = id.device_id();

    let r = op
        .request(
            "node.invoke",
            invoke(&node_id, "test.echo", json!({"bins": ["sh"]}), "k1"),
        )
        .await
        .unwrap();
    assert_eq!(r["ok"], true);
    assert_eq!(r["command"], "test.echo");
    assert_eq!(r["payload"], json!({"bins": ["sh"]}));
    assert_eq!(r["payloadJSON"], r#"{"bins":["sh"]}"#);

    let e = op
        .request(
            "node.invoke",
            invoke(&node_id, "test.fail", json!({}), "k2"),
        )
        .await
        .unwrap_err();
    let shape = e.error_shape().unwrap();
    assert_eq!(shape.code, "UNAVAILABLE");
    assert_eq!(shape.message, "BOOM: it broke");
    assert_eq!(
        details(&e),
        json!({"nodeError": {"code": "BOOM", "message": "it broke"}, "nodeCommandDispatched": true})
    );

    let e = op
        .request(
            "node.invoke",
            invoke(&node_id, "no.such.command", json!({}), "k3"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.error_shape().unwrap().message,
        r#"node command not allowed: "no.such.command" is not in the allowlist for platform "linux""#
    );
    assert_eq!(
        details(&e),
        json!({"reason": "command not allowlisted", "command": "no.such.command"})
    );

    let e = op
        .request(
            "node.invoke",
            invoke("not-a-node", "test.echo", json!({}), "k4"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.error_shape().unwrap().message, "node not connected");
    assert_eq!(details(&e)["nodeCommandDispatched"], false);

    let e = op
        .request(
            "node.invoke",
            invoke(&node_id, "system.execApprovals.get", json!({}), "k5"),
        )
        .await
        .unwrap_err();
    assert!(e
        .error_shape()
        .unwrap()
        .message
        .contains("use exec.approvals.node.get"));
}

#[tokio::test]
async fn the_gateway_enforces_the_timeout_and_cancels_on_the_node() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let (_node, mut events) = paired_node(&gw, &id, TEST_COMMANDS).await;
    let op = gw.operator().await;
    let mut params = invoke(&id.device_id(), "test.slow", json!({}), "slow");
    params["timeoutMs"] = json!(300);
    let e = op.request("node.invoke", params).await.unwrap_err();
    // The gateway's own answer, not the client giving up.
    assert_eq!(
        e.error_shape().unwrap().message,
        "TIMEOUT: node invoke timed out"
    );
    let request = events
        .wait_for("node.invoke.request")
        .await
        .unwrap()
        .payload
        .unwrap();
    assert_eq!(request["timeoutMs"], 300);
    let cancel = events
        .wait_for("node.invoke.cancel")
        .await
        .unwrap()
        .payload
        .unwrap();
    assert_eq!(cancel["invokeId"], request["id"]);

    // A result after the deadline is acknowledged and ignored.
    let late = _node
        .request(
            "node.invoke.result",
            json!({"id": request["id"], "nodeId": id.device_id(), "ok": true, "payloadJSON": "{}"}),
        )
        .await
        .unwrap();
    assert_eq!(late, json!({"ok": true, "ignored": true}));
    let e = _node
        .request(
            "node.invoke.result",
            json!({"id": "x", "nodeId": "someone-else", "ok": true}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.error_shape().unwrap().message, "nodeId mismatch");
}

#[tokio::test]
async fn a_node_that_disconnects_mid_invoke_fails_the_call() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let (node, mut events) = paired_node(&gw, &id, TEST_COMMANDS).await;
    let op = gw.operator().await;
    let call = tokio::spawn({
        let op = op.clone();
        let node_id = id.device_id();
        async move {
            op.request(
                "node.invoke",
                invoke(&node_id, "test.slow", json!({}), "dc"),
            )
            .await
        }
    });
    events.wait_for("node.invoke.request").await.unwrap();
    node.close();
    let e = call.await.unwrap().unwrap_err();
    assert_eq!(
        e.error_shape().unwrap().message,
        "DISCONNECTED: node disconnected"
    );
}

#[tokio::test]
async fn a_repeated_idempotency_key_runs_the_command_once() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let (node, events) = paired_node(&gw, &id, TEST_COMMANDS).await;
    let count = serve_invokes(node, events);
    let op = gw.operator().await;
    let params = invoke(&id.device_id(), "test.count", json!({}), "same-key");
    // Two at once (the second joins the first), then one after it finished.
    let (a, b) = tokio::join!(
        op.request("node.invoke", params.clone()),
        op.request("node.invoke", params.clone())
    );
    let c = op.request("node.invoke", params).await.unwrap();
    assert_eq!(a.unwrap()["payload"], json!({"count": 1}));
    assert_eq!(b.unwrap()["payload"], json!({"count": 1}));
    assert_eq!(c["payload"], json!({"count": 1}));
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let d = op
        .request(
            "node.invoke",
            invoke(&id.device_id(), "test.count", json!({}), "other-key"),
        )
        .await
        .unwrap();
    assert_eq!(d["payload"], json!({"count": 2}));
    // The same key for another command is a new request, not the cached reply of the first.
    let e = op
        .request(
            "node.invoke",
            invoke(&id.device_id(), "test.echo", json!({"x": 1}), "same-key"),
        )
        .await
        .unwrap();
    assert_eq!(e["payload"], json!({"x": 1}));
}

#[tokio::test]
async fn system_run_params_are_filtered_and_checked() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let (_node, mut events) = paired_node(&gw, &id, &["system.run"]).await;
    let op = gw.operator().await;
    let node_id = id.device_id();
    let e = op
        .request(
            "node.invoke",
            invoke(
                &node_id,
                "system.run",
                json!({"command": ["bash", "-lc", "echo hi"], "rawCommand": "echo hi"}),
                "r1",
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.error_shape().unwrap().message,
        "INVALID_REQUEST: rawCommand does not match command"
    );
    assert_eq!(details(&e)["expected"], r#"bash -lc "echo hi""#);

    let mut params = invoke(
        &node_id,
        "system.run",
        json!({"command": ["echo", "hi"], "rawCommand": "echo hi", "sneaky": true}),
        "r2",
    );
    params["timeoutMs"] = json!(200);
    let _ = op.request("node.invoke", params).await;
    let request = events
        .wait_for("node.invoke.request")
        .await
        .unwrap()
        .payload
        .unwrap();
    let forwarded: Value = serde_json::from_str(request["paramsJSON"].as_str().unwrap()).unwrap();
    assert_eq!(forwarded["command"], json!(["echo", "hi"]));
    assert!(forwarded.get("sneaky").is_none());
    assert!(
        forwarded["runId"].is_string(),
        "the gateway names the run so exec events match it"
    );
    let ev = _node
        .request("node.event", json!({"event": "exec.finished", "payload": {"runId": forwarded["runId"], "exitCode": 0}}))
        .await
        .unwrap();
    assert_eq!(ev["handled"], true);
    let ev = _node
        .request(
            "node.event",
            json!({"event": "exec.finished", "payload": {"runId": "unknown"}}),
        )
        .await
        .unwrap();
    assert_eq!(ev["reason"], "unmatched_exec_event");
}

#[tokio::test]
async fn exec_approvals_are_forwarded_to_the_node_and_checked() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let commands = ["system.execApprovals.get", "system.execApprovals.set"];
    let (node, events) = paired_node(&gw, &id, &commands).await;
    serve_invokes(node, events);
    let op = gw.operator().await;
    let got = op
        .request("exec.approvals.node.get", json!({"nodeId": id.device_id()}))
        .await
        .unwrap();
    assert_eq!(
        got,
        json!({"path": "mem", "exists": false, "hash": "missing:0", "file": {"version": 1}})
    );

    // The node's reply carries a field the schema does not allow: refused, not passed on.
    let e = op
        .request(
            "exec.approvals.node.set",
            json!({"nodeId": id.device_id(), "file": {"version": 1}, "baseHash": "h1"}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.error_shape().unwrap().message,
        "node returned an invalid exec approvals snapshot: unexpected field extra"
    );

    let writer = operator_with(&gw.url, &["operator.write"]).await;
    let e = writer
        .request("exec.approvals.node.get", json!({"nodeId": id.device_id()}))
        .await
        .unwrap_err();
    assert_eq!(
        e.error_shape().unwrap().message,
        "missing scope: operator.admin"
    );
}

#[tokio::test]
async fn progress_is_acknowledged_while_an_invoke_runs_and_checked() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let (node, mut events) = paired_node(&gw, &id, TEST_COMMANDS).await;
    let op = gw.operator().await;
    let params = invoke(&id.device_id(), "test.slow", json!({}), "progress");
    let call = tokio::spawn(async move { op.request("node.invoke", params).await });
    let request = events
        .wait_for("node.invoke.request")
        .await
        .unwrap()
        .payload
        .unwrap();
    let progress = |invoke_id: &Value, chunk: String| json!({"invokeId": invoke_id, "nodeId": id.device_id(), "seq": 0, "chunk": chunk});
    // A heartbeat for the running invoke counts; one for an unknown invoke is ignored.
    let heartbeat = node
        .request(
            "node.invoke.progress",
            progress(&request["id"], String::new()),
        )
        .await
        .unwrap();
    assert_eq!(heartbeat, json!({"ok": true, "ignored": false}));
    let stray = node
        .request(
            "node.invoke.progress",
            progress(&json!("nope"), String::new()),
        )
        .await
        .unwrap();
    assert_eq!(stray, json!({"ok": true, "ignored": true}));
    let big = node
        .request(
            "node.invoke.progress",
            progress(&request["id"], "é".repeat(8193)),
        )
        .await
        .unwrap_err();
    assert_eq!(
        big.error_shape().unwrap().message,
        "progress chunk too large"
    );
    let mut foreign = progress(&request["id"], String::new());
    foreign["nodeId"] = json!("someone-else");
    let e = node
        .request("node.invoke.progress", foreign)
        .await
        .unwrap_err();
    assert_eq!(e.error_shape().unwrap().message, "nodeId mismatch");
    let mut extra = progress(&request["id"], String::new());
    extra["surprise"] = json!(1);
    assert!(node.request("node.invoke.progress", extra).await.is_err());

    node.request(
        "node.invoke.result",
        json!({"id": request["id"], "nodeId": id.device_id(), "ok": true, "payloadJSON": "{\"done\":true}"}),
    )
    .await
    .unwrap();
    let answer = call.await.unwrap().unwrap();
    assert_eq!(answer["payload"], json!({"done": true}));
}
