//! The check an approval override on `system.run` must pass before our gateway forwards it:
//! a live record for that node, asked from this caller, whose plan replaces the caller's, and
//! an allow-once spent on first use.

use std::sync::{Arc, Mutex};

use openclaw_client::{ClientError, Events, GatewayClient};
use openclaw_protocol::identity::DeviceIdentity;
use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::gateway::*;
use serde_json::{json, Value};

use crate::exec_approvals_gateway::{ask, shape, APPROVALS, WRITE};

/// A node that records the `system.run` params it receives and reports success.
fn recording_node(node: GatewayClient, mut events: Events) -> Arc<Mutex<Vec<Value>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Some(ev) = events.next().await {
            if ev.event != "node.invoke.request" {
                continue;
            }
            let p = ev.payload.unwrap();
            let params: Value = serde_json::from_str(p["paramsJSON"].as_str().unwrap()).unwrap();
            log.lock().unwrap().push(params);
            let reply = json!({"id": p["id"], "nodeId": p["nodeId"], "ok": true,
                               "payloadJSON": json!({"exitCode": 0}).to_string()});
            node.request("node.invoke.result", reply).await.ok();
        }
    });
    seen
}

/// `approved`/`approvalSource` reach a node only through a live record of this gateway for
/// that node, asked from the caller's device; the approved plan replaces the caller's copy;
/// an allow-once is spent once; an expired record lets one ask-fallback run through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_overrides_need_a_matching_record() {
    let gw = GatewayProc::start();
    let node_identity = DeviceIdentity::generate();
    let (node, node_events) = paired_node(&gw, &node_identity, &["system.run"]).await;
    let seen = recording_node(node, node_events);
    let node_id = node_identity.device_id();
    let device = DeviceIdentity::generate();
    let (asker, _) = operator_proving(&gw.url, &[WRITE, APPROVALS], Some(&device)).await;
    let (reviewer, _) = operator_proving(&gw.url, &[APPROVALS], Some(&device)).await;
    let (stranger, _) = operator_proving(&gw.url, &[WRITE, APPROVALS], None).await;
    let (writer, _) = operator_proving(&gw.url, &[WRITE], Some(&device)).await;
    let approve = |id: &'static str, on: String, decision: &'static str| {
        let (asker, reviewer) = (asker.clone(), reviewer.clone());
        async move {
            asker
                .request("exec.approval.request", ask(id, &on, &["echo", "hi"]))
                .await
                .unwrap();
            reviewer
                .request(
                    "exec.approval.resolve",
                    json!({"id": id, "decision": decision}),
                )
                .await
                .unwrap();
        }
    };
    let n = std::sync::atomic::AtomicUsize::new(0);
    let run = |who: &GatewayClient, extra: Value| {
        let mut params = json!({"command": ["echo", "hi"], "rawCommand": "echo hi",
                                "cwd": "/tmp", "agentId": "main", "sessionKey": "agent:main:main"});
        params
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let key = format!("k{}", n.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
        let invoke = InvokeParams::new(&node_id, "system.run", params, key).to_value();
        let who = who.clone();
        async move { who.request("node.invoke", invoke).await }
    };
    let refused = |e: ClientError, code: &str, message: &str, run_id: &str| {
        assert_eq!(
            shape(&e),
            (
                "INVALID_REQUEST".into(),
                message.into(),
                json!({"code": code, "runId": run_id})
            )
        );
    };

    approve("run-1", node_id.clone(), "allow-once").await;
    let tampered = json!({"argv": ["rm", "-rf", "/"], "cwd": "/", "commandText": "rm -rf /",
                          "agentId": "main", "sessionKey": "agent:main:main"});
    let extra = json!({"approved": true, "approvalDecision": "allow-once", "runId": "run-1",
                       "systemRunPlan": tampered, "sneaky": 1});
    run(&asker, extra.clone()).await.unwrap();
    let sent = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        sent,
        json!({"command": ["echo", "hi"], "rawCommand": "echo hi",
               "systemRunPlan": {"argv": ["echo", "hi"], "cwd": "/tmp", "commandText": "echo hi",
                                 "commandPreview": null, "agentId": "main",
                                 "sessionKey": "agent:main:main"},
               "cwd": "/tmp", "agentId": "main", "sessionKey": "agent:main:main",
               "runId": "run-1", "approved": true, "approvalDecision": "allow-once"})
    );
    let e = run(&asker, extra).await.unwrap_err();
    refused(e, "APPROVAL_REQUIRED", "approval required", "run-1");

    approve("run-2", node_id.clone(), "allow-always").await;
    let always = json!({"approved": true, "approvalDecision": "allow-always", "runId": "run-2"});
    run(&asker, always.clone()).await.unwrap();
    run(&asker, always.clone()).await.unwrap();
    let mut other = always.clone();
    other["command"] = json!(["echo", "bye"]);
    other["rawCommand"] = json!("echo bye");
    let e = run(&asker, other).await.unwrap_err();
    refused(
        e,
        "APPROVAL_REQUEST_MISMATCH",
        "approval id does not match request",
        "run-2",
    );
    let e = run(&stranger, always.clone()).await.unwrap_err();
    refused(
        e,
        "APPROVAL_DEVICE_MISMATCH",
        "approval id not valid for this device",
        "run-2",
    );
    let e = run(&writer, always).await.unwrap_err();
    assert_eq!(shape(&e).0, "FORBIDDEN");
    assert_eq!(shape(&e).1, "missing scope: operator.approvals");

    approve("run-3", "another-node".into(), "allow-once").await;
    let e = run(&asker, json!({"approved": true, "runId": "run-3"}))
        .await
        .unwrap_err();
    refused(
        e,
        "APPROVAL_NODE_MISMATCH",
        "approval id not valid for this node",
        "run-3",
    );
    approve("run-4", node_id.clone(), "deny").await;
    let e = run(&asker, json!({"approved": true, "runId": "run-4"}))
        .await
        .unwrap_err();
    refused(e, "APPROVAL_REQUIRED", "approval required", "run-4");
    let e = run(&asker, json!({"approved": true, "runId": "nope"}))
        .await
        .unwrap_err();
    refused(
        e,
        "UNKNOWN_APPROVAL_ID",
        "unknown or expired approval id",
        "nope",
    );
    let e = run(&asker, json!({"approved": true})).await.unwrap_err();
    assert_eq!(
        shape(&e),
        (
            "INVALID_REQUEST".into(),
            "approval override requires params.runId".into(),
            json!({"code": "MISSING_RUN_ID"})
        )
    );
    let e = run(
        &asker,
        json!({"approvalSource": "auto-approve", "runId": "run-2"}),
    )
    .await
    .unwrap_err();
    assert_eq!(shape(&e).1, "approval source invalid");

    // Timed out: one ask-fallback run, and only one.
    let mut params = ask("run-5", &node_id, &["echo", "hi"]);
    params["timeoutMs"] = json!(200);
    asker
        .request("exec.approval.request", params)
        .await
        .unwrap();
    let waited = asker
        .request("exec.approval.waitDecision", json!({"id": "run-5"}))
        .await
        .unwrap();
    assert_eq!(waited["decision"], Value::Null);
    let fallback = json!({"approvalSource": "ask-fallback", "runId": "run-5"});
    run(&asker, fallback.clone()).await.unwrap();
    let sent = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(sent["approvalSource"], "ask-fallback");
    assert!(sent.get("approved").is_none());
    // Spent, the record is judged by its own expiry again, as the real does.
    let e = run(&asker, fallback).await.unwrap_err();
    refused(e, "APPROVAL_EXPIRED", "approval expired", "run-5");

    // Without an override nothing changes: the node decides.
    run(&writer, json!({"approved": false})).await.unwrap();
    let sent = seen.lock().unwrap().last().cloned().unwrap();
    assert!(sent.get("approved").is_none());
    assert!(sent["runId"].is_string());
}
