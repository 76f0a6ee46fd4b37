#!/usr/bin/env bash
# The world server's half of `make bench` (sourced by scripts/bench.sh after the release build, or
# run alone: scripts/bench_world.sh): N native WebRTC peers (50, 200, 300, 500; libs/webrtc in the
# client role, bench/world_load.cpp) sign in through the geckos.io routes and each sends 20
# position updates a second for BENCH_WORLD_SECONDS (default 30). The server relays the latest position
# of every player to every other one on its 100 Hz tick, within each peer's relay budget
# (WORLD_RELAY_PER_PEER, 1,000 a second), so N peers get up to min(N x (N - 1) x 20, N x 1,000)
# messages a second. Printed per N: updates sent and delivered per second, latency from one peer's
# send to another's receipt (p50/p99/max), server CPU (cores) and RSS. Fresh server per N; loopback
# only (no browser, so no network namespace is needed).
set -euo pipefail
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then  # run alone
  cd "$(dirname "$0")/.."
  scripts/setup
  cmake --preset release >/dev/null
  cmake --build --preset release --target world world_load
fi
source scripts/services.sh

world_seconds=${BENCH_WORLD_SECONDS:-30}
for peers in 50 200 300 500; do
  echo
  echo "== World server: $peers peers, each 20 position updates/s for ${world_seconds} s"
  port=$(free_port)
  env LOG_LEVEL=warn WORLD_PORT="$port" WORLD_UDP_PORT=0 WORLD_CAPACITY=$((peers + 10)) \
    WORLD_MAX_PENDING_PER_IP=20 WORLD_MAX_CONNECTIONS_PER_IP=$((peers + 10)) build/release/services/world/hatongsu-world &
  world=$!
  wait_port "$port" "$world"
  echo "\$ build/release/bench/world_load --port $port --server-pid <hatongsu-world> --peers $peers --hz 20 --seconds $world_seconds"
  build/release/bench/world_load --port "$port" --server-pid "$world" --peers "$peers" --hz 20 \
    --seconds "$world_seconds" | sed 's/^/  /' || echo "  (the run failed)"
  kill "$world" 2>/dev/null || true
  wait "$world" 2>/dev/null || true
done
