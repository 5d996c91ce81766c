//! Checks a config against schema.rs and words each problem as the real CLI (zod) does:
//! `gateway.port: Invalid input: expected number, received string`. Issues come in schema
//! order, an object's unknown keys after its known ones.

use serde_json::Value;

use super::path::Segment;
use super::schema::{Bounds, Min, Shape, ROOT};

#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub path: Vec<Segment>,
    pub message: String,
    /// The values an enum or a boolean allows (`allowedValues` in `config validate --json`).
    pub allowed: Vec<String>,
}

/// Every place `root` breaks the schema.
pub fn check(root: &Value) -> Vec<Issue> {
    let mut out = Vec::new();
    check_at(&ROOT, root, &mut Vec::new(), &mut out);
    out
}

fn issue(out: &mut Vec<Issue>, path: &[Segment], message: String, allowed: Vec<String>) {
    out.push(Issue {
        path: path.to_vec(),
        message,
        allowed,
    });
}

fn expected(out: &mut Vec<Issue>, path: &[Segment], kind: &str, value: &Value) {
    let message = format!(
        "Invalid input: expected {kind}, received {}",
        js_type(value)
    );
    issue(out, path, message, Vec::new());
}

fn check_at(shape: &Shape, value: &Value, path: &mut Vec<Segment>, out: &mut Vec<Issue>) {
    use Shape::*;
    match shape {
        Any => {}
        Str if value.is_string() => {}
        Str => expected(out, path, "string", value),
        Url => match value.as_str() {
            Some(s) if s.starts_with("http://") || s.starts_with("https://") => {}
            Some(s) if s.contains("://") => {
                issue(out, path, "Expected http:// or https:// URL".into(), vec![])
            }
            Some(_) => issue(out, path, "Invalid URL".into(), vec![]),
            None => expected(out, path, "string", value),
        },
        Number(bounds) => number(bounds, value, path, out),
        Bool if value.is_boolean() => {}
        Bool => {
            let message = format!(
                "Invalid input: expected boolean, received {} (allowed: true, false)",
                js_type(value)
            );
            issue(out, path, message, vec!["true".into(), "false".into()]);
        }
        Strings => check_at(&List(&Str), value, path, out),
        List(inner) => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Segment::Index(i));
                    check_at(inner, item, path, out);
                    path.pop();
                }
            }
            None => expected(out, path, "array", value),
        },
        OneOf(options) => {
            if !value.as_str().is_some_and(|s| options.contains(&s)) {
                let listed: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
                let message = format!("Invalid option: expected one of {}", listed.join("|"));
                issue(out, path, message, strings(options));
            }
        }
        Literals(options) => {
            if !value.as_str().is_some_and(|s| options.contains(&s)) {
                let listed: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
                let message = format!("Invalid input (allowed: {})", listed.join(", "));
                issue(out, path, message, strings(options));
            }
        }
        Secret if value.is_string() || is_secret_ref(value) => {}
        Scalar if value.is_string() || value.is_number() || value.is_boolean() => {}
        Secret | Scalar => issue(out, path, "Invalid input".into(), vec![]),
        Either(a, b) => {
            if fits(a, value) {
                check_at(a, value, path, out);
            } else if fits(b, value) {
                check_at(b, value, path, out);
            } else {
                issue(out, path, "Invalid input".into(), vec![]);
            }
        }
        Rule(inner, refine) => {
            let before = out.len();
            check_at(inner, value, path, out);
            if out.len() == before {
                for (below, message) in refine(value) {
                    let mut at = path.clone();
                    at.extend(below.iter().map(|k| Segment::Key(k.to_string())));
                    issue(out, &at, message, vec![]);
                }
            }
        }
        Object(fields) | Open(fields) => {
            let Some(map) = value.as_object() else {
                return expected(out, path, "object", value);
            };
            for (name, inner) in fields.iter() {
                if let Some(v) = map.get(*name) {
                    path.push(Segment::Key(name.to_string()));
                    check_at(inner, v, path, out);
                    path.pop();
                }
            }
            let unknown: Vec<String> = map
                .keys()
                .filter(|k| !fields.iter().any(|(name, _)| name == k))
                .map(|k| format!("\"{k}\""))
                .collect();
            if matches!(shape, Object(_)) && !unknown.is_empty() {
                let plural = if unknown.len() > 1 { "s" } else { "" };
                let message = format!("Unrecognized key{plural}: {}", unknown.join(", "));
                issue(out, path, message, vec![]);
            }
        }
        Map(inner) | Record(_, inner) => {
            let Some(map) = value.as_object() else {
                return expected(out, path, "record", value);
            };
            for (key, v) in map {
                path.push(Segment::Key(key.clone()));
                match shape {
                    Record(rule, _) if !(rule.ok)(key) => {
                        issue(out, path, "Invalid key in record".into(), vec![])
                    }
                    _ => check_at(inner, v, path, out),
                }
                path.pop();
            }
        }
    }
}

