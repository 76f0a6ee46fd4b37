#!/usr/bin/env bash
# `make bench`: release build, throw-away PostgreSQL/RabbitMQ, the real user service and gateway,
# then wrk on the same 2 cores (load generator included, as the targets in the issues assume):
#   GET /user/me with a valid token, 64 connections (account cache on, then off), and with
#   metrics on and off (scripts/bench_metrics.sh)
#   POST /auth/login, 8 connections (Argon2id-bound), next to the measured hash time.
#   GET /user/me, 64 connections, while 64 more hammer POST /auth/login with wrong passwords.
#   The album: upload-to-visible throughput and peak RSS, album routes over 10,000 rows
#   (scripts/bench_album.sh), with the web client's initial JavaScript, time to first photos and
#   album page render in Chromium (web/bench). The event server's chat broadcast at 100, 500 and
#   1,000 clients against a Colyseus 0.15 server (scripts/bench_event.sh); the world server at 50,
#   200 and 500 WebRTC peers (scripts/bench_world.sh); the 3D gallery's JavaScript, first frame and
#   frames per second with 20 remote avatars in Chromium's software renderer
#   (scripts/bench_gallery.sh). Then every fuzz target for longer than in make test.
# Every number is printed with the command that produced it. Bounded: each run lasts DURATION.
# BENCH_ONLY picks parts (comma-separated; after the same set-up): user (/user/me, logins, the login
# storm, Argon2id), metrics, album (image pipeline, uploads, album routes, web client), event, world,
# gallery, fuzz. Unset: all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}

scripts/setup
cmake --preset release >/dev/null
cmake --build --preset release
scripts/web.sh build

work=$(mktemp -d /tmp/hatongsu-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/deps.sh stop "$work"; rm -rf "$work"
}
trap cleanup EXIT
scripts/deps.sh start "$work" 25432 25672
eval "$(scripts/deps.sh env "$work")"

export ACCESS_TOKEN_SECRET=bench-access REFRESH_TOKEN_SECRET=bench-refresh LOG_LEVEL=warn
export HATONGSU_ADMIN_EMAIL=admin@bench.local HATONGSU_ADMIN_PASSWORD=bench-admin-pass
export USER_GRPC_ADDR=127.0.0.1:24001 USER_GRPC_URL=127.0.0.1:24001
export HATONGSU_SERVICE_SECRET=bench-service-secret-0123456789  # as in production
# Admin ports (metrics) on any free port: the benches may run beside `make run`.
export GATEWAY_ADMIN_PORT=0 USER_ADMIN_PORT=0 ALBUM_ADMIN_PORT=0 EVENT_ADMIN_PORT=0 WORLD_ADMIN_PORT=0

start_gateway() {  # start_gateway PORT [VAR=VALUE...]
  local port=$1; shift
  env GATEWAY_HTTP_PORT="$port" "$@" build/release/services/gateway/hatongsu-gateway &
  pids+=($!)
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.1; done
}
build/release/services/user/hatongsu-user &
pids+=($!)
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/24001) 2>/dev/null && break; sleep 0.1; done
start_gateway 24000
# The second gateway: no account cache (a gRPC call per /user/me) and no per-address login limit
# (the login row measures the hashing capacity behind it; with the limit, one address gets 10/s).
start_gateway 24010 GATEWAY_ACCOUNT_CACHE_MS=0 GATEWAY_LOGIN_RATE_PER_S=0

basic="Basic $(printf '%s' "$HATONGSU_ADMIN_EMAIL:$HATONGSU_ADMIN_PASSWORD" | base64 -w0)"
token=$(curl -sf -X POST -H "Authorization: $basic" http://127.0.0.1:24000/auth/login | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')

wanted() {  # wanted PART: BENCH_ONLY is unset or names PART
  [ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *",$1,"* ]]
}

report() {  # report TITLE COMMAND...: runs wrk, prints req/s and p99 with the command
  local title=$1; shift
  echo
  echo "== $title"
  echo "\$ $*"
  local out; out=$("$@")
  echo "$out" | grep -E "Requests/sec|Non-2xx|Socket errors" || true
  echo "$out" | awk '/Latency Distribution/{f=1} f && /99%/{print "  p99 latency: " $2; exit}'
}

