//! `nodes tools`: the agent-visible tools nodes publish (their MCP servers' among them), and
//! `nodes tools call`, which calls one and prints its result as an agent sees it: the
//! structured content first, then the content blocks.

use anyhow::{bail, Result};
use clap::Subcommand;
use comfy_table::Table;
use openclaw_protocol::node_invoke::InvokeParams;
use serde_json::{json, Map, Value};

use crate::operator::Operator;
use crate::render::pretty;

/// The real's default for an MCP tool call.
const MCP_CALL_TIMEOUT_MS: u64 = 120_000;

#[derive(clap::Args)]
pub struct ToolsArgs {
    #[command(subcommand)]
    call: Option<ToolsCmd>,
    /// Only this node's tools (id, name or IP)
    #[arg(long)]
    node: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ToolsCmd {
    /// Call one of a node's tools by its published name
    Call {
        #[arg(long)]
        node: String,
        /// The tool's name, as `nodes tools` lists it
        tool: String,
        /// The tool's arguments, a JSON object
        #[arg(long, default_value = "{}")]
        args: String,
        /// How long the node may take, in ms
        #[arg(long, default_value_t = MCP_CALL_TIMEOUT_MS, value_parser = super::node_call::positive_ms)]
        invoke_timeout: u64,
    },
}

pub async fn run(args: ToolsArgs, op: &Operator) -> Result<()> {
    match args.call {
        Some(ToolsCmd::Call {
            node,
            tool,
            args,
            invoke_timeout,
        }) => call(op, &node, &tool, &args, invoke_timeout).await,
        None => list(op, args.node.as_deref(), args.json).await,
    }
}

async fn list(op: &Operator, node: Option<&str>, as_json: bool) -> Result<()> {
    let only = match node {
        Some(query) => Some(op.resolve_node(query).await?.node_id),
        None => None,
    };
    let listed = op.call("node.list", json!({})).await?;
    let nodes: Vec<&Value> = listed["nodes"]
        .as_array()
        .map(|n| n.iter().collect())
        .unwrap_or_default();
    let nodes: Vec<&Value> = nodes
        .into_iter()
        .filter(|n| n["connected"] == true)
        .filter(|n| only.as_deref().is_none_or(|id| n["nodeId"] == id))
        .collect();
    if as_json {
        let out: Vec<Value> = nodes
            .iter()
            .map(|n| {
                json!({
                    "nodeId": n["nodeId"],
                    "displayName": n["displayName"],
                    "tools": n["nodePluginTools"].as_array().cloned().unwrap_or_default(),
                })
            })
            .collect();
        println!("{}", pretty(&json!({ "nodes": out })));
        return Ok(());
    }
    let mut table = Table::new();
    table.set_header(["Node", "Tool", "Source", "Description"]);
    let mut count = 0;
    for n in &nodes {
        let name = n["displayName"]
            .as_str()
            .or(n["nodeId"].as_str())
            .unwrap_or("");
        for tool in n["nodePluginTools"].as_array().into_iter().flatten() {
            let source = match tool["mcp"].as_object() {
                Some(mcp) => format!(
                    "mcp {}/{}",
                    mcp["server"].as_str().unwrap_or(""),
                    mcp["tool"].as_str().unwrap_or("")
                ),
                None => tool["pluginId"].as_str().unwrap_or("").to_string(),
            };
            let description: String = tool["description"]
                .as_str()
                .unwrap_or("")
                .chars()
                .take(80)
                .collect();
            table.add_row([
                name.to_string(),
                tool["name"].as_str().unwrap_or("").to_string(),
                source,
                description,
            ]);
            count += 1;
        }
    }
    if count == 0 {
        println!("No node tools published.");
    } else {
        println!("{table}");
    }
    Ok(())
}

async fn call(op: &Operator, query: &str, tool: &str, args: &str, timeout_ms: u64) -> Result<()> {
    let arguments: Value = match serde_json::from_str(args) {
        Ok(Value::Object(a)) => Value::Object(a),
        Ok(_) => bail!("--args must be a JSON object"),
        Err(e) => bail!("--args is not valid JSON: {e}"),
    };
    let node = op.resolve_node(query).await?;
    let described = op
        .call("node.describe", json!({"nodeId": node.node_id}))
        .await?;
    let tools = described["nodePluginTools"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let Some(descriptor) = tools.iter().find(|t| t["name"] == tool) else {
        bail!(
            "node {} publishes no tool named {tool:?}; see `openclaw nodes tools --node {query}`",
            node.node_id
        );
    };
    let command = descriptor["command"].as_str().unwrap_or_default();
    let params = match descriptor["mcp"].as_object() {
        Some(mcp) => json!({"server": mcp["server"], "tool": mcp["tool"], "arguments": arguments}),
        None => arguments,
    };
    let request = InvokeParams::new(
        node.node_id,
        command,
        params,
        uuid::Uuid::new_v4().to_string(),
    )
    .with_timeout_ms(Some(timeout_ms))
    .to_value();
    let wait = super::node_call::transport_wait(op.timeout, timeout_ms);
    let reply = op
        .client
        .request_with_timeout("node.invoke", request, wait)
        .await
        .map_err(|e| match e.error_shape() {
            Some(shape) => anyhow::anyhow!("{}", shape.message),
            None => e.into(),
        })?;
    let payload = match &reply["payload"] {
        Value::Null => reply["payloadJSON"]
            .as_str()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null),
        p => p.clone(),
    };
    for text in projection(&payload) {
        println!("{text}");
    }
    if payload["isError"] == true {
        bail!("the tool reported an error");
    }
    Ok(())
}

/// The result as the real gateway shows it to an agent: `structuredContent` first (keys
/// sorted), then each block as text, less a text block that only repeats the structure.
fn projection(payload: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let structured = payload["structuredContent"].as_object();
    let repeat = structured.and_then(|s| serde_json::to_string_pretty(s).ok());
    if let Some(s) = structured {
        let sorted = sort_keys(&Value::Object(s.clone()));
        out.push(format!(
            "structuredContent:\n{}",
            serde_json::to_string_pretty(&sorted).unwrap_or_default()
        ));
    }
    for block in payload["content"].as_array().into_iter().flatten() {
        let text = match block["type"].as_str() {
            Some("text") if block["text"].is_string() => {
                let text = block["text"].as_str().unwrap_or_default();
                if repeat.as_deref() == Some(text) {
                    continue;
                }
                text.to_string()
            }
            Some("image") => format!(
                "[image {}, {} base64 bytes]",
                block["mimeType"].as_str().unwrap_or("?"),
                block["data"].as_str().map_or(0, str::len)
            ),
            Some("audio") => format!("[audio {}]", block["mimeType"].as_str().unwrap_or("?")),
            Some("resource_link") => match block["title"].as_str().or(block["name"].as_str()) {
                Some(title) => format!("[{title}] {}", block["uri"].as_str().unwrap_or("")),
                None => block["uri"].as_str().unwrap_or("").to_string(),
            },
            Some("resource") => block["resource"]["text"]
                .as_str()
                .or(block["resource"]["uri"].as_str())
                .unwrap_or("")
                .to_string(),
            _ => block.to_string(),
        };
        out.push(text);
    }
    if out.is_empty() {
        let outcome = if payload["isError"] == true {
            "failed"
        } else {
            "completed"
        };
        out.push(format!("MCP tool {outcome} without returning content."));
    }
    out
}

fn sort_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let sorted: Map<String, Value> = keys
                .into_iter()
                .map(|k| (k.clone(), sort_keys(&map[k])))
                .collect();
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_content_comes_first_sorted_and_its_repeat_is_dropped() {
        let payload = json!({
            "content": [
                {"type": "text", "text": "{\n  \"z\": 1,\n  \"a\": 2\n}"},
                {"type": "text", "text": "hi"},
                {"type": "resource_link", "uri": "file:///x", "name": "x"},
            ],
            "structuredContent": {"z": 1, "a": 2},
        });
        assert_eq!(
            projection(&payload),
            [
                "structuredContent:\n{\n  \"a\": 2,\n  \"z\": 1\n}",
                "hi",
                "[x] file:///x"
            ]
        );
        assert_eq!(
            projection(&json!({"content": [], "isError": true})),
            ["MCP tool failed without returning content."]
        );
    }
}
