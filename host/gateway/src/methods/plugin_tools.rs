//! `node.pluginTools.update {tools}`: a node publishes its agent-visible tools (its MCP
//! servers' among them). The params are checked with the real gateway's schema and words;
//! what the node sent is kept for its connection, and what operators see is filtered from it
//! under the policy of the moment: only tools whose command the node may be invoked with, at
//! most 128, and none at all when `gateway.nodes.pluginTools.enabled` is false.

use std::cmp::Ordering;
use std::sync::Arc;

use openclaw_protocol::frames::ErrorShape;
use serde_json::{json, Map, Value};

use super::Reply;
use crate::session::{LiveSurface, Session};
use crate::state::Gateway;

const MAX_DESCRIPTORS: usize = 128;
const MAX_DESCRIPTION: usize = 1024;
const MCP_PLUGIN: &str = "node-mcp";
const MCP_COMMAND: &str = "mcp.tools.call.v1";
const NAME_PATTERN: &str = "^[A-Za-z][A-Za-z0-9_-]{0,63}$";

pub fn update(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let node_id = session.node_id().expect("node role").to_string();
    let tools = validate(&params).map_err(|why| {
        tracing::warn!("node {node_id}: node.pluginTools.update refused: {why}");
        ErrorShape::invalid_request(format!("invalid node.pluginTools.update params: {why}"))
    })?;
    let live = session.node.as_ref().expect("node role");
    let mut surface = live.surface.lock().unwrap();
    surface.plugin_tools = tools;
    let tools = published(gw, &node_id, &surface);
    Ok(json!({"nodeId": node_id, "tools": tools}))
}

/// What a connected node's catalog shows now.
pub fn published(gw: &Gateway, node_id: &str, surface: &LiveSurface) -> Vec<Value> {
    if !gw.config.plugin_tools_enabled {
        return Vec::new();
    }
    let mut out: Vec<Value> = surface
        .plugin_tools
        .iter()
        .filter_map(|tool| normalized(node_id, tool, &surface.effective))
        .collect();
    out.sort_by(|a, b| {
        ["pluginId", "name", "command"]
            .iter()
            .map(|k| compare(a[k].as_str().unwrap_or(""), b[k].as_str().unwrap_or("")))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    out.dedup_by(|b, a| a["pluginId"] == b["pluginId"] && a["name"] == b["name"]);
    if out.len() > MAX_DESCRIPTORS {
        tracing::warn!(
            "node {node_id} published {} plugin tool descriptors; dropped {} beyond the {MAX_DESCRIPTORS} descriptor limit",
            out.len(),
            out.len() - MAX_DESCRIPTORS
        );
        out.truncate(MAX_DESCRIPTORS);
    }
    out
}

fn normalized(node_id: &str, tool: &Value, commands: &[String]) -> Option<Value> {
    let text = |key: &str| tool[key].as_str().unwrap_or_default().trim().to_string();
    let (plugin_id, name, command) = (text("pluginId"), text("name"), text("command"));
    let description: String = {
        let trimmed = text("description");
        let units: Vec<u16> = trimmed.encode_utf16().take(MAX_DESCRIPTION).collect();
        String::from_utf16_lossy(&units)
    };
    let usable = !plugin_id.is_empty()
        && valid_name(&name)
        && !description.is_empty()
        && commands.contains(&command);
    if !usable {
        return None;
    }
    let server = tool["mcp"]["server"].as_str().unwrap_or_default().trim();
    let target = tool["mcp"]["tool"].as_str().unwrap_or_default().trim();
    let mcp = (!server.is_empty() && !target.is_empty())
        .then(|| json!({"server": server, "tool": target}));
    if plugin_id == MCP_PLUGIN && (command != MCP_COMMAND || mcp.is_none()) {
        tracing::warn!("node {node_id} published non-MCP descriptor under reserved node-mcp id");
        return None;
    }
    let parameters = match &tool["parameters"] {
        Value::Object(p) => Value::Object(p.clone()),
        _ => json!({"type": "object", "properties": {}, "additionalProperties": true}),
    };
    let mut out = Map::new();
    out.insert("pluginId".into(), json!(plugin_id));
    out.insert("name".into(), json!(name));
    out.insert("description".into(), json!(description));
    out.insert("parameters".into(), parameters);
    out.insert("command".into(), json!(command));
    if let Some(mcp) = mcp {
        out.insert("mcp".into(), mcp);
    }
    Some(Value::Object(out))
}

fn valid_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `localeCompare` for `[A-Za-z0-9_-]` names: `_`, then `-`, then digits, then letters
/// (case-blind first, lowercase first on a tie).
fn compare(a: &str, b: &str) -> Ordering {
    let key = |s: &str| -> Vec<u8> {
        s.bytes()
            .map(|c| match c {
                b'_' => 1,
                b'-' => 2,
                c => c.to_ascii_lowercase(),
            })
            .collect()
    };
    key(a).cmp(&key(b)).then_with(|| b.cmp(a))
}

/// The params as the real gateway's schema checks them; its messages, every problem joined
/// by `; `.
fn validate(params: &Value) -> Result<Vec<Value>, String> {
    let mut errors = Vec::new();
    if let Some(root) = object(params, "", &["tools"], &["tools"], &mut errors) {
        if let Some(tools) = root.get("tools") {
            match tools.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        descriptor(item, &format!("/tools/{i}"), &mut errors);
                    }
                }
                None => errors.push(at("/tools", "must be array")),
            }
        }
    }
    errors.dedup();
    if errors.is_empty() {
        Ok(params["tools"].as_array().cloned().unwrap_or_default())
    } else {
        Err(errors.join("; "))
    }
}

