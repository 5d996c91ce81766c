//! `browser.proxy` as OpenClaw's browser control API on our node: the real service's routes
//! and shapes, on the node's own automation browser (never the canvas's).

use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::{json, Value};

async fn route(op: &openclaw_client::GatewayClient, id: &str, params: Value) -> Value {
    let mut params = params;
    params["errorEnvelope"] = json!("browser-v1");
    call(op, id, "browser.proxy", params).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_basic_and_tab_routes_answer_as_the_real_service() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (node, id) = start_paired(&gw, &op, "control-node", json!({})).await;

    let status = route(&op, &id, json!({"path": "/"})).await;
    assert_eq!(
        status["route"],
        json!({"status": "resolved", "profile": "openclaw", "driver": "openclaw"})
    );
    let s = &status["result"];
    assert_eq!(
        (&s["running"], &s["profile"], &s["transport"]),
        (&json!(false), &json!("openclaw"), &json!("cdp"))
    );
    assert_eq!(s["userDataDir"], Value::Null);
    let tabs = route(&op, &id, json!({"path": "/tabs"})).await;
    assert_eq!(tabs["result"], json!({"running": false, "tabs": []}));
    let focus = route(
        &op,
        &id,
        json!({"method": "POST", "path": "/tabs/focus", "body": {"targetId": "t1"}}),
    )
    .await;
    assert_eq!(
        focus["error"],
        json!({"status": 409, "body": {"error": "browser not running"}})
    );

    let started = route(&op, &id, json!({"method": "POST", "path": "/start"})).await;
    assert_eq!(
        started["result"],
        json!({"ok": true, "profile": "openclaw"})
    );
    let s = route(&op, &id, json!({"path": "/"})).await["result"].clone();
    assert_eq!(s["running"], true);
    let profile = node.state.join("browser/openclaw/user-data");
    assert_eq!(s["userDataDir"], json!(profile.to_str().unwrap()));
    // The running browser's graphics, in the real's shape, read once per run.
    let graphics = &s["graphics"];
    assert_eq!(graphics["status"], "available", "{graphics}");
    let keys: Vec<&str> = graphics
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "observedAt",
        "acceleration",
        "renderer",
        "vendor",
        "version",
        "backend",
        "devices",
        "featureStatus",
        "disabledFeatures",
        "driverBugWorkarounds",
        "videoDecoding",
        "videoEncoding",
    ] {
        assert!(keys.contains(&key), "{key} missing in {graphics}");
    }
    assert_eq!(
        graphics["acceleration"], "software",
        "headless Chromium draws in software"
    );
    let again = route(&op, &id, json!({"path": "/"})).await["result"].clone();
    assert_eq!(again["graphics"]["observedAt"], graphics["observedAt"]);
    assert_eq!(
        route(&op, &id, json!({"path": "/tabs"})).await["result"],
        json!({"running": true, "tabs": []})
    );

    let opened = route(&op, &id, json!({"method": "POST", "path": "/tabs/open", "body": {"url": "data:text/html,<title>one</title>"}})).await;
    let tab = &opened["result"];
    assert_eq!(
        (
            &tab["tabId"],
            &tab["suggestedTargetId"],
            &tab["resolvedProfile"]
        ),
        (&json!("t1"), &json!("t1"), &json!("openclaw"))
    );
    let second = route(&op, &id, json!({"method": "POST", "path": "/tabs/open", "body": {"url": "data:text/html,two", "label": "work"}})).await;
    assert_eq!(second["result"]["suggestedTargetId"], "work");
    let raw = tab["targetId"].as_str().unwrap().to_string();
    let label = |body: Value| {
        let mut body = body;
        body["action"] = json!("label");
        json!({"method": "POST", "path": "/tabs/action", "body": body})
    };
    let labelled = route(&op, &id, label(json!({"targetId": "t1", "label": "first"}))).await;
    let labelled = &labelled["result"]["tab"];
    assert_eq!(
        (
            &labelled["tabId"],
            &labelled["label"],
            &labelled["suggestedTargetId"]
        ),
        (&json!("t1"), &json!("first"), &json!("first"))
    );
    for (body, message) in [
        (json!({"label": "x"}), "targetId is required"),
        (json!({"targetId": "t1"}), "label is required"),
        (
            json!({"targetId": "t1", "label": "no spaces"}),
            "tab label must be 1-64 chars and use only letters, numbers, _, ., :, or -",
        ),
    ] {
        let refused = route(&op, &id, label(body)).await;
        assert_eq!(
            refused["error"],
            json!({"status": 400, "body": {"error": message}})
        );
    }
    let bad_open = route(&op, &id, json!({"method": "POST", "path": "/tabs/open", "body": {"url": "about:blank", "label": "no spaces"}})).await;
    assert_eq!(
        bad_open["error"]["body"]["error"],
        "tab label must be 1-64 chars and use only letters, numbers, _, ., :, or -"
    );
    let by_label = route(
        &op,
        &id,
        json!({"method": "POST", "path": "/tabs/focus", "body": {"targetId": "first"}}),
    )
    .await;
    assert_eq!(by_label["result"]["targetId"], json!(raw));
    let focused = route(
        &op,
        &id,
        json!({"method": "POST", "path": "/tabs/focus", "body": {"targetId": "t1"}}),
    )
    .await;
    assert_eq!(focused["result"], json!({"ok": true, "targetId": raw}));
    let by_prefix = route(&op, &id, json!({"method": "POST", "path": "/tabs/focus", "body": {"targetId": raw[..6].to_lowercase()}})).await;
    assert_eq!(by_prefix["result"]["targetId"], json!(raw));
    let missing = route(
        &op,
        &id,
        json!({"method": "POST", "path": "/tabs/focus", "body": {"targetId": "t99"}}),
    )
    .await;
    assert_eq!(missing["error"]["status"], 404);
    assert_eq!(missing["error"]["body"]["error"], "tab not found: browser tab \"t99\" not found. Use action=tabs and pass suggestedTargetId, tabId, label, or raw targetId.");
    let closed = route(&op, &id, json!({"method": "DELETE", "path": "/tabs/work"})).await;
    assert_eq!(closed["result"]["ok"], true);
    let listed = route(&op, &id, json!({"path": "/tabs"})).await;
    let ids: Vec<&str> = listed["result"]["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tabId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["t1"], "{listed}");

    // Not served: 404, as the real service answers; without the envelope, a failure.
    let nope = route(&op, &id, json!({"path": "/nope"})).await;
    assert_eq!(
        nope["error"],
        json!({"status": 404, "body": {"error": "Not Found"}})
    );
    let (code, msg) = refused(&op, &id, "browser.proxy", json!({"path": "/nope"})).await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("INVALID_REQUEST", "Error: 404: Not Found")
    );
    let other = route(&op, &id, json!({"path": "/tabs", "profile": "work"})).await;
    assert_eq!(other["route"], json!({"status": "unavailable"}));
    assert_eq!(
        other["error"]["body"]["error"],
        "Profile \"work\" not found. Available profiles: openclaw"
    );
    let (_, msg) = refused(
        &op,
        &id,
        "browser.proxy",
        json!({"method": "POST", "path": "/reset-profile"}),
    )
    .await;
    assert!(
        msg.contains("browser.proxy cannot mutate persistent browser profiles"),
        "{msg}"
    );

    let stopped = route(&op, &id, json!({"method": "POST", "path": "/stop"})).await;
    assert_eq!(
        stopped["result"],
        json!({"ok": true, "stopped": true, "profile": "openclaw"})
    );
    let again = route(&op, &id, json!({"method": "POST", "path": "/stop"})).await;
    assert_eq!(again["result"]["stopped"], false);
    assert!(profile.join("Default").is_dir(), "the profile is kept");
}

