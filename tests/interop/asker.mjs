// The asking side of an approval as the real exec tool drives it, with the real OpenClaw client
// code on one connection (the real gateway binds an approval to the connection that asked):
// exec.approval.request (two-phase), exec.approval.waitDecision, then, when allowed, node.invoke
// with the approval. Prints {"event":"ready"}, then each answer as one JSON line.
// Usage: node asker.mjs <openclaw dist dir> <url> <token> <request JSON> <node.invoke JSON>
const [dist, url, token, requestJson, invokeJson] = process.argv.slice(2);
const { t: GatewayClient } = await import(dist + "/client-CpsABkfT.mjs");
const say = (what) => console.log(JSON.stringify(what));
const request = JSON.parse(requestJson);
const invoke = JSON.parse(invokeJson);
const client = new GatewayClient({
  url,
  token,
  mode: "cli",
  clientName: "cli",
  role: "operator",
  scopes: ["operator.admin", "operator.write", "operator.approvals"],
  onConnectError: (e) => {
    say({ event: "connectError", message: e?.message, details: e?.details });
    process.exit(1);
  },
  onHelloOk: async () => {
    say({ event: "ready" });
    try {
      say({ event: "accepted", answer: await client.request("exec.approval.request", request) });
      const decided = await client.request("exec.approval.waitDecision", { id: request.id });
      say({ event: "decided", answer: decided });
      if (decided.decision === "allow-once" || decided.decision === "allow-always") {
        invoke.params.approvalDecision = decided.decision;
        say({ event: "ran", answer: await client.request("node.invoke", invoke) });
      }
      process.exit(0);
    } catch (e) {
      say({ event: "error", message: e?.message, details: e?.details });
      process.exit(1);
    }
  },
});
client.start();
setTimeout(() => {
  say({ event: "timeout" });
  process.exit(1);
}, 60000);