const DESCRIPTOR_KEYS: &[&str] = &[
    "pluginId",
    "name",
    "description",
    "parameters",
    "command",
    "mcp",
];

fn descriptor(item: &Value, path: &str, errors: &mut Vec<String>) {
    let required = &["pluginId", "name", "description"];
    let Some(fields) = object(item, path, required, DESCRIPTOR_KEYS, errors) else {
        return;
    };
    for key in DESCRIPTOR_KEYS {
        let Some(value) = fields.get(*key) else {
            continue;
        };
        let here = format!("{path}/{key}");
        match *key {
            "name" => match value.as_str() {
                None => errors.push(at(&here, "must be string")),
                Some(name) => {
                    let len = name.encode_utf16().count();
                    if len < 1 {
                        errors.push(at(&here, "must not have fewer than 1 characters"));
                    }
                    if len > 64 {
                        errors.push(at(&here, "must not have more than 64 characters"));
                    }
                    if !valid_name(name) {
                        errors.push(at(&here, &format!("must match pattern \"{NAME_PATTERN}\"")));
                    }
                }
            },
            "parameters" => {
                if !value.is_object() {
                    errors.push(at(&here, "must be object"));
                }
            }
            "mcp" => {
                let keys = &["server", "tool"];
                if let Some(target) = object(value, &here, keys, keys, errors) {
                    for k in keys {
                        if let Some(v) = target.get(*k) {
                            non_empty(v, &format!("{here}/{k}"), errors);
                        }
                    }
                }
            }
            _ => non_empty(value, &here, errors),
        }
    }
}

/// An object with its first missing required key and its first unknown key reported.
fn object<'a>(
    value: &'a Value,
    path: &str,
    required: &[&str],
    known: &[&str],
    errors: &mut Vec<String>,
) -> Option<&'a Map<String, Value>> {
    let Some(fields) = value.as_object() else {
        errors.push(at(path, "must be object"));
        return None;
    };
    if let Some(missing) = required.iter().find(|k| !fields.contains_key(**k)) {
        errors.push(at(
            path,
            &format!("must have required property '{missing}'"),
        ));
    }
    if let Some(extra) = fields.keys().find(|k| !known.contains(&k.as_str())) {
        let place = if path.is_empty() { "root" } else { path };
        errors.push(format!("at {place}: unexpected property '{extra}'"));
    }
    Some(fields)
}

fn non_empty(value: &Value, path: &str, errors: &mut Vec<String>) {
    match value.as_str() {
        None => errors.push(at(path, "must be string")),
        Some("") => errors.push(at(path, "must not have fewer than 1 characters")),
        Some(_) => {}
    }
}

fn at(path: &str, message: &str) -> String {
    if path.is_empty() {
        message.to_string()
    } else {
        format!("at {path}: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_params_get_the_real_gateways_words() {
        let cases = [
            (json!({}), "must have required property 'tools'"),
            (json!([]), "must be object"),
            (json!({"tools": "x"}), "at /tools: must be array"),
            (json!({"tools": [], "extra": 1}), "at root: unexpected property 'extra'"),
            (
                json!({"extra": 1}),
                "must have required property 'tools'; at root: unexpected property 'extra'",
            ),
            (json!({"tools": [{}]}), "at /tools/0: must have required property 'pluginId'"),
            (
                json!({"tools": [{"pluginId": "p", "name": "9bad", "description": "d"}]}),
                "at /tools/0/name: must match pattern \"^[A-Za-z][A-Za-z0-9_-]{0,63}$\"",
            ),
            (
                json!({"tools": [{"pluginId": "p", "name": "n", "description": "d", "mcp": {"server": "", "tool": "", "zz": 1}}]}),
                "at /tools/0/mcp: unexpected property 'zz'; at /tools/0/mcp/server: must not have fewer than 1 characters; at /tools/0/mcp/tool: must not have fewer than 1 characters",
            ),
            (
                json!({"tools": [{"x": 1, "pluginId": 1, "name": "9", "description": ""}]}),
                "at /tools/0: unexpected property 'x'; at /tools/0/pluginId: must be string; at /tools/0/name: must match pattern \"^[A-Za-z][A-Za-z0-9_-]{0,63}$\"; at /tools/0/description: must not have fewer than 1 characters",
            ),
        ];
        for (params, message) in cases {
            assert_eq!(validate(&params).unwrap_err(), message, "{params}");
        }
    }

    #[test]
    fn only_tools_of_invocable_commands_are_kept_sorted_and_once() {
        let commands = vec![MCP_COMMAND.to_string()];
        let mcp = |name: &str| json!({"pluginId": "node-mcp", "name": name, "description": " d ", "command": MCP_COMMAND, "mcp": {"server": "s", "tool": name}});
        let raw = [
            mcp("b_tool"),
            mcp("a_tool"),
            mcp("a_tool"),
            json!({"pluginId": "node-mcp", "name": "run", "description": "d", "command": "system.run"}),
            json!({"pluginId": "node-mcp", "name": "no_target", "description": "d", "command": MCP_COMMAND}),
            json!({"pluginId": "x", "name": "blank", "description": "  ", "command": MCP_COMMAND}),
        ];
        let kept: Vec<_> = raw
            .iter()
            .filter_map(|t| normalized("n1", t, &commands))
            .collect();
        let names: Vec<_> = kept.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["b_tool", "a_tool", "a_tool"]);
        assert_eq!(kept[0]["description"], "d");
        assert_eq!(kept[0]["parameters"]["additionalProperties"], true);
        let mut sorted = vec!["a-b", "A", "a_b", "a1", "a"];
        sorted.sort_by(|a, b| compare(a, b));
        assert_eq!(sorted, ["a", "A", "a_b", "a-b", "a1"]);
    }
}
