//! Config issues printed as the real CLI prints them: `openclaw.json:4 — gateway.port: ...`
//! with the line the value is on, `, got: "bogus"` for a plain value, secrets masked
//! (`gateway.auth.token: *** input`), and the JSON shape of `config validate --json`.

use std::path::Path;

use serde_json::{json, Value};

use super::check::{is_secret_ref, Issue};
use super::path::Segment;

/// `a.b.0`, as `config set` and `--json` name a place; `<root>` for the top.
pub fn dotted(path: &[Segment]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|s| match s {
            Segment::Key(k) => k.clone(),
            Segment::Index(i) => i.to_string(),
        })
        .collect();
    if parts.is_empty() {
        "<root>".into()
    } else {
        parts.join(".")
    }
}

/// `a.b[0]`, and `a["k.with.dots"]`, as the real's issue lines name a place.
fn concrete(path: &[Segment]) -> String {
    if path.is_empty() {
        return "<root>".into();
    }
    let plain = |k: &str| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
    };
    let mut joined = String::new();
    for segment in path {
        let part = match segment {
            Segment::Key(k) if plain(k) => {
                if joined.is_empty() {
                    k.clone()
                } else {
                    format!(".{k}")
                }
            }
            Segment::Key(k) => format!("[{}]", serde_json::to_string(k).unwrap()),
            Segment::Index(i) => format!("[{i}]"),
        };
        joined.push_str(&part);
    }
    joined
}

/// Masks the first word of `message` when `path` names a secret, as the real's output
/// redaction does for `<lowercase.path>.token: <word>`.
pub fn redact(path: &str, message: &str) -> String {
    const SECRET_KEYS: &[&str] = &[
        "token",
        "password",
        "secret",
        "passphrase",
        "pass",
        "passwd",
        "credential",
        "jwt",
        "authorization",
        "apikey",
        "api_key",
        "api-key",
        "access_token",
        "refresh_token",
        "auth_token",
        "client_secret",
        "private_key",
    ];
    let lowercase = path.len() <= 200
        && path
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c));
    let secret = path
        .rsplit_once('.')
        .is_some_and(|(_, last)| SECRET_KEYS.contains(&last));
    if !(lowercase && secret) {
        return message.to_string();
    }
    let end = message
        .find(|c: char| c.is_whitespace() || "#\"'`<>".contains(c))
        .unwrap_or(message.len());
    if end == 0 {
        return message.to_string();
    }
    let word = &message[..end];
    let masked = if word.chars().count() < 18 {
        "***".to_string()
    } else {
        let start: String = word.chars().take(6).collect();
        let tail: String = word
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("{start}…{tail}")
    };
    format!("{masked}{}", &message[end..])
}

/// `Config validation failed: <first issue>`, the words of a refused write.
pub fn write_refusal(issue: &Issue) -> String {
    let path = dotted(&issue.path);
    format!(
        "Config validation failed: {path}: {}",
        redact(&path, &issue.message)
    )
}

/// One line per issue: `<marker> openclaw.json:<line> — <path>: <message>[, got: <value>]`.
pub fn lines(issues: &[Issue], raw: &str, root: &Value, file: &Path, marker: &str) -> Vec<String> {
    let name = file
        .file_name()
        .map_or("openclaw.json".into(), |n| n.to_string_lossy().into_owned());
    issues
        .iter()
        .map(|issue| {
            let line = (!issue.path.is_empty())
                .then(|| super::locate::line_of(raw, &issue.path))
                .flatten();
            let mut message = redact(&dotted(&issue.path), &issue.message);
            if line.is_some() {
                if let Some(got) = got(issue, root) {
                    message = format!("{message}, got: {got}");
                }
            }
            let at = line.map_or(String::new(), |l| format!("{name}:{l} — "));
            format!("{marker} {at}{}: {message}", concrete(&issue.path))
        })
        .collect()
}

/// The value a plain-value issue names, unless it is a secret or the message says it.
fn got(issue: &Issue, root: &Value) -> Option<String> {
    let m = issue.message.to_lowercase();
    if m.contains("got:") || m.contains("received") {
        return None;
    }
    let value = issue.path.iter().try_fold(root, |v, s| match s {
        Segment::Key(k) => v.get(k),
        Segment::Index(i) => v.get(i),
    })?;
    if value.is_object() || value.is_array() || is_secret_ref(value) {
        return None;
    }
    let path = dotted(&issue.path);
    let plugin_owned = path.starts_with("channels.") || path.starts_with("plugins.entries.");
    if sensitive(&path) || plugin_owned {
        return None;
    }
    let text = value.to_string();
    Some(if text.chars().count() > 160 {
        format!("{}...", text.chars().take(157).collect::<String>())
    } else {
        text
    })
}

/// The real's sensitive config paths (`token$`, `password`, `secret`, `api.?key`, ...).
pub fn sensitive(path: &str) -> bool {
    let p = path.to_lowercase();
    let whitelisted = [
        "maxtokens",
        "contexttokens",
        "totaltokens",
        "tokencount",
        "tokenlimit",
        "tokenbudget",
        "passwordfile",
    ]
    .iter()
    .any(|s| p.ends_with(s));
    let matches = p.ends_with("token")
        || p.contains("password")
        || p.contains("secret")
        || p.contains("apikey")
        || p.contains("api_key")
        || p.contains("api-key")
        || p.contains("privatekey")
        || p.contains("private_key");
    !whitelisted && matches
}

/// The `issues` array of `config validate --json`.
pub fn json_issues(issues: &[Issue]) -> Value {
    issues
        .iter()
        .map(|i| {
            let mut v = json!({"path": dotted(&i.path), "message": i.message});
            if !i.allowed.is_empty() {
                v["allowedValues"] = json!(i.allowed);
            }
            v
        })
        .collect()
}

/// `path` with the home directory as `~`.
pub fn short(path: &Path) -> String {
    let text = path.display().to_string();
    match std::env::var("HOME") {
        Ok(home) if !home.is_empty() && text.starts_with(&format!("{home}/")) => {
            format!("~{}", &text[home.len()..])
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_secrets_and_values_read_as_the_real_prints_them() {
        let path = vec![
            Segment::Key("a".into()),
            Segment::Key("k.v".into()),
            Segment::Index(0),
        ];
        assert_eq!(concrete(&path), "a[\"k.v\"][0]");
        assert_eq!(dotted(&path), "a.k.v.0");
        assert_eq!(
            redact("gateway.auth.password", "Invalid input"),
            "*** input"
        );
        assert_eq!(
            redact("nodeHost.auth.password", "Invalid input"),
            "Invalid input"
        );
        assert_eq!(redact("gateway.port", "Invalid input"), "Invalid input");
    }
}
