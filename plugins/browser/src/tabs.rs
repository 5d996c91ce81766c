//! The tab routes: `GET /tabs`, `POST /tabs/open|focus|action`, `DELETE /tabs/:targetId`. A
//! tab is named by its raw id, its tab id (`t1`), its label, or a unique prefix of its raw id,
//! as the real service resolves them.

use openclaw_plugin_sdk::browser_tabs;
use openclaw_plugin_sdk::browser_tabs::Tab;
use serde_json::{json, Map, Value};

use crate::profile::PROFILE;
use crate::route::{Answer, Request, RouteError};

/// A tab as the routes answer it, keys in the real order.
fn tab_json(tab: &Tab) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("targetId".into(), json!(tab.target_id));
    out.insert("title".into(), json!(tab.title));
    out.insert("url".into(), json!(tab.url));
    out.insert("type".into(), json!("page"));
    out.insert(
        "suggestedTargetId".into(),
        json!(tab.label.as_deref().unwrap_or(&tab.tab_id)),
    );
    out.insert("tabId".into(), json!(tab.tab_id));
    if let Some(label) = &tab.label {
        out.insert("label".into(), json!(label));
    }
    out
}

pub fn failed(f: impl Into<openclaw_plugin_sdk::Failure>) -> RouteError {
    let f: openclaw_plugin_sdk::Failure = f.into();
    RouteError::new(500, f.message)
}

/// The tabs of a running browser.
pub fn listed() -> Result<Vec<Tab>, RouteError> {
    browser_tabs::tabs()
        .map_err(failed)?
        .ok_or_else(|| RouteError::new(409, "browser not running"))
}

pub fn list(_req: &Request) -> Answer {
    match browser_tabs::tabs().map_err(failed)? {
        None => Ok(json!({"running": false, "tabs": []})),
        Some(tabs) => {
            let tabs: Vec<Value> = tabs.iter().map(|t| Value::Object(tab_json(t))).collect();
            Ok(json!({"running": true, "tabs": tabs}))
        }
    }
}

fn open_tab(url: &str, label: Option<&str>) -> Answer {
    browser_tabs::start(None).map_err(failed)?;
    let tab = browser_tabs::open_tab(url, label).map_err(|f| {
        if f.message.contains("navigation blocked") {
            RouteError::navigation_blocked()
        } else if f.message.contains("tab label") {
            crate::page::host_error(f)
        } else {
            failed(f)
        }
    })?;
    let mut out = tab_json(&tab);
    // Without a DevTools address there is no browser identity to fingerprint.
    out.insert(
        "ownership".into(),
        json!({"status": "non-durable", "reason": "browser-identity-unavailable"}),
    );
    out.insert("resolvedProfile".into(), json!(PROFILE));
    Ok(Value::Object(out))
}

pub fn open(req: &Request) -> Answer {
    let url = req
        .body_str("url")
        .ok_or_else(|| RouteError::new(400, "url is required"))?;
    open_tab(url, req.body_str("label"))
}

fn not_found(reference: &str) -> RouteError {
    let hint = if !reference.is_empty() && reference.chars().all(|c| c.is_ascii_digit()) {
        format!(
            "Numeric values are not tab targets; use a stable tab id like \"t1\", a label, or a raw targetId. For positional selection, use \"openclaw browser tab select {reference}\"."
        )
    } else {
        "Use action=tabs and pass suggestedTargetId, tabId, label, or raw targetId.".into()
    };
    RouteError::new(
        404,
        format!("tab not found: browser tab \"{reference}\" not found. {hint}"),
    )
}

