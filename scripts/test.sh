#!/usr/bin/env bash
# The full suite (what `make test` and CI run): installs what is missing, builds the debug preset
# (ASan + UBSan; HATONGSU_PRESET=tsan for ThreadSanitizer, `make test-tsan`), starts a throw-away
# PostgreSQL and RabbitMQ on free loopback ports, runs every ctest label (unit, integration, e2e),
# and tears the servers down whatever happens, then runs every libFuzzer target for
# HATONGSU_FUZZ_SECONDS each (default 20; 0 skips; scripts/fuzz.sh). Arguments go to ctest (e.g.
# -R AccountsE2E).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${HATONGSU_PRESET:-debug}

scripts/setup
cmake --preset "$preset" -DHATONGSU_WERROR=ON >/dev/null
cmake --build --preset "$preset"

deps_dir=$(mktemp -d /tmp/hatongsu-test.XXXXXX)
cleanup() { scripts/deps.sh stop "$deps_dir"; rm -rf "$deps_dir"; }
trap cleanup EXIT

free_port() {  # a random loopback port nobody listens on (and, for RabbitMQ, the next two too)
  local p busy
  while :; do
    p=$(shuf -i 20000-32000 -n 1)  # below the ephemeral range (32768+), where outgoing connections take local ports
    busy=0
    for q in "$p" $((p + 1)) $((p + 2)); do
      (exec 3<>"/dev/tcp/127.0.0.1/$q") 2>/dev/null && busy=1
    done
    [ "$busy" -eq 0 ] && break
  done
  echo "$p"
}
pg_port=$(free_port)
amqp_port=$(free_port)
echo "test: PostgreSQL on $pg_port, RabbitMQ on $amqp_port ($deps_dir)"
scripts/deps.sh start "$deps_dir" "$pg_port" "$amqp_port"
eval "$(scripts/deps.sh env "$deps_dir")"
export HATONGSU_PG_BASE HATONGSU_AMQP_URL

# Leaks inside third-party libraries only (see the file); ours still fail the run.
export LSAN_OPTIONS="suppressions=$(pwd)/cmake/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Races inside uninstrumented third-party code only (see the file); a report exits non-zero.
export TSAN_OPTIONS="suppressions=$(pwd)/cmake/tsan.supp halt_on_error=1 second_deadlock_stack=1${TSAN_OPTIONS:+ $TSAN_OPTIONS}"

ctest --preset "$preset" -j "$(nproc)" "$@"

fuzz_seconds=${HATONGSU_FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" -gt 0 ]; then
  scripts/fuzz.sh "$fuzz_seconds"
fi
