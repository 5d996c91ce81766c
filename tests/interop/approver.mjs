// A second operator with the real OpenClaw client code, an approval client as the real gateway
// counts one: operator.approvals plus admin (to see others' requests) and the exec-approvals
// // cap; without them it has no route to anyone and expires the request at once. It prints
// {"event":"ready"} once connected, then resolves the first exec approval it is shown with the
// given decision and prints what it saw.
// Usage: node approver.mjs <openclaw dist dir> <url> <token> <decision>
const [dist, url, token, decision] = process.argv.slice(2);
const { t: GatewayClient } = await import(dist + "/client-CpsABkfT.mjs");
const say = (what) => console.log(JSON.stringify(what));
let resolving = false;
const client = new GatewayClient({
  url,
  token,
  mode: "cli",
  clientName: "cli",
  role: "operator",
  scopes: ["operator.admin", "operator.approvals"],
  caps: ["exec-approvals"],
  onConnectError: (e) => {
    say({ event: "connectError", message: e?.message, details: e?.details });
    process.exit(1);
  },
  onHelloOk: () => say({ event: "ready" }),
  onEvent: async (frame) => {
    if (frame.event !== "exec.approval.requested" || resolving) return;
    resolving = true;
    const id = frame.payload.id;
    try {
      const result = await client.request("exec.approval.resolve", { id, decision });
      say({ event: "resolved", id, request: frame.payload.request, result });
      process.exit(0);
    } catch (e) {
      say({ event: "resolveError", id, message: e?.message });
      process.exit(1);
    }
  },
});
client.start();
setTimeout(() => {
  say({ event: "timeout" });
  process.exit(1);
}, 60000);
