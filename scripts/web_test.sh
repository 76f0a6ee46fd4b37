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
source scripts/services.sh
cleanup() {
  local code=$?
  stop_test_system "$code"
  rm -rf "$work"
}
trap cleanup EXIT
# Below the default, so the tests see the upload page learn the limit from the gateway.
export GATEWAY_UPLOAD_MAX_FILE_MB=2
start_test_system "$build" "$work" "web_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"

mkdir -p "$root/build/screenshots"
cd web
HATONGSU_E2E_URL=http://127.0.0.1:$gateway_port \
HATONGSU_E2E_ADMIN_EMAIL=$HATONGSU_ADMIN_EMAIL HATONGSU_E2E_ADMIN_PASSWORD=$HATONGSU_ADMIN_PASSWORD \
HATONGSU_E2E_SCREENSHOTS=$root/build/screenshots HATONGSU_E2E_CHROMIUM=/usr/bin/chromium \
  npm run --silent test:e2e
