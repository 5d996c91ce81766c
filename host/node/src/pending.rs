//! The work an operator left for this node while it was away (`node.pending.pull`), done
//! after each connect and acknowledged (`node.pending.ack`) once done. A status request is
//! answered with the node's presence and host stats. Nothing else has a way back to the
//! gateway outside an invoke, so other items stay queued, untouched, until they expire.

use openclaw_client::GatewayClient;
use openclaw_protocol::node_events::{NodeEventParams, PresenceAlive};
use openclaw_protocol::pending::{PendingAck, PendingPull, STATUS_REQUEST};

const PULL: &str = "node.pending.pull";

/// Pulls, does and acknowledges what is queued, on a gateway that serves the queue.
pub fn drain(client: &GatewayClient, display_name: &str) {
    if !client.hello().features.methods.iter().any(|m| m == PULL) {
        return;
    }
    let (client, display_name) = (client.clone(), display_name.to_string());
    tokio::spawn(async move {
        if let Err(e) = drain_once(&client, &display_name).await {
            tracing::warn!("the pending queue was not drained: {e}");
        }
    });
}

async fn drain_once(client: &GatewayClient, display_name: &str) -> Result<(), String> {
    let reply = client
        .request(PULL, serde_json::json!({}))
        .await
        .map_err(|e| e.to_string())?;
    let pulled: PendingPull = serde_json::from_value(reply).map_err(|e| e.to_string())?;
    let mut done = Vec::new();
    for action in pulled.actions {
        if action.command == STATUS_REQUEST {
            report_status(client, display_name).await?;
            done.push(action.id);
        } else {
            tracing::info!(
                id = %action.id,
                command = %action.command,
                "pending item left queued: this node answers it only when invoked"
            );
        }
    }
    if !done.is_empty() {
        let ack = serde_json::to_value(PendingAck { ids: done }).expect("serializes");
        let result = client
            .request("node.pending.ack", ack)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(%result, "pending work done");
    }
    Ok(())
}

async fn report_status(client: &GatewayClient, display_name: &str) -> Result<(), String> {
    let alive = PresenceAlive {
        trigger: "connect".into(),
        sent_at_ms: Some(openclaw_protocol::now_ms()),
        display_name: Some(display_name.into()),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        platform: Some(std::env::consts::OS.into()),
    };
    for params in [
        NodeEventParams::new("node.presence.alive", &alive),
        NodeEventParams::new("node.host.stats", &crate::stats::host_stats()),
    ] {
        client
            .request("node.event", params.to_value())
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
