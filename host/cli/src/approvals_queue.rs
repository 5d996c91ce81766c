//! `openclaw approvals pending|resolve`: the gateway's approvals that wait for a human, listed
//! and answered as the real CLI does it, with its wording, exit codes and JSON.

use anyhow::Result;
use clap::Args;
use openclaw_client::ClientError;
use serde_json::{json, Map, Value};

use crate::approvals_pending::{read_list, PendingEntry};
use crate::approvals_text::{
    decode_id_token, display_id, escape, render_pending, shorten, truncate_utf16, utf16_len,
};
use crate::operator::{Operator, OperatorArgs};
use crate::safe_table;

const DECISIONS: [&str; 3] = ["allow-once", "allow-always", "deny"];
const DEFAULT_TIMEOUT_MS: u64 = 10_000;
const ADMIN: &str = "operator.admin";
const APPROVALS: &str = "operator.approvals";

#[derive(Args)]
pub struct ResolveArgs {
    /// The approval id, or the id64_ token `approvals pending` shows for it
    pub id: String,
    /// allow-once, allow-always or deny
    pub decision: String,
    /// Add a local note to the CLI confirmation
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Allow-always on an automation approval: freeze this grant lifetime instead of the
    /// configured default
    #[arg(long, value_name = "DAYS")]
    pub expires_in_days: Option<String>,
}