if wanted user; then
report "GET /user/me, valid token, 64 connections (account cache 1 s, the default)" \
  wrk -t1 -c64 -d"$DURATION" --latency -H "Authorization: Bearer $token" http://127.0.0.1:24000/user/me
report "GET /user/me, valid token, 64 connections (account cache off: a gRPC call per request)" \
  wrk -t1 -c64 -d"$DURATION" --latency -H "Authorization: Bearer $token" http://127.0.0.1:24010/user/me
fi

# What the metrics cost on the same route (metrics on above, off beside it).
if wanted metrics; then source scripts/bench_metrics.sh; fi

if wanted user; then
lua="$work/login.lua"
printf 'wrk.method = "POST"\nwrk.headers["Authorization"] = "%s"\n' "$basic" >"$lua"
report "POST /auth/login, 8 connections (Argon2id verify per request; gateway login limit off)" \
  wrk -t1 -c8 -d"$DURATION" --latency -s "$lua" http://127.0.0.1:24010/auth/login

# A login storm must not starve the other routes: /user/me's p99 is measured while another wrk
# sends wrong passwords on 64 connections for the same time.
# The storm guesses the password of a plain account: the admin's own (account, address) pair would
# be locked by the throttle for 15 minutes, and the web client's bench signs in as the admin later.
curl -sf -o /dev/null -X POST -H "Content-Type: application/json" -d '{"nickname":"storm"}' \
  -H "Authorization: Basic $(printf '%s' 'victim@bench.local:victim-pass-1' | base64 -w0)" \
  http://127.0.0.1:24000/auth/register
wrong="$work/wrong.lua"
printf 'wrk.method = "POST"\nwrk.headers["Authorization"] = "Basic %s"\n' \
  "$(printf '%s' "victim@bench.local:not-the-password" | base64 -w0)" >"$wrong"
storm_out="$work/storm.txt"
storm_s=$((${DURATION%s} + 3))  # outlasts the measured run (DURATION in seconds, e.g. 10s)
wrk -t1 -c64 -d"${storm_s}s" --latency -s "$wrong" http://127.0.0.1:24000/auth/login >"$storm_out" &
storm=$!
sleep 1
report "GET /user/me, 64 connections, during a storm of wrong-password logins on 64 more" \
  wrk -t1 -c64 -d"$DURATION" --latency -H "Authorization: Bearer $token" http://127.0.0.1:24000/user/me
wait "$storm" || true
echo "  the storm itself (\$ wrk -t1 -c64 -d${storm_s}s --latency -s wrong.lua .../auth/login):"
grep -E "Requests/sec|Non-2xx" "$storm_out" | sed 's/^/  /'

echo
echo "== Argon2id cost at the service's defaults (one login = one verify)"
echo "\$ build/release/bench/password_hash_bench"
build/release/bench/password_hash_bench 2>/dev/null | grep -E "BM_|Benchmark"
echo "Login ceiling = items_per_second of BM_Argon2idVerify/threads:$(nproc) (cores / verify time under contention)."
fi

if wanted album; then
echo
echo "== The image pipeline on one 12 MP JPEG (decode with shrink-on-load, preview, thumbnail)"
echo "\$ build/release/bench/image_processor_bench"
build/release/bench/image_processor_bench 2>/dev/null | grep -E "BM_|Benchmark"

# The album service, uploads and the album routes.
source scripts/bench_album.sh
fi

# The event server's chat broadcast against Colyseus 0.15 (about 8 minutes with BENCH_EVENT_SECONDS=30).
if wanted event; then source scripts/bench_event.sh; fi

# The world server: native WebRTC peers sending positions (about 3 minutes).
if wanted world; then source scripts/bench_world.sh; fi

# The 3D gallery in Chromium: its JavaScript, first frame, and fps with 20 remote avatars (about 2 minutes).
if wanted gallery; then source scripts/bench_gallery.sh; fi

if wanted fuzz; then
  echo
  echo "== Fuzzing, longer than in make test (each target ${FUZZ_SECONDS:-120} s)"
  echo "\$ scripts/fuzz.sh ${FUZZ_SECONDS:-120}"
  scripts/fuzz.sh "${FUZZ_SECONDS:-120}"
fi
