//! The node's MCP servers (the `mcp` capability, `nodeHost.mcp.servers`): the connected
//! servers with the tools they listed, and calls to their tools. The host owns the servers'
//! processes and transports. Calls answer the SDK's [`Failure`], with the host's code
//! (`MCP_SERVER_UNAVAILABLE`, `MCP_TOOL_TIMEOUT`, `MCP_TOOL_ERROR`).

use serde_json::Value;

use crate::bindings::openclaw::plugin::mcp as raw;
use crate::Failure;

pub use raw::Server;

/// The connected servers, sorted by name.
pub fn servers() -> Result<Vec<Server>, Failure> {
    Ok(raw::servers()?)
}

/// Calls `tool` on `server` with `arguments` (a JSON object), waiting at most `timeout_ms`;
/// answers the `tools/call` result (`{content, structuredContent?, isError?}`).
pub fn call_tool(
    server: &str,
    tool: &str,
    arguments: &Value,
    timeout_ms: u64,
) -> Result<Value, Failure> {
    let answer = raw::call_tool(server, tool, &arguments.to_string(), timeout_ms)?;
    serde_json::from_str(&answer).map_err(|e| {
        Failure::new(
            "MCP_TOOL_ERROR",
            format!("the tool's result is not JSON: {e}"),
        )
    })
}

impl Server {
    /// The tools the server listed, as MCP tool objects.
    pub fn tools(&self) -> Vec<Value> {
        match serde_json::from_str(&self.tools_json) {
            Ok(Value::Array(tools)) => tools,
            _ => Vec::new(),
        }
    }
}
