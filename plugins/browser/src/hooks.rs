//! `POST /hooks/dialog`: answers the tab's open dialog, or arms a one-time answer for its next
//! one (for `timeoutMs`, 2 minutes by default), as the real service does.

use openclaw_plugin_sdk::browser_automation as automation;
use serde_json::json;

use crate::act::normalize::{boolean, timeout_ms};
use crate::page::host_error;
use crate::route::{Answer, Request, RouteError};
use crate::target;

pub fn dialog(req: &Request) -> Answer {
    let body = req.body.as_object().cloned().unwrap_or_default();
    let accept =
        boolean(body.get("accept")).ok_or_else(|| RouteError::new(400, "accept is required"))?;
    let ttl = timeout_ms(&body).map_err(|e| RouteError::new(400, e))?;
    let ttl = ttl.unwrap_or(120_000).clamp(500, 120_000) as u32;
    let prompt = body
        .get("promptText")
        .and_then(|p| p.as_str())
        .map(String::from);
    let dialog_id = req.body_str("dialogId").map(String::from);
    let tab = target::resolve(req.body_str("targetId"))?;
    let state = automation::dialogs(&tab.target_id).map_err(host_error)?;
    let thrown = |f: openclaw_plugin_sdk::Failure| {
        let e = host_error(f);
        RouteError::new(
            500,
            format!("Error: {}", e.body["error"].as_str().unwrap_or_default()),
        )
    };
    if state.pending.is_empty() && dialog_id.is_none() {
        automation::arm_dialog(&tab.target_id, accept, prompt.as_deref(), ttl).map_err(thrown)?;
    } else {
        automation::answer_dialog(
            &tab.target_id,
            dialog_id.as_deref(),
            accept,
            prompt.as_deref(),
        )
        .map_err(thrown)?;
    }
    Ok(json!({"ok": true}))
}
