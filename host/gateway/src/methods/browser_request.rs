//! `browser.request`: an operator's browser control request (`openclaw browser ...`), served by
//! the node chosen for it through its `browser.proxy`, as the real gateway serves it. This
//! gateway has no browser of its own, so a request no node takes is refused with a way out.

use std::sync::Arc;

use openclaw_protocol::errors::ErrorCode;
use openclaw_protocol::frames::ErrorShape;
use serde_json::{json, Map, Value};

use super::browser_files::{self, TRANSFER_FAILED};
use super::browser_node::{self, Selector};
use super::browser_upload;
use super::invoke::call_node;
use super::Reply;
use crate::invoke_router::NodeOutcome;
use crate::session::Session;
use crate::state::Gateway;

const DEFAULT_TIMEOUT_MS: u64 = 20_000;
const MAX_TIMEOUT_MS: u64 = 2_147_000_000 - 10_000;
/// The node gets this much longer than the route, to answer its own timeout.
const NODE_GRACE_MS: u64 = 5_000;

/// Routes that work on the browser host's own disk and profiles.
const HOST_LOCAL: &[(&str, &str)] = &[
    ("GET", "/system-profiles"),
    ("GET", "/system-profile-import/status"),
    ("POST", "/system-profile-import/dismiss"),
    ("POST", "/profiles/import"),
];

fn invalid(message: impl Into<String>) -> ErrorShape {
    ErrorShape::invalid_request(message)
}

/// No node takes the request, and this gateway has no browser to run it.
fn no_browser_here() -> ErrorShape {
    ErrorShape::new(
        ErrorCode::Unavailable,
        "browser control disabled: this gateway has no browser of its own; connect a node that \
         serves browser.proxy (gateway.nodes.browser.mode and gateway.nodes.browser.node choose it)",
    )
}

/// Trimmed, one leading `/`, no trailing `/`.
fn normalize_path(path: &str) -> String {
    let trimmed = path.trim().trim_end_matches('/');
    if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    }
}

fn is_profile_mutation(method: &str, path: &str) -> bool {
    matches!(
        (method, path),
        ("POST", "/reset-profile") | ("POST", "/profiles/create") | ("POST", "/profiles/import")
    ) || (method == "DELETE" && path.starts_with("/profiles/"))
}

pub async fn request(gw: Arc<Gateway>, _: Arc<Session>, params: Value) -> Reply {
    crate::policy_apply::refresh_policy(&gw);
    let p = params.as_object().cloned().unwrap_or_default();
    let target = p.get("target");
    let node = p.get("node");
    let node_ok = match node {
        None => true,
        Some(Value::String(n)) => {
            target == Some(&json!("node")) && !n.trim().is_empty() && n.chars().count() <= 256
        }
        Some(_) => false,
    };
    if target.is_some_and(|t| t != "host" && t != "node") || !node_ok {
        return Err(invalid(
            "target must be \"host\" or \"node\"; node requires target=\"node\" and a nonempty selector of at most 256 characters",
        ));
    }
    let text = |key: &str| {
        p.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("")
    };
    let (method, raw_path) = (text("method").to_ascii_uppercase(), text("path"));
    if method.is_empty() || raw_path.is_empty() {
        return Err(invalid("method and path are required"));
    }
    if !matches!(method.as_str(), "GET" | "POST" | "DELETE") {
        return Err(invalid("method must be GET, POST, or DELETE"));
    }
    let path = normalize_path(raw_path);
    let explicit = target == Some(&json!("node")) || node.is_some();
    let host_local = HOST_LOCAL.contains(&(method.as_str(), path.as_str()));
    if host_local && explicit {
        return Err(invalid("this browser route must run on the Gateway host"));
    }
    if path == "/dashboard" && explicit {
        return Err(invalid(
            "Browser dashboards use a local managed browser on the Gateway host",
        ));
    }
    if host_local || path == "/dashboard" || target == Some(&json!("host")) {
        return Err(no_browser_here());
    }
    let selector = Selector {
        explicit,
        node: node.and_then(Value::as_str),
    };
    let chosen = browser_node::choose(&gw, &gw.config.browser_nodes, &selector)
        .map_err(|e| ErrorShape::new(ErrorCode::Unavailable, e))?;
    let Some(node) = chosen else {
        return Err(no_browser_here());
    };
    if path == "/screencast" {
        return Err(
            invalid("browser screencast is not available over a node proxy")
                .with_details(json!({"code": "SCREENCAST_UNSUPPORTED", "reason": "node"})),
        );
    }
    if is_profile_mutation(&method, &path) {
        return Err(invalid(
            "browser.request cannot mutate persistent browser profiles over a node proxy",
        ));
    }
    let body = p.get("body").cloned();
    let (command, sent_body, upload) =
        match browser_upload::requested_paths(&method, &path, body.as_ref()) {
            Some(paths) => {
                let surface = node.node.as_ref().map(|live| live.surface.lock().unwrap());
                let takes_uploads = surface
                    .as_ref()
                    .is_some_and(|s| s.invocable.contains(browser_upload::COMMAND));
                if !takes_uploads {
                    let declared = surface.map(|s| s.declared.clone()).unwrap_or_default();
                    return Err(ErrorShape::new(
                        ErrorCode::Unavailable,
                        browser_upload::unavailable(&declared),
                    ));
                }
                drop(surface);
                let body = body.as_ref().expect("paths come from a body");
                let (body, upload) =
                    browser_upload::prepare(&gw.config.state_dir, body, &paths).map_err(invalid)?;
                (browser_upload::COMMAND, Some(body), Some(upload))
            }
            None => ("browser.proxy", body.clone(), None),
        };
    let timeout_ms = p
        .get("timeoutMs")
        .and_then(Value::as_f64)
        .filter(|t| t.is_finite())
        .map_or(DEFAULT_TIMEOUT_MS, |t| {
            (t.floor().max(1.0) as u64).min(MAX_TIMEOUT_MS)
        });
    let query = p.get("query").filter(|q| q.is_object()).cloned();
    let mut proxy = Map::new();
    proxy.insert("method".into(), json!(method));
    proxy.insert("path".into(), json!(path));
    if let Some(query) = &query {
        proxy.insert("query".into(), query.clone());
    }
    if let Some(body) = sent_body {
        proxy.insert("body".into(), body);
    }
    if let Some(upload) = upload {
        proxy.insert("upload".into(), upload);
    }
    proxy.insert("timeoutMs".into(), json!(timeout_ms));
    if let Some(profile) = requested_profile(query.as_ref(), body.as_ref()) {
        proxy.insert("profile".into(), json!(profile));
    }
    proxy.insert("errorEnvelope".into(), json!("browser-v1"));
    let invocable = node
        .node
        .as_ref()
        .is_some_and(|live| live.surface.lock().unwrap().invocable.contains(command));
    if !invocable {
        let platform = node.node.as_ref().map_or("unknown", |n| n.platform_id);
        return Err(invalid(format!(
            "node command not allowed: command not allowlisted (platform: {platform}, command: {command})"
        ))
        .with_details(json!({"reason": "command not allowlisted", "command": command})));
    }
    let key = uuid::Uuid::new_v4().to_string();
    let outcome = call_node(
        &gw,
        &node,
        command,
        Some(Value::Object(proxy)),
        timeout_ms + NODE_GRACE_MS,
        &key,
        None,
    )
    .await;
    answer(&gw, outcome)
}

