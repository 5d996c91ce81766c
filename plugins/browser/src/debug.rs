//! What a tab said and holds: `GET /console`, `/errors`, `/requests`, `/dialogs` and `/text`,
//! each `{ok, targetId, url, ...}` as the real service answers them.

use openclaw_plugin_sdk::browser_page;
use openclaw_plugin_sdk::browser_page::ConsoleEntry;
use openclaw_plugin_sdk::browser_page::PageError;
use openclaw_plugin_sdk::browser_page::RequestEntry;
use serde_json::{json, Map, Value};

use crate::act::normalize::boolean;
use crate::browser_state::{self, iso_time};
use crate::page::{host_error, Page};
use crate::route::{Answer, Request, RouteError};
use crate::target::{self, Target};

fn answer(tab: &Target, key: &str, value: Value) -> Value {
    let mut out = Map::new();
    out.insert("ok".into(), json!(true));
    out.insert("targetId".into(), json!(tab.target_id));
    out.insert("url".into(), json!(tab.url));
    out.insert(key.into(), value);
    Value::Object(out)
}

fn priority(kind: &str) -> u8 {
    match kind {
        "error" => 3,
        "warn" | "warning" => 2,
        "debug" => 0,
        _ => 1,
    }
}

fn console_json(e: &ConsoleEntry) -> Value {
    let (line, column) = (e.line.unwrap_or(0), e.column.unwrap_or(0));
    json!({
        "type": e.kind,
        "text": e.text,
        "timestamp": iso_time(e.timestamp_ms),
        "location": {
            "url": e.url.clone().unwrap_or_default(),
            "line": line,
            "column": column,
            "lineNumber": line,
            "columnNumber": column,
        },
    })
}

fn error_json(e: &PageError) -> Value {
    let mut out = Map::new();
    out.insert("message".into(), json!(e.message));
    if let Some(name) = &e.name {
        out.insert("name".into(), json!(name));
    }
    if let Some(stack) = &e.stack {
        out.insert("stack".into(), json!(stack));
    }
    out.insert("timestamp".into(), json!(iso_time(e.timestamp_ms)));
    Value::Object(out)
}

fn request_json(e: &RequestEntry) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(e.id));
    out.insert("timestamp".into(), json!(iso_time(e.timestamp_ms)));
    out.insert("method".into(), json!(e.method));
    out.insert("url".into(), json!(e.url));
    out.insert(
        "resourceType".into(),
        json!(e.resource_type.clone().unwrap_or_else(|| "other".into())),
    );
    if let Some(status) = e.status {
        out.insert("status".into(), json!(status));
    }
    if let Some(ok) = e.ok {
        out.insert("ok".into(), json!(ok));
    }
    if let Some(failure) = &e.failure {
        out.insert("failureText".into(), json!(failure));
    }
    Value::Object(out)
}

fn clear(req: &Request) -> bool {
    boolean(req.query.get("clear")).unwrap_or(false)
}

pub fn console(req: &Request) -> Answer {
    let tab = target::resolve(req.query_str("targetId"))?;
    let log = browser_page::logs(&tab.target_id, false, false).map_err(host_error)?;
    let floor = req.query_str("level").map(priority).unwrap_or(0);
    let messages: Vec<Value> = log
        .console
        .iter()
        .filter(|e| priority(&e.kind) >= floor)
        .map(console_json)
        .collect();
    Ok(answer(&tab, "messages", json!(messages)))
}

pub fn errors(req: &Request) -> Answer {
    let tab = target::resolve(req.query_str("targetId"))?;
    let log = browser_page::logs(&tab.target_id, clear(req), false).map_err(host_error)?;
    let errors: Vec<Value> = log.errors.iter().map(error_json).collect();
    Ok(answer(&tab, "errors", json!(errors)))
}

pub fn requests(req: &Request) -> Answer {
    let tab = target::resolve(req.query_str("targetId"))?;
    let log = browser_page::logs(&tab.target_id, false, clear(req)).map_err(host_error)?;
    let filter = req
        .query_str("filter")
        .map(str::trim)
        .filter(|f| !f.is_empty());
    let requests: Vec<Value> = log
        .requests
        .iter()
        .filter(|r| {
            filter.is_none_or(|f| {
                r.url.contains(f) || r.resource_type.as_deref().is_some_and(|t| t.contains(f))
            })
        })
        .map(request_json)
        .collect();
    Ok(answer(&tab, "requests", json!(requests)))
}

pub fn dialogs(req: &Request) -> Answer {
    let tab = target::resolve(req.query_str("targetId"))?;
    let state = browser_state::of(&tab.target_id)
        .value
        .unwrap_or_else(|| json!({"dialogs": {"pending": [], "recent": []}}));
    Ok(answer(&tab, "browserState", state))
}

const MAX_TEXT: u64 = 40_000;

pub fn text(req: &Request) -> Answer {
    let max = match req.query_str("maxChars") {
        None => MAX_TEXT,
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if n > 0 => n.min(MAX_TEXT),
            _ => return Err(RouteError::new(400, "maxChars must be a positive integer.")),
        },
    };
    let selector = req
        .query_str("selector")
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let tab = target::resolve(req.query_str("targetId"))?;
    let page = Page::new(&tab.target_id);
    let root = match selector {
        Some(s) => format!("document.querySelector({})", json!(s)),
        None => {
            "(document.querySelector('article') || document.querySelector('main') || document.body)"
                .into()
        }
    };
    let script = format!("(() => {{ const el = {root}; return el ? el.innerText : null; }})()");
    let text = page.evaluate(&script, 20_000)?;
    let Some(text) = text.as_str() else {
        let what = selector.unwrap_or("body");
        return Err(RouteError::new(
            500,
            format!("Error: no element matches \"{what}\""),
        ));
    };
    let truncated = text.chars().count() as u64 > max;
    let text: String = text.chars().take(max as usize).collect();
    let mut out = Map::new();
    out.insert("ok".into(), json!(true));
    out.insert("targetId".into(), json!(tab.target_id));
    out.insert("url".into(), json!(tab.url));
    out.insert("text".into(), json!(text));
    out.insert("truncated".into(), json!(truncated));
    Ok(Value::Object(out))
}
