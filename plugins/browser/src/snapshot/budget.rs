//! The last steps of an `ai` snapshot, as the real service takes them: refs new since the last
//! snapshot of the same document and options are marked `[new]` (with a count line), then the
//! text is cut at a line to `maxChars`, and only refs on kept lines are reported.

use openclaw_plugin_sdk::browser_page;
use serde_json::{json, Map, Value};

use super::narrow::{line_ref, INTERACTIVE};

const MARKER: &str = "[...TRUNCATED - page too large]";
/// The note holding, per option family, the document and refs of the last snapshot.
const DELTA_NOTE: &str = "snapshot-delta";
const MAX_FAMILIES: usize = 32;

/// The refs of the previous snapshot of `family` on this document, and records these.
fn previous_refs(
    target_id: &str,
    family: &str,
    document: &str,
    refs: &Map<String, Value>,
) -> Option<Vec<String>> {
    let mut notes: Map<String, Value> = browser_page::note(target_id, DELTA_NOTE)
        .and_then(|n| serde_json::from_str(&n).ok())
        .unwrap_or_default();
    let previous = notes
        .remove(family)
        .filter(|entry| entry["document"] == document)
        .map(|entry| {
            entry["refs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        });
    notes.insert(
        family.to_string(),
        json!({"document": document, "refs": refs.keys().collect::<Vec<_>>()}),
    );
    while notes.len() > MAX_FAMILIES {
        let oldest = notes.keys().next().cloned().unwrap_or_default();
        notes.remove(&oldest);
    }
    browser_page::keep_note(target_id, DELTA_NOTE, &Value::Object(notes).to_string()).ok();
    previous
}

fn truncate(lines: &[String], max_chars: usize) -> (String, usize) {
    let marker = if max_chars >= 31 { MARKER } else { "…" };
    let mut prefix = String::new();
    let mut kept = 0;
    for line in lines {
        let candidate = if prefix.is_empty() {
            line.clone()
        } else {
            format!("{prefix}\n{line}")
        };
        if candidate.chars().count() + 2 + marker.chars().count() > max_chars {
            break;
        }
        prefix = candidate;
        kept += 1;
    }
    let snapshot = if prefix.is_empty() {
        marker.to_string()
    } else {
        format!("{prefix}\n\n{marker}")
    };
    (snapshot, kept)
}

pub fn finish(
    target_id: &str,
    family: &str,
    document: &str,
    text: String,
    refs: Map<String, Value>,
    max_chars: Option<usize>,
) -> Map<String, Value> {
    let previous = previous_refs(target_id, family, document, &refs);
    let mut lines: Vec<String> = if text.is_empty() {
        Vec::new()
    } else {
        text.lines().map(String::from).collect()
    };
    let mut new_elements = None;
    if let Some(previous) = &previous {
        let mut marked = 0;
        for line in lines.iter_mut() {
            if let Some(r) = line_ref(line) {
                if refs.contains_key(&r) && !previous.contains(&r) {
                    line.push_str(" [new]");
                    marked += 1;
                }
            }
        }
        if marked > 0 {
            lines.push(format!("{marked} new element(s) since last snapshot"));
        }
        new_elements = Some(refs.keys().filter(|r| !previous.contains(r)).count());
    }
    let full = lines.join("\n");
    let truncated = max_chars.is_some_and(|max| full.chars().count() > max);
    let (snapshot, kept) = match max_chars {
        Some(max) if truncated => truncate(&lines, max),
        _ => (full, lines.len()),
    };
    let visible: Vec<String> = lines[..kept].iter().filter_map(|l| line_ref(l)).collect();
    let refs: Map<String, Value> = refs
        .into_iter()
        .filter(|(r, _)| visible.contains(r))
        .collect();
    let interactive = refs
        .values()
        .filter(|v| {
            v["role"]
                .as_str()
                .is_some_and(|role| INTERACTIVE.contains(&role))
        })
        .count();
    let line_count = if snapshot.is_empty() {
        0
    } else {
        snapshot.split('\n').count()
    };
    let mut out = Map::new();
    out.insert("snapshot".into(), json!(snapshot));
    out.insert(
        "stats".into(),
        json!({"lines": line_count, "chars": snapshot.chars().count(), "refs": refs.len(), "interactive": interactive}),
    );
    out.insert("refs".into(), Value::Object(refs));
    // The real's key order: snapshot, refs, stats.
    let stats = out.remove("stats").unwrap();
    out.insert("stats".into(), stats);
    if let Some(n) = new_elements {
        out.insert("newElements".into(), json!(n));
    }
    if truncated {
        out.insert("truncated".into(), json!(true));
    }
    out
}
