//! The node's MCP servers (`nodeHost.mcp.servers`): their config, their processes and
//! transports (through rmcp), their reconnects, their tools, and calls to them. The `mcp`
//! plugin capability stands on this; the MCP client logic that decides what is published and
//! how results are bounded lives in the `mcp` plugin.

pub mod config;
mod manager;
mod session;
mod sse;

pub use config::{ServerConfig, Servers, Transport};
pub use manager::{
    CallError, McpManager, ServerView, SERVER_UNAVAILABLE, TOOL_ERROR, TOOL_TIMEOUT,
};
