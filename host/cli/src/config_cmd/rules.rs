//! The real schema's cross-field checks on what node users set (its zod `refine`s), with
//! its messages: a browser profile's endpoint, an MCP server's renamed keys and transport.

use serde_json::Value;

type Issues = Vec<(Vec<&'static str>, String)>;

fn set(value: &Value, key: &str) -> bool {
    match value.get(key) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(_) => true,
    }
}

/// `browser.profiles.<name>`.
pub fn browser_profile(profile: &Value) -> Issues {
    let driver = profile.get("driver").and_then(Value::as_str);
    let mut out = Issues::new();
    let attaches = matches!(driver, Some("existing-session" | "extension"));
    if !attaches && !set(profile, "cdpPort") && !set(profile, "cdpUrl") {
        out.push((vec![], "Profile must set cdpPort or cdpUrl".into()));
    }
    if driver != Some("existing-session") && set(profile, "userDataDir") {
        let message = "Profile userDataDir is only supported with driver=\"existing-session\"";
        out.push((vec![], message.into()));
    }
    if driver == Some("extension") && set(profile, "cdpUrl") {
        let message = "Profile cdpUrl is not supported with driver=\"extension\" (the relay owns the endpoint)";
        out.push((vec![], message.into()));
    }
    out
}

/// Keys other MCP clients use that the real refuses by name.
const RENAMED: &[&str] = &[
    "connectTimeout",
    "connect_timeout",
    "timeout",
    "workingDirectory",
    "supports_parallel_tool_calls",
    "ssl_verify",
    "client_cert",
    "client_key",
];

/// `nodeHost.mcp.servers.<name>`.
pub fn mcp_server(server: &Value) -> Issues {
    let mut out = Issues::new();
    for key in RENAMED {
        if server.get(key).is_some() {
            out.push((vec![], format!("Unrecognized key: \"{key}\"")));
        }
    }
    if let Some(disabled) = server.get("disabled") {
        let replacement = match disabled {
            Value::Bool(b) => format!("\"enabled: {}\" instead, then run \"openclaw doctor --fix\" to migrate existing config", !b),
            _ => "the canonical \"enabled\" boolean instead".into(),
        };
        out.push((
            vec!["disabled"],
            format!("unsupported key \"disabled\"; use {replacement}"),
        ));
    }
    let command = server.get("command").and_then(Value::as_str);
    if server.get("transport").and_then(Value::as_str) == Some("stdio")
        && command.is_none_or(|c| c.trim().is_empty())
    {
        let message = "\"stdio\" transport requires a non-empty command";
        out.push((vec!["transport"], message.into()));
    }
    out
}
