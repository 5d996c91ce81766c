//! `gateway.nodes.pairing.autoApproveCidrs` over a real address: our gateway in a network
//! namespace (the helpers of `lan.rs`), clients in the root namespace reaching it from
//! 10.232.0.1. A fresh, scopeless node from a listed network pairs with no operator; one from
//! elsewhere, one asking for scopes, an operator, a later metadata change, and anything on
//! loopback stay with the operator.

use openclaw_client::{connect, ConnectOptions};
use openclaw_protocol::identity::DeviceIdentity;
use openclaw_test_support::gateway::*;
use serde_json::{json, Value};

use crate::lan::{Netns, NsGateway};

fn config(cidrs: &[&str]) -> Value {
    let mut config = default_config();
    config["gateway"]["nodes"]["pairing"]["autoApproveCidrs"] = json!(cidrs);
    config
}

/// The device's record in `device.pair.list`: `paired`, `pending`, or neither.
async fn device_state(op: &openclaw_client::GatewayClient, device_id: &str) -> &'static str {
    let list = op.request("device.pair.list", json!({})).await.unwrap();
    let has = |key: &str| {
        list[key]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["deviceId"] == device_id)
    };
    match (has("paired"), has("pending")) {
        (true, _) => "paired",
        (false, true) => "pending",
        (false, false) => "unknown",
    }
}

async fn refused_reason(opts: &ConnectOptions) -> String {
    let err = connect(opts).await.err().expect("pairing is required");
    let d = details(&err);
    assert_eq!(d["code"], "PAIRING_REQUIRED", "{err}");
    d["reason"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_node_from_a_listed_network_pairs_without_an_operator() {
    let ns = Netns::new("ca", "10.232.0.1/24", "10.232.0.2/24");
    let ns_ip = "10.232.0.2";
    let listed = NsGateway::start_with(&ns, ns_ip, config(&[" ", "lan", "10.232.0.0/24"]));
    // The gateway's own address and other networks, but not the client's.
    let unlisted = NsGateway::start_with(&ns, ns_ip, config(&["10.99.0.0/16", ns_ip]));
    let op = operator_with(&listed.url, &["operator.admin"]).await;
    let op_unlisted = operator_with(&unlisted.url, &["operator.admin"]).await;

    // Inside: the node is in at once, with a device token; the device record says how.
    let node = DeviceIdentity::generate();
    let mut opts = node_options(&listed.url, &node, &[]);
    opts.client.model_identifier = Some("ThinkPad X1 Carbon Gen 9".into());
    let (client, _events) = connect(&opts).await.unwrap();
    assert!(client.hello().auth.device_token.is_some());
    // The model it declared (from DMI, on a real node host) is listed with it.
    let nodes = op.request("node.list", json!({})).await.unwrap();
    let entry = nodes["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["nodeId"] == node.device_id().as_str())
        .cloned()
        .expect("listed");
    assert_eq!(
        entry["modelIdentifier"], "ThinkPad X1 Carbon Gen 9",
        "{entry}"
    );
    let list = op.request("device.pair.list", json!({})).await.unwrap();
    let record = list["paired"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deviceId"] == node.device_id().as_str())
        .cloned()
        .expect("paired");
    assert_eq!(record["roles"], json!(["node"]), "{record}");
    assert_eq!(record["remoteIp"], "10.232.0.1", "{record}");
    drop(client);

    // A change of what it was paired as is an upgrade: the operator's call.
    let mut moved = node_options(&listed.url, &node, &[]);
    moved.client.platform = "windows".into();
    assert_eq!(refused_reason(&moved).await, "metadata-upgrade");

    // A node asking for scopes, from the same network.
    let scoped = DeviceIdentity::generate();
    let mut opts = node_options(&listed.url, &scoped, &[]);
    opts.scopes = vec!["operator.read".into()];
    assert_eq!(refused_reason(&opts).await, "not-paired");
    assert_eq!(device_state(&op, &scoped.device_id()).await, "pending");

    // An operator proving a device, from the same network: never paired by the policy.
    let operator_device = DeviceIdentity::generate();
    let (_operator, _) =
        operator_proving(&listed.url, &["operator.read"], Some(&operator_device)).await;
    assert_ne!(
        device_state(&op, &operator_device.device_id()).await,
        "paired"
    );

    // Outside the list: pending, for an operator.
    let elsewhere = DeviceIdentity::generate();
    let opts = node_options(&unlisted.url, &elsewhere, &[]);
    assert_eq!(refused_reason(&opts).await, "not-paired");
    assert_eq!(
        device_state(&op_unlisted, &elsewhere.device_id()).await,
        "pending"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_is_never_a_listed_network() {
    let gw = GatewayProc::start_with(config(&["127.0.0.0/8", "::1"]), &[], &[]);
    let op = gw.operator().await;
    let node = DeviceIdentity::generate();
    let opts = node_options(&gw.url, &node, &[]);
    assert_eq!(refused_reason(&opts).await, "not-paired");
    assert_eq!(device_state(&op, &node.device_id()).await, "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_listed_while_the_gateway_runs_applies_without_a_restart() {
    let ns = Netns::new("cb", "10.233.0.1/24", "10.233.0.2/24");
    let gw = NsGateway::start_with(&ns, "10.233.0.2", config(&[]));
    let node = DeviceIdentity::generate();
    let opts = node_options(&gw.url, &node, &[]);
    assert_eq!(refused_reason(&opts).await, "not-paired");

    let out = std::process::Command::new(bin())
        .args([
            "config",
            "set",
            "gateway.nodes.pairing.autoApproveCidrs",
            r#"["10.233.0.0/24"]"#,
        ])
        .env("OPENCLAW_STATE_DIR", gw.dir())
        .env_remove("OPENCLAW_CONFIG_PATH")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Updated gateway.nodes.pairing.autoApproveCidrs. Change will apply without restarting the gateway."
    );
    let (client, _events) = connect(&opts)
        .await
        .expect("approved by the listed network");
    assert!(client.hello().auth.device_token.is_some());
}
