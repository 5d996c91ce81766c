//! State that must outlive the process (kill -9), the pending queue, and token revocation.

use openclaw_protocol::identity::DeviceIdentity;
use openclaw_test_support::gateway::*;
use serde_json::json;

#[tokio::test]
async fn pending_work_is_held_until_acked_across_crashes() {
    let mut gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let (node, _events) = paired_node(&gw, &id, &["test.echo"]).await;
    let op = gw.operator().await;
    let node_id = id.device_id();
    let a = op
        .request(
            "node.pending.enqueue",
            json!({"nodeId": node_id, "type": "status.request"}),
        )
        .await
        .unwrap();
    assert_eq!(a["revision"], 1);
    op.request(
        "node.pending.enqueue",
        json!({"nodeId": node_id, "type": "location.request", "priority": "high"}),
    )
    .await
    .unwrap();
    let e = op
        .request(
            "node.pending.enqueue",
            json!({"nodeId": node_id, "type": "reboot"}),
        )
        .await
        .unwrap_err();
    assert!(e
        .error_shape()
        .unwrap()
        .message
        .starts_with("invalid node.pending.enqueue params"));

    let drained = node.request("node.pending.drain", json!({})).await.unwrap();
    let items = drained["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["type"], "location.request", "high priority first");
    // Not delivered twice to the same connection.
    let again = node.request("node.pending.drain", json!({})).await.unwrap();
    assert_eq!(again["items"], json!([]));

    gw.crash_and_restart();
    let (node, _events) = connect_node(&gw.url, &id, &["test.echo"])
        .await
        .expect("still paired after kill -9");
    let drained = node
        .request("node.pending.drain", json!({"maxItems": 1}))
        .await
        .unwrap();
    assert_eq!(drained["hasMore"], true);
    let first = drained["items"][0]["id"].clone();
    let acked = node
        .request("node.pending.ack", json!({"ids": [first, "not-mine"]}))
        .await
        .unwrap();
    assert_eq!(acked["ackedIds"], json!([first]));
    assert_eq!(acked["remainingCount"], 1);

    gw.crash_and_restart();
    let (node, _events) = connect_node(&gw.url, &id, &["test.echo"]).await.unwrap();
    let pulled = node.request("node.pending.pull", json!({})).await.unwrap();
    let actions = pulled["actions"].as_array().unwrap();
    assert_eq!(
        actions.len(),
        1,
        "the acked item is gone, the other survived two crashes"
    );
    assert_eq!(actions[0]["command"], "status.request");
}

#[tokio::test]
async fn revoking_a_token_drops_the_node_and_refuses_the_old_token() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let (node, _events) = paired_node(&gw, &id, &["test.echo"]).await;
    let old = node.hello().auth.device_token.clone().unwrap();
    let op = gw.operator().await;
    let r = op
        .request(
            "device.token.revoke",
            json!({"deviceId": id.device_id(), "role": "node"}),
        )
        .await
        .unwrap();
    assert!(r["revokedAtMs"].is_u64());
    let e = node
        .request("node.event", json!({"event": "x"}))
        .await
        .unwrap_err();
    assert!(matches!(e, openclaw_client::ClientError::Closed(_)), "{e}");

    let mut opts = node_options(&gw.url, &id, &["test.echo"]);
    opts.auth.token = None;
    opts.auth.device_token = Some(old.clone());
    let e = openclaw_client::connect(&opts).await.err().unwrap();
    assert_eq!(details(&e)["code"], "AUTH_DEVICE_TOKEN_MISMATCH");
    // The shared token still works for the paired device, and brings a fresh device token.
    let (again, _) = connect_node(&gw.url, &id, &["test.echo"]).await.unwrap();
    let fresh = again.hello().auth.device_token.clone().unwrap();
    assert_ne!(fresh, old);

    let rotated = op
        .request(
            "device.token.rotate",
            json!({"deviceId": id.device_id(), "role": "node"}),
        )
        .await
        .unwrap();
    assert_eq!(rotated["tokenDelivery"], "withheld-cross-device");
    assert!(rotated.get("token").is_none());
    let list = op.request("device.pair.list", json!({})).await.unwrap();
    let tokens = &list["paired"][0]["tokens"];
    assert_eq!(tokens[0]["role"], "node");
    assert!(tokens[0].get("token").is_none(), "secrets are never listed");
}

