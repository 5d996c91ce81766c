//! A2UI v0.8 messages: read from JSONL or a `messages` array and checked before any reach
//! the page, so a bad line is named by number and nothing of a bad batch is drawn.

use serde_json::{Map, Value};

/// The four v0.8 server-to-client messages.
const V08_KINDS: &[&str] = &[
    "surfaceUpdate",
    "dataModelUpdate",
    "beginRendering",
    "deleteSurface",
];
/// Keys that only v0.9 sends.
const V09_KINDS: &[&str] = &[
    "createSurface",
    "updateComponents",
    "updateDataModel",
    "surfaceAction",
];

/// Each non-blank line of `jsonl` as a checked message.
pub fn from_jsonl(jsonl: &str) -> Result<Vec<Value>, String> {
    let mut messages = Vec::new();
    for (index, line) in jsonl.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = format!("jsonl line {}", index + 1);
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("{at}: invalid JSON ({e})"))?;
        messages.push(check(value, &at)?);
    }
    if messages.is_empty() {
        return Err("jsonl has no A2UI messages".into());
    }
    Ok(messages)
}

pub fn from_array(messages: Vec<Value>) -> Result<Vec<Value>, String> {
    if messages.is_empty() {
        return Err("messages is empty".into());
    }
    messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| check(m, &format!("messages[{i}]")))
        .collect()
}

fn check(message: Value, at: &str) -> Result<Value, String> {
    let Value::Object(fields) = &message else {
        return Err(format!("{at}: an A2UI message must be a JSON object"));
    };
    let v09 = fields.get("version").and_then(Value::as_str) == Some("v0.9")
        || fields.keys().any(|k| V09_KINDS.contains(&k.as_str()));
    if v09 {
        let kind = fields
            .keys()
            .find(|k| *k != "version")
            .cloned()
            .unwrap_or_default();
        return Err(format!(
            "{at}: A2UI v0.9 ({kind}) is not supported; this canvas renders A2UI v0.8 JSONL (surfaceUpdate, dataModelUpdate, beginRendering, deleteSurface)"
        ));
    }
    let kinds: Vec<&String> = fields.keys().collect();
    let [kind] = kinds.as_slice() else {
        return Err(format!(
            "{at}: an A2UI message has exactly one of surfaceUpdate, dataModelUpdate, beginRendering, deleteSurface (got {})",
            quoted(&kinds)
        ));
    };
    if !V08_KINDS.contains(&kind.as_str()) {
        return Err(format!(
            "{at}: unknown A2UI message \"{kind}\"; expected surfaceUpdate, dataModelUpdate, beginRendering or deleteSurface"
        ));
    }
    let Some(Value::Object(body)) = fields.get(kind.as_str()) else {
        return Err(format!("{at}: {kind} must be an object"));
    };
    let at = format!("{at}: {kind}");
    string_field(body, "surfaceId", &at)?;
    match kind.as_str() {
        "surfaceUpdate" => check_components(body, &at)?,
        "dataModelUpdate" if !body.get("contents").is_some_and(Value::is_array) => {
            return Err(format!("{at}.contents must be an array"));
        }
        "beginRendering" => string_field(body, "root", &at)?,
        _ => {}
    }
    Ok(message)
}

fn check_components(body: &Map<String, Value>, at: &str) -> Result<(), String> {
    let Some(Value::Array(components)) = body.get("components") else {
        return Err(format!("{at}.components must be an array"));
    };
    for (i, entry) in components.iter().enumerate() {
        let at = format!("{at}.components[{i}]");
        let Value::Object(entry) = entry else {
            return Err(format!("{at} must be an object"));
        };
        string_field(entry, "id", &at)?;
        match entry.get("component") {
            Some(Value::Object(c)) if c.len() == 1 && c.values().all(Value::is_object) => {}
            _ => {
                return Err(format!(
                    "{at}.component must be an object with one component type, e.g. {{\"Text\": {{...}}}}"
                ))
            }
        }
    }
    Ok(())
}

fn string_field(body: &Map<String, Value>, name: &str, at: &str) -> Result<(), String> {
    match body.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(()),
        _ => Err(format!("{at}.{name} must be a non-empty string")),
    }
}

fn quoted(keys: &[&String]) -> String {
    if keys.is_empty() {
        return "none".into();
    }
    keys.iter()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{"surfaceUpdate":{"surfaceId":"main","components":[{"id":"root","component":{"Text":{"text":{"literalString":"hi"}}}}]}}"#;

    #[test]
    fn v08_lines_pass() {
        let jsonl = format!(
            "{TEXT}\n\n{{\"beginRendering\":{{\"surfaceId\":\"main\",\"root\":\"root\"}}}}\n"
        );
        assert_eq!(from_jsonl(&jsonl).unwrap().len(), 2);
    }

    #[test]
    fn errors_name_the_line() {
        let jsonl = format!("{TEXT}\n{{\"beginRendering\": oops}}\n");
        assert!(from_jsonl(&jsonl)
            .unwrap_err()
            .starts_with("jsonl line 2: invalid JSON"));
        let err = from_jsonl(r#"{"beginRendering":{"surfaceId":"main"}}"#).unwrap_err();
        assert_eq!(
            err,
            "jsonl line 1: beginRendering.root must be a non-empty string"
        );
        let err =
            from_jsonl(r#"{"createSurface":{"surfaceId":"s"},"version":"v0.9"}"#).unwrap_err();
        assert!(err.starts_with("jsonl line 1: A2UI v0.9 (createSurface) is not supported"));
        assert!(from_jsonl("[1]")
            .unwrap_err()
            .contains("must be a JSON object"));
        assert!(from_jsonl(
            r#"{"surfaceUpdate":{"surfaceId":"m","components":[{"id":"a","component":{}}]}}"#
        )
        .unwrap_err()
        .contains("components[0].component must be an object with one component type"));
        assert_eq!(
            from_jsonl("\n \n").unwrap_err(),
            "jsonl has no A2UI messages"
        );
    }
}
