//! `GET /snapshot`: the page as an accessibility tree the agent reads and acts on.
//! - `format=ai` (the default): the tree as indented lines with refs (`e12`, `f1e2` inside a
//!   frame) that later actions accept; `mode=efficient`, `interactive`, `compact` and `depth`
//!   narrow it; `maxChars` bounds it at a line; from the second snapshot of a document on,
//!   new refs are marked `[new]`.
//! - `format=aria`: Chromium's own accessibility tree, nodes with `ax<N>` refs.

mod ai;
mod aria;
pub use aria::REFS_NOTE as ARIA_REFS_NOTE;
mod budget;
mod narrow;

use serde_json::{json, Map, Value};

use crate::browser_state;
use crate::page::Page;
use crate::route::{Answer, Request, RouteError};
use crate::target;

/// A query flag as the real reads it: `true/1/yes`, `false/0/no`, else unset.
fn flag(req: &Request, key: &str) -> Option<bool> {
    crate::act::normalize::boolean(req.query.get(key))
}

/// A query count, when it is a whole number (`0` allowed where `zero` says so).
fn count(req: &Request, key: &str, zero: bool) -> Option<u64> {
    let n: u64 = req.query_str(key)?.trim().parse().ok()?;
    (zero || n > 0).then_some(n)
}

pub fn snapshot(req: &Request) -> Answer {
    let aria = req.query_str("format") == Some("aria");
    let efficient = req.query_str("mode") == Some("efficient");
    let labels = flag(req, "labels") == Some(true);
    if aria && (labels || efficient) {
        return Err(RouteError::new(
            400,
            "labels/mode=efficient require format=ai",
        ));
    }
    if labels || flag(req, "urls") == Some(true) {
        // Labelled screenshots and link lists are not built by this node.
        return Err(RouteError::new(
            501,
            "labels and urls snapshots are not supported by this node",
        ));
    }
    if req.query_str("selector").is_some() || req.query_str("frame").is_some() {
        return Err(RouteError::new(
            501,
            "selector and frame snapshots are not supported by this node",
        ));
    }
    let tab = target::resolve(req.query_str("targetId"))?;
    let mut out = Map::new();
    out.insert("ok".into(), json!(true));
    out.insert("format".into(), json!(if aria { "aria" } else { "ai" }));
    out.insert("targetId".into(), json!(tab.target_id));
    out.insert("url".into(), json!(tab.url));
    let state = browser_state::of(&tab.target_id);
    if state.blocked {
        out.insert("blockedByDialog".into(), json!(true));
    }
    if let Some(value) = state.value {
        out.insert("browserState".into(), value);
    }
    if state.blocked {
        if aria {
            out.insert("nodes".into(), json!([]));
        } else {
            out.insert("snapshot".into(), json!(""));
            out.insert("refs".into(), json!({}));
        }
        return Ok(Value::Object(out));
    }
    let page = Page::new(&tab.target_id);
    if aria {
        let limit = count(req, "limit", false).unwrap_or(500).clamp(1, 2000) as usize;
        out.insert("nodes".into(), Value::Array(aria::nodes(&page, limit)?));
        return Ok(Value::Object(out));
    }
    let options = narrow::Options {
        interactive: flag(req, "interactive").or(efficient.then_some(true)) == Some(true),
        compact: flag(req, "compact").or(efficient.then_some(true)) == Some(true),
        depth: count(req, "depth", true).or(efficient.then_some(6)),
    };
    let max_chars = match count(req, "maxChars", true) {
        Some(0) => None,
        Some(n) => Some(n as usize),
        None if efficient => Some(8000),
        None => Some(40_000),
    };
    let taken = ai::take(&page)?;
    // The last snapshot's refs are the ones that count: `ax` refs go.
    openclaw_plugin_sdk::browser_page::keep_note(&tab.target_id, ARIA_REFS_NOTE, "{}").ok();
    let (text, refs) = if options.any() {
        narrow::narrow(&taken.snapshot, &options)
    } else {
        (taken.snapshot, taken.refs)
    };
    let family = json!([
        options.interactive,
        options.compact,
        options.depth,
        max_chars
    ])
    .to_string();
    let finished = budget::finish(
        &tab.target_id,
        &family,
        &taken.document,
        text,
        refs,
        max_chars,
    );
    out.extend(finished);
    Ok(Value::Object(out))
}
