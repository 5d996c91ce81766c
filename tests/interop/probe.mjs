// Connects with the real OpenClaw client code (GatewayClient of openclaw@2026.9.6, whose bundle
// names its module by content hash) and prints, as JSON, what that client saw.
// Usage: node probe.mjs <openclaw dist dir> <url> <token> <minProtocol> <maxProtocol>
const [dist, url, token, min, max] = process.argv.slice(2);
const { t: GatewayClient } = await import(dist + "/client-CpsABkfT.mjs");
const done = (what) => {
  console.log(JSON.stringify(what));
  process.exit(0);
};
const client = new GatewayClient({
  url,
  token,
  minProtocol: Number(min),
  maxProtocol: Number(max),
  mode: "cli",
  clientName: "cli",
  role: "operator",
  onConnectError: (e) => done({ event: "connectError", message: e?.message, gatewayCode: e?.gatewayCode, details: e?.details }),
  onHelloOk: () => done({ event: "hello" }),
});
client.start();
setTimeout(() => done({ event: "timeout" }), 15000);
