//! The hooks: `POST /hooks/dialog` answers the tab's open dialog, or arms a one-time answer
//! for its next one (for `timeoutMs`, 2 minutes by default), as the real service does;
//! `POST /hooks/file-chooser` hands files to the page.

use openclaw_plugin_sdk::{browser_files, browser_page};
use serde_json::json;

use crate::act::normalize::{boolean, timeout_ms, Element};
use crate::act::{call_on, click_ref, find_element};
use crate::page::{host_error, Page};
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
    let state = browser_page::dialogs(&tab.target_id).map_err(host_error)?;
    let thrown = |f: openclaw_plugin_sdk::Failure| {
        let e = host_error(f);
        RouteError::new(
            500,
            format!("Error: {}", e.body["error"].as_str().unwrap_or_default()),
        )
    };
    if state.pending.is_empty() && dialog_id.is_none() {
        browser_page::arm_dialog(&tab.target_id, accept, prompt.as_deref(), ttl).map_err(thrown)?;
    } else {
        browser_page::answer_dialog(
            &tab.target_id,
            dialog_id.as_deref(),
            accept,
            prompt.as_deref(),
        )
        .map_err(thrown)?;
    }
    Ok(json!({"ok": true}))
}

/// `POST /hooks/file-chooser`: gives files to a file input (`inputRef` or `element`), to the
/// chooser a click on `ref` opens, or to the tab's next chooser. The host takes files only
/// from the node's upload dir and inbound media.
pub fn file_chooser(req: &Request) -> Answer {
    let body = req.body.as_object().cloned().unwrap_or_default();
    let reference = req.body_str("ref").map(String::from);
    let input = req
        .body_str("inputRef")
        .map(|r| Element::Ref(r.into()))
        .or_else(|| req.body_str("element").map(|s| Element::Selector(s.into())));
    let paths: Vec<String> = body
        .get("paths")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    let ms = timeout_ms(&body).map_err(|e| RouteError::new(400, e))?;
    let ms = ms.unwrap_or(120_000).clamp(500, 120_000) as u32;
    if paths.is_empty() {
        return Err(RouteError::new(400, "paths are required"));
    }
    let tab = target::resolve(req.body_str("targetId"))?;
    let page = Page::new(&tab.target_id);
    if let Some(input) = input {
        if reference.is_some() {
            return Err(RouteError::new(
                400,
                "ref cannot be combined with inputRef/element",
            ));
        }
        let found = find_element(&page, &input)?;
        let multiple = call_on(&page, &found, "function() { return !!this.multiple; }")?;
        if paths.len() > 1 && multiple != json!(true) {
            return Err(RouteError::new(
                500,
                "Error: Non-multiple file input can only accept single file",
            ));
        }
        browser_files::set_input_files(&tab.target_id, &found.object_id, &paths)
            .map_err(refused)?;
    } else if let Some(reference) = reference {
        page.send("Page.bringToFront", json!({}))?;
        let arm = browser_files::arm_file_chooser(&tab.target_id, &paths, ms).map_err(refused)?;
        if let Err(e) = click_ref(&page, reference, u64::from(ms)) {
            // Disarmed, so that the files go to no chooser opened later.
            let _ = browser_files::await_file_chooser(arm, 0);
            return Err(e);
        }
        browser_files::await_file_chooser(arm, ms).map_err(|f| {
            let e = host_error(f);
            RouteError::new(500, e.body["error"].as_str().unwrap_or_default())
        })?;
    } else {
        browser_files::arm_file_chooser(&tab.target_id, &paths, ms).map_err(refused)?;
    }
    Ok(json!({"ok": true}))
}

/// A path or file the host refused: the caller's mistake is a 400 with the host's words, the
/// page's a 500 as the real's thrown error.
fn refused(f: impl Into<openclaw_plugin_sdk::Failure>) -> RouteError {
    let f: openclaw_plugin_sdk::Failure = f.into();
    let e = host_error(f);
    if e.status == 400
        && !e.body["error"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Error: ")
    {
        e
    } else {
        RouteError::new(
            e.status.max(500),
            e.body["error"].as_str().unwrap_or_default(),
        )
    }
}
