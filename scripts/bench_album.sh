#!/usr/bin/env bash
# The album half of `make bench` (sourced by scripts/bench.sh, which has started PostgreSQL,
# RabbitMQ and the user service, built the release preset and defined `report` and `pids`):
#   1. upload to visible: 200 JPEGs of 12 MP (bench/make_photos) sent as the dashboard sends them
#      (requests of 10 files, 2 at a time), timed from the first byte sent to the last file done,
#      with both derivatives made; peak RSS (VmHWM) of a gateway and an album service that served
#      nothing else. Then 200 more in 2 requests of 100 at once, as the original frontend sends.
#   2. gateway peak RSS while 100 files of 10 MiB stream in (one request).
#   3. GET /album?page=1&limit=20, /album/cursor, /album/ferris-next at 32 connections over 10,000
#      rows.
# Every number is printed with the command that produced it.

album_env=(ALBUM_GRPC_ADDR=127.0.0.1:24002 ALBUM_ADMIN_PORT=24092 ALBUM_QUEUE=bench_album
  STORAGE_DIR="$work/objects"
  STORAGE_PUBLIC_URL=http://127.0.0.1:24020 ALBUM_AMQP_URL="$HATONGSU_AMQP_URL")
gateway_env=(ALBUM_GRPC_URL=127.0.0.1:24002 GATEWAY_UPLOAD_QUEUE=bench_album
  STORAGE_DIR="$work/objects" STORAGE_PUBLIC_URL=http://127.0.0.1:24020
  GATEWAY_AMQP_URL="$HATONGSU_AMQP_URL" GATEWAY_WEB_DIR="$(pwd)/web/dist")

peak_rss() {  # peak_rss PID: VmHWM in MiB
  awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"
}
stage_sums() {  # stage_sums: "stage seconds" per processing stage so far, from the album's metrics
  curl -sf http://127.0.0.1:24092/metrics |
    sed -nE 's/^hatongsu_album_stage_seconds_sum\{stage="([a-z]+)"\} (.*)$/\1 \2/p'
}
idle_s() {  # idle_s: idle CPU seconds of the whole machine so far (all cores)
  awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {printf "%.2f", ($5 + $6) / hz}' /proc/stat
}
tree_cpu_s() {  # tree_cpu_s PATTERN: CPU seconds so far of the processes whose command matches
  local total=0 p
  for p in $(pgrep -f "$1"); do total=$(awk -v t="$total" -v c="$(cpu_s "$p" 2>/dev/null || echo 0)" 'BEGIN {print t + c}'); done
  echo "$total"
}
cpu_s() {  # cpu_s PID: user + system CPU seconds so far
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"
}

env "${album_env[@]}" build/release/services/album/hatongsu-album &
album_pid=$!
pids+=("$album_pid")
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/24002) 2>/dev/null && break; sleep 0.1; done
start_gateway 24020 "${gateway_env[@]}"
upload_gateway=${pids[-1]}
start_gateway 24030 "${gateway_env[@]}"
stream_gateway=${pids[-1]}

echo
echo "== 400 JPEGs of 12 MP for the upload runs"
echo "\$ build/release/bench/make_photos \$work/photos 400"
build/release/bench/make_photos "$work/photos" 400
auth="Authorization: Bearer $token"
# upload_lane FIRST GROUP LANES K OUT: requests K, K+LANES, K+2*LANES... of a run (GROUP files each
# of photo_FIRST .. photo_FIRST+199), one after the other; their batch ids go to OUT.
upload_lane() {
  local first=$1 group=$2 lanes=$3 k=$4 out=$5 start i args
  for ((start = first + k * group; start < first + 200; start += lanes * group)); do
    args=()
    for ((i = start; i < start + group && i < first + 200; i++)); do
      args+=(-F "$(printf 'files=@%s/photos/photo_%04d.jpg' "$work" "$i")"
        -F "lastModifiedTimestamps[]=1700000000000")
    done
    curl -sf -H "$auth" "${args[@]}" http://127.0.0.1:24020/file/uploads |
      sed -E 's/.*"batchId":"([^"]+)".*/\1\n/' >>"$out"
  done
}
# upload_photos FIRST GROUP LANES: photo_FIRST .. photo_FIRST+199 in requests of GROUP files, LANES
# requests on their way at a time, timed from the first byte sent until every batch is finished.
upload_photos() {
  local first=$1 group=$2 lanes=$3 out="$work/batches-$1" t0 t1 k b n done_count=0
  local lane_pids=() gateway_cpu album_cpu
  : >"$out"
  gateway_cpu=$(cpu_s "$upload_gateway")
  album_cpu=$(cpu_s "$album_pid")
  stage_sums >"$out.stages0"
  local idle0 rabbit0 pg0
  idle0=$(idle_s) rabbit0=$(tree_cpu_s "beam.smp.*$work") pg0=$(tree_cpu_s "postgres.*$work|^postgres: ")
  t0=$(date +%s.%N)
  for ((k = 0; k < lanes; k++)); do
    upload_lane "$first" "$group" "$lanes" "$k" "$out" &
    lane_pids+=($!)
  done
  for k in "${lane_pids[@]}"; do
    wait "$k" || { echo "  an upload request failed" >&2; return 1; }
  done
  for b in $(cat "$out"); do
    for _ in $(seq 1 6000); do  # up to 5 minutes
      curl -sf -H "$auth" "http://127.0.0.1:24020/file/uploads/$b" | grep -q '"finished":true' && break
      sleep 0.05
    done
  done
  t1=$(date +%s.%N)
  for b in $(cat "$out"); do
    n=$(curl -sf -H "$auth" "http://127.0.0.1:24020/file/uploads/$b" | grep -o '"status":"done"' | wc -l)
    done_count=$((done_count + n))
  done
  awk -v n="$done_count" -v a="$t0" -v b="$t1" \
    'BEGIN {printf "  %d images done in %.1f s: %.1f images/s (upload, queue, decode, thumbnail + preview, store, commit)\n", n, b - a, n / (b - a)}'
  awk -v g0="$gateway_cpu" -v g1="$(cpu_s "$upload_gateway")" -v a0="$album_cpu" \
    -v a1="$(cpu_s "$album_pid")" -v n="$done_count" \
    'BEGIN {printf "  CPU: gateway %.1f s, album service %.1f s (%.0f ms an image; the rest is curl, PostgreSQL, RabbitMQ)\n", g1 - g0, a1 - a0, n ? 1000 * (a1 - a0) / n : 0}'
  awk -v i0="$idle0" -v i1="$(idle_s)" -v r0="$rabbit0" -v r1="$(tree_cpu_s "beam.smp.*$work")" \
    -v p0="$pg0" -v p1="$(tree_cpu_s "postgres.*$work|^postgres: ")" \
    'BEGIN {printf "  CPU: RabbitMQ %.1f s, PostgreSQL %.1f s; both cores idle %.1f s in all\n", r1 - r0, p1 - p0, i1 - i0}'
  stage_sums | awk -v n="$done_count" 'NR == FNR {before[$1] = $2; next}
    {line = line sprintf("%s %.1f ms, ", $1, n ? 1000 * ($2 - before[$1]) / n : 0)}
    END {sub(/, $/, "", line); print "  album stages, mean wall time an image: " line}' "$out.stages0" -
}

