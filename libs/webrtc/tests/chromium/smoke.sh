#!/usr/bin/env bash
# Chromium smoke test for libs/webrtc (needs root for the network namespace, /usr/bin/chromium and
# node). Chromium gathers no candidates when loopback is the only interface, so the test runs in a
# private network namespace with lo plus a veth pair, IPv6 off (see tests/world-client/run.sh).
# Usage: libs/webrtc/tests/chromium/smoke.sh build/debug/libs/webrtc/webrtc_chromium_smoke
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:?path to webrtc_chromium_smoke}")
if [ ! -d "$dir/node_modules/playwright-core" ]; then
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
fi
exec unshare -n bash -c "
  sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link set lo up
  ip link add v0 type veth peer name v1
  ip addr add 198.18.0.1/24 dev v0
  ip link set v0 up; ip link set v1 up
  sleep 1
  exec node '$dir/smoke.mjs' '$bin'"
