// Runs the real OpenClaw's plaintext ws:// rule over a list of URLs and prints, as JSON, its
// verdicts. Two copies of the rule exist in openclaw@2026.9.6: `isSecureWebSocketUrl` in the
// gateway's net module (the CLI checks its target URL with it) and the one inside the gateway
// client's WebSocket transport (every real client connection goes through it; it is not exported,
// so it is read from whether `resolveGatewayWebSocketTransport` throws).
// Usage: node plaintext_rule.mjs <openclaw dist dir>   (stdin: a JSON array of URLs)
import { readFileSync } from "node:fs";

const [dist] = process.argv.slice(2);
const { u: isSecureWebSocketUrl } = await import(dist + "/net-DU4aWKLv.mjs");
const { a: resolveGatewayWebSocketTransport, n: ConfigurationError } = await import(
  dist + "/websocket-transport-BVr0oSpL.mjs"
);
const urls = JSON.parse(readFileSync(0, "utf8"));
const transport = (url, allow) => {
  const env = allow ? { OPENCLAW_ALLOW_INSECURE_PRIVATE_WS: "1" } : {};
  try {
    resolveGatewayWebSocketTransport({ url, env });
    return true;
  } catch (e) {
    if (e instanceof ConfigurationError) return false;
    throw e;
  }
};
console.log(
  JSON.stringify(
    urls.map((url) => ({
      url,
      net: isSecureWebSocketUrl(url),
      net_allow: isSecureWebSocketUrl(url, { allowPrivateWs: true }),
      transport: transport(url, false),
      transport_allow: transport(url, true),
    })),
  ),
);
