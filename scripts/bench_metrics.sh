# Sourced by scripts/bench.sh (its user service, start_gateway, token and report are set): what
# the metrics cost. GET /user/me with the account cache off (so each request is also a gRPC call
# and a database query, every layer that counts) through a system with metrics on and one with
# them off (GATEWAY_METRICS=0 and a second user service with USER_METRICS=0), in alternating
# runs after a warm-up, BENCH_METRICS_ROUNDS of each (default 6); prints the mean req/s of each and how far apart
# they are. Target (issue 11): less than 3 %.
rounds=${BENCH_METRICS_ROUNDS:-6}
USER_GRPC_ADDR=127.0.0.1:24002 USER_METRICS=0 build/release/services/user/hatongsu-user &
pids+=($!)
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/24002) 2>/dev/null && break; sleep 0.1; done
start_gateway 24030 GATEWAY_ACCOUNT_CACHE_MS=0 GATEWAY_METRICS=0 USER_GRPC_URL=127.0.0.1:24002

echo
echo "== The cost of metrics: GET /user/me, 64 connections, account cache off, $rounds alternating runs each"
rps() {  # rps PORT: requests per second of one wrk run
  wrk -t1 -c64 -d"$DURATION" -H "Authorization: Bearer $token" "http://127.0.0.1:$1/user/me" |
    awk '/Requests\/sec/{print $2}'
}
# A warm-up of each first (connections, caches, the database), not counted; then the rounds,
# which side goes first alternating from round to round.
wrk -t1 -c64 -d5s -H "Authorization: Bearer $token" http://127.0.0.1:24010/user/me >/dev/null
wrk -t1 -c64 -d5s -H "Authorization: Bearer $token" http://127.0.0.1:24030/user/me >/dev/null
on_runs=() off_runs=()
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then
    on_runs+=("$(rps 24010)"); off_runs+=("$(rps 24030)")
  else
    off_runs+=("$(rps 24030)"); on_runs+=("$(rps 24010)")
  fi
done
echo "\$ wrk -t1 -c64 -d$DURATION -H 'Authorization: Bearer …' http://127.0.0.1:24010/user/me   # metrics on"
echo "\$ wrk -t1 -c64 -d$DURATION -H 'Authorization: Bearer …' http://127.0.0.1:24030/user/me   # metrics off"
echo "  metrics on : ${on_runs[*]} req/s"
echo "  metrics off: ${off_runs[*]} req/s"
printf '%s\n' "${on_runs[@]}" | awk -v off="${off_runs[*]}" '
  { on += $1; n++ }
  END {
    k = split(off, o, " "); for (i = 1; i <= k; i++) s += o[i]
    on /= n; s /= k
    printf "  mean: on %.0f req/s, off %.0f req/s: metrics cost %.1f %% (target < 3 %%)\n", on, s, (s - on) / s * 100
  }'
