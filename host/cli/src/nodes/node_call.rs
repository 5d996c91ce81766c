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
    let wait = transport_wait(op.timeout, timeout_ms);
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

/// A duration as the real CLI's `parseDurationMs` reads it: `500ms`, `30s`, `5m`, `2h`, `7d`,
/// `1.5s`, a composite such as `1h30m`, or a bare number of milliseconds.
pub fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let raw = text;
    let text = text.trim().to_lowercase();
    let invalid = |reason: Option<&str>| {
        let value = if raw.trim().is_empty() {
            "empty value".to_string()
        } else {
            format!("\"{raw}\"")
        };
        let prefix = match reason {
            Some(r) => format!("Invalid duration ({r}): {value}."),
            None => format!("Invalid duration: {value}."),
        };
        format!("{prefix} Use values like 500ms, 30s, 5m, 2h, or 1h30m.")
    };
    if text.is_empty() {
        return Err(invalid(Some("empty")));
    }
    let unit_ms = |unit: &str| -> f64 {
        match unit {
            "s" => 1_000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => 1.0,
        }
    };
    // A lone number, with or without a unit.
    if let Some((number, rest)) = number_at(&text, 0) {
        if rest == text.len() {
            return Ok(number.round() as u64);
        }
    }
    // Else segments that each carry a unit, back to back (the real's global regex scan).
    let (mut total, mut consumed, mut pos) = (0.0f64, 0usize, 0usize);
    while pos < text.len() {
        let Some((number, end)) = number_at(&text, pos) else {
            pos += 1;
            continue;
        };
        let Some(unit) = ["ms", "s", "m", "h", "d"]
            .into_iter()
            .find(|u| text[end..].starts_with(u))
        else {
            pos += 1;
            continue;
        };
        if pos != consumed {
            return Err(invalid(Some("each composite segment needs a unit")));
        }
        total += number * unit_ms(unit);
        pos = end + unit.len();
        consumed = pos;
    }
    if consumed != text.len() {
        return Err(invalid(None));
    }
    if !total.is_finite() || total > 9_007_199_254_740_991.0 {
        return Err(invalid(None));
    }
    Ok(total.round() as u64)
}

/// `\d+(\.\d+)?` at `pos`: the number and where it ends.
fn number_at(text: &str, pos: usize) -> Option<(f64, usize)> {
    let bytes = text.as_bytes();
    let mut i = pos;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    if i == pos {
        return None;
    }
    if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    Some((text[pos..i].parse().ok()?, i))
}

/// How long the CLI waits for the gateway's answer to a `node.invoke`: `--timeout`, or the
/// node's own deadline plus 10 s of grace when that is longer (the real CLI's rule).
pub fn transport_wait(timeout: Duration, invoke_timeout_ms: u64) -> Duration {
    if invoke_timeout_ms == 0 {
        return timeout;
    }
    timeout.max(Duration::from_millis(
        invoke_timeout_ms.saturating_add(10_000),
    ))
}

/// `--invoke-timeout`: a positive integer of milliseconds, as the real CLI requires.
pub fn positive_ms(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(v) if v > 0 => Ok(v),
        _ => Err("--invoke-timeout must be a positive integer.".into()),
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
        assert_eq!(parse_duration_ms("24h"), Ok(86_400_000));
        assert_eq!(parse_duration_ms("7d"), Ok(604_800_000));
        assert_eq!(parse_duration_ms("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration_ms(" 2H "), Ok(7_200_000));
        assert_eq!(
            parse_duration_ms("soon"),
            Err("Invalid duration: \"soon\". Use values like 500ms, 30s, 5m, 2h, or 1h30m.".into())
        );
        assert_eq!(
            parse_duration_ms("x3m"),
            Err("Invalid duration (each composite segment needs a unit): \"x3m\". Use values like 500ms, 30s, 5m, 2h, or 1h30m.".into())
        );
        assert!(parse_duration_ms("").is_err());
        assert!(parse_duration_ms("1.s").is_err());
    }

    #[test]
    fn the_transport_waits_for_the_invoke_plus_ten_seconds() {
        let t = |ms| Duration::from_millis(ms);
        assert_eq!(transport_wait(t(30_000), 15_000), t(30_000));
        assert_eq!(transport_wait(t(30_000), 25_000), t(35_000));
        assert_eq!(transport_wait(t(10_000), 120_000), t(130_000));
        assert_eq!(transport_wait(t(5_000), 0), t(5_000));
    }
}