/// `query.profile`, else `body.profile`: the first that is a nonempty string.
fn requested_profile(query: Option<&Value>, body: Option<&Value>) -> Option<String> {
    [query, body]
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("profile").and_then(Value::as_str))
        .map(str::trim)
        .find(|p| !p.is_empty())
        .map(String::from)
}

/// The route's result (its files kept here), or its error as the real gateway words it.
fn answer(gw: &Gateway, outcome: NodeOutcome) -> Reply {
    let payload = match outcome {
        NodeOutcome::Ok {
            payload,
            payload_json,
        } => match payload_json {
            Some(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
            None => payload.unwrap_or(Value::Null),
        },
        NodeOutcome::Err { code, message } => {
            let text = match (code.is_empty(), message.is_empty()) {
                (true, true) => "node invoke failed".to_string(),
                (true, false) => message.clone(),
                _ => format!("{code}: {message}"),
            };
            return Err(ErrorShape::new(ErrorCode::Unavailable, text)
                .with_details(json!({"nodeError": {"code": code, "message": message}})));
        }
    };
    if let Some(failure) = route_failure(&payload) {
        return Err(failure);
    }
    let Some(mut result) = payload.get("result").cloned() else {
        return Err(ErrorShape::new(
            ErrorCode::Unavailable,
            "browser proxy failed",
        ));
    };
    browser_files::persist(&gw.config.state_dir, &mut result, payload.get("files"))
        .map_err(|_| ErrorShape::new(ErrorCode::Unavailable, TRANSFER_FAILED))?;
    Ok(result)
}

/// A route error the node passed on (`{"error": {"status", "body"}}`): 4xx is the caller's
/// mistake, 5xx the browser's.
fn route_failure(payload: &Value) -> Option<ErrorShape> {
    let error = payload.get("error")?;
    let status = error
        .get("status")?
        .as_u64()
        .filter(|s| (400..=599).contains(s))?;
    let body = error.get("body").cloned().unwrap_or(Value::Null);
    let mut details = Map::new();
    for key in ["error", "code", "unrecognizedCode", "reason", "details"] {
        if let Some(value) = body.get(key) {
            details.insert(key.into(), value.clone());
        }
    }
    let message = body.get("error").and_then(Value::as_str).map_or_else(
        || format!("browser request failed ({status})"),
        String::from,
    );
    let code = if status >= 500 {
        ErrorCode::Unavailable
    } else {
        ErrorCode::InvalidRequest
    };
    Some(ErrorShape::new(code, message).with_details(Value::Object(details)))
}
