//! The `mcp` capability: the node's MCP servers, through `openclaw_mcp`, which owns their
//! processes and transports. Granted by default to the built-in `mcp` plugin only.

use std::sync::Arc;
use std::time::Duration;

use openclaw_mcp::{McpManager, SERVER_UNAVAILABLE};
use serde_json::Value;
use wasmtime::component::{HasSelf, Linker};

use super::view::{Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::mcp;
use crate::bindings::Failure;

pub const NAME: &str = "mcp";
pub const INTERFACES: &[&str] = &["openclaw:plugin/mcp"];

/// The longest a plugin may make one tool call wait.
const MAX_CALL_WAIT: Duration = Duration::from_secs(600);

pub fn link<T: Holds<Mcp>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    mcp::add_to_linker::<T, HasSelf<Mcp>>(linker, T::holds)
}

pub struct Mcp {
    manager: Option<Arc<McpManager>>,
}

impl CapabilityState for Mcp {
    fn new(caller: &Caller) -> Mcp {
        Mcp {
            manager: caller.services.mcp.clone(),
        }
    }
}

fn failure(code: &str, message: impl Into<String>) -> Failure {
    Failure {
        code: code.into(),
        message: message.into(),
    }
}

impl mcp::Host for Mcp {
    async fn servers(&mut self) -> Result<Vec<mcp::Server>, Failure> {
        let unavailable = || failure(SERVER_UNAVAILABLE, "node host MCP is unavailable");
        let servers = self
            .manager
            .as_ref()
            .and_then(|m| m.servers())
            .ok_or_else(unavailable)?;
        Ok(servers
            .into_iter()
            .map(|s| mcp::Server {
                tools_json: s.tools_json.to_string(),
                name: s.name,
                include_tools: s.include,
                exclude_tools: s.exclude,
                request_timeout_ms: s.request_timeout.map(|t| t.as_millis() as u64),
            })
            .collect())
    }

    async fn call_tool(
        &mut self,
        server: String,
        tool: String,
        arguments_json: String,
        timeout_ms: u64,
    ) -> Result<String, Failure> {
        let Some(manager) = &self.manager else {
            return Err(failure(SERVER_UNAVAILABLE, "node host MCP is unavailable"));
        };
        let arguments = match serde_json::from_str(&arguments_json) {
            Ok(Value::Object(arguments)) => arguments,
            _ => return Err(failure("INVALID_REQUEST", "arguments must be an object")),
        };
        let timeout = Duration::from_millis(timeout_ms).min(MAX_CALL_WAIT);
        match manager.call_tool(&server, &tool, arguments, timeout).await {
            Ok(result) => Ok(result.to_string()),
            Err(e) => Err(failure(e.code, e.message)),
        }
    }
}