/// The one tab `reference` names.
pub fn resolve<'a>(
    tabs: &'a [Tab],
    reference: &str,
    raw_only: bool,
) -> Result<&'a Tab, RouteError> {
    let reference = reference.trim();
    let exact: Vec<&Tab> = tabs
        .iter()
        .filter(|t| {
            t.target_id == reference
                || (!raw_only && (t.tab_id == reference || t.label.as_deref() == Some(reference)))
        })
        .collect();
    let candidates = if exact.is_empty() && !raw_only {
        let lower = reference.to_lowercase();
        tabs.iter()
            .filter(|t| !lower.is_empty() && t.target_id.to_lowercase().starts_with(&lower))
            .collect()
    } else {
        exact
    };
    match candidates.as_slice() {
        [one] => Ok(one),
        [] => Err(not_found(reference)),
        _ => Err(RouteError::new(409, "ambiguous browser tab reference")),
    }
}

pub fn focus(req: &Request) -> Answer {
    let reference = req
        .body_str("targetId")
        .ok_or_else(|| RouteError::new(400, "targetId is required"))?;
    let tabs = listed()?;
    let tab = resolve(&tabs, reference, false)?;
    browser_tabs::focus_tab(&tab.target_id).map_err(failed)?;
    Ok(json!({"ok": true, "targetId": tab.target_id}))
}

pub fn close(req: &Request, reference: &str) -> Answer {
    let raw_only = match req.query_str("targetIdMode") {
        None => false,
        Some("raw") => true,
        Some(_) => return Err(RouteError::new(400, "targetIdMode must be \"raw\"")),
    };
    let tabs = listed()?;
    let tab = resolve(&tabs, reference, raw_only)?;
    browser_tabs::close_tab(&tab.target_id).map_err(failed)?;
    Ok(json!({"ok": true, "targetId": tab.target_id}))
}

fn index(req: &Request, required: bool) -> Result<Option<usize>, RouteError> {
    match req.body.get("index") {
        None | Some(Value::Null) if required => Err(RouteError::new(400, "index is required")),
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(|i| Some(i as usize))
            .ok_or_else(|| RouteError::new(400, "index must be a non-negative integer")),
    }
}

fn at(tabs: &[Tab], i: usize) -> Result<&Tab, RouteError> {
    tabs.get(i)
        .ok_or_else(|| RouteError::new(404, format!("tab not found: no tab at index {i}")))
}

pub fn action(req: &Request) -> Answer {
    match req.body_str("action") {
        Some("list") => match browser_tabs::tabs().map_err(failed)? {
            None => Ok(json!({"ok": true, "tabs": []})),
            Some(tabs) => {
                let tabs: Vec<Value> = tabs.iter().map(|t| Value::Object(tab_json(t))).collect();
                Ok(json!({"ok": true, "tabs": tabs}))
            }
        },
        Some("new") => {
            let tab = open_tab("about:blank", req.body_str("label"))?;
            Ok(json!({"ok": true, "tab": tab}))
        }
        Some("label") => {
            let reference = req
                .body_str("targetId")
                .ok_or_else(|| RouteError::new(400, "targetId is required"))?;
            let label = req
                .body_str("label")
                .ok_or_else(|| RouteError::new(400, "label is required"))?;
            let tabs = listed()?;
            let tab = resolve(&tabs, reference, false)?;
            let labelled = browser_tabs::label_tab(&tab.target_id, label).map_err(|f| {
                if f.message.contains("tab label") {
                    crate::page::host_error(f)
                } else {
                    failed(f)
                }
            })?;
            Ok(json!({"ok": true, "tab": tab_json(&labelled)}))
        }
        Some("select") => {
            let i = index(req, true)?.unwrap_or_default();
            let tabs = listed()?;
            let tab = at(&tabs, i)?;
            browser_tabs::focus_tab(&tab.target_id).map_err(failed)?;
            Ok(json!({"ok": true, "targetId": tab.target_id}))
        }
        Some("close") => {
            let i = index(req, false)?.unwrap_or_default();
            let tabs = listed()?;
            let tab = at(&tabs, i)?;
            browser_tabs::close_tab(&tab.target_id).map_err(failed)?;
            Ok(json!({"ok": true, "targetId": tab.target_id}))
        }
        _ => Err(RouteError::new(400, "unknown tab action")),
    }
}
