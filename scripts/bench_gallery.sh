#!/usr/bin/env bash
# The 3D gallery's half of `make bench` (sourced by scripts/bench.sh after the release build, with
# its PostgreSQL and RabbitMQ; or run alone with HATONGSU_PG_BASE and HATONGSU_AMQP_URL set, as
# root): web/bench/gallery-bench.mjs in headless Chromium (SwiftShader) against the release
# binaries, in a network namespace of its own (scripts/gallery_netns.sh). Prints the gallery's
# JavaScript size, the time to its first frame and its frames per second with 20 remote avatars
# walking (20 native peers of bench/world_load; HATONGSU_BENCH_DRIVER=browser for 20 geckos clients
# in a second page instead).
set -euo pipefail
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then  # run alone
  cd "$(dirname "$0")/.."
  scripts/setup
  cmake --preset release >/dev/null
  cmake --build --preset release --target user album gateway event world world_load
  scripts/web.sh build
fi
echo
echo "== the 3D gallery in Chromium (web/bench/gallery-bench.mjs): 1280x720, software WebGL, 20 remote avatars"
echo "\$ HATONGSU_BENCH_WORLD_LOAD=build/release/bench/world_load scripts/gallery_netns.sh build/release node bench/gallery-bench.mjs"
HATONGSU_BENCH_WORLD_LOAD=$PWD/build/release/bench/world_load LOG_LEVEL=warn \
  scripts/gallery_netns.sh build/release node bench/gallery-bench.mjs || echo "  (the gallery bench failed)"
