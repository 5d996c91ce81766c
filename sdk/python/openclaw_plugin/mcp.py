"""The node's MCP servers (the `mcp` capability, `nodeHost.mcp.servers`): the connected servers
with the tools they listed, and calls to their tools. The host owns the servers' processes and
transports.

`servers` and `call_tool` raise a `Failure` with the host's code (`MCP_SERVER_UNAVAILABLE`,
`MCP_TOOL_TIMEOUT`, `MCP_TOOL_ERROR`); the raw bindings stay reachable as `raw`.
"""

import json
from typing import Optional

from .capability import imported, raises_failure

raw = imported("mcp")

Server = raw.Server


@raises_failure
def servers() -> list:
    """The connected servers, sorted by name; a server's `tools_json` holds its tools."""
    return raw.servers()


@raises_failure
def call_tool(server: str, tool: str, arguments: Optional[dict] = None, *, timeout_ms: int = 120_000) -> dict:
    """Calls `tool` on `server` with `arguments`; answers the `tools/call` result as a dict."""
    return json.loads(raw.call_tool(server, tool, json.dumps(arguments or {}), timeout_ms))
