//! What the gateway benchmarks share: a gateway config and a node that echoes every invoke.

use openclaw_client::{connect, ConnectOptions, GatewayClient};
use openclaw_gateway::GatewayConfig;
use openclaw_protocol::frames::{Frame, RequestFrame};
use openclaw_protocol::identity::DeviceIdentity;
use openclaw_protocol::node_invoke::{InvokeRequest, InvokeResult};
use serde_json::json;

pub const TOKEN: &str = "bench-token";
pub const COMMAND: &str = "bench.echo";

/// A gateway on a free loopback port that routes the echo command.
pub fn gateway_config(state_dir: std::path::PathBuf) -> GatewayConfig {
    let mut config = GatewayConfig::new(state_dir, TOKEN.into());
    config.port = 0;
    config.commands.allow = vec![COMMAND.into()];
    config
}

/// An operator and a paired echo node on the gateway at `url`; answers the node's id.
pub async fn operator_and_node(url: &str) -> (GatewayClient, String) {
    let (op, _) = connect(&ConnectOptions::operator(
        url,
        Some(TOKEN.into()),
        &["operator.admin"],
    ))
    .await
    .unwrap();
    let node_id = start_node(url, &op).await;
    (op, node_id)
}

/// Connects a node (auto-approved on loopback), approves its surface, and answers every
/// invoke by echoing its params.
async fn start_node(url: &str, op: &GatewayClient) -> String {
    let identity = DeviceIdentity::generate();
    let node_id = identity.device_id();
    let mut opts = ConnectOptions::node(url, identity, "bench-node");
    opts.auth.token = Some(TOKEN.into());
    opts.commands = Some(vec![COMMAND.into()]);
    let (node, mut events) = connect(&opts).await.unwrap();
    let pending = op.request("node.pair.list", json!({})).await.unwrap();
    let request_id = pending["pending"][0]["requestId"].clone();
    op.request("node.pair.approve", json!({"requestId": request_id}))
        .await
        .unwrap();
    events.wait_for("node.pair.resolved").await.unwrap();
    tokio::spawn(async move {
        let mut n = 0u64;
        while let Some(ev) = events.next().await {
            if ev.event != "node.invoke.request" {
                continue;
            }
            let request: InvokeRequest = serde_json::from_value(ev.payload.unwrap()).unwrap();
            let echo = request.params_json.clone().unwrap_or_else(|| "null".into());
            n += 1;
            // Sent without waiting for the gateway's answer, as a busy node would.
            let frame = Frame::Req(RequestFrame {
                id: format!("r{n}"),
                method: "node.invoke.result".into(),
                params: Some(serde_json::to_value(InvokeResult::ok(&request, echo)).unwrap()),
                traceparent: None,
                expected_profile_id: None,
            });
            node.send_raw(frame.to_text()).unwrap();
        }
    });
    node_id
}