/// A refusal worded for the user, printed as it is.
#[derive(Debug)]
struct Refusal(String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

fn refuse<T>(message: impl Into<String>) -> Result<T> {
    Err(Refusal(message.into()).into())
}

pub async fn pending(args: &OperatorArgs) -> Result<()> {
    match load_pending(args).await {
        Ok(entries) => {
            if args.json {
                let list: Vec<Value> = entries.iter().map(PendingEntry::to_json).collect();
                println!("{}", json!({ "approvals": list }));
            } else {
                let now = openclaw_protocol::now_ms() as f64;
                print!(
                    "{}",
                    render_pending(&entries, now, safe_table::terminal_width())
                );
            }
            Ok(())
        }
        Err(e) => fail(args.json, &e),
    }
}

pub async fn resolve(request: ResolveArgs, args: &OperatorArgs) -> Result<()> {
    match resolve_one(request, args).await {
        Ok(()) => Ok(()),
        Err(e) => fail(args.json, &e),
    }
}

/// Prints the failure as the real CLI does (with `--json`, its error envelope on stdout) and
/// exits 1.
fn fail(json: bool, error: &anyhow::Error) -> ! {
    let message = failure_message(error);
    if json {
        let envelope = json!({"ok": false, "error": {"type": "cli_error", "message": message}});
        println!("{}", crate::render::pretty(&envelope));
        eprintln!("[openclaw] The CLI command failed.\n[openclaw] Reason: {message}");
    } else {
        eprintln!("{message}");
    }
    std::process::exit(1)
}

/// The gateway's own message for its errors, else ours; first line only, at most 300 units.
fn failure_message(error: &anyhow::Error) -> String {
    let full = match error
        .downcast_ref::<ClientError>()
        .and_then(ClientError::error_shape)
    {
        Some(shape) => shape.message.clone(),
        None => format!("{error:#}"),
    };
    let first = full.lines().next().unwrap_or("").to_string();
    if utf16_len(&first) > 300 {
        format!("{}...", truncate_utf16(&first, 300))
    } else {
        first
    }
}

// ---- pending ----

async fn load_pending(args: &OperatorArgs) -> Result<Vec<PendingEntry>> {
    let op = args.connect_with(&[ADMIN], DEFAULT_TIMEOUT_MS).await?;
    let (exec, plugin, system) = tokio::join!(
        op.call("exec.approval.list", json!({})),
        optional_list(&op, "plugin.approval.list"),
        optional_list(&op, "openclaw.approval.list"),
    );
    let mut entries = list_of(&exec?, "exec")?;
    entries.extend(list_of(&plugin?, "plugin")?);
    entries.extend(list_of(&system?, "system-agent")?);
    // Newest first; a stable sort keeps the gateway's order among equal times.
    entries.sort_by(|a, b| b.created().total_cmp(&a.created()));
    Ok(entries)
}

fn list_of(value: &Value, kind: &'static str) -> Result<Vec<PendingEntry>> {
    match read_list(value, kind) {
        Some(entries) => Ok(entries),
        None => refuse(format!("Invalid {kind} approval list response.")),
    }
}

/// A list a gateway may not have (ours serves exec approvals only): an unknown method is an
/// empty list.
async fn optional_list(op: &Operator, method: &str) -> Result<Value> {
    match op.client.request(method, json!({})).await {
        Ok(list) => Ok(list),
        Err(e)
            if e.error_shape()
                .is_some_and(|s| s.message.starts_with("unknown method")) =>
        {
            Ok(json!([]))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- resolve ----

async fn resolve_one(request: ResolveArgs, args: &OperatorArgs) -> Result<()> {
    let raw_id = request.id;
    if raw_id.is_empty() {
        return refuse("Approval id required.");
    }
    let decision = request.decision.trim().to_string();
    if decision.is_empty() {
        return refuse("Decision required.");
    }
    if !DECISIONS.contains(&decision.as_str()) {
        return refuse(format!(
            "Decision must be one of: {}.",
            DECISIONS.join(", ")
        ));
    }
    let reason = match &request.reason {
        None => None,
        Some(r) if r.trim().is_empty() => return refuse("Reason must not be empty."),
        Some(r) => Some(r.trim().to_string()),
    };
    let op = args
        .connect_with(&[ADMIN, APPROVALS], DEFAULT_TIMEOUT_MS)
        .await?;
    let (id, lookup) = match decode_id_token(&raw_id) {
        Some(decoded) if decoded.as_deref() != Ok(raw_id.as_str()) => {
            let by_raw = lookup(&op, &raw_id, true).await?;
            let by_token = match &decoded {
                Ok(decoded) => lookup(&op, decoded, true).await?,
                Err(()) => None,
            };
            match (by_raw, by_token, decoded) {
                (Some(_), Some(_), _) => return refuse("Approval id is ambiguous: it matches both a raw id and a displayed id token. This CLI cannot resolve it safely."),
                (Some(found), None, _) => (raw_id.clone(), found),
                (None, Some(found), Ok(decoded)) => (decoded, found),
                _ => return refuse("Approval not found."),
            }
        }
        _ => {
            let found = lookup(&op, &raw_id, false).await?;
            (
                raw_id.clone(),
                found.expect("an untolerated miss is an error"),
            )
        }
    };
    let shown_id = display_id(&id);
    let current = &lookup["approval"];
    let kind = &current["presentation"]["kind"];
    if current["status"] == "pending" {
        let allowed: Vec<&str> = current["presentation"]["allowedDecisions"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !allowed.contains(&decision.as_str()) {
            return refuse(format!(
                "Decision {decision} is not allowed for {} approvals; allowed decisions: {}.",
                kind.as_str().unwrap_or("undefined"),
                allowed.join(", ")
            ));
        }
    }
    let days = match &request.expires_in_days {
        None => None,
        Some(text) => match strict_positive_integer(text) {
            Some(days) if days <= 3650 => Some(days),
            _ => {
                return refuse(
                    "--expires-in-days must be a whole number of days between 1 and 3650.",
                )
            }
        },
    };
    if days.is_some() && decision != "allow-always" {
        return refuse("--expires-in-days only applies to allow-always.");
    }
    let mut params = json!({"id": id, "kind": kind, "decision": decision});
    if let Some(days) = days {
        params["grantExpiresInDays"] = json!(days);
    }
    let result = op.call("approval.resolve", params).await?;
    let approval = &result["approval"];
    let Some(recorded) = approval["decision"]
        .as_str()
        .filter(|d| DECISIONS.contains(d))
    else {
        return refuse(match approval["status"].as_str() {
            Some("expired") => format!("Approval {} expired.", display_id(&text(&approval["id"]))),
            Some("cancelled") => format!(
                "Approval {} was cancelled ({}).",
                display_id(&text(&approval["id"])),
                text(&approval["reason"])
            ),
            _ => format!(
                "Approval {} did not settle to a recorded decision.",
                display_id(&text(&approval["id"]))
            ),
        });
    };
    if recorded != decision {
        return refuse(format!(
            "Approval {shown_id} was already resolved with {recorded} by {}.",
            resolver(approval)
        ));
    }
    let applied = result["applied"].as_bool() == Some(true);
    if args.json {
        let mut out = result.as_object().cloned().unwrap_or_else(Map::new);
        out.insert("alreadyResolved".into(), json!(!applied));
        if let Some(reason) = &reason {
            out.insert("cliReason".into(), json!(reason));
        }
        println!("{}", Value::Object(out));
        return Ok(());
    }
    let settled = if applied {
        format!("resolved {recorded}")
    } else {
        format!("already resolved (same decision: {recorded})")
    };
    let note = reason
        .map(|r| format!("; CLI reason: {}", shorten(&escape(&r))))
        .unwrap_or_default();
    println!(
        "Approval {shown_id} {settled} by {}{note}.",
        resolver(approval)
    );
    Ok(())
}

/// `approval.get`; with `tolerate`, "approval not found" is `None` instead of an error.
async fn lookup(op: &Operator, id: &str, tolerate: bool) -> Result<Option<Value>> {
    match op.client.request("approval.get", json!({ "id": id })).await {
        Ok(found) => Ok(Some(found)),
        Err(e)
            if tolerate
                && e.error_shape()
                    .is_some_and(|s| s.message.to_lowercase().contains("approval not found")) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn resolver(approval: &Value) -> String {
    let resolver = &approval["resolver"];
    if !resolver.is_object() {
        return "unknown resolver".into();
    }
    let kind = text(&resolver["kind"]);
    match resolver["id"].as_str().filter(|id| !id.is_empty()) {
        Some(id) => format!("{kind}:{}", escape(id)),
        None => kind,
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "undefined".into(),
        other => other.to_string(),
    }
}

/// A whole number written as digits (an optional sign, no fraction), above zero.
fn strict_positive_integer(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = t.parse().ok()?;
    (n > 0 && n < (1 << 53)).then_some(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_list_entries_as_the_real_cli() {
        let exec = json!([
            {"id": "e1", "request": {"command": "ls", "agentId": " main ", "sessionKey": ""}, "createdAtMs": 5, "expiresAtMs": 9},
            {"id": "e2", "request": {}, "createdAtMs": 7, "expiresAtMs": 9},
            {"id": "..", "request": {"command": "x"}, "createdAtMs": 7, "expiresAtMs": 9},
            {"id": "e3", "createdAtMs": 7, "expiresAtMs": 9},
            {"id": "e4", "request": {"command": "x"}, "createdAtMs": "7", "expiresAtMs": 9}
        ]);
        let list = read_list(&exec, "exec").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].agent_id.as_deref(), Some("main"));
        assert_eq!(list[0].session_key, None);
        assert_eq!(list[1].summary, "(summary unavailable)");
        assert_eq!(
            list[0].to_json().to_string(),
            r#"{"id":"e1","kind":"exec","agentId":"main","sessionKey":null,"createdAtMs":5,"expiresAtMs":9,"summary":"ls"}"#
        );
        let plugin = json!([{"id": "plugin:1", "request": {"title": "T", "description": "D", "command": "c"}, "createdAtMs": 1, "expiresAtMs": 2}]);
        assert_eq!(
            read_list(&plugin, "plugin").unwrap()[0].summary,
            "T: D — Command: c"
        );
        assert_eq!(
            list_of(&json!({}), "exec").unwrap_err().to_string(),
            "Invalid exec approval list response."
        );
    }
    #[test]
    fn expiry_days_are_strict_whole_numbers() {
        assert_eq!(strict_positive_integer("30"), Some(30));
        assert_eq!(strict_positive_integer(" +7 "), Some(7));
        assert_eq!(strict_positive_integer("0"), None);
        assert_eq!(strict_positive_integer("1.5"), None);
        assert_eq!(strict_positive_integer("3d"), None);
    }
}
