//! Finding the element an action names (a ref from the last snapshot, or a CSS selector) and
//! where on screen to touch it. Refs of `ai` snapshots live in the node's isolated world of
//! the tab, `ax` refs in a note with the tab; both are gone once the document changes.

use openclaw_plugin_sdk::browser_page;
use serde_json::{json, Value};

use super::normalize::Element;
use crate::page::{Page, COMMAND_MS};
use crate::route::RouteError;
use crate::snapshot::ARIA_REFS_NOTE;

/// An element, held by its object in the node's isolated world.
pub struct Found {
    pub object_id: String,
    /// How the caller named it, for messages.
    pub label: String,
}

pub fn failure(label: &str, what: &str) -> RouteError {
    let label: String = label.chars().take(200).collect();
    RouteError::act(
        500,
        "ACT_OPERATION_FAILED",
        format!("Element \"{label}\" {what}"),
    )
}

pub fn not_found(label: &str) -> RouteError {
    failure(
        label,
        "not found or not visible. Run a new snapshot to see current page elements.",
    )
}

fn unknown_ref(reference: &str) -> RouteError {
    RouteError::new(
        500,
        format!("Error: Unknown ref \"{reference}\". Run a new snapshot and use a ref from that snapshot."),
    )
}

/// `e12`, `@e12` and `ref=e12` name the same ref.
fn bare(reference: &str) -> &str {
    let r = reference.trim();
    r.strip_prefix('@')
        .or_else(|| r.strip_prefix("ref="))
        .unwrap_or(r)
}

fn is_snapshot_ref(r: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match r.split_once('e') {
        Some(("", n)) => digits(n),
        Some((frame, n)) => frame.strip_prefix('f').is_some_and(digits) && digits(n),
        None => false,
    }
}

/// An object in the isolated world from an expression there; `None` when it is not a node.
fn object_of(page: &Page, world: i64, expression: &str) -> Result<Option<String>, RouteError> {
    let reply = page.send(
        "Runtime.evaluate",
        json!({"expression": expression, "contextId": world, "returnByValue": false}),
    )?;
    Ok(reply["result"]["objectId"]
        .as_str()
        .filter(|_| reply["result"]["subtype"] == "node")
        .map(String::from))
}

pub fn find(page: &Page, element: &Element) -> Result<Found, RouteError> {
    let world = page.world()?;
    match element {
        Element::Selector(selector) => {
            let expression = format!("document.querySelector({})", json!(selector));
            let object = object_of(page, world, &expression).map_err(|_| not_found(selector))?;
            object
                .map(|object_id| Found {
                    object_id,
                    label: selector.clone(),
                })
                .ok_or_else(|| not_found(selector))
        }
        Element::Ref(raw) => {
            let r = bare(raw);
            if let Some(n) = r.strip_prefix("ax").filter(|n| n.parse::<u32>().is_ok()) {
                let refs: Value = browser_page::note(&page.target_id, ARIA_REFS_NOTE)
                    .and_then(|n| serde_json::from_str(&n).ok())
                    .unwrap_or_default();
                let backend = refs[format!("ax{n}")]
                    .as_i64()
                    .ok_or_else(|| unknown_ref(r))?;
                let reply = page
                    .send(
                        "DOM.resolveNode",
                        json!({"backendNodeId": backend, "executionContextId": world}),
                    )
                    .map_err(|_| unknown_ref(r))?;
                let object_id = reply["object"]["objectId"]
                    .as_str()
                    .ok_or_else(|| unknown_ref(r))?;
                return Ok(Found {
                    object_id: object_id.to_string(),
                    label: r.to_string(),
                });
            }
            if !is_snapshot_ref(r) {
                return Err(not_found(r));
            }
            let known =
                page.evaluate_in(Some(world), "Boolean(globalThis.__openclaw)", COMMAND_MS)?;
            if known != json!(true) {
                return Err(unknown_ref(r));
            }
            let expression = format!(
                "(() => {{ const el = globalThis.__openclaw.refs.get({}); return el && el.isConnected ? el : null; }})()",
                json!(r)
            );
            object_of(page, world, &expression)?
                .map(|object_id| Found {
                    object_id,
                    label: r.to_string(),
                })
                .ok_or_else(|| not_found(r))
        }
    }
}

/// Scrolls the element into view and answers the middle of it in the tab's viewport (frames
/// of the same origin add their offsets).
const POINT: &str = "function() {
  if (!this.isConnected) return { gone: true };
  this.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
  const rect = this.getBoundingClientRect();
  const style = getComputedStyle(this);
  let x = rect.left + rect.width / 2;
  let y = rect.top + rect.height / 2;
  let win = this.ownerDocument.defaultView;
  while (win && win.frameElement) {
    const frame = win.frameElement;
    const r = frame.getBoundingClientRect();
    x += r.left + frame.clientLeft;
    y += r.top + frame.clientTop;
    win = win.parent;
  }
  const visible = rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden';
  return { x, y, visible, disabled: this.disabled === true };
}";

pub fn call(
    page: &Page,
    found: &Found,
    function: &str,
    args: &[Value],
) -> Result<Value, RouteError> {
    let arguments: Vec<Value> = args.iter().map(|a| json!({"value": a})).collect();
    let reply = page.send(
        "Runtime.callFunctionOn",
        json!({
            "objectId": found.object_id,
            "functionDeclaration": function,
            "arguments": arguments,
            "returnByValue": true,
            "awaitPromise": true,
        }),
    )?;
    if let Some(details) = reply.get("exceptionDetails") {
        let message = details["exception"]["description"]
            .as_str()
            .or(details["text"].as_str())
            .unwrap_or("the page threw");
        return Err(RouteError::new(
            500,
            message.lines().next().unwrap_or_default().to_string(),
        ));
    }
    Ok(reply["result"]["value"].clone())
}

/// Where to press the element, once it is in view; a hidden element cannot be touched.
pub fn point(page: &Page, found: &Found) -> Result<(f64, f64), RouteError> {
    let p = call(page, found, POINT, &[])?;
    if p["gone"] == true {
        return Err(not_found(&found.label));
    }
    if p["visible"] != true {
        return Err(failure(
            &found.label,
            "is not interactable (not visible). Try scrolling it into view, closing overlays, or re-snapshotting.",
        ));
    }
    if p["disabled"] == true {
        return Err(failure(
            &found.label,
            "is not enabled. Complete any prerequisites that enable the control.",
        ));
    }
    Ok((
        p["x"].as_f64().unwrap_or(0.0),
        p["y"].as_f64().unwrap_or(0.0),
    ))
}

/// The same element as the page's own scripts see it (for `evaluate` with a ref).
pub fn in_main_world(page: &Page, found: &Found) -> Result<String, RouteError> {
    let node = page.send("DOM.describeNode", json!({"objectId": found.object_id}))?;
    let backend = node["node"]["backendNodeId"]
        .as_i64()
        .ok_or_else(|| not_found(&found.label))?;
    page.resolve(backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_refs_are_told_apart() {
        for r in ["e1", "e12", "f1e2", "f12e30"] {
            assert!(is_snapshot_ref(r), "{r}");
        }
        for r in ["e", "ax1", "f1", "fe2", "e1x", "12", "button"] {
            assert!(!is_snapshot_ref(r), "{r}");
        }
        assert_eq!(bare("@e5"), "e5");
        assert_eq!(bare("ref=e5"), "e5");
    }
}
