//! The exec approval "ask" flow through our gateway: `exec.approval.*` and `approval.*`, the
//! `exec.approval.requested|resolved` events and who gets them, expiry, and a `kill -9` that
//! loses no pending approval. The check on an approved `system.run` is in
//! `exec_approvals_guard.rs`.

use std::time::Duration;

use openclaw_client::{ClientError, Events};
use openclaw_protocol::identity::DeviceIdentity;
use openclaw_test_support::gateway::*;
use serde_json::{json, Value};

pub(crate) const APPROVALS: &str = "operator.approvals";
pub(crate) const WRITE: &str = "operator.write";

pub(crate) fn plan(argv: &[&str]) -> Value {
    json!({"argv": argv, "cwd": "/tmp", "commandText": argv.join(" "),
           "agentId": "main", "sessionKey": "agent:main:main"})
}

pub(crate) fn ask(id: &str, node_id: &str, argv: &[&str]) -> Value {
    json!({"id": id, "host": "node", "nodeId": node_id, "systemRunPlan": plan(argv),
           "timeoutMs": 60000, "twoPhase": true})
}

pub(crate) fn shape(e: &ClientError) -> (String, String, Value) {
    let s = e.error_shape().expect("an error reply");
    (s.code.clone(), s.message.clone(), details(e))
}

pub(crate) fn not_found() -> Value {
    json!({"reason": "APPROVAL_NOT_FOUND",
           "remediation": "Re-request the action; pending approvals are cleared after expiry or restart."})
}

/// No `exec.approval.*` event arrived (after the others had time to).
async fn heard_nothing(events: &mut Events) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Some(ev) = events.try_next() {
        assert!(
            !ev.event.starts_with("exec.approval."),
            "unexpected {}",
            ev.event
        );
    }
}

/// Reads frames until the `res` with `id`.
async fn res(raw: &mut RawConn, id: &str) -> Value {
    loop {
        let frame = raw.next_json().await.expect("socket open");
        if frame["type"] == "res" && frame["id"] == id {
            return frame;
        }
    }
}

/// Reads frames until a `res` for each of two ids (which may come in either order).
async fn both(raw: &mut RawConn, first: &str, second: &str) -> (Value, Value) {
    let (mut a, mut b) = (None, None);
    loop {
        let frame = raw.next_json().await.expect("socket open");
        if frame["type"] != "res" {
            continue;
        }
        if frame["id"] == first {
            a = Some(frame);
        } else if frame["id"] == second {
            b = Some(frame);
        }
        if let (Some(a), Some(b)) = (&a, &b) {
            return (a.clone(), b.clone());
        }
    }
}

