//! The connect checks and their errors, as a raw client sees them.

use openclaw_protocol::identity::DeviceIdentity;
use openclaw_protocol::now_ms;
use openclaw_test_support::gateway::*;
use serde_json::{json, Value};

/// A signed node `connect`; `tweak` may spoil it after signing.
fn node_connect(
    id: &DeviceIdentity,
    signed_at: u64,
    nonce: &str,
    tweak: impl Fn(&mut Value),
) -> String {
    let mut frame = signed_node_connect(id, id, signed_at, nonce, json!({"token": TOKEN}), TOKEN);
    tweak(&mut frame["params"]);
    frame.to_string()
}

/// Builds a connect frame from the challenge a raw connection received.
type FrameFn<'a> = Box<dyn Fn(&RawConn) -> String + 'a>;

async fn refused(gw: &GatewayProc, frame: impl Fn(&RawConn) -> String) -> (Value, Option<u16>) {
    let mut raw = RawConn::open(&gw.url).await;
    let text = frame(&raw);
    raw.send(text).await;
    let res = raw.next_json().await.expect("a response");
    assert_eq!(res["ok"], false, "{res}");
    (res["error"].clone(), raw.close_code().await)
}

#[tokio::test]
async fn auth_failures_name_their_reason() {
    let gw = GatewayProc::start();
    let (e, close) = refused(&gw, |_| operator_connect("1", 4, 4, "wrong")).await;
    assert_eq!(e["details"]["code"], "AUTH_TOKEN_MISMATCH");
    assert_eq!(
        e["message"],
        "unauthorized: gateway token mismatch (provide gateway auth token)"
    );
    assert_eq!(close, Some(1008));

    let (e, _) = refused(&gw, |_| {
        let mut v: Value = serde_json::from_str(&operator_connect("1", 4, 4, "x")).unwrap();
        v["params"]["auth"] = json!({});
        v.to_string()
    })
    .await;
    assert_eq!(e["details"]["code"], "AUTH_TOKEN_MISSING");
    assert_eq!(
        e["details"]["recommendedNextStep"],
        "update_auth_configuration"
    );
}

#[tokio::test]
async fn protocol_mismatch_closes_with_1002_and_v3_nodes_are_accepted() {
    let gw = GatewayProc::start();
    let (e, close) = refused(&gw, |_| operator_connect("1", 5, 5, TOKEN)).await;
    assert_eq!(e["message"], "protocol mismatch");
    assert_eq!(e["details"]["code"], "PROTOCOL_MISMATCH");
    assert_eq!(e["details"]["expectedProtocol"], 4);
    assert_eq!(close, Some(1002));

    // An operator may not use v3; a node may.
    let (e, _) = refused(&gw, |_| operator_connect("1", 3, 3, TOKEN)).await;
    assert_eq!(e["details"]["code"], "PROTOCOL_MISMATCH");
    let id = DeviceIdentity::generate();
    let mut raw = RawConn::open(&gw.url).await;
    let frame = node_connect(&id, raw.ts, &raw.nonce.clone(), |p| {
        p["minProtocol"] = json!(3);
        p["maxProtocol"] = json!(3);
    });
    raw.send(frame).await;
    let res = raw.next_json().await.unwrap();
    // Past the protocol check it reaches pairing.
    assert_eq!(res["error"]["details"]["code"], "PAIRING_REQUIRED", "{res}");
}

#[tokio::test]
async fn device_proof_failures() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let other = DeviceIdentity::generate();
    let cases: Vec<(&str, FrameFn)> = vec![
        (
            "DEVICE_AUTH_SIGNATURE_INVALID",
            Box::new(|r| {
                node_connect(&id, r.ts, &r.nonce, |p| {
                    p["device"]["signature"] = json!(other.sign("x"))
                })
            }),
        ),
        (
            "DEVICE_AUTH_NONCE_MISMATCH",
            Box::new(|r| node_connect(&id, r.ts, "not-the-nonce", |_| {})),
        ),
        (
            "DEVICE_AUTH_NONCE_REQUIRED",
            Box::new(|r| node_connect(&id, r.ts, "", |_| {})),
        ),
        (
            "DEVICE_AUTH_SIGNATURE_EXPIRED",
            Box::new(|r| node_connect(&id, now_ms() - 200_000, &r.nonce, |_| {})),
        ),
        (
            "DEVICE_AUTH_DEVICE_ID_MISMATCH",
            Box::new(|r| {
                node_connect(&id, r.ts, &r.nonce, |p| {
                    p["device"]["publicKey"] = json!(other.public_key())
                })
            }),
        ),
    ];
    for (code, frame) in cases {
        let (e, close) = refused(&gw, |r| frame(r)).await;
        assert_eq!(e["details"]["code"], code, "{e}");
        assert_eq!(e["code"], "INVALID_REQUEST");
        assert_eq!(close, Some(1008));
    }
    let (e, _) = refused(&gw, |r| {
        node_connect(&id, r.ts, &r.nonce, |p| {
            p.as_object_mut()
                .unwrap()
                .remove("device")
                .map(|_| ())
                .unwrap()
        })
    })
    .await;
    assert_eq!(e["code"], "NOT_PAIRED");
    assert_eq!(e["message"], "device identity required");
    assert_eq!(e["details"]["code"], "DEVICE_IDENTITY_REQUIRED");
}

