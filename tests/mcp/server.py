"""A small MCP server for the node's MCP tests, on the official Python SDK.

Runs over stdio, over streamable HTTP on 127.0.0.1 with `--http PORT` (at `/mcp`), or over
the legacy HTTP+SSE transport with `--sse PORT` (at `/sse`). It announces
changes to its tool list. With MCP_TEST_MARKS set to a directory, a cancelled `slow` call
leaves a file `cancelled` there, so a test can see the server was told.
"""

import os
import sys
from pathlib import Path

import anyio
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.stdio import stdio_server

server = MCPServer("openclaw-test")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@server.tool()
async def enable_extra(ctx: Context) -> str:
    """Register a new tool, then announce that the tool list changed."""

    def extra(x: str) -> str:
        """Echo x."""
        return x

    server.add_tool(extra, name="extra")
    await ctx.session.send_tool_list_changed()
    return "ok"


@server.tool()
async def slow(seconds: float) -> str:
    """Sleep, then answer."""
    try:
        await anyio.sleep(seconds)
    except anyio.get_cancelled_exc_class():
        marks = os.environ.get("MCP_TEST_MARKS")
        if marks:
            Path(marks, "cancelled").write_text("cancelled")
        raise
    return "done"


@server.tool()
def crash() -> str:
    """Exit the whole process in the middle of the call."""
    os._exit(3)


@server.tool()
def huge(kib: int) -> str:
    """Answer this many KiB of text."""
    return "x" * (kib * 1024)


async def main() -> None:
    lowlevel = server._lowlevel_server
    options = lowlevel.create_initialization_options(NotificationOptions(tools_changed=True))
    async with stdio_server() as (read, write):
        await lowlevel.run(read, write, options)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--sse":
        server.run("sse", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        anyio.run(main)
