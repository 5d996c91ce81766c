//! Both pairing layers: devices (who may connect) and node surfaces (what they may run).

use openclaw_protocol::identity::DeviceIdentity;
use openclaw_test_support::gateway::*;
use serde_json::json;

#[tokio::test]
async fn device_then_surface_pairing() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let id = DeviceIdentity::generate();
    let commands = ["test.echo", "system.which", "dir.list"];

    let err = connect_node(&gw.url, &id, &commands).await.err().unwrap();
    let shape = err.error_shape().unwrap();
    assert_eq!(shape.code, "NOT_PAIRED");
    assert_eq!(
        shape.message,
        "pairing required: device is not approved yet"
    );
    let d = details(&err);
    assert_eq!(d["code"], "PAIRING_REQUIRED");
    assert_eq!(d["reason"], "not-paired");
    assert_eq!(d["deviceId"], id.device_id().as_str());
    let request_id = d["requestId"].as_str().unwrap().to_string();

    // A retry reuses the pending request instead of piling up new ones.
    let again = connect_node(&gw.url, &id, &commands).await.err().unwrap();
    assert_eq!(details(&again)["requestId"], request_id.as_str());
    let list = op.request("device.pair.list", json!({})).await.unwrap();
    assert_eq!(list["pending"].as_array().unwrap().len(), 1);
    assert_eq!(list["pending"][0]["publicKey"], id.public_key().as_str());
    assert_eq!(list["pending"][0]["roles"], json!(["node"]));

    let approved = op
        .request("device.pair.approve", json!({"requestId": request_id}))
        .await
        .unwrap();
    assert_eq!(approved["device"]["deviceId"], id.device_id().as_str());
    let e = op
        .request("device.pair.approve", json!({"requestId": request_id}))
        .await
        .unwrap_err();
    assert_eq!(e.error_shape().unwrap().message, "unknown requestId");

    // Paired device, unapproved surface: connected with zero effective commands.
    let (node, mut events) = connect_node(&gw.url, &id, &commands).await.unwrap();
    let token = node
        .hello()
        .auth
        .device_token
        .clone()
        .expect("a device token in hello-ok");
    assert_eq!(node.hello().auth.role, "node");
    let listed = op.request("node.list", json!({})).await.unwrap();
    let n = &listed["nodes"][0];
    assert_eq!(n["approvalState"], "pending-approval");
    assert_eq!(n["commands"], json!([]));
    assert_eq!(n["connected"], true);

    let pending = op.request("node.pair.list", json!({})).await.unwrap();
    let req = &pending["pending"][0];
    // dir.list is not on the Linux allowlist: withheld, never offered for approval.
    assert_eq!(req["commands"], json!(["test.echo", "system.which"]));
    assert_eq!(
        req["requiredApproveScopes"],
        json!(["operator.pairing", "operator.admin"])
    );

    // Approving system.* needs operator.admin.
    let pairer = operator_with(&gw.url, &["operator.pairing"]).await;
    let e = pairer
        .request("node.pair.approve", json!({"requestId": req["requestId"]}))
        .await
        .unwrap_err();
    assert_eq!(
        e.error_shape().unwrap().message,
        "missing scope: operator.admin"
    );

    op.request("node.pair.approve", json!({"requestId": req["requestId"]}))
        .await
        .unwrap();
    let resolved = events.wait_for("node.pair.resolved").await.unwrap();
    assert_eq!(resolved.payload.unwrap()["decision"], "approved");
    let described = op
        .request("node.describe", json!({"nodeId": id.device_id()}))
        .await
        .unwrap();
    assert_eq!(described["approvalState"], "approved");
    assert_eq!(described["commands"], json!(["test.echo", "system.which"]));

    // Reconnecting with the device token alone works; a wrong one is refused.
    node.close();
    let mut opts = node_options(&gw.url, &id, &commands);
    opts.auth.token = None;
    opts.auth.device_token = Some(token.clone());
    let (again, _) = openclaw_client::connect(&opts).await.unwrap();
    assert_eq!(again.hello().auth.method.as_deref(), Some("device-token"));
    opts.auth.device_token = Some("forged".into());
    let e = openclaw_client::connect(&opts).await.err().unwrap();
    assert_eq!(details(&e)["code"], "AUTH_DEVICE_TOKEN_MISMATCH");
}

