#!/usr/bin/env bash
# Runs the world server's browser test (e2e.mjs) in a network namespace of its own: Chromium
# gathers no ICE candidates when loopback is the only interface, so the namespace has lo plus a
# veth pair carrying an unused test address (198.18.0.0/15 is reserved for benchmarks), and IPv6 off
# (its link-local set-up would fire Chromium's network-change notifier mid-test). Everything still
# talks over 127.0.0.1, and nothing leaves the namespace (scripts/services.sh netns_test_network).
# Needs root (unshare -n).
# Usage: tests/world-client/run.sh path/to/hatongsu-world
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:?usage: run.sh path/to/hatongsu-world}")
if [ "$(id -u)" -ne 0 ]; then
  echo "world e2e: needs root to create its network namespace (unshare -n)" >&2
  exit 1
fi
[ -d "$dir/node_modules/@geckos.io/client" ] ||
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
exec unshare -n bash -c "
  set -e
  source '$dir/../../scripts/services.sh'
  netns_test_network
  sleep 1
  exec node '$dir/e2e.mjs' '$bin'"
