//! One command on one node for the CLI helpers: the call and the printout.

use std::time::Duration;

use anyhow::{bail, Result};
use openclaw_protocol::node_invoke::InvokeParams;
use serde_json::Value;

use crate::operator::Operator;
use crate::render::pretty;

/// Calls `command` on the node, waiting up to `timeout_ms`; answers its payload, or fails
/// with the node's message.
pub async fn invoke(
    op: &Operator,
    query: &str,
    timeout_ms: u64,
    command: &str,
    params: Value,
) -> Result<Value> {
    let node = op.resolve_node(query).await?;
    let request = InvokeParams::new(
        node.node_id,
        command,
        params,
        uuid::Uuid::new_v4().to_string(),
    )
    .with_timeout_ms(Some(timeout_ms))
    .to_value();
    let wait = op.timeout.max(Duration::from_millis(timeout_ms + 5_000));
    match op
        .client
        .request_with_timeout("node.invoke", request, wait)
        .await
    {
        Ok(reply) => Ok(reply["payload"].clone()),
        Err(e) => match e.error_shape() {
            Some(shape) => bail!("{command} failed: {}", shape.message),
            None => Err(e.into()),
        },
    }
}

/// Prints the payload with `--json`, else the human line.
pub fn report(op: &Operator, payload: &Value, human: impl FnOnce() -> String) -> Result<()> {
    if op.json {
        println!("{}", pretty(payload));
    } else {
        println!("{}", human());
    }
    Ok(())
}

/// `10s`, `1.5s`, `2m`, `250ms` or a bare number of milliseconds.
pub fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1_000.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (text, 1.0)
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v >= 0.0 && v.is_finite() => Ok((v * scale).round() as u64),
        _ => Err(format!(
            "{text:?} is not a duration (10s, 1.5s, 2m, 250ms or milliseconds)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("10s"), Ok(10_000));
        assert_eq!(parse_duration_ms("3000"), Ok(3_000));
        assert_eq!(parse_duration_ms("1.5s"), Ok(1_500));
        assert_eq!(parse_duration_ms("2m"), Ok(120_000));
        assert_eq!(parse_duration_ms("250ms"), Ok(250));
        assert!(parse_duration_ms("soon").is_err());
        assert!(parse_duration_ms("-1s").is_err());
    }
}
