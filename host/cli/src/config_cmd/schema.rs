//! The keys of `openclaw.json` this project reads, with their types: what `config set`
//! validates against (with the real CLI's messages) and what `config get|unset` accept as a
//! path. Sections owned by the real OpenClaw that we only carry (`plugins`, `meta`, ...) take
//! any value.

use serde_json::Value;

use super::path::Segment;

pub enum Shape {
    Object(&'static [(&'static str, Shape)]),
    /// Any keys, each of one shape (`agents.entries.<id>`).
    Map(&'static Shape),
    Str,
    Num,
    Bool,
    Strings,
    OneOf(&'static [&'static str]),
    Any,
}

use Shape::*;

const EXEC: Shape = Object(&[
    ("host", OneOf(&["auto", "sandbox", "gateway", "node"])),
    ("node", Str),
    ("mode", OneOf(&["deny", "allowlist", "ask", "auto", "full"])),
    ("security", OneOf(&["deny", "allowlist", "full"])),
    ("ask", OneOf(&["off", "on-miss", "always"])),
    ("safeBins", Strings),
    ("strictInlineEval", Bool),
    ("safeBinTrustedDirs", Strings),
    ("safeBinProfiles", Map(&SAFE_BIN_PROFILE)),
]);

const SAFE_BIN_PROFILE: Shape = Object(&[
    ("minPositional", Num),
    ("maxPositional", Num),
    ("allowedValueFlags", Strings),
    ("deniedFlags", Strings),
]);

const AGENT: Shape = Object(&[("tools", Object(&[("exec", EXEC)]))]);

pub const ROOT: Shape = Object(&[
    (
        "gateway",
        Object(&[
            ("mode", OneOf(&["local", "remote"])),
            ("port", Num),
            ("bind", Str),
            ("auth", Object(&[("mode", Str), ("token", Str)])),
            ("tls", Object(&[("enabled", Bool)])),
            (
                "nodes",
                Object(&[
                    (
                        "pairing",
                        Object(&[("autoApproveLocal", Bool), ("sshVerify", Bool)]),
                    ),
                    ("commands", Object(&[("allow", Strings), ("deny", Strings)])),
                    (
                        "browser",
                        Object(&[("mode", OneOf(&["auto", "manual", "off"])), ("node", Str)]),
                    ),
                ]),
            ),
        ]),
    ),
    (
        "nodeHost",
        Object(&[
            ("browserProxy", Object(&[("enabled", Bool)])),
            ("canvas", Object(&[("root", Str)])),
            (
                "location",
                Object(&[
                    ("enabled", Bool),
                    ("gpsd", Str),
                    (
                        "fixed",
                        Object(&[("lat", Num), ("lon", Num), ("accuracyMeters", Num)]),
                    ),
                ]),
            ),
        ]),
    ),
    (
        "browser",
        Object(&[
            ("enabled", Bool),
            ("executablePath", Str),
            ("cdpUrl", Str),
            ("headless", Bool),
        ]),
    ),
    ("tools", Object(&[("exec", EXEC)])),
    ("agents", Object(&[("entries", Map(&AGENT))])),
    ("plugins", Any),
    ("update", Any),
    ("discovery", Any),
    ("cron", Any),
    ("meta", Any),
]);

/// Whether `path` names a place the schema has.
pub fn knows(path: &[Segment]) -> bool {
    let mut shape = &ROOT;
    for segment in path {
        shape = match (shape, segment) {
            (Any, _) => return true,
            (Object(fields), Segment::Key(k)) => match fields.iter().find(|(name, _)| name == k) {
                Some((_, inner)) => inner,
                None => return false,
            },
            (Map(inner), Segment::Key(_)) => inner,
            (Strings, Segment::Index(_)) => &Str,
            _ => return false,
        };
    }
    true
}

/// The first place `value` breaks the schema, as the real CLI words it:
/// `gateway.port: Invalid input: expected number, received string`.
pub fn check(value: &Value) -> Result<(), String> {
    check_at(&ROOT, value, "")?;
    exec_modes(value)
}

/// A `tools.exec` object (global, or an agent's) may not set `mode` beside `security`/`ask`.
fn exec_modes(root: &Value) -> Result<(), String> {
    let agents = root["agents"]["entries"].as_object().into_iter().flatten();
    let places = agents
        .map(|(id, agent)| {
            (
                format!("agents.entries.{id}.tools.exec"),
                &agent["tools"]["exec"],
            )
        })
        .chain([("tools.exec".to_string(), &root["tools"]["exec"])]);
    for (at, exec) in places {
        if let Some(why) = openclaw_exec::mode_conflict(exec) {
            return Err(format!("{at}.mode: {why}"));
        }
    }
    Ok(())
}

fn check_at(shape: &Shape, value: &Value, at: &str) -> Result<(), String> {
    let here = if at.is_empty() { "<root>" } else { at };
    let expected = |kind: &str| -> Result<(), String> {
        Err(format!(
            "{here}: Invalid input: expected {kind}, received {}",
            js_type(value)
        ))
    };
    match shape {
        Any => Ok(()),
        Str if value.is_string() => Ok(()),
        Str => expected("string"),
        Num if value.is_number() => Ok(()),
        Num => expected("number"),
        Bool if value.is_boolean() => Ok(()),
        Bool => Err(format!(
            "{here}: Invalid input: expected boolean, received {} (allowed: true, false)",
            js_type(value)
        )),
        Strings => match value.as_array() {
            Some(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| check_at(&Str, item, &format!("{here}.{i}"))),
            None => expected("array"),
        },
        OneOf(options) => match value.as_str() {
            Some(s) if options.contains(&s) => Ok(()),
            _ => {
                let listed: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
                Err(format!(
                    "{here}: Invalid option: expected one of {}",
                    listed.join("|")
                ))
            }
        },
        Object(fields) => {
            let Some(map) = value.as_object() else {
                return expected("object");
            };
            for (key, inner) in map {
                let Some((_, shape)) = fields.iter().find(|(name, _)| name == key) else {
                    return Err(format!("{here}: Unrecognized key: \"{key}\""));
                };
                check_at(shape, inner, &join(at, key))?;
            }
            Ok(())
        }
        Map(inner) => {
            let Some(map) = value.as_object() else {
                return expected("object");
            };
            map.iter()
                .try_for_each(|(key, v)| check_at(inner, v, &join(at, key)))
        }
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// A value's type in JavaScript's words.
fn js_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
