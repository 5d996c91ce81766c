//! `browser.proxy`: one request to the node's browser control endpoint (the host's Chromium,
//! whose discovery routes the host answers over DevTools, or the operator's loopback
//! `browser.cdpUrl`). The host refuses non-loopback targets and answers over 24 MiB; this
//! plugin shapes the wire.

use openclaw_plugin_sdk::browser::{self, ControlRequest};
use openclaw_plugin_sdk::{plugin, Call, Failure, JsonText};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Used when the caller gives no `timeoutMs`.
const DEFAULT_TIMEOUT_MS: u64 = 20_000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProxyParams {
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    query: Option<Map<String, Value>>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    timeout_ms: Option<u64>,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    upload: Option<Value>,
}

fn proxy(call: &Call, p: ProxyParams) -> Result<JsonText, Failure> {
    if p.upload.is_some() {
        return Err(Failure::invalid(
            "browser.proxy does not accept upload envelopes",
        ));
    }
    if p.profile.is_some() {
        return Err(Failure::invalid(
            "this node has one browser and no profiles; omit profile",
        ));
    }
    let path = p
        .path
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Failure::invalid("path required"))?;
    let method = p
        .method
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    if !matches!(method.as_str(), "GET" | "POST" | "DELETE") {
        return Err(Failure::invalid("method must be GET, POST, or DELETE"));
    }
    let query = p
        .query
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect();
    let timeout = p
        .timeout_ms
        .unwrap_or(DEFAULT_TIMEOUT_MS)
        .min(call.timeout_ms.max(1));
    let response = browser::control(&ControlRequest {
        method,
        path,
        query,
        body: p.body.map(|b| b.to_string()),
        timeout_ms: timeout.min(u64::from(u32::MAX)) as u32,
    })?;
    // The body is spliced in as it came (JSON) or as a string: no second copy of up to 24 MiB.
    let result = if response.json {
        response.body
    } else {
        Value::String(response.body).to_string()
    };
    Ok(JsonText(format!(
        "{{\"result\":{result},\"route\":{}}}",
        response.route_json
    )))
}

plugin! {
    caps: ["browser"],
    commands: {
        "browser.proxy" => proxy: "Forwards GET/POST/DELETE to the node's browser control endpoint (loopback only)",
    }
}
