//! `browser.proxy` to the node's own Chromium. That Chromium has no HTTP endpoint (its
//! DevTools are on a pipe), so the discovery routes are answered over DevTools, in the shape
//! Chromium's `/json/version` and `/json/list` have, minus the WebSocket addresses that do
//! not exist. Every other route is not found.

use chromiumoxide::cdp::browser_protocol::browser::GetVersionParams;
use chromiumoxide::cdp::browser_protocol::target::GetTargetsParams;
use chromiumoxide::Browser;
use serde_json::{json, Value};

use crate::BrowserError;

/// Target types Chromium's own `/json/list` leaves out.
const UNLISTED_TYPES: &[&str] = &["browser", "tab", "browser_ui"];

/// The answer to `method path`.
pub async fn answer(browser: &Browser, method: &str, path: &str) -> Result<Value, BrowserError> {
    let route = path.split(['?', '#']).next().unwrap_or_default();
    match (method, route.trim_end_matches('/')) {
        ("GET", "/json/version") => {
            let version = browser.execute(GetVersionParams::default()).await?.result;
            Ok(json!({
                "Browser": version.product,
                "Protocol-Version": version.protocol_version,
                "User-Agent": version.user_agent,
                "V8-Version": version.js_version,
                "WebKit-Version": format!("537.36 ({})", version.revision),
            }))
        }
        ("GET", "/json" | "/json/list") => {
            let targets = browser.execute(GetTargetsParams::default()).await?.result;
            let listed = targets
                .target_infos
                .into_iter()
                .filter(|t| !UNLISTED_TYPES.contains(&t.r#type.as_str()))
                .map(|t| {
                    json!({
                        "description": "",
                        "id": t.target_id.as_ref(),
                        "title": t.title,
                        "type": t.r#type,
                        "url": t.url,
                    })
                })
                .collect();
            Ok(Value::Array(listed))
        }
        _ => Err(BrowserError::unavailable(format!(
            "404: the node's Chromium has no route {method} {route}; it answers GET /json/version and GET /json/list"
        ))),
    }
}
