//! `location.get`: the node's position from the host's `location` capability (gpsd, or a
//! fixed position in the config), shaped as the protocol's payload.

use openclaw_plugin_sdk::location;
use openclaw_plugin_sdk::{plugin, Call, Failure};
use serde::Deserialize;
use serde_json::{json, Value};

/// Default wait for a fix, as the protocol's `timeoutMs`.
const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// A coarse position is rounded to two decimals (about a kilometre).
const COARSE_METERS: f64 = 1_000.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GetParams {
    #[serde(default)]
    timeout_ms: Option<u64>,
    #[serde(default)]
    max_age_ms: Option<u64>,
    #[serde(default)]
    desired_accuracy: Option<Accuracy>,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "camelCase")]
enum Accuracy {
    Coarse,
    Balanced,
    Precise,
}

fn get(call: &Call, p: GetParams) -> Result<Value, Failure> {
    let timeout = p
        .timeout_ms
        .unwrap_or(DEFAULT_TIMEOUT_MS)
        .min(call.timeout_ms.max(1));
    let fix = location::current(p.max_age_ms, timeout)?;
    let coarse = p.desired_accuracy == Some(Accuracy::Coarse);
    let round = |v: f64| {
        if coarse {
            (v * 100.0).round() / 100.0
        } else {
            v
        }
    };
    let mut payload = json!({
        "lat": round(fix.lat),
        "lon": round(fix.lon),
        "accuracyMeters": if coarse { fix.accuracy_meters.max(COARSE_METERS) } else { fix.accuracy_meters },
        "timestamp": fix.timestamp,
        "isPrecise": fix.is_precise && !coarse,
        "source": fix.source,
    });
    for (key, value) in [
        ("altitudeMeters", fix.altitude_meters),
        ("speedMps", fix.speed_mps),
        ("headingDeg", fix.heading_deg),
    ] {
        if let (Some(value), false) = (value, coarse) {
            payload[key] = json!(value);
        }
    }
    Ok(payload)
}

plugin! {
    caps: ["location"],
    commands: {
        "location.get" => get: "The node's position (gpsd or a configured one)",
    }
}