#[tokio::test]
async fn a_wider_surface_needs_approval_again_and_refresh_redeclares_it() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let id = DeviceIdentity::generate();
    let (node, mut events) = paired_node(&gw, &id, &["test.echo"]).await;

    let reply = node
        .request(
            "node.pluginSurface.refresh",
            json!({"caps": ["test"], "commands": ["test.echo", "test.count"]}),
        )
        .await
        .unwrap();
    assert_eq!(
        reply["commands"],
        json!(["test.echo"]),
        "approved stays effective meanwhile"
    );
    assert_eq!(reply["approvalState"], "pending-approval");
    let described = op
        .request("node.describe", json!({"nodeId": id.device_id()}))
        .await
        .unwrap();
    assert_eq!(described["approvalState"], "pending-reapproval");

    op.request(
        "node.pair.approve",
        json!({"requestId": reply["pendingRequestId"]}),
    )
    .await
    .unwrap();
    events.wait_for("node.pair.resolved").await.unwrap();
    let described = op
        .request("node.describe", json!({"nodeId": id.device_id()}))
        .await
        .unwrap();
    assert_eq!(described["commands"], json!(["test.echo", "test.count"]));

    // Dropping a command takes effect at once, no approval needed.
    let reply = node
        .request(
            "node.pluginSurface.refresh",
            json!({"caps": [], "commands": ["test.count"]}),
        )
        .await
        .unwrap();
    assert_eq!(reply["commands"], json!(["test.count"]));
    assert_eq!(reply["approvalState"], "approved");

    // The real gateway's shape of this method is not served here: refused, not faked.
    let e = node
        .request("node.pluginSurface.refresh", json!({"surface": "canvas"}))
        .await
        .unwrap_err();
    assert!(e
        .error_shape()
        .unwrap()
        .message
        .contains("not served by this gateway"));
}

#[tokio::test]
async fn rejecting_and_removing() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let id = DeviceIdentity::generate();
    let err = connect_node(&gw.url, &id, &[]).await.err().unwrap();
    let request_id = details(&err)["requestId"].clone();
    let r = op
        .request("device.pair.reject", json!({"requestId": request_id}))
        .await
        .unwrap();
    assert_eq!(r["deviceId"], id.device_id().as_str());
    assert_eq!(
        op.request("device.pair.list", json!({})).await.unwrap()["pending"],
        json!([])
    );

    let (node, _events) = paired_node(&gw, &id, &["test.echo"]).await;
    let r = op
        .request("node.pair.remove", json!({"nodeId": id.device_id()}))
        .await
        .unwrap();
    assert_eq!(r["nodeId"], id.device_id().as_str());
    // The node's socket is dropped, and it must pair again.
    let e = node
        .request("node.event", json!({"event": "x"}))
        .await
        .unwrap_err();
    assert!(matches!(e, openclaw_client::ClientError::Closed(_)), "{e}");
    let e = connect_node(&gw.url, &id, &[]).await.err().unwrap();
    assert_eq!(details(&e)["code"], "PAIRING_REQUIRED");
    let e = op
        .request("node.pair.remove", json!({"nodeId": "nope"}))
        .await
        .unwrap_err();
    assert_eq!(e.error_shape().unwrap().message, "unknown nodeId");
}

#[tokio::test]
async fn loopback_auto_approval_follows_the_config() {
    let config = json!({"gateway": {"nodes": {"commands": {"allow": TEST_COMMANDS}}}});
    let gw = GatewayProc::start_with(config, &[], &[]);
    let id = DeviceIdentity::generate();
    let (node, _) = connect_node(&gw.url, &id, &["test.echo"])
        .await
        .expect("silently approved on loopback");
    assert!(node.hello().auth.device_token.is_some());
    let list = gw
        .operator()
        .await
        .request("device.pair.list", json!({}))
        .await
        .unwrap();
    assert_eq!(list["paired"][0]["approvedVia"], "silent");
}
