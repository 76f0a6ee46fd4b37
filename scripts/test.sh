#!/usr/bin/env bash
# The full suite (what `make test` and CI run): installs what is missing, builds the debug preset
# (ASan + UBSan), starts a throw-away PostgreSQL and RabbitMQ on free loopback ports, runs every
# ctest label (unit, e2e), and tears the servers down whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup
cmake --preset debug -DHATONGSU_WERROR=ON >/dev/null
cmake --build --preset debug

deps_dir=$(mktemp -d /tmp/hatongsu-test.XXXXXX)
cleanup() { scripts/deps.sh stop "$deps_dir"; rm -rf "$deps_dir"; }
trap cleanup EXIT

free_port() {  # a random loopback port nobody listens on (and, for RabbitMQ, the next one too)
  local p
  while :; do
    p=$(shuf -i 20000-59000 -n 1)
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null || break
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

ctest --preset debug -j "$(nproc)" "$@"
