//! `agents.list`, the documented way to write agents, stored as the keyed roster
//! `agents.entries.<id>`, as the real CLI stores it: `agents.list[i].x` is
//! `agents.entries.<id of the i-th agent>.x` (an empty roster's first agent is `main`), and a
//! whole `agents.list` becomes `entries`, refusing to drop agents silently.

use serde_json::{Map, Value};

use super::path::Segment;

/// The path and value to write for what was asked.
pub fn rewrite(
    root: &Value,
    path: Vec<Segment>,
    value: Value,
) -> Result<(Vec<Segment>, Value), String> {
    let key = |i: usize| match path.get(i) {
        Some(Segment::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    if key(0) != Some("agents") {
        return Ok((path, value));
    }
    let roster: Vec<String> = root
        .pointer("/agents/entries")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    match (key(1), path.get(2)) {
        // `agents = {list, entries}`: one or the other.
        (None, _) => {
            if value.get("list").is_some() && value.get("entries").is_some() {
                return Err(
                    "Set either agents.list or agents.entries in one value, not both.".into(),
                );
            }
            match value {
                Value::Object(mut agents) => {
                    if let Some(list) = agents.remove("list") {
                        agents.insert("entries".into(), entries_of(list, &roster)?);
                    }
                    Ok((path, Value::Object(agents)))
                }
                other => Ok((path, other)),
            }
        }
        (Some("list"), None) => {
            let entries = entries_of(value, &roster)?;
            Ok((
                vec![
                    Segment::Key("agents".into()),
                    Segment::Key("entries".into()),
                ],
                entries,
            ))
        }
        (Some("list"), Some(Segment::Index(i))) => {
            let id = match roster.get(*i) {
                Some(id) => id.clone(),
                None if roster.is_empty() && *i == 0 => "main".into(),
                // Not an agent of the roster: written as asked, which validation refuses.
                None => return Ok((path, value)),
            };
            let mut rewritten = vec![
                Segment::Key("agents".into()),
                Segment::Key("entries".into()),
                Segment::Key(id),
            ];
            rewritten.extend(path.into_iter().skip(3));
            Ok((rewritten, value))
        }
        _ => Ok((path, value)),
    }
}

/// A list of agents (`[{id, ...}]`) as the roster map, unless it leaves out an agent the
/// roster has.
fn entries_of(list: Value, roster: &[String]) -> Result<Value, String> {
    let Value::Array(items) = list else {
        return Ok(list);
    };
    let mut entries = Map::new();
    for item in items {
        let Value::Object(mut agent) = item else {
            return Err("agents.list entries must be objects with an id".into());
        };
        let Some(Value::String(id)) = agent.remove("id") else {
            return Err("agents.list entries must be objects with an id".into());
        };
        entries.insert(id, Value::Object(agent));
    }
    let dropped: Vec<&str> = roster
        .iter()
        .filter(|id| !entries.contains_key(*id))
        .map(String::as_str)
        .collect();
    if !dropped.is_empty() {
        return Err(format!(
            "Config write would drop agent roster entries without an explicit deletion: {}.",
            dropped.join(", ")
        ));
    }
    Ok(Value::Object(entries))
}
