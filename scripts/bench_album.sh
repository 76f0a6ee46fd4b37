#!/usr/bin/env bash
# The album half of `make bench` (sourced by scripts/bench.sh, which has started PostgreSQL,
# RabbitMQ and the user service, built the release preset and defined `report` and `pids`):
#   1. upload to visible: 200 JPEGs of 12 MP (bench/make_photos) in two requests of 100, timed from
#      the first byte sent to the last file done, with both derivatives made; peak RSS (VmHWM) of a
#      gateway and an album service that served nothing else.
#   2. gateway peak RSS while 100 files of 10 MiB stream in (one request).
#   3. GET /album?page=1&limit=20, /album/cursor, /album/ferris-next at 32 connections over 10,000
#      rows.
# Every number is printed with the command that produced it.

album_env=(ALBUM_GRPC_ADDR=127.0.0.1:24002 ALBUM_QUEUE=bench_album STORAGE_DIR="$work/objects"
  STORAGE_PUBLIC_URL=http://127.0.0.1:24020 ALBUM_AMQP_URL="$HATONGSU_AMQP_URL")
gateway_env=(ALBUM_GRPC_URL=127.0.0.1:24002 GATEWAY_UPLOAD_QUEUE=bench_album
  STORAGE_DIR="$work/objects" STORAGE_PUBLIC_URL=http://127.0.0.1:24020
  GATEWAY_AMQP_URL="$HATONGSU_AMQP_URL" GATEWAY_WEB_DIR="$(pwd)/web/dist")

peak_rss() {  # peak_rss PID: VmHWM in MiB
  awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"
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
echo "== upload to visible: 200 JPEGs of 12 MP (4000x3000), 2 requests of 100 files, in parallel"
echo "\$ build/release/bench/make_photos \$work/photos 200"
build/release/bench/make_photos "$work/photos" 200
curl_args() {  # curl_args FIRST LAST: -F arguments for photo_FIRST..photo_LAST
  for i in $(seq "$1" "$2"); do
    printf -- '-F\nfiles=@%s/photos/photo_%04d.jpg\n-F\nlastModifiedTimestamps[]=1700000000000\n' "$work" "$i"
  done
}
mapfile -t first < <(curl_args 1 100)
mapfile -t second < <(curl_args 101 200)
auth="Authorization: Bearer $token"
t0=$(date +%s.%N)
curl -sf -H "$auth" "${first[@]}" http://127.0.0.1:24020/file/uploads >"$work/b1.json" &
c1=$!
curl -sf -H "$auth" "${second[@]}" http://127.0.0.1:24020/file/uploads >"$work/b2.json"
wait "$c1"
batches=$(sed -E 's/.*"batchId":"([^"]+)".*/\1/' "$work/b1.json" "$work/b2.json")
for b in $batches; do
  for _ in $(seq 1 6000); do  # up to 10 minutes
    curl -sf -H "$auth" "http://127.0.0.1:24020/file/uploads/$b" | grep -q '"finished":true' && break
    sleep 0.1
  done
done
t1=$(date +%s.%N)
done_count=0
for b in $batches; do
  n=$(curl -sf -H "$auth" "http://127.0.0.1:24020/file/uploads/$b" | grep -o '"status":"done"' | wc -l)
  done_count=$((done_count + n))
done
awk -v n="$done_count" -v a="$t0" -v b="$t1" \
  'BEGIN {printf "  %d images done in %.1f s: %.1f images/s (upload, queue, decode, thumbnail + preview, store, commit)\n", n, b - a, n / (b - a)}'
echo "  peak RSS: gateway $(peak_rss "$upload_gateway"), album service $(peak_rss "$album_pid")"

# The web client over the 200 real photos (before the synthetic rows, which have no files).
echo
echo "== the web client in Chromium (web/bench/web-bench.mjs), 200 photos in the album"
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