/// A two-phase request gets `accepted`, then the verdict as a second `res` for the same id;
/// the event goes to approval clients that may see the record, never to a write-only
/// operator or a node; a verdict reaches the waiter and every approval client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_reaches_approval_clients_and_the_verdict_reaches_the_asker() {
    let gw = GatewayProc::start();
    let node_identity = DeviceIdentity::generate();
    let (node, mut node_events) = paired_node(&gw, &node_identity, &["system.run"]).await;
    let node_id = node_identity.device_id();
    let (reviewer, mut reviewer_events) =
        operator_proving(&gw.url, &["operator.admin"], None).await;
    let (writer, mut writer_events) = operator_proving(&gw.url, &[WRITE], None).await;
    let mut raw = RawConn::open(&gw.url).await;
    raw.send(operator_connect("c", 4, 4, TOKEN)).await;
    assert_eq!(res(&mut raw, "c").await["ok"], true);

    let req = json!({"type": "req", "id": "ask-1", "method": "exec.approval.request",
                     "params": ask("appr-1", &node_id, &["echo", "hi"])});
    raw.send(req.to_string()).await;
    let interim = res(&mut raw, "ask-1").await;
    let accepted = &interim["payload"];
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["id"], "appr-1");
    assert_eq!(accepted["deliveryRoute"], "approval-client");
    let expires = accepted["expiresAtMs"].as_u64().unwrap();
    assert_eq!(expires - accepted["createdAtMs"].as_u64().unwrap(), 60000);

    let requested = reviewer_events
        .wait_for("exec.approval.requested")
        .await
        .unwrap();
    let p = requested.payload.unwrap();
    assert_eq!(p["approvalKind"], "exec");
    assert_eq!(p["id"], "appr-1");
    assert_eq!(p["expiresAtMs"], expires);
    let r = &p["request"];
    assert_eq!(r["command"], "echo hi");
    assert_eq!(r["host"], "node");
    assert_eq!(r["nodeId"], node_id.as_str());
    assert_eq!(r["cwd"], "/tmp");
    assert_eq!(r["agentId"], "main");
    assert_eq!(
        r["allowedDecisions"],
        json!(["allow-once", "allow-always", "deny"])
    );
    assert_eq!(r["systemRunPlan"]["argv"], json!(["echo", "hi"]));
    assert!(
        r.get("commandArgv").is_none(),
        "a node request's argv lives in its plan"
    );

    let listed = reviewer
        .request("exec.approval.list", json!({}))
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["approvalKind"], "exec");
    let got = reviewer
        .request("exec.approval.get", json!({"id": "appr"}))
        .await
        .unwrap();
    assert_eq!(
        got,
        json!({"id": "appr-1", "commandText": "echo hi", "commandPreview": null,
               "allowedDecisions": ["allow-once", "allow-always", "deny"], "host": "node",
               "nodeId": node_id, "agentId": "main", "expiresAtMs": expires})
    );

    // Only approvals may resolve; a node may not even ask.
    let e = writer
        .request(
            "exec.approval.resolve",
            json!({"id": "appr-1", "decision": "allow-once"}),
        )
        .await
        .unwrap_err();
    assert_eq!(shape(&e).0, "FORBIDDEN");
    assert_eq!(shape(&e).1, "missing scope: operator.approvals");
    let e = node
        .request("exec.approval.request", ask("from-node", &node_id, &["id"]))
        .await
        .unwrap_err();
    assert_eq!(shape(&e).1, "unauthorized role: node");

    let wait = json!({"type": "req", "id": "wait-1", "method": "exec.approval.waitDecision",
                      "params": {"id": "appr-1"}});
    raw.send(wait.to_string()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let ok = reviewer
        .request(
            "exec.approval.resolve",
            json!({"id": "appr-1", "decision": "allow-once"}),
        )
        .await
        .unwrap();
    assert_eq!(ok, json!({"ok": true}));
    // The waiter's answer and the request's final one, in whichever order they come.
    let (waited, last) = both(&mut raw, "wait-1", "ask-1").await;
    let waited = waited["payload"].clone();
    assert_eq!(waited["decision"], "allow-once");
    assert_eq!(waited["terminalReason"], "user");
    assert_eq!(
        last["payload"],
        json!({"id": "appr-1", "decision": "allow-once",
               "createdAtMs": accepted["createdAtMs"], "expiresAtMs": expires})
    );
    let resolved = reviewer_events
        .wait_for("exec.approval.resolved")
        .await
        .unwrap();
    let p = resolved.payload.unwrap();
    assert_eq!(p["id"], "appr-1");
    assert_eq!(p["decision"], "allow-once");
    assert_eq!(p["resolvedBy"], "cli");
    assert_eq!(p["request"]["command"], "echo hi");

    // The same verdict again is fine; another is refused.
    let again = reviewer
        .request(
            "exec.approval.resolve",
            json!({"id": "appr-1", "decision": "allow-once"}),
        )
        .await
        .unwrap();
    assert_eq!(again, json!({"ok": true}));
    let e = reviewer
        .request(
            "exec.approval.resolve",
            json!({"id": "appr-1", "decision": "deny"}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        shape(&e),
        (
            "INVALID_REQUEST".into(),
            "approval already resolved".into(),
            json!({"reason": "APPROVAL_ALREADY_RESOLVED"})
        )
    );
    heard_nothing(&mut writer_events).await;
    heard_nothing(&mut node_events).await;
    let features = &reviewer.hello().features.events;
    assert!(features.iter().any(|e| e == "exec.approval.requested"));
    assert!(features.iter().any(|e| e == "exec.approval.resolved"));
}

/// A record belongs to the device that asked: another connection of that device sees and
/// resolves it, another device does not even see it. Prefixes, deny, and the real's refusals.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_seen_from_the_asking_device_and_resolved_by_prefix() {
    let gw = GatewayProc::start();
    let device = DeviceIdentity::generate();
    let (asker, _) = operator_proving(&gw.url, &[WRITE, APPROVALS], Some(&device)).await;
    let (reviewer, mut reviewer_events) =
        operator_proving(&gw.url, &[APPROVALS], Some(&device)).await;
    let (stranger, mut stranger_events) = operator_proving(&gw.url, &[APPROVALS], None).await;

    let waiting = {
        let asker = asker.clone();
        let mut params = ask("dup-a1", "some-node", &["ls"]);
        params["twoPhase"] = json!(false);
        tokio::spawn(async move { asker.request("exec.approval.request", params).await })
    };
    let ev = reviewer_events
        .wait_for("exec.approval.requested")
        .await
        .unwrap();
    assert_eq!(ev.payload.unwrap()["id"], "dup-a1");
    let accepted = asker
        .request(
            "exec.approval.request",
            ask("dup-a2", "some-node", &["ls", "-l"]),
        )
        .await
        .unwrap();
    assert_eq!(accepted["deliveryRoute"], "approval-client");

    assert_eq!(
        stranger
            .request("exec.approval.list", json!({}))
            .await
            .unwrap(),
        json!([])
    );
    let e = stranger
        .request(
            "exec.approval.resolve",
            json!({"id": "dup-a1", "decision": "deny"}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        shape(&e),
        (
            "INVALID_REQUEST".into(),
            "unknown or expired approval id".into(),
            not_found()
        )
    );
    let e = reviewer
        .request(
            "exec.approval.resolve",
            json!({"id": "DUP-A", "decision": "deny"}),
        )
        .await
        .unwrap_err();
    assert_eq!(shape(&e).1, "ambiguous approval id prefix; use the full id");
    let e = reviewer
        .request(
            "exec.approval.resolve",
            json!({"id": "dup-a1", "decision": "maybe"}),
        )
        .await
        .unwrap_err();
    assert_eq!(shape(&e).1, "invalid decision");
    let e = reviewer
        .request("exec.approval.waitDecision", json!({"id": "nope"}))
        .await
        .unwrap_err();
    assert_eq!(shape(&e).1, "approval expired or not found");

    let ok = reviewer
        .request(
            "exec.approval.resolve",
            json!({"id": "dup-a1", "decision": "deny"}),
        )
        .await
        .unwrap();
    assert_eq!(ok, json!({"ok": true}));
    let verdict = waiting.await.unwrap().unwrap();
    assert_eq!(verdict["id"], "dup-a1");
    assert_eq!(verdict["decision"], "deny");
    let resolved = reviewer_events
        .wait_for("exec.approval.resolved")
        .await
        .unwrap();
    assert_eq!(resolved.payload.unwrap()["decision"], "deny");

    // Now the prefix names one pending record.
    let ok = reviewer
        .request(
            "exec.approval.resolve",
            json!({"id": "dup", "decision": "allow-always"}),
        )
        .await
        .unwrap();
    assert_eq!(ok, json!({"ok": true}));
    let e = reviewer
        .request(
            "exec.approval.resolve",
            json!({"id": "zzz", "decision": "deny"}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        shape(&e),
        (
            "INVALID_REQUEST".into(),
            "unknown or expired approval id".into(),
            not_found()
        )
    );

    // `ask=always` never offers allow-always.
    let mut params = ask("always-1", "some-node", &["ls"]);
    params["ask"] = json!("always");
    asker
        .request("exec.approval.request", params)
        .await
        .unwrap();
    let e = reviewer
        .request(
            "exec.approval.resolve",
            json!({"id": "always-1", "decision": "allow-always"}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        shape(&e),
        (
            "INVALID_REQUEST".into(),
            "allow-always is unavailable for this command".into(),
            json!({"reason": "APPROVAL_ALLOW_ALWAYS_UNAVAILABLE"})
        )
    );
    let e = asker
        .request(
            "exec.approval.request",
            ask("always-1", "some-node", &["ls"]),
        )
        .await
        .unwrap_err();
    assert_eq!(shape(&e).1, "approval id already pending");
    let mut params = ask("x", "some-node", &["ls"]);
    params["systemRunPlan"] = json!(null);
    let e = asker
        .request("exec.approval.request", params)
        .await
        .unwrap_err();
    assert_eq!(shape(&e).1, "systemRunPlan is required for host=node");
    heard_nothing(&mut stranger_events).await;
}

/// A timeout: the waiter and the final reply hear `null`, reviewers hear `deny`. Without any
/// approval client the request is denied at once (no route), unless it asks to wait anyway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_and_missing_routes() {
    let gw = GatewayProc::start();
    let (asker, _) = operator_proving(&gw.url, &[WRITE, APPROVALS], None).await;

    // Alone: no route, so the only reply is the final one, even for a two-phase request.
    let verdict = asker
        .request("exec.approval.request", ask("lonely", "n", &["ls"]))
        .await
        .unwrap();
    assert_eq!(
        verdict.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "decision", "createdAtMs", "expiresAtMs"]
    );
    assert_eq!(verdict["decision"], Value::Null);

    // Asked to wait without a route: it stays pending.
    let mut params = ask("patient", "n", &["ls"]);
    params["requireDeliveryRoute"] = json!(false);
    params["timeoutMs"] = json!(1500);
    let accepted = asker
        .request("exec.approval.request", params)
        .await
        .unwrap();
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["deliveryRoute"], "none");

    // A reviewer hears the timeout as deny; the waiter hears null.
    let (_reviewer, mut reviewer_events) =
        operator_proving(&gw.url, &["operator.admin"], None).await;
    let waited = asker
        .request("exec.approval.waitDecision", json!({"id": "patient"}))
        .await
        .unwrap();
    assert_eq!(waited["decision"], Value::Null);
    assert_eq!(waited["terminalReason"], "timeout");
    let resolved = reviewer_events
        .wait_for("exec.approval.resolved")
        .await
        .unwrap();
    let p = resolved.payload.unwrap();
    assert_eq!(p["id"], "patient");
    assert_eq!(p["decision"], "deny");
    assert_eq!(p["resolvedBy"], Value::Null);

    let mut params = ask("short", "n", &["ls"]);
    params["timeoutMs"] = json!(300);
    let accepted = asker
        .request("exec.approval.request", params)
        .await
        .unwrap();
    assert_eq!(accepted["deliveryRoute"], "approval-client");
    let waited = asker
        .request("exec.approval.waitDecision", json!({"id": "short"}))
        .await
        .unwrap();
    assert_eq!(waited["decision"], Value::Null);
    let e = asker
        .request(
            "exec.approval.resolve",
            json!({"id": "short", "decision": "allow-once"}),
        )
        .await
        .unwrap_err();
    assert_eq!(shape(&e).1, "approval already resolved");

    let admin = gw.operator().await;
    let got = admin
        .request("approval.get", json!({"id": "lonely"}))
        .await
        .unwrap();
    assert_eq!(got["approval"]["status"], "denied");
    assert_eq!(got["approval"]["reason"], "no-route");
    assert_eq!(
        got["approval"]["resolver"],
        json!({"kind": "system", "id": "no-approval-route"})
    );
}

