#!/usr/bin/env bash
# Runs a command in web/ (the 3D gallery's browser test or bench: Chromium pages with WebRTC to the
# world server and WebSockets to the event server) against the real system, like
# scripts/web_test.sh, but inside a network namespace of its own. The command gets the usual
# HATONGSU_E2E_* variables.
#
# Why a namespace: Chromium gathers no ICE candidates when loopback is its only interface, so the
# namespace gets lo plus a veth pair holding an unused test address (198.18.0.0/15 is reserved for
# benchmarks), with IPv6 off (its link-local set-up would fire Chromium's network-change notifier
# mid-test), as tests/world-client/run.sh does. The host's network is never touched.
#
# The catch: PostgreSQL and RabbitMQ (started by scripts/test.sh) listen on 127.0.0.1 of the root
# namespace, which a new namespace cannot reach over TCP. Filesystem (pathname) Unix sockets,
# however, are not tied to a network namespace. So two socat relays bridge each port: one in the
# root namespace listens on a Unix socket in this test's temporary folder and connects to the
# server's TCP port; one in the test namespace listens on the same 127.0.0.1 port and connects to
# that Unix socket. The services in the namespace use the usual URLs unchanged.
#
# Everything else (the services, the gateway serving web/dist, Chromium) runs in the namespace.
# Needs root (unshare -n) and socat. Screenshots go to build/screenshots/.
# Usage: scripts/gallery_netns.sh BUILD_DIR COMMAND...
#   (scripts/gallery_test.sh for ctest's GalleryE2E; scripts/bench_gallery.sh for make bench)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: gallery_netns.sh BUILD_DIR COMMAND...}" && pwd)
shift
cd "$root"
: "${HATONGSU_PG_BASE:?is not set: run through scripts/test.sh (make test)}"
: "${HATONGSU_AMQP_URL:?is not set: run through scripts/test.sh (make test)}"
if [ ! -f web/dist/index.html ] || [ ! -d web/node_modules ]; then
  echo "gallery_netns: the web client is not built (scripts/web.sh build)" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "gallery_netns: needs root to create its network namespace (unshare -n)" >&2
  exit 1
fi
command -v socat >/dev/null || { echo "gallery_netns: needs socat (scripts/setup installs it)" >&2; exit 1; }

port_of() { local rest=${1##*@}; rest=${rest%%/*}; echo "${rest##*:}"; }  # port of scheme://user:pw@host:port/...
pg_port=$(port_of "$HATONGSU_PG_BASE")
amqp_port=$(port_of "$HATONGSU_AMQP_URL")

if [ -z "${GALLERY_TEST_RELAY:-}" ]; then
  # Root namespace: the Unix-socket side of the relays, then this script again in a namespace.
  relay=$(mktemp -d /tmp/hatongsu-gallery-relay.XXXXXX)
  relays=()
  cleanup_relays() {
    local pid
    for pid in "${relays[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${relays[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$relay"
  }
  trap cleanup_relays EXIT
  for p in "$pg_port" "$amqp_port"; do
    socat "UNIX-LISTEN:$relay/$p.sock,fork,mode=600" "TCP:127.0.0.1:$p" &
    relays+=($!)
  done
  for p in "$pg_port" "$amqp_port"; do
    for _ in $(seq 1 100); do [ -S "$relay/$p.sock" ] && break; sleep 0.05; done
  done
  status=0
  GALLERY_TEST_RELAY=$relay unshare -n "$0" "$build" "$@" || status=$?
  exit "$status"
fi

# ---- inside the test's network namespace
relay=$GALLERY_TEST_RELAY
source scripts/services.sh
netns_test_network
relays=()
for p in "$pg_port" "$amqp_port"; do
  socat "TCP-LISTEN:$p,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$relay/$p.sock" &
  relays+=($!)
  wait_port "$p" "$!"
done

work=$(mktemp -d /tmp/hatongsu-gallery.XXXXXX)
cleanup() {
  local code=$? pid
  stop_test_system "$code"
  for pid in "${relays[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
start_test_system "$build" "$work" "gallery_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"

mkdir -p "$root/build/screenshots"
cd web
HATONGSU_E2E_URL=http://127.0.0.1:$gateway_port \
HATONGSU_E2E_ADMIN_EMAIL=$HATONGSU_ADMIN_EMAIL HATONGSU_E2E_ADMIN_PASSWORD=$HATONGSU_ADMIN_PASSWORD \
HATONGSU_E2E_SCREENSHOTS=$root/build/screenshots HATONGSU_E2E_CHROMIUM=/usr/bin/chromium \
  "$@"
