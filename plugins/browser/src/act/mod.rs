//! `POST /act`: one action (or a batch) on a tab, checked in the real's order (kind, body,
//! selector, tab), answered `{ok, targetId, url, ...}` with the URL read after the action. A
//! dialog that blocks the page turns the answer into `blockedByDialog` with the dialogs, as
//! the real's does; the dialog waits for `/hooks/dialog`.

pub mod downloads;
mod element;
mod evaluate;
pub mod normalize;
mod run;
mod wait;

use openclaw_plugin_sdk::browser_tabs;
use serde_json::{json, Map, Value};

use crate::browser_state;
use crate::page::Page;
use crate::route::{Answer, Request, RouteError};
use crate::tabs::{self, failed};
use crate::target::{self, Target};
use normalize::{Action, SELECTOR_KINDS};

pub use element::find as find_element;
pub use normalize::Element;

/// A plain left click on the element `reference` names, as `/act click` makes it.
pub fn click_ref(page: &Page, reference: String, timeout_ms: u64) -> Result<(), RouteError> {
    let click = Action::Click {
        element: Element::Ref(reference),
        double: false,
        button: normalize::Button::Left,
        modifiers: Vec::new(),
        delay_ms: 0,
    };
    run::one(page, &click, timeout_ms).map(drop)
}

/// Calls `function` on a found element in the node's isolated world.
pub fn call_on(page: &Page, found: &element::Found, function: &str) -> Result<Value, RouteError> {
    element::call(page, found, function, &[])
}

const SELECTOR_UNSUPPORTED: &str = "Error: 'selector' is not supported. Use 'ref' from snapshot instead.\n\nExample workflow:\n1. snapshot action to get page state with refs\n2. act with ref: \"e123\" to interact with element\n\nThis is more reliable for modern SPAs.";

/// The action's own time: what it waits for and how long its script may run.
const DEFAULT_TIMEOUT_MS: u64 = 20_000;

fn answer(tab: &Target, extra: Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("ok".into(), json!(true));
    out.insert("targetId".into(), json!(tab.target_id));
    if let Some(url) = target::current_url(&tab.target_id) {
        out.insert("url".into(), json!(url));
    }
    out.extend(extra);
    Value::Object(out)
}

/// The answer while a dialog blocks the page, if one does.
fn blocked(tab: &Target) -> Option<Value> {
    let state = browser_state::of(&tab.target_id);
    let value = state.value.filter(|_| state.blocked)?;
    let mut extra = Map::new();
    extra.insert("blockedByDialog".into(), json!(true));
    extra.insert("browserState".into(), value);
    Some(answer(tab, extra))
}

/// Nested `targetId`s must name the request's own tab.
fn same_tab(action: &Action, body: &Value, tab: &Target) -> Result<(), RouteError> {
    let Action::Batch { actions, .. } = action else {
        return Ok(());
    };
    let listed = tabs::listed()?;
    for (nested, raw) in actions
        .iter()
        .zip(body["actions"].as_array().into_iter().flatten())
    {
        if let Some(reference) = raw["targetId"]
            .as_str()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            let named = tabs::resolve(&listed, reference, false).ok();
            if named.map(|t| &t.target_id) != Some(&tab.target_id) {
                return Err(RouteError::act(
                    403,
                    "ACT_TARGET_ID_MISMATCH",
                    "batched action targetId must match request targetId",
                ));
            }
        }
        same_tab(nested, raw, tab)?;
    }
    Ok(())
}

/// The main frame's current document, to see whether an action navigated.
fn document(page: &Page) -> Option<String> {
    let tree = page.send("Page.getFrameTree", json!({})).ok()?;
    tree["frameTree"]["frame"]["loaderId"]
        .as_str()
        .map(String::from)
}

struct Batch {
    results: Vec<Value>,
    aborted: Option<Value>,
}