echo
echo "== upload to visible: 200 JPEGs of 12 MP (4000x3000) as the dashboard sends them: requests of"
echo "   10 files, 2 on their way at a time (the album service starts on the first while the rest travel)"
upload_photos 1 10 2
echo "  peak RSS: gateway $(peak_rss "$upload_gateway"), album service $(peak_rss "$album_pid")"
echo
echo "== the same with 200 other JPEGs in 2 requests of 100 files sent at once (the original"
echo "   frontend's way: processing starts only once a whole request is in)"
upload_photos 201 100 2

# The web client over the 400 real photos (before the synthetic rows, which have no files).
echo
echo "== the web client in Chromium (web/bench/web-bench.mjs), 400 photos in the album"
echo "\$ node web/bench/web-bench.mjs"
HATONGSU_E2E_URL=http://127.0.0.1:24020 HATONGSU_E2E_ADMIN_EMAIL="$HATONGSU_ADMIN_EMAIL" \
  HATONGSU_E2E_ADMIN_PASSWORD="$HATONGSU_ADMIN_PASSWORD" HATONGSU_E2E_CHROMIUM=/usr/bin/chromium \
  node web/bench/web-bench.mjs

echo
echo "== gateway peak RSS while 100 files of 10 MiB stream in (one request, 1000 MiB)"
head -c $((10 << 20)) /dev/urandom >"$work/big.bin"
big=()
for i in $(seq 1 100); do big+=(-F "files=@$work/big.bin;filename=big$i.jpg"); done
echo "\$ curl -H 'Authorization: Bearer ...' -F files=@big.bin (x100) http://127.0.0.1:24030/file/uploads"
curl -sf -o /dev/null -w "  HTTP %{http_code}, %{size_upload} bytes sent in %{time_total} s\n" \
  -H "$auth" "${big[@]}" http://127.0.0.1:24030/file/uploads
echo "  peak RSS: gateway $(peak_rss "$stream_gateway") (it had served nothing before)"

echo
echo "== 10,000 rows in the album"
psql_album() {
  PGPASSWORD=hatongsu psql -q -h 127.0.0.1 -p 25432 -U postgres -d hatongsu_album -v ON_ERROR_STOP=1 "$@"
}
psql_album -c "INSERT INTO album_image (id, filename, \"objectKey\", \"dateTimeOriginal\", version,
    thumbnail_key, preview_key, width, height)
  SELECT gen_random_uuid(), 'bench_' || n || '.jpg', 'bench-' || n || '.jpg',
         timestamp '2020-01-01' + n * interval '37 minutes', 1,
         'bench-' || n || '.thumb.webp', 'bench-' || n || '.preview.jpg', 4000, 3000
  FROM generate_series(1, 10000 - (SELECT count(*) FROM album_image)) AS n;
  ANALYZE album_image;"
echo "  rows: $(psql_album -tAc 'SELECT count(*) FROM album_image')"
some_id=$(psql_album -tAc "SELECT id FROM album_image ORDER BY \"dateTimeOriginal\" LIMIT 1 OFFSET 5000")

report "GET /album?page=1&limit=20 (admin token), 32 connections" \
  wrk -t1 -c32 -d"$DURATION" --latency -H "$auth" "http://127.0.0.1:24020/album?page=1&limit=20"
report "GET /album/cursor?limit=20, 32 connections" \
  wrk -t1 -c32 -d"$DURATION" --latency "http://127.0.0.1:24020/album/cursor?limit=20"
report "GET /album/ferris-next?id=<row 5000>&skip=8, 32 connections" \
  wrk -t1 -c32 -d"$DURATION" --latency "http://127.0.0.1:24020/album/ferris-next?id=$some_id&skip=8"
