#!/usr/bin/env bash
# Installs what the build and the tests need beyond Cargo: the wasm32-wasip2 target the
# plugins are built for, and from Debian's packages Chromium (the canvas and browser plugins),
# ffmpeg (screen and camera), and for the device tests gpsd with gpsfake, Xvfb and dbus-daemon.
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

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
