//! The node's MCP client logic, over the host's `mcp` capability (which owns the servers'
//! processes and transports): the tools the servers list become agent-visible descriptors
//! (`node.pluginTools.update`), and `mcp.tools.call.v1` calls one of them.

mod bound;
mod call;
mod collate;
mod descriptors;

// Built against the `tool-plugin` world directly: it exports `tools` beside `plugin`.
wit_bindgen::generate!({
    path: "../../wit",
    world: "tool-plugin",
});

use exports::openclaw::plugin::plugin::{Call, Failure, Guest as Plugin, Surface};
use exports::openclaw::plugin::tools::{Guest as Tools, McpTarget, Tool};
use openclaw::plugin::log::{write, Level};
use openclaw::plugin::mcp;
use openclaw::plugin::types::CommandInfo;
use serde_json::Value;

use descriptors::{descriptors, ServerTools, COMMAND};

struct Mcp;

/// The connected servers' tools, and the servers as the host gave them, in the same order.
fn servers() -> Result<(Vec<ServerTools>, Vec<mcp::Server>), Failure> {
    let servers = mcp::servers()?;
    let listed = servers
        .iter()
        .map(|s| ServerTools {
            server: s.name.clone(),
            tools: match serde_json::from_str(&s.tools_json) {
                Ok(Value::Array(tools)) => tools,
                _ => Vec::new(),
            },
            include: s.include_tools.clone(),
            exclude: s.exclude_tools.clone(),
        })
        .collect();
    Ok((listed, servers))
}

fn failure(code: &str, message: String) -> Failure {
    Failure {
        code: code.into(),
        message,
    }
}

impl Plugin for Mcp {
    fn describe() -> Surface {
        Surface {
            caps: vec!["mcp".into()],
            commands: vec![CommandInfo {
                name: COMMAND.into(),
                summary: "Calls a tool of one of the node's MCP servers".into(),
            }],
        }
    }

    fn invoke(call: Call, command: String, params_json: Option<String>) -> Result<String, Failure> {
        if command != COMMAND {
            return Err(failure(
                "INVALID_REQUEST",
                format!("unknown command {command}"),
            ));
        }
        let params = call::decode(params_json.as_deref())
            .map_err(|message| failure("INVALID_REQUEST", message))?;
        let (listings, servers) = servers()?;
        let Some(at) = listings.iter().position(|l| l.server == params.server) else {
            let message = format!("MCP server \"{}\" is unavailable", params.server);
            return Err(failure("MCP_SERVER_UNAVAILABLE", message));
        };
        let (listed, server) = (&listings[at], &servers[at]);
        // Only a tool that is published can be called.
        if !descriptors::publishes(&listings, &params.server, &params.tool) {
            let message = format!(
                "MCP tool \"{}\" is unavailable on server \"{}\"",
                params.tool, params.server
            );
            return Err(failure("MCP_TOOL_UNAVAILABLE", message));
        }
        let timeout = call::timeout_ms(call.timeout_ms, server.request_timeout_ms);
        let arguments = Value::Object(params.arguments).to_string();
        let answer = mcp::call_tool(&params.server, &params.tool, &arguments, timeout)?;
        let result: Value = serde_json::from_str(&answer).map_err(|e| {
            failure(
                "MCP_TOOL_ERROR",
                format!("the tool's result is not JSON: {e}"),
            )
        })?;
        let declares_output = listed
            .tools
            .iter()
            .find(|t| t["name"].as_str().map(str::trim) == Some(params.tool.as_str()))
            .is_some_and(|t| t["outputSchema"].is_object());
        if declares_output && result["isError"] != true && result["structuredContent"].is_null() {
            let message = format!(
                "Tool {} has an output schema but did not return structured content",
                params.tool
            );
            return Err(failure("MCP_TOOL_ERROR", message));
        }
        Ok(bound::bound(&result).to_string())
    }
}

impl Tools for Mcp {
    fn list_tools() -> Vec<Tool> {
        // Where the node runs no MCP, or its servers are still starting, there is nothing.
        let Ok((listed, _)) = servers() else {
            return Vec::new();
        };
        let (published, total) = descriptors(&listed);
        if published.len() < total {
            let message = format!(
                "node host MCP catalog bounded: published {} of {total} tools",
                published.len()
            );
            write(Level::Warn, &message);
        }
        published
            .into_iter()
            .map(|d| Tool {
                parameters_json: Some(d.parameters.to_string()),
                name: d.name,
                description: d.description,
                command: COMMAND.into(),
                mcp: Some(McpTarget {
                    server: d.server,
                    tool: d.tool,
                }),
            })
            .collect()
    }
}

export!(Mcp);
