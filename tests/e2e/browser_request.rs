//! `browser.request` on our gateway: which node serves it, what the node is sent, and how its
//! answers (results, files, route errors, failures) reach the operator. The nodes are scripted
//! clients on real WebSockets, so every answer a node may give can be sent on purpose.

use std::sync::{Arc, Mutex};

use base64::Engine;
use openclaw_client::{ClientError, GatewayClient};
use openclaw_protocol::identity::DeviceIdentity;
use openclaw_test_support::gateway::*;
use serde_json::{json, Value};

/// A node serving `browser.proxy` from a script; it records the params it was sent.
async fn scripted_node(gw: &GatewayProc, name: &str) -> (GatewayClient, Arc<Mutex<Vec<Value>>>) {
    let id = DeviceIdentity::generate();
    let mut opts = node_options(&gw.url, &id, &["browser.proxy"]);
    opts.client.display_name = Some(name.into());
    opts.caps = Some(vec!["browser".into()]);
    let op = gw.operator().await;
    let err = openclaw_client::connect(&opts).await.err().unwrap();
    let request_id = details(&err)["requestId"].as_str().unwrap().to_string();
    op.request("device.pair.approve", json!({"requestId": request_id}))
        .await
        .unwrap();
    let (node, mut events) = openclaw_client::connect(&opts).await.unwrap();
    let pending = poll_until(
        &op,
        "node.pair.list",
        std::time::Duration::from_secs(10),
        |r| r["pending"].as_array()?.first().cloned(),
    )
    .await;
    op.request(
        "node.pair.approve",
        json!({"requestId": pending["requestId"]}),
    )
    .await
    .unwrap();
    events.wait_for("node.pair.resolved").await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (client, log) = (node.clone(), seen.clone());
    tokio::spawn(async move {
        while let Some(ev) = events.next().await {
            if ev.event != "node.invoke.request" {
                continue;
            }
            let p = ev.payload.unwrap();
            let params: Value = serde_json::from_str(p["paramsJSON"].as_str().unwrap()).unwrap();
            log.lock()
                .unwrap()
                .push(json!({"params": params, "timeoutMs": p["timeoutMs"]}));
            let reply = match params["path"].as_str().unwrap() {
                "/" => {
                    json!({"ok": true, "payloadJSON": json!({"result": {"running": false, "profile": "openclaw"},
                        "route": {"status": "resolved", "profile": "openclaw", "driver": "openclaw"}}).to_string()})
                }
                "/tabs/focus" => json!({"ok": true, "payloadJSON": json!({"error": {"status": 404,
                        "body": {"error": "tab not found", "secret": "dropped"}}}).to_string()}),
                "/act" => json!({"ok": true, "payloadJSON": json!({"error": {"status": 500,
                        "body": {"error": "Error: it broke", "code": "ACT_OPERATION_FAILED"}}}).to_string()}),
                "/screenshot" => {
                    let png = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG picture");
                    json!({"ok": true, "payloadJSON": json!({"result": {"ok": true, "path": "/node/../../shot.png"},
                        "files": [{"path": "/node/../../shot.png", "base64": png, "mimeType": "image/png"}]}).to_string()})
                }
                "/pdf" => {
                    json!({"ok": true, "payloadJSON": json!({"result": {"ok": true, "path": "/node/doc.pdf"},
                        "files": []}).to_string()})
                }
                _ => {
                    json!({"ok": false, "error": {"code": "INVALID_REQUEST", "message": "Error: 404: Not Found"}})
                }
            };
            let mut result = json!({"id": p["id"], "nodeId": p["nodeId"]});
            result
                .as_object_mut()
                .unwrap()
                .extend(reply.as_object().unwrap().clone());
            client.request("node.invoke.result", result).await.ok();
        }
    });
    (node, seen)
}

