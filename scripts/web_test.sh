#!/usr/bin/env bash
# The web client's browser tests (web/e2e: node:test + playwright-core driving Debian's Chromium)
# against the real system: the user and album services and the gateway from BUILD_DIR, the gateway
# serving web/dist, on free loopback ports, with databases, a queue and an object folder of their
# own on the PostgreSQL and RabbitMQ that scripts/test.sh started (HATONGSU_PG_BASE,
# HATONGSU_AMQP_URL). Screenshots go to build/screenshots/ (not committed).
# Usage: scripts/web_test.sh BUILD_DIR     (ctest runs it as WebE2E)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
cd "$root"
: "${HATONGSU_PG_BASE:?is not set: run through scripts/test.sh (make test)}"
: "${HATONGSU_AMQP_URL:?is not set: run through scripts/test.sh (make test)}"
if [ ! -f web/dist/index.html ] || [ ! -d web/node_modules ]; then
  echo "web_test: the web client is not built (scripts/web.sh build)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/hatongsu-web.XXXXXX)
tag=web_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
source scripts/services.sh
cleanup() {
  local code=$?
  stop_services
  for db in user album; do
    psql -q "$HATONGSU_PG_BASE/postgres" -c "DROP DATABASE IF EXISTS ${tag}_$db WITH (FORCE)" || true
  done
  if [ "$code" -ne 0 ]; then
    for name in user album gateway event; do
      echo "---- $name.log (last lines)" >&2
      tail -30 "$work/$name.log" >&2 2>/dev/null || true
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

for db in user album; do
  psql -q "$HATONGSU_PG_BASE/postgres" -c "CREATE DATABASE ${tag}_$db"
done
secret() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
gateway_port=$(free_port)
export USER_PG_URL="$HATONGSU_PG_BASE/${tag}_user" ALBUM_PG_URL="$HATONGSU_PG_BASE/${tag}_album"
export ACCESS_TOKEN_SECRET=$(secret) REFRESH_TOKEN_SECRET=$(secret) HATONGSU_SERVICE_SECRET=$(secret)
export HATONGSU_ADMIN_EMAIL=admin@web.test HATONGSU_ADMIN_PASSWORD=$(secret)
export USER_GRPC_ADDR=127.0.0.1:$(free_port) ALBUM_GRPC_ADDR=127.0.0.1:$(free_port)
export USER_GRPC_URL=$USER_GRPC_ADDR ALBUM_GRPC_URL=$ALBUM_GRPC_ADDR
export ALBUM_AMQP_URL=$HATONGSU_AMQP_URL GATEWAY_AMQP_URL=$HATONGSU_AMQP_URL
export ALBUM_QUEUE=$tag GATEWAY_UPLOAD_QUEUE=$tag
# Below the default, so the tests see the upload page learn the limit from the gateway.
export GATEWAY_UPLOAD_MAX_FILE_MB=2
export GATEWAY_HTTP_PORT=$gateway_port GATEWAY_WEB_DIR=$root/web/dist EVENT_HTTP_PORT=$(free_port) \
  WORLD_PORT=$(free_port) WORLD_UDP_PORT=0
export STORAGE_DIR=$work/objects STORAGE_PUBLIC_URL=http://127.0.0.1:$gateway_port
export FRONTEND_URL=http://127.0.0.1:$gateway_port
# The tests sign in a handful of times: cheaper password hashing keeps ASan builds quick.
export USER_ARGON2_OPSLIMIT=1 USER_ARGON2_MEMLIMIT_KIB=8192
export LOG_FORMAT=text
start_services "$build" "$work"

mkdir -p "$root/build/screenshots"
cd web
HATONGSU_E2E_URL=http://127.0.0.1:$gateway_port \
HATONGSU_E2E_ADMIN_EMAIL=$HATONGSU_ADMIN_EMAIL HATONGSU_E2E_ADMIN_PASSWORD=$HATONGSU_ADMIN_PASSWORD \
HATONGSU_E2E_SCREENSHOTS=$root/build/screenshots HATONGSU_E2E_CHROMIUM=/usr/bin/chromium \
  npm run --silent test:e2e