/// `approval.get|resolve|history`: snapshots by exact id; a wrong kind denies the approval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unified_approval_methods() {
    let gw = GatewayProc::start();
    let (admin, _) = operator_proving(&gw.url, &["operator.admin"], None).await;
    let (asker, _) = operator_proving(&gw.url, &[WRITE, APPROVALS], None).await;
    for id in ["u-1", "u-2"] {
        asker
            .request("exec.approval.request", ask(id, "n", &["uname", "-a"]))
            .await
            .unwrap();
    }
    let got = admin
        .request("approval.get", json!({"id": "u-1"}))
        .await
        .unwrap();
    let a = &got["approval"];
    assert_eq!(a["id"], "u-1");
    assert_eq!(a["status"], "pending");
    assert_eq!(a["urlPath"], "/approve/u-1");
    assert_eq!(
        a["presentation"],
        json!({"kind": "exec", "commandText": "uname -a", "commandPreview": null,
               "warningText": null, "host": "node", "nodeId": "n", "agentId": "main",
               "allowedDecisions": ["allow-once", "allow-always", "deny"]})
    );
    assert!(a.get("resolvedAtMs").is_none());

    let r = admin
        .request(
            "approval.resolve",
            json!({"id": "u-1", "kind": "plugin", "decision": "allow-once"}),
        )
        .await
        .unwrap();
    assert_eq!(r["applied"], true);
    let a = &r["approval"];
    assert_eq!(a["status"], "denied");
    assert_eq!(a["reason"], "malformed-verdict");
    assert_eq!(a["decision"], "deny");
    assert_eq!(a["resolver"], json!({"kind": "runtime", "id": "cli"}));
    assert_eq!(
        a["source"],
        json!({"agentId": "main", "sessionKey": "agent:main:main"})
    );
    let again = admin
        .request(
            "approval.resolve",
            json!({"id": "u-1", "kind": "exec", "decision": "allow-once"}),
        )
        .await
        .unwrap();
    assert_eq!(again["applied"], false);
    assert_eq!(again["approval"]["decision"], "deny");

    let r = admin
        .request(
            "approval.resolve",
            json!({"id": "u-2", "kind": "exec", "decision": "allow-always"}),
        )
        .await
        .unwrap();
    assert_eq!(r["approval"]["status"], "allowed");
    assert_eq!(r["approval"]["decision"], "allow-always");
    assert_eq!(r["approval"]["reason"], "user");

    let history = admin
        .request("approval.history", json!({"limit": 1}))
        .await
        .unwrap();
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    assert_eq!(history["items"][0]["id"], "u-2");
    let next = admin
        .request("approval.history", json!({"cursor": history["nextCursor"]}))
        .await
        .unwrap();
    assert_eq!(next["items"][0]["id"], "u-1");
    assert!(next.get("nextCursor").is_none());

    let e = admin
        .request("approval.get", json!({"id": "u"}))
        .await
        .unwrap_err();
    assert_eq!(
        shape(&e),
        (
            "INVALID_REQUEST".into(),
            "approval not found".into(),
            json!({"reason": "APPROVAL_NOT_FOUND"})
        )
    );
    // Without a device, approvals alone do not review through the unified methods.
    let e = asker
        .request("approval.get", json!({"id": "u-2"}))
        .await
        .unwrap_err();
    assert_eq!(shape(&e).1, "approval not found");
}

