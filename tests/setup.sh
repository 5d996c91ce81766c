#!/usr/bin/env bash
# Installs what the build and the tests need beyond Cargo: the wasm32-wasip2 target the
# plugins are built for, and from Debian's packages Chromium (the canvas and browser plugins),
# ffmpeg (screen and camera), for the device tests gpsd with gpsfake, Xvfb and dbus-daemon, and
# for the Python and JavaScript SDKs Python 3 with venv and Node.js with npm (their toolchains,
# componentize-py and componentize-js, each build installs into its own project).
# Safe to run again: it only installs what is missing.
set -euo pipefail

rustup target add wasm32-wasip2

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have chromium || have chromium-browser || have google-chrome || missing+=(chromium)
have ffmpeg || missing+=(ffmpeg)
have gpsd || missing+=(gpsd)
have gpsfake || missing+=(gpsd-clients)
have Xvfb || missing+=(xvfb)
have dbus-daemon || missing+=(dbus-daemon)
# A multi-call binary for the exec allowlist corpus: its applets must be recognised by the file.
have busybox || missing+=(busybox)
have python3 || missing+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
have node || missing+=(nodejs)
have npm || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# rolldown, which bundles a JavaScript plugin, needs Node.js 20.19 or newer.
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  if (a < 20 || (a === 20 && b < 19)) { console.error(`Node.js ${process.version} is too old: the JavaScript SDK needs 20.19+`); process.exit(1); }'

# The MCP servers the MCP tests talk to: the reference server from npm, and the official Python
# SDK from PyPI in a venv of its own, both under target/mcp-servers.
mcp_dir="$(cd "$(dirname "$0")/.." && pwd)/target/mcp-servers"
everything="@modelcontextprotocol/server-everything@2026.8.31"
if [ ! -f "$mcp_dir/everything/node_modules/@modelcontextprotocol/server-everything/dist/index.js" ]; then
  mkdir -p "$mcp_dir/everything"
  npm install --silent --no-audit --no-fund --prefix "$mcp_dir/everything" "$everything"
fi
if [ ! -x "$mcp_dir/python/bin/python" ] || ! "$mcp_dir/python/bin/python" -c 'import mcp' 2>/dev/null; then
  python3 -m venv "$mcp_dir/python"
  "$mcp_dir/python/bin/pip" install --quiet --disable-pip-version-check 'mcp==2.3.0'
fi
