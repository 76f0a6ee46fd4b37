#!/usr/bin/env bash
# The event server's half of `make bench` (sourced by scripts/bench.sh after the release build, or
# run alone: scripts/bench_event.sh): N colyseus clients (100, 500, 1,000) join the gallery room
# over the real wire and each sends one chat per second for BENCH_EVENT_SECONDS (default 30); the room
# broadcasts every chat to everyone, so it delivers N x N messages per second. bench/event_load
# (bench/event_load.cpp) measures delivered messages per second, lost messages, send-to-receive
# latency, and the server's CPU time and RSS. The same load then runs against the original's stack,
# Colyseus 0.15 from npm with an equivalent room (bench/event-colyseus/server.js), and the ratio of
# delivered messages per CPU-second is printed. Each server is fresh for each N, on the same 2
# cores as the load generator.
set -euo pipefail
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then  # run alone
  cd "$(dirname "$0")/.."
  scripts/setup
  cmake --preset release >/dev/null
  cmake --build --preset release --target event event_load
fi
source scripts/services.sh

event_seconds=${BENCH_EVENT_SECONDS:-30}
(cd bench/event-colyseus && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] ||
  npm ci --no-audit --no-fund --loglevel=error; })

value() {  # value KEY LINE: the number after KEY= in an event_load result line
  sed -E "s/.*(^| )$1=([^ ]+).*/\2/" <<<"$2"
}

run_load() {  # run_load PORT PID CLIENTS: prints event_load's result line
  build/release/bench/event_load --port "$1" --server-pid "$2" --clients "$3" \
    --seconds "$event_seconds"
}

for clients in 100 500 1000; do
  echo
  echo "== Event server: $clients clients, each 1 chat/s for ${event_seconds} s, broadcast to all"
  port=$(free_port)
  # Every client comes from 127.0.0.1: the per-address cap is lifted for the bench.
  env LOG_LEVEL=warn EVENT_HTTP_PORT="$port" EVENT_MAX_CLIENTS_PER_IP=$((clients + 10)) \
    build/release/services/event/hatongsu-event &
  ours=$!
  wait_port "$port" "$ours"
  echo "\$ build/release/bench/event_load --port $port --server-pid <hatongsu-event> --clients $clients --seconds $event_seconds"
  ours_line=$(run_load "$port" "$ours" "$clients" || true)
  kill "$ours" 2>/dev/null || true
  wait "$ours" 2>/dev/null || true
  echo "  hatongsu-event: $ours_line"

  port=$(free_port)
  node bench/event-colyseus/server.js "$port" >/dev/null &
  theirs=$!
  wait_port "$port" "$theirs"
  sleep 1  # the room is created once the server listens
  echo "\$ node bench/event-colyseus/server.js $port; build/release/bench/event_load ... (the same)"
  theirs_line=$(run_load "$port" "$theirs" "$clients" || true)
  kill "$theirs" 2>/dev/null || true
  wait "$theirs" 2>/dev/null || true
  echo "  colyseus 0.15:  $theirs_line"

  ours_rate=$(value delivered_per_cpu_s "$ours_line")
  theirs_rate=$(value delivered_per_cpu_s "$theirs_line")
  if [[ "$ours_rate" =~ ^[0-9]+$ && "$theirs_rate" =~ ^[0-9]+$ && "$theirs_rate" -gt 0 ]]; then
    awk -v a="$ours_rate" -v b="$theirs_rate" \
      'BEGIN { printf "  delivered messages per server CPU-second: %.1fx the Colyseus server'"'"'s\n", a / b }'
  fi
done