/// The automation browser is under the canvas's request rules: its pages never reach the
/// configured browser control endpoint, not even through a redirect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn its_pages_cannot_reach_the_control_endpoint() {
    use crate::canvas_escape::Site;
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let site = Site::start();
    let control = Site::start();
    let config = json!({"browser": {"cdpUrl": control.base}});
    let (_node, id) = start_paired(&gw, &op, "control-escape-node", config).await;
    // Named directly, it is refused before a tab opens, as the real refuses a blocked URL.
    let direct = route(
        &op,
        &id,
        json!({"method": "POST", "path": "/tabs/open", "body": {"url": format!("{}/json/version", control.base)}}),
    )
    .await;
    assert_eq!(
        direct["error"],
        json!({"status": 400, "body": {"error": "browser navigation blocked by policy", "reason": "navigation_blocked"}})
    );
    // Behind a redirect, the browser itself refuses it.
    let redirect = format!("{}/to?{}/json/list", site.base, control.base);
    let opened = route(
        &op,
        &id,
        json!({"method": "POST", "path": "/tabs/open", "body": {"url": redirect}}),
    )
    .await;
    assert!(opened["result"]["targetId"].is_string(), "{opened}");
    let started = std::time::Instant::now();
    while site.seen().is_empty() && started.elapsed() < std::time::Duration::from_secs(10) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(!site.seen().is_empty(), "the browser did load pages");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(control.seen(), Vec::<String>::new());
    route(&op, &id, json!({"method": "POST", "path": "/stop"})).await;
}