fn refused(result: Result<Value, ClientError>) -> (String, String, Value) {
    let e = result.expect_err("refused");
    let shape = e.error_shape().unwrap().clone();
    (
        shape.code.clone(),
        shape.message.clone(),
        shape.details.clone().unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_request_is_served_by_the_browser_node_as_the_real_gateway_serves_it() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let ask = |params: Value| op.request("browser.request", params);

    // No browser node yet: this gateway has no browser to fall back on.
    let (code, msg, _) = refused(ask(json!({"method": "GET", "path": "/"})).await);
    assert_eq!(code, "UNAVAILABLE");
    assert!(
        msg.starts_with("browser control disabled: this gateway has no browser"),
        "{msg}"
    );
    let (_, msg, _) = refused(ask(json!({"method": "GET", "path": "/", "target": "node"})).await);
    assert_eq!(msg, "Error: No connected browser-capable nodes.");
    let (code, msg, _) = refused(ask(json!({"method": "PUT", "path": "/"})).await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("INVALID_REQUEST", "method must be GET, POST, or DELETE")
    );
    let (_, msg, _) = refused(ask(json!({"path": "/"})).await);
    assert_eq!(msg, "method and path are required");
    let (_, msg, _) = refused(ask(json!({"method": "GET", "path": "/", "node": "x"})).await);
    assert!(
        msg.starts_with("target must be \"host\" or \"node\""),
        "{msg}"
    );

    let (_vm, seen) = scripted_node(&gw, "vm").await;
    let status = ask(json!({"method": "get", "path": "/", "timeoutMs": 45000}))
        .await
        .unwrap();
    assert_eq!(status, json!({"running": false, "profile": "openclaw"}));
    let sent = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        sent["params"],
        json!({"method": "GET", "path": "/", "timeoutMs": 45000, "errorEnvelope": "browser-v1"})
    );
    assert!(
        sent["timeoutMs"].as_u64().unwrap() > 45000,
        "the node gets the route's time and more"
    );
    ask(json!({"method": "GET", "path": "tabs/", "query": {"profile": "work"}}))
        .await
        .ok();
    let sent = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(sent["params"]["path"], "/tabs");
    assert_eq!(sent["params"]["profile"], "work");
    assert_eq!(sent["params"]["timeoutMs"], 20000);

    // Route errors: 4xx is the caller's, 5xx the browser's; only the known body keys pass.
    let (code, msg, details) = refused(ask(json!({"method": "POST", "path": "/tabs/focus"})).await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("INVALID_REQUEST", "tab not found")
    );
    assert_eq!(details, json!({"error": "tab not found"}));
    let (code, msg, details) = refused(ask(json!({"method": "POST", "path": "/act"})).await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UNAVAILABLE", "Error: it broke")
    );
    assert_eq!(details["code"], "ACT_OPERATION_FAILED");
    let (code, msg, details) = refused(ask(json!({"method": "GET", "path": "/nope"})).await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UNAVAILABLE", "INVALID_REQUEST: Error: 404: Not Found")
    );
    assert_eq!(details["nodeError"]["code"], "INVALID_REQUEST");

    // A file the result names is kept here, under a name the gateway makes.
    let shot = ask(json!({"method": "POST", "path": "/screenshot"}))
        .await
        .unwrap();
    let local = std::path::PathBuf::from(shot["path"].as_str().unwrap());
    assert!(local.starts_with(gw.dir.join("media/browser")), "{local:?}");
    assert_eq!(std::fs::read(&local).unwrap(), b"\x89PNG picture");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&local).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        !gw.dir.join("shot.png").exists() && !gw.dir.parent().unwrap().join("shot.png").exists()
    );
    let (code, msg, _) = refused(ask(json!({"method": "POST", "path": "/pdf"})).await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UNAVAILABLE", "browser proxy file transfer failed")
    );

    // Refused before any node is asked.
    let before = seen.lock().unwrap().len();
    let (_, msg, details) = refused(ask(json!({"method": "POST", "path": "/screencast"})).await);
    assert_eq!(msg, "browser screencast is not available over a node proxy");
    assert_eq!(
        details,
        json!({"code": "SCREENCAST_UNSUPPORTED", "reason": "node"})
    );
    let (_, msg, _) = refused(ask(json!({"method": "DELETE", "path": "/profiles/work"})).await);
    assert_eq!(
        msg,
        "browser.request cannot mutate persistent browser profiles over a node proxy"
    );
    let (_, msg, _) =
        refused(ask(json!({"method": "GET", "path": "/system-profiles", "target": "node"})).await);
    assert_eq!(msg, "this browser route must run on the Gateway host");
    let (_, msg, _) =
        refused(ask(json!({"method": "GET", "path": "/dashboard", "target": "node"})).await);
    assert_eq!(
        msg,
        "Browser dashboards use a local managed browser on the Gateway host"
    );
    assert_eq!(seen.lock().unwrap().len(), before);

    // Files for a file chooser go inside the request, which this node cannot take.
    let (code, msg, _) = refused(
        ask(json!({"method": "POST", "path": "/hooks/file-chooser", "body": {"paths": ["a.txt"]}}))
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UNAVAILABLE", "browser node does not support remote upload transfer; update the node or approve its pending command update before retrying")
    );
    assert_eq!(seen.lock().unwrap().len(), before);

    // Two browser nodes: a request must say which.
    let (_vm2, seen2) = scripted_node(&gw, "vm2").await;
    let (_, msg, _) = refused(ask(json!({"method": "GET", "path": "/"})).await);
    assert!(msg.starts_with("browser control disabled"), "{msg}");
    let (_, msg, _) = refused(ask(json!({"method": "GET", "path": "/", "target": "node"})).await);
    assert_eq!(
        msg,
        "Error: Multiple browser-capable nodes connected (2). Set gateway.nodes.browser.node or pass node=<id>."
    );
    ask(json!({"method": "GET", "path": "/", "target": "node", "node": "VM2"}))
        .await
        .unwrap();
    assert_eq!(seen2.lock().unwrap().len(), 1);
    let (_, msg, _) =
        refused(ask(json!({"method": "GET", "path": "/", "target": "node", "node": "nope"})).await);
    assert_eq!(msg, "Error: unknown node: nope (known: vm, vm2)");

    // It takes operator.admin.
    let reader = operator_with(&gw.url, &["operator.read"]).await;
    let (code, _, _) = refused(
        reader
            .request("browser.request", json!({"method": "GET", "path": "/"}))
            .await,
    );
    assert_eq!(code, "FORBIDDEN");
}
