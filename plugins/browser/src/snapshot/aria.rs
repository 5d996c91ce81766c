//! The `aria` snapshot: Chromium's accessibility tree of the main frame, depth first, as the
//! real service lists it (raw roles, ignored nodes too, `ax<N>` refs). The refs are kept with
//! the tab, so an action can name the element by its `ax` ref.

use openclaw_plugin_sdk::browser_page;
use serde_json::{json, Map, Value};

use crate::page::{host_error, Page};
use crate::route::RouteError;

/// The note holding the last aria snapshot's refs: `{"ax4": backendDOMNodeId}`.
pub const REFS_NOTE: &str = "aria-refs";

pub fn nodes(page: &Page, limit: usize) -> Result<Vec<Value>, RouteError> {
    let tree = page.send("Accessibility.getFullAXTree", json!({}))?;
    let all = tree["nodes"].as_array().cloned().unwrap_or_default();
    let by_id: Map<String, Value> = all
        .iter()
        .filter_map(|n| Some((n["nodeId"].as_str()?.to_string(), n.clone())))
        .collect();
    let children: std::collections::HashSet<&str> = all
        .iter()
        .flat_map(|n| n["childIds"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    let root = all
        .iter()
        .find(|n| {
            n["nodeId"]
                .as_str()
                .is_some_and(|id| !children.contains(id))
        })
        .or_else(|| all.first());
    let mut out = Vec::new();
    let mut refs = Map::new();
    let mut stack: Vec<(&Value, usize)> = root.map(|r| (r, 0)).into_iter().collect();
    while let Some((node, depth)) = stack.pop() {
        if out.len() >= limit {
            break;
        }
        let text = |key: &str| node[key]["value"].as_str().unwrap_or_default().to_string();
        let reference = format!("ax{}", out.len() + 1);
        let mut entry = Map::new();
        entry.insert("ref".into(), json!(reference));
        let role = text("role");
        entry.insert(
            "role".into(),
            json!(if role.is_empty() {
                "unknown".into()
            } else {
                role
            }),
        );
        entry.insert("name".into(), json!(text("name")));
        for key in ["value", "description"] {
            let value = node[key]["value"].as_str().filter(|v| !v.is_empty());
            if let Some(value) = value {
                entry.insert(key.into(), json!(value));
            }
        }
        if let Some(backend) = node["backendDOMNodeId"].as_i64() {
            entry.insert("backendDOMNodeId".into(), json!(backend));
            refs.insert(reference.clone(), json!(backend));
        }
        entry.insert("depth".into(), json!(depth));
        out.push(Value::Object(entry));
        let ids = node["childIds"].as_array().cloned().unwrap_or_default();
        for id in ids.iter().rev().filter_map(Value::as_str) {
            if let Some(child) = by_id.get(id) {
                stack.push((child, depth + 1));
            }
        }
    }
    browser_page::keep_note(&page.target_id, REFS_NOTE, &Value::Object(refs).to_string())
        .map_err(host_error)?;
    Ok(out)
}
