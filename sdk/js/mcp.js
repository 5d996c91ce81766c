// The node's MCP servers (the `mcp` capability, `nodeHost.mcp.servers`): the connected servers
// with the tools they listed, and calls to their tools. The host owns the servers' processes
// and transports. Calls throw a `Failure` with the host's code (`MCP_SERVER_UNAVAILABLE`,
// `MCP_TOOL_TIMEOUT`, `MCP_TOOL_ERROR`); the raw bindings stay reachable as `raw`.
import * as raw from 'openclaw:plugin/mcp@0.1.9';

import { capability } from './failure.js';
import { number } from './params.js';

export { raw };

/** The connected servers, sorted by name: `{ name, tools, includeTools, excludeTools, requestTimeoutMs }`. */
export function servers() {
  return capability(() => raw.servers()).map((s) => ({
    name: s.name,
    tools: JSON.parse(s.toolsJson),
    includeTools: s.includeTools,
    excludeTools: s.excludeTools,
    requestTimeoutMs: number(s.requestTimeoutMs),
  }));
}

/** Calls `tool` on `server` with `args`; answers the `tools/call` result as an object. */
export function callTool(server, tool, args = {}, { timeoutMs = 120000 } = {}) {
  const answer = capability(() => raw.callTool(server, tool, JSON.stringify(args), BigInt(timeoutMs)));
  return JSON.parse(answer);
}