fn batch(
    page: &Page,
    tab: &Target,
    actions: &[Action],
    stop_on_error: bool,
    timeout_ms: u64,
) -> Result<Batch, RouteError> {
    let mut out = Batch {
        results: Vec::new(),
        aborted: None,
    };
    for (i, action) in actions.iter().enumerate() {
        let before = document(page);
        let done = match action {
            Action::Close => {
                browser_tabs::close_tab(&tab.target_id).map_err(failed)?;
                out.results.push(json!({"ok": true}));
                out.aborted = Some(
                    json!({"reason": "closed", "afterAction": i + 1, "skipped": actions.len() - i - 1}),
                );
                return Ok(out);
            }
            Action::Batch {
                actions,
                stop_on_error,
            } => batch(page, tab, actions, *stop_on_error, timeout_ms).map(drop),
            other => {
                let done = run::one(page, other, timeout_ms).map(drop);
                if run::may_navigate(other) {
                    run::settle();
                }
                done
            }
        };
        if let Err(e) = done {
            if browser_state::of(&tab.target_id).blocked {
                return Err(e);
            }
            let message = e.body["error"].as_str().unwrap_or_default().to_string();
            out.results.push(json!({"ok": false, "error": message}));
            if stop_on_error {
                return Ok(out);
            }
            continue;
        }
        let after = document(page);
        if before.is_some() && after.is_some() && before != after {
            let url = target::current_url(&tab.target_id).unwrap_or_default();
            out.results
                .push(json!({"ok": true, "navigated": true, "url": url}));
            out.aborted = Some(
                json!({"reason": "navigation", "afterAction": i + 1, "url": url, "skipped": actions.len() - i - 1}),
            );
            return Ok(out);
        }
        out.results.push(json!({"ok": true}));
    }
    Ok(out)
}

pub fn act(req: &Request) -> Answer {
    let body = req.body.as_object().cloned().unwrap_or_default();
    let kind = normalize::kind(&body)
        .ok_or_else(|| RouteError::act(400, "ACT_KIND_REQUIRED", "kind is required"))?;
    let request = normalize::normalize(&body, &kind)
        .map_err(|e| RouteError::act(400, "ACT_INVALID_REQUEST", e))?;
    if body.contains_key("selector") && !SELECTOR_KINDS.contains(&kind.as_str()) {
        return Err(RouteError::act(
            400,
            "ACT_SELECTOR_UNSUPPORTED",
            SELECTOR_UNSUPPORTED,
        ));
    }
    let tab = target::resolve(request.target_id.as_deref())?;
    same_tab(&request.action, &Value::Object(body.clone()), &tab)?;
    if let Some(answer) = blocked(&tab) {
        return Ok(answer);
    }
    let page = Page::new(&tab.target_id);
    // A background tab is slow to take input (Chromium waits for frames it does not paint).
    page.send("Page.bringToFront", json!({}))?;
    let timeout_ms = request.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
    let mut extra = Map::new();
    let watch = downloads::watch(&tab, &request.action);
    let expected = watch.is_some() && downloads::expected(&page, &request.action);
    let done = match &request.action {
        Action::Close => {
            browser_tabs::close_tab(&tab.target_id).map_err(failed)?;
            let mut out = Map::new();
            out.insert("ok".into(), json!(true));
            out.insert("targetId".into(), json!(tab.target_id));
            out.insert("url".into(), json!(tab.url));
            return Ok(Value::Object(out));
        }
        Action::Batch {
            actions,
            stop_on_error,
        } => batch(&page, &tab, actions, *stop_on_error, timeout_ms).map(|b| {
            extra.insert("results".into(), json!(b.results));
            if let Some(aborted) = b.aborted {
                extra.insert("aborted".into(), aborted);
            }
        }),
        action => {
            let done = run::one(&page, action, timeout_ms).map(|value| {
                if let Some(value) = value {
                    extra.insert("result".into(), value);
                }
            });
            if run::may_navigate(action) && done.is_ok() {
                run::settle();
            }
            done
        }
    };
    let downloaded = downloads::collect(watch, expected);
    if let Some(answer) = blocked(&tab) {
        return Ok(answer);
    }
    done?;
    if let Some(downloaded) = downloaded {
        extra.insert("downloads".into(), downloaded);
    }
    Ok(answer(&tab, extra))
}