#[tokio::test]
async fn the_first_frame_must_be_a_well_formed_connect() {
    let gw = GatewayProc::start();
    let (e, close) = refused(&gw, |_| {
        json!({"type": "req", "id": "9", "method": "node.list", "params": {}}).to_string()
    })
    .await;
    assert_eq!(
        e["message"],
        "invalid handshake: first request must be connect"
    );
    assert_eq!(close, Some(1008));

    let (e, _) = refused(&gw, |_| {
        let mut v: Value = serde_json::from_str(&operator_connect("1", 4, 4, TOKEN)).unwrap();
        v["params"]["client"]["id"] = json!("ios-node");
        v.to_string()
    })
    .await;
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid connect params: client.id must be one of"),
        "{e}"
    );

    let (e, _) = refused(&gw, |_| "{not json".to_string()).await;
    assert_eq!(
        e["message"],
        "invalid handshake: first request must be connect"
    );

    // Over 64 KiB before hello: closed with 1009.
    let mut raw = RawConn::open(&gw.url).await;
    raw.send("x".repeat(70_000)).await;
    assert_eq!(raw.close_code().await, Some(1009));
}

#[tokio::test]
async fn a_client_that_never_connects_is_closed() {
    let gw = GatewayProc::start_with(
        default_config(),
        &[],
        &[("OPENCLAW_HANDSHAKE_TIMEOUT_MS", "300")],
    );
    let mut raw = RawConn::open(&gw.url).await;
    // The default timeout is 10 s, past what `close_code` waits: a close here is the 300 ms one.
    assert_eq!(raw.close_code().await, Some(1008));
}

#[tokio::test]
async fn malformed_frames_after_hello_get_errors_and_the_connection_lives() {
    let gw = GatewayProc::start();
    let mut raw = RawConn::open(&gw.url).await;
    raw.send(operator_connect("c", 4, 4, TOKEN)).await;
    let hello = raw.next_json().await.unwrap();
    assert_eq!(hello["payload"]["type"], "hello-ok");
    assert_eq!(hello["payload"]["protocol"], 4);
    assert_eq!(
        hello["payload"]["features"]["capabilities"],
        json!(["node-surface-redeclare-v1"])
    );
    assert!(hello["payload"]["features"]["methods"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == "node.pluginSurface.refresh"));

    let cases = [
        ("{oops", "invalid frame: "),
        (
            r#"{"type":"req","id":"a1","method":"node.list","params":{},"extra":1}"#,
            "invalid frame: unknown field `extra`",
        ),
        (
            r#"{"type":"res","id":"a2","ok":true}"#,
            "invalid frame: clients send req frames, not res",
        ),
        (
            r#"{"type":"req","id":"a3","method":"no.such.method"}"#,
            "unknown method: no.such.method",
        ),
        (
            r#"{"type":"req","id":"a4","method":"node.describe","params":{"nodeId":7}}"#,
            "invalid node.describe params: ",
        ),
        (
            r#"{"type":"req","id":"a5","method":"node.invoke","params":{"nodeId":"x","command":"y"}}"#,
            "invalid node.invoke params: missing field `idempotencyKey`",
        ),
        (
            r#"{"type":"req","id":"a6","method":"node.invoke.result","params":{}}"#,
            "unauthorized role: operator",
        ),
    ];
    for (frame, expected) in cases {
        raw.send(frame).await;
        let res = raw.next_json().await.expect("connection stays open");
        assert_eq!(res["ok"], false);
        assert_eq!(res["error"]["code"], "INVALID_REQUEST");
        let message = res["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(expected), "{frame} -> {message}");
    }
    raw.send(r#"{"type":"req","id":"ok","method":"node.list","params":{}}"#)
        .await;
    assert_eq!(raw.next_json().await.unwrap()["ok"], true);
}

#[tokio::test]
async fn roles_and_scopes_are_enforced() {
    let gw = GatewayProc::start();
    let reader = operator_with(&gw.url, &["operator.read"]).await;
    reader.request("node.list", json!({})).await.unwrap();
    let e = reader
        .request(
            "node.invoke",
            json!({"nodeId": "n", "command": "test.echo", "idempotencyKey": "k"}),
        )
        .await
        .unwrap_err();
    let shape = e.error_shape().unwrap();
    assert_eq!(shape.code, "FORBIDDEN");
    assert_eq!(shape.message, "missing scope: operator.write");
    assert_eq!(details(&e)["missingScope"], "operator.write");

    let id = DeviceIdentity::generate();
    let (node, _events) = paired_node(&gw, &id, &["test.echo"]).await;
    let e = node.request("node.list", json!({})).await.unwrap_err();
    assert_eq!(e.error_shape().unwrap().message, "unauthorized role: node");
    let e = node
        .request("node.runnerInventory.update", json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        e.error_shape().unwrap().message,
        "unknown method: node.runnerInventory.update"
    );
}
