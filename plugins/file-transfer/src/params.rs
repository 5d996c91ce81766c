//! Params read the way the real handlers read them: only `true` is true, only a finite
//! positive number is a limit.

use serde_json::Value;

/// `params.followSymlinks === true`.
pub fn is_true(params: &Value, key: &str) -> bool {
    params.get(key) == Some(&Value::Bool(true))
}

/// A positive number, floored and capped at `max`; anything else gives `default`.
pub fn limit(params: &Value, key: &str, default: u64, max: u64) -> u64 {
    match params.get(key).and_then(Value::as_f64) {
        Some(n) if n.is_finite() && n > 0.0 => (n.floor() as u64).min(max),
        _ => default,
    }
}

/// Whether the key is there at all, whatever its value (`expectedBinding: null` counts).
pub fn has(params: &Value, key: &str) -> bool {
    params.get(key).is_some()
}

pub fn text<'p>(params: &'p Value, key: &str) -> Option<&'p str> {
    params.get(key).and_then(Value::as_str)
}
