//! `nodes invoke`: one command on one node, printed as the real CLI prints it.

use anyhow::{bail, Result};
use openclaw_protocol::node_invoke::InvokeParams;
use serde_json::{json, Value};

use crate::operator::Operator;
use crate::render::pretty;

pub async fn invoke(
    op: &Operator,
    query: &str,
    command: &str,
    params: &str,
    timeout_ms: u64,
    key: Option<String>,
) -> Result<()> {
    let params: Value = match serde_json::from_str(params) {
        Ok(p) => p,
        Err(e) => return invoke_failed(&format!("--params is not valid JSON: {e}")),
    };
    let node = match op.resolve_node(query).await {
        Ok(n) => n,
        Err(e) => return invoke_failed(&e.to_string()),
    };
    let key = key.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let request = InvokeParams::new(node.node_id, command, params, key)
        .with_timeout_ms(Some(timeout_ms))
        .to_value();
    let wait = super::node_call::transport_wait(op.timeout, timeout_ms);
    match op
        .client
        .request_with_timeout("node.invoke", request, wait)
        .await
    {
        Ok(reply) => {
            println!("{}", pretty(&reply));
            Ok(())
        }
        Err(e) => match e.error_shape() {
            Some(shape) => invoke_failed(&shape.message),
            None => Err(e.into()),
        },
    }
}

/// Prints the failure as the real CLI does (JSON on stdout, reason on stderr), then exits 1.
pub fn invoke_failed(message: &str) -> Result<()> {
    println!(
        "{}",
        pretty(&json!({"ok": false, "error": {"type": "cli_error", "message": message}}))
    );
    bail!("{message}")
}
