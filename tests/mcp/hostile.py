"""An MCP server that misbehaves, over stdio, with no SDK: `hostile.py MODE`.

- `garbage`: a proper handshake and tool list, then answers `tools/call` with lines that
  are not JSON-RPC (and never a proper answer).
- `silent`: reads everything and answers nothing, not even `initialize`.
- `flood`: a proper server whose `tools/call` answers, but which sends notifications
  (`tools/list_changed` and log messages) without pause from the handshake on.
"""

import json
import sys
import threading
import time

MODE = sys.argv[1]
out_lock = threading.Lock()


def send(message):
    with out_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def raw(line):
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


TOOL = {"name": "poke", "description": "Answers pong.", "inputSchema": {"type": "object"}}


def flood():
    n = 0
    while True:
        n += 1
        send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        send({"jsonrpc": "2.0", "method": "notifications/message",
              "params": {"level": "info", "data": "flood %d" % n}})
        if n % 200 == 0:
            time.sleep(0.001)


for line in sys.stdin:
    if MODE == "silent":
        continue
    try:
        request = json.loads(line)
    except ValueError:
        continue
    method, rid = request.get("method"), request.get("id")
    if rid is None:
        continue
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": rid, "result": {
            "protocolVersion": request["params"]["protocolVersion"],
            "capabilities": {"tools": {"listChanged": True}},
            "serverInfo": {"name": "hostile-" + MODE, "version": "1"}}})
        if MODE == "flood":
            threading.Thread(target=flood, daemon=True).start()
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": rid, "result": {"tools": [TOOL]}})
    elif method == "tools/call":
        if MODE == "garbage":
            raw("this is not json")
            raw('{"jsonrpc": "2.0", "id": ')
            raw('{"jsonrpc": "2.0", "id": %s, "result": 17}' % json.dumps(rid))
        else:
            send({"jsonrpc": "2.0", "id": rid,
                  "result": {"content": [{"type": "text", "text": "pong"}]}})
    else:
        send({"jsonrpc": "2.0", "id": rid, "result": {}})
