//! An approval that waits for a human, as `approvals pending` reads it from a gateway's lists
//! and shows it.

use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct PendingEntry {
    pub id: String,
    pub kind: &'static str,
    pub agent_id: Option<String>,
    pub session_key: Option<String>,
    pub created_at_ms: Value,
    pub expires_at_ms: Value,
    pub summary: String,
}

impl PendingEntry {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "kind": self.kind,
            "agentId": self.agent_id,
            "sessionKey": self.session_key,
            "createdAtMs": self.created_at_ms,
            "expiresAtMs": self.expires_at_ms,
            "summary": self.summary,
        })
    }

    pub fn created(&self) -> f64 {
        self.created_at_ms.as_f64().unwrap_or(0.0)
    }
}

/// The entries of a gateway's approval list of `kind`, or `None` when it is no list.
pub fn read_list(value: &Value, kind: &'static str) -> Option<Vec<PendingEntry>> {
    let list = value.as_array()?;
    Some(list.iter().filter_map(|e| read_entry(e, kind)).collect())
}

/// One listed approval, or nothing for a malformed one (the real CLI skips those too).
fn read_entry(value: &Value, kind: &'static str) -> Option<PendingEntry> {
    let request = value.get("request").filter(|r| r.is_object())?;
    let id = value["id"]
        .as_str()
        .filter(|id| !id.is_empty() && *id != "." && *id != "..")?;
    let finite = |v: &Value| v.as_f64().is_some_and(f64::is_finite);
    if !finite(&value["createdAtMs"]) || !finite(&value["expiresAtMs"]) {
        return None;
    }
    let trimmed = |v: &Value| {
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let present = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(String::from);
    let command = present(&request["command"]);
    let title = present(&request["title"]);
    let description = present(&request["description"]);
    let prose = match (&title, &description) {
        (Some(t), Some(d)) => Some(format!("{t}: {d}")),
        _ => title.or(description),
    };
    let summary = match kind {
        "exec" => command,
        "plugin" => match (&command, &prose) {
            (Some(c), Some(p)) => Some(format!("{p} — Command: {c}")),
            (Some(c), None) => Some(format!("Command: {c}")),
            (None, _) => prose,
        },
        _ => prose,
    };
    Some(PendingEntry {
        id: id.to_string(),
        kind,
        agent_id: trimmed(&request["agentId"]),
        session_key: trimmed(&request["sessionKey"]),
        created_at_ms: value["createdAtMs"].clone(),
        expires_at_ms: value["expiresAtMs"].clone(),
        summary: summary.unwrap_or_else(|| "(summary unavailable)".into()),
    })
}
