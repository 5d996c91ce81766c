#!/usr/bin/env bash
# Installs what the build and the tests need beyond Cargo: the wasm32-wasip2 target the
# plugins are built for, and Chromium (Debian's package) for the canvas and browser plugins.
# Safe to run again: it only installs what is missing.
set -euo pipefail

rustup target add wasm32-wasip2

if ! command -v chromium >/dev/null 2>&1 \
    && ! command -v chromium-browser >/dev/null 2>&1 \
    && ! command -v google-chrome >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium
fi
