//! `POST /navigate`: the tab goes to a URL (under the node's request policy) and the answer
//! waits for the page to load.

use serde_json::json;

use crate::act::normalize;
use crate::page::{host_error, Page};
use crate::route::{Answer, Request, RouteError};
use crate::target;

pub fn navigate(req: &Request) -> Answer {
    let url = match req.body.get("url") {
        Some(serde_json::Value::String(s)) => s.trim().to_string(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if url.is_empty() {
        return Err(RouteError::new(400, "url is required"));
    }
    let body = req.body.as_object().cloned().unwrap_or_default();
    let timeout = normalize::timeout_ms(&body).map_err(|e| RouteError::new(400, e))?;
    let ms = timeout.unwrap_or(20_000).clamp(1_000, 120_000) as u32;
    let tab = target::resolve(req.body_str("targetId"))?;
    let page = Page::new(&tab.target_id);
    let sent = openclaw_plugin_sdk::browser_page::send(
        &tab.target_id,
        "Page.navigate",
        &json!({"url": url}).to_string(),
        ms,
    );
    let reply: serde_json::Value = match sent {
        Ok(reply) => serde_json::from_str(&reply).unwrap_or_default(),
        Err(f) if f.message.contains("navigation blocked") => {
            return Err(RouteError::navigation_blocked())
        }
        Err(f) if f.message.contains("Cannot navigate to invalid URL") => {
            return Err(RouteError {
                status: 400,
                body: json!({"error": format!("Invalid URL: {url}"), "reason": "navigation_blocked"}),
            })
        }
        Err(f) => return Err(host_error(f)),
    };
    if let Some(error) = reply["errorText"].as_str().filter(|e| !e.is_empty()) {
        if error == "net::ERR_ACCESS_DENIED" || error == "net::ERR_BLOCKED_BY_CLIENT" {
            return Err(RouteError::navigation_blocked());
        }
        return Err(RouteError::new(
            500,
            format!("Error: page.goto: {error} at {url}\nCall log:\n  - navigating to \"{url}\", waiting until \"load\"\n"),
        ));
    }
    page.wait_for_load(ms)?;
    let now = page.url()?;
    Ok(json!({"ok": true, "url": now, "targetId": tab.target_id}))
}