fn number(bounds: &Bounds, value: &Value, path: &[Segment], out: &mut Vec<Issue>) {
    let Some(n) = value.as_f64() else {
        return expected(out, path, "number", value);
    };
    if bounds.int && n.fract() != 0.0 {
        let message = "Invalid input: expected int, received number".to_string();
        return issue(out, path, message, vec![]);
    }
    let message = match bounds.min {
        Min::AtLeast(m) if n < m as f64 => Some(format!(
            "Too small: expected number to be >={m} (minimum: {m})"
        )),
        Min::Above(m) if n <= m as f64 => Some(format!(
            "Too small: expected number to be >{m} (must be greater than {m})"
        )),
        _ => match bounds.max {
            Some(m) if n > m as f64 => Some(format!(
                "Too big: expected number to be <={m} (maximum: {m})"
            )),
            _ => None,
        },
    };
    if let Some(message) = message {
        issue(out, path, message, vec![]);
    }
}

/// Whether `value` has the JSON type `shape` takes (to pick a union's branch).
fn fits(shape: &Shape, value: &Value) -> bool {
    use Shape::*;
    match shape {
        Any => true,
        Rule(inner, _) => fits(inner, value),
        Either(a, b) => fits(a, value) || fits(b, value),
        Str | Url | OneOf(_) | Literals(_) => value.is_string(),
        Number(_) => value.is_number(),
        Bool => value.is_boolean(),
        Strings | List(_) => value.is_array(),
        Object(_) | Open(_) | Map(_) | Record(..) => value.is_object(),
        Secret => value.is_string() || value.is_object(),
        Scalar => value.is_string() || value.is_number() || value.is_boolean(),
    }
}

/// `{source, provider, id}` as the real's SecretRef schema has it.
pub fn is_secret_ref(value: &Value) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    let text = |k: &str| map.get(k).and_then(Value::as_str);
    let provider_ok = text("provider").is_some_and(|p| {
        p.len() <= 64
            && p.starts_with(|c: char| c.is_ascii_lowercase())
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    });
    let env_id = |id: &str| {
        id.len() <= 128
            && id.starts_with(|c: char| c.is_ascii_uppercase())
            && id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    let id_ok = match text("source") {
        Some("env" | "store") => text("id").is_some_and(env_id),
        Some("file" | "exec") => text("id").is_some(),
        _ => false,
    };
    provider_ok && id_ok && map.len() == 3
}

fn strings(options: &[&str]) -> Vec<String> {
    options.iter().map(|o| o.to_string()).collect()
}