#[tokio::test]
async fn host_stats_and_ticks() {
    let gw = GatewayProc::start_with(
        default_config(),
        &[],
        &[("OPENCLAW_TICK_INTERVAL_MS", "200")],
    );
    let id = DeviceIdentity::generate();
    let (node, mut events) = paired_node(&gw, &id, &["test.echo"]).await;
    let stats = r#"{"cpuCount":2,"loadAverage":[1.04,2.25,2.31],"memoryTotalBytes":100,"memoryFreeBytes":40,"diskTotalBytes":10,"diskAvailableBytes":5}"#;
    let r = node
        .request(
            "node.event",
            json!({"event": "node.host.stats", "payloadJSON": stats}),
        )
        .await
        .unwrap();
    assert_eq!(
        r,
        json!({"ok": true, "event": "node.host.stats", "handled": true, "reason": "updated"})
    );
    let bad = node
        .request("node.event", json!({"event": "node.host.stats", "payload": {"cpuCount": 2, "memoryTotalBytes": 1, "memoryFreeBytes": 5}}))
        .await
        .unwrap();
    assert_eq!(bad["reason"], "invalid_payload");
    let other = node
        .request("node.event", json!({"event": "something.else"}))
        .await
        .unwrap();
    assert_eq!(other["reason"], "unsupported_event");
    let d = gw
        .operator()
        .await
        .request("node.describe", json!({"nodeId": id.device_id()}))
        .await
        .unwrap();
    assert_eq!(d["hostStats"]["cpuCount"], 2);

    let tick = events.wait_for("tick").await.unwrap();
    assert!(tick.seq.is_some() && tick.payload.unwrap()["ts"].is_u64());
}

/// The items the gateway's store holds for `node_id`, read from its SQLite file.
fn stored_pending(gw: &GatewayProc, node_id: &str) -> Vec<String> {
    let db = rusqlite::Connection::open_with_flags(
        gw.dir.join("gateway.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut query = db
        .prepare("SELECT record FROM records WHERE kind = 'pending' AND parent = ?1")
        .unwrap();
    query
        .query_map([node_id], |row| row.get::<_, String>(0))
        .unwrap()
        .map(|record| {
            let item: serde_json::Value = serde_json::from_str(&record.unwrap()).unwrap();
            item["type"].as_str().unwrap().to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_node_does_the_status_request_left_while_it_was_away() {
    use openclaw_test_support::node::{pair, NodeProc, WAIT};
    let gw = GatewayProc::start();
    let mut node = NodeProc::start(&gw, "away-node");
    let operator =
        openclaw_client::ConnectOptions::operator(&gw.url, Some(TOKEN.into()), &["operator.admin"]);
    let (op, mut events) = openclaw_client::connect(&operator).await.unwrap();
    let node_id = pair(&op, "away-node").await;
    node.go_away();
    for kind in ["status.request", "location.request"] {
        op.request(
            "node.pending.enqueue",
            json!({"nodeId": node_id, "type": kind}),
        )
        .await
        .unwrap();
    }
    while events.try_next().is_some() {}
    node.come_back(&gw, "away-node");
    // It reports its status (presence, then host stats), then acknowledges that item only:
    // a location has no way back to the gateway but an invoke, so that one waits.
    let started = std::time::Instant::now();
    while stored_pending(&gw, &node_id) != ["location.request"] {
        assert!(
            started.elapsed() < WAIT,
            "{:?}",
            stored_pending(&gw, &node_id)
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut stats = 0;
    while stats < 2 {
        let ev = tokio::time::timeout(WAIT, events.next())
            .await
            .expect("host stats at connect and for the status request")
            .unwrap();
        if ev.event == "node.hostStats" && ev.payload.unwrap()["nodeId"] == node_id.as_str() {
            stats += 1;
        }
    }

    // The item left queued is handed to the node again the next time.
    node.go_away();
    let identity = openclaw_node::files::load_identity(&node.state).unwrap();
    let (as_node, _events) = connect_node(&gw.url, &identity, &[]).await.unwrap();
    let pulled = as_node
        .request("node.pending.pull", json!({}))
        .await
        .unwrap();
    assert_eq!(pulled["actions"].as_array().unwrap().len(), 1);
    assert_eq!(pulled["actions"][0]["command"], "location.request");
}