/// `kill -9` with one approval pending and one about to expire: after the restart both are
/// back, one can be resolved, the other expires on its own timer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_approvals_survive_a_crash() {
    let mut gw = GatewayProc::start();
    let (asker, _) = operator_proving(&gw.url, &[WRITE, APPROVALS], None).await;
    for (id, timeout) in [("kept", 600000), ("soon", 4000)] {
        let mut params = ask(id, "n", &["make", "test"]);
        params["requireDeliveryRoute"] = json!(false);
        params["timeoutMs"] = json!(timeout);
        asker
            .request("exec.approval.request", params)
            .await
            .unwrap();
    }
    let before = asker
        .request("exec.approval.list", json!({}))
        .await
        .unwrap();
    gw.crash_and_restart();

    let admin = gw.operator().await;
    let after = admin
        .request("exec.approval.list", json!({}))
        .await
        .unwrap();
    assert_eq!(after, before);
    let ok = admin
        .request(
            "exec.approval.resolve",
            json!({"id": "kept", "decision": "allow-once"}),
        )
        .await
        .unwrap();
    assert_eq!(ok, json!({"ok": true}));
    let gone = poll_until(&admin, "exec.approval.list", Duration::from_secs(10), |v| {
        v.as_array().unwrap().is_empty().then(|| v.clone())
    })
    .await;
    assert_eq!(gone, json!([]));
    let soon = admin
        .request("approval.get", json!({"id": "soon"}))
        .await
        .unwrap();
    assert_eq!(soon["approval"]["status"], "expired");
    assert_eq!(soon["approval"]["reason"], "timeout");
    let kept = admin
        .request("approval.get", json!({"id": "kept"}))
        .await
        .unwrap();
    assert_eq!(kept["approval"]["status"], "allowed");
}
