#!/usr/bin/env bash
# `make run`: installs what is missing, builds the release preset, starts PostgreSQL and RabbitMQ
# with data under ./var, then the user and album services, the gateway, the event (chat) and
# world (avatars) servers on local defaults
# (objects on local disk under ./var/objects, served by the gateway at /files/). The admin
# account is created on first start; its credentials are kept in var/ and printed on every start.
# Ctrl-C stops everything. Any variable from README.md can be set in the environment to override.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/setup
cmake --preset release >/dev/null
cmake --build --preset release
scripts/web.sh build

# Data under ./var, unless the database's own user cannot reach this clone (as root in a private
# folder such as /root): then under /var/lib/hatongsu, with ./var a link to it.
var="${HATONGSU_VAR_DIR:-$root/var}"
if [ -z "${HATONGSU_VAR_DIR:-}" ] && [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$root"; then
  var="/var/lib/hatongsu/$(basename "$root")-$(printf %s "$root" | sha256sum | cut -c1-8)"
  mkdir -p "$var"
  [ -e "$root/var" ] || ln -s "$var" "$root/var"
  echo "run: $root is private to root, so the data lives in $var (linked from ./var)"
fi
mkdir -p "$var"
PG_PORT=${HATONGSU_PG_PORT:-5433}
AMQP_PORT=${HATONGSU_AMQP_PORT:-5673}
scripts/deps.sh start "$var" "$PG_PORT" "$AMQP_PORT"
eval "$(scripts/deps.sh env "$var")"

# Secrets made once and kept (readable by this user only) so tokens survive restarts.
secret() {  # secret NAME: the content of var/secrets/NAME, made on first use
  local f="$var/secrets/$1"
  if [ ! -s "$f" ]; then
    mkdir -p "$var/secrets"; chmod 700 "$var/secrets"
    (umask 077; head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$f")
  fi
  cat "$f"
}
export ACCESS_TOKEN_SECRET=${ACCESS_TOKEN_SECRET:-$(secret access-token)}
export REFRESH_TOKEN_SECRET=${REFRESH_TOKEN_SECRET:-$(secret refresh-token)}
export HATONGSU_SERVICE_SECRET=${HATONGSU_SERVICE_SECRET:-$(secret service)}
export HATONGSU_ADMIN_EMAIL=${HATONGSU_ADMIN_EMAIL:-admin@hatongsu.local}
export HATONGSU_ADMIN_PASSWORD=${HATONGSU_ADMIN_PASSWORD:-$(secret admin-password)}
export USER_GRPC_ADDR=${USER_GRPC_ADDR:-127.0.0.1:4001}
export USER_GRPC_URL=${USER_GRPC_URL:-$USER_GRPC_ADDR}
export ALBUM_GRPC_ADDR=${ALBUM_GRPC_ADDR:-127.0.0.1:4002}
export ALBUM_GRPC_URL=${ALBUM_GRPC_URL:-$ALBUM_GRPC_ADDR}
export ALBUM_AMQP_URL=${ALBUM_AMQP_URL:-$HATONGSU_AMQP_URL}
export GATEWAY_AMQP_URL=${GATEWAY_AMQP_URL:-$HATONGSU_AMQP_URL}
export GATEWAY_HTTP_PORT=${GATEWAY_HTTP_PORT:-4000}
export STORAGE_DIR=${STORAGE_DIR:-$var/objects}
export GATEWAY_WEB_DIR=${GATEWAY_WEB_DIR:-$root/web/dist}
export STORAGE_PUBLIC_URL=${STORAGE_PUBLIC_URL:-http://localhost:$GATEWAY_HTTP_PORT}
export LOG_FORMAT=${LOG_FORMAT:-text}

source scripts/services.sh
stop_all() {
  trap - INT TERM EXIT
  stop_services
  scripts/deps.sh stop "$var"
}
trap stop_all INT TERM EXIT
start_services build/release

cat <<MSG

  Hatongsu is running: http://localhost:$GATEWAY_HTTP_PORT  (curl localhost:$GATEWAY_HTTP_PORT/health)
    gallery chat:    ws://localhost:${EVENT_HTTP_PORT:-2567} (the event server)
    gallery avatars: http://localhost:${WORLD_PORT:-4100} (the world server's signaling; WebRTC on UDP ${WORLD_UDP_PORT:-50000})
    metrics:         http://localhost:${GATEWAY_ADMIN_PORT:-9100}/metrics (gateway); ports 9101-9104: user, album, event, world
    admin e-mail:    $HATONGSU_ADMIN_EMAIL
    admin password:  $HATONGSU_ADMIN_PASSWORD
  Data lives in $var (PostgreSQL on 127.0.0.1:$PG_PORT, RabbitMQ on 127.0.0.1:$AMQP_PORT). Ctrl-C stops.

MSG
wait -n "${service_pids[@]}" || true
echo "run: a service stopped; shutting down" >&2