/// A value's type in JavaScript's words.
pub fn js_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config_cmd::report::dotted;

    fn first(v: Value) -> String {
        let issues = check(&v);
        let i = issues.first().expect("an issue");
        format!("{}: {}", dotted(&i.path), i.message)
    }

    /// What the real OpenClaw writes, with sections and keys this project does not read: all
    /// carried, while what node users set is typed and a key no one knows is refused.
    #[test]
    fn a_file_the_real_wrote_passes_and_typos_do_not() {
        let file = json!({
            "$schema": "x", "meta": {"lastTouchedVersion": "2026.9.6"},
            "agents": {"defaults": {"model": "m"}, "entries": {"main": {"model": "x", "tools": {"exec": {"ask": "always"}}}}},
            "models": {"providers": {}}, "channels": {"telegram": {"enabled": false}},
            "skills": {}, "logging": {"level": "info"}, "desktop": {}, "session": {},
            "gateway": {"mode": "local", "port": 18789, "controlUi": {"enabled": true},
                        "auth": {"mode": "password", "password": {"source": "env", "provider": "default", "id": "PW"}},
                        "remote": {"url": "wss://gw.example:443", "token": "t"},
                        "tls": {"enabled": true, "certPath": "/c"},
                        "nodes": {"pluginTools": {"enabled": false}, "commands": {"allow": []},
                                  "pairing": {"sshVerify": {"user": "me"}}}},
            "nodeHost": {"mcp": {"servers": {"docs": {"command": "npx", "args": ["-y"], "extra": 1}}},
                         "autoUpdate": {"enabled": false}},
            "browser": {"profiles": {"work": {"cdpPort": 18801}}},
            "tools": {"profile": "coding", "exec": {"mode": "allowlist", "timeoutSeconds": 30}},
        });
        assert_eq!(check(&file), vec![]);
        assert_eq!(
            first(json!({"gatway": {}})),
            "<root>: Unrecognized key: \"gatway\""
        );
        assert_eq!(
            first(json!({"gateway": {"auth": {"mode": "secret"}}})),
            "gateway.auth.mode: Invalid input (allowed: \"none\", \"token\", \"password\", \"trusted-proxy\")"
        );
        assert_eq!(
            first(json!({"gateway": {"auth": {"password": 7}}})),
            "gateway.auth.password: Invalid input"
        );
        assert_eq!(
            first(json!({"tools": {"exce": {}}})),
            "tools: Unrecognized key: \"exce\""
        );
    }

    #[test]
    fn node_settings_get_the_real_messages() {
        let cases = [
            (json!({"tools": {"exec": {"security": "bogus"}}}), "tools.exec.security: Invalid option: expected one of \"deny\"|\"allowlist\"|\"full\""),
            (json!({"tools": {"exec": {"timeoutSeconds": 0}}}), "tools.exec.timeoutSeconds: Too small: expected number to be >0 (must be greater than 0)"),
            (json!({"tools": {"exec": {"timeoutSeconds": 1.5}}}), "tools.exec.timeoutSeconds: Invalid input: expected int, received number"),
            (json!({"nodeHost": {"mcp": {"servers": 5}}}), "nodeHost.mcp.servers: Invalid input: expected record, received number"),
            (json!({"nodeHost": {"mcp": {"servers": {"docs": {"transport": "stdio"}}}}}), "nodeHost.mcp.servers.docs.transport: \"stdio\" transport requires a non-empty command"),
            (json!({"nodeHost": {"mcp": {"servers": {" docs": {"command": "x"}}}}}), "nodeHost.mcp.servers. docs: Invalid key in record"),
            (json!({"nodeHost": {"mcp": {"servers": {"docs": {"command": "x", "timeout": 5}}}}}), "nodeHost.mcp.servers.docs: Unrecognized key: \"timeout\""),
            (json!({"nodeHost": {"autoUpdate": {"enabled": "yes"}}}), "nodeHost.autoUpdate.enabled: Invalid input: expected boolean, received string (allowed: true, false)"),
            (json!({"browser": {"profiles": {"work": {"cdpPort": 99999}}}}), "browser.profiles.work.cdpPort: Too big: expected number to be <=65535 (maximum: 65535)"),
            (json!({"browser": {"profiles": {"work": {"executablePath": "/x"}}}}), "browser.profiles.work: Profile must set cdpPort or cdpUrl"),
            (json!({"gateway": {"nodes": {"commands": {"allow": [5]}}}}), "gateway.nodes.commands.allow.0: Invalid input: expected string, received number"),
            (json!({"gateway": {"nodes": {"pairing": {"sshVerify": 5}}}}), "gateway.nodes.pairing.sshVerify: Invalid input"),
            (json!({"gateway": {"port": 0}}), "gateway.port: Too small: expected number to be >=1 (minimum: 1)"),
        ];
        for (value, want) in cases {
            assert_eq!(first(value), want);
        }
    }
}
