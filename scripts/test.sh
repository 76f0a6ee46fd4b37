#!/usr/bin/env bash
# The full suite (what `make test` and CI run): installs what is missing, builds the debug preset
# (ASan + UBSan; HATONGSU_PRESET=tsan for ThreadSanitizer, `make test-tsan`), starts a throw-away
# PostgreSQL, RabbitMQ and s3rver on free loopback ports, runs every ctest label (unit,
# integration, e2e), tears the servers down whatever happens, then runs every libFuzzer target for
# HATONGSU_FUZZ_SECONDS each (default 20; 0 skips; scripts/fuzz.sh). Arguments go to ctest (e.g.
# -R AccountsE2E).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${HATONGSU_PRESET:-debug}

scripts/setup
cmake --preset "$preset" -DHATONGSU_WERROR=ON >/dev/null
cmake --build --preset "$preset"
scripts/web.sh build  # the browser tests (ctest WebE2E) drive the built client

deps_dir=$(mktemp -d /tmp/hatongsu-test.XXXXXX)
cleanup() {
  if [ -f "$deps_dir/s3rver.pid" ]; then kill "$(cat "$deps_dir/s3rver.pid")" 2>/dev/null || true; fi
  scripts/deps.sh stop "$deps_dir"
  rm -rf "$deps_dir"
}
trap cleanup EXIT

source scripts/services.sh  # free_port
pg_port=$(free_port)
amqp_port=$(free_port)
echo "test: PostgreSQL on $pg_port, RabbitMQ on $amqp_port ($deps_dir)"
scripts/deps.sh start "$deps_dir" "$pg_port" "$amqp_port"
eval "$(scripts/deps.sh env "$deps_dir")"
export HATONGSU_PG_BASE HATONGSU_AMQP_URL

# colyseus.js (npm, pinned in tests/event-client) for the event server's end-to-end test, and
# @geckos.io/client with playwright-core (tests/world-client) for the world server's.
for client in event-client world-client; do
  if [ ! -d "tests/$client/node_modules" ] ||
    [ "tests/$client/package-lock.json" -nt "tests/$client/node_modules/.package-lock.json" ]; then
    (cd "tests/$client" && npm ci --no-audit --no-fund >/dev/null)
  fi
done

# s3rver (npm, pinned in tests/s3rver) for the S3 object store's integration tests. Node's OpenSSL 3
# keeps DES in its legacy provider, and s3rver makes its list continuation tokens with DES.
if [ ! -d tests/s3rver/node_modules ]; then
  (cd tests/s3rver && npm ci --no-audit --no-fund >/dev/null)
fi
s3_port=$(free_port)
mkdir -p "$deps_dir/s3rver"
node --openssl-legacy-provider tests/s3rver/node_modules/s3rver/bin/s3rver.js \
  -d "$deps_dir/s3rver" -a 127.0.0.1 -p "$s3_port" --silent >"$deps_dir/s3rver.log" 2>&1 &
echo $! >"$deps_dir/s3rver.pid"
for _ in $(seq 300); do  # up to 30 s, usually well under one
  (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null && break
  kill -0 "$(cat "$deps_dir/s3rver.pid")" 2>/dev/null || break
  sleep 0.1
done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null; then
  echo "test: s3rver did not start:" >&2
  cat "$deps_dir/s3rver.log" >&2
  exit 1
fi
echo "test: s3rver on $s3_port"
export HATONGSU_S3_ENDPOINT="http://127.0.0.1:$s3_port" HATONGSU_S3_ACCESS_KEY=S3RVER HATONGSU_S3_SECRET_KEY=S3RVER

# Leaks inside third-party libraries only (see the file); ours still fail the run.
export LSAN_OPTIONS="suppressions=$(pwd)/cmake/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Races inside uninstrumented third-party code only (see the file); a report exits non-zero.
export TSAN_OPTIONS="suppressions=$(pwd)/cmake/tsan.supp halt_on_error=1 second_deadlock_stack=1${TSAN_OPTIONS:+ $TSAN_OPTIONS}"

ctest --preset "$preset" -j "$(nproc)" "$@"

fuzz_seconds=${HATONGSU_FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" -gt 0 ]; then
  scripts/fuzz.sh "$fuzz_seconds"
fi
