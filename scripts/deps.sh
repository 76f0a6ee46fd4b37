#!/usr/bin/env bash
# Local PostgreSQL 15 and RabbitMQ 3.10 from Debian's packages, on loopback, with data in a folder.
#
#   scripts/deps.sh start DIR PG_PORT AMQP_PORT   start both (initialising DIR on first use)
#   scripts/deps.sh stop DIR                      stop both
#   scripts/deps.sh env DIR                       print the connection variables to eval
#
# PostgreSQL refuses to run as root: as root the servers run as the packages' own users
# (postgres, rabbitmq), which then own DIR/pg and DIR/rabbitmq.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
RMQ_BIN=/usr/lib/rabbitmq/bin
PG_PASSWORD=${HATONGSU_PG_PASSWORD:-hatongsu}

as_user() {  # as_user USER CMD...: run as USER when we are root, else as ourselves
  local user=$1; shift
  # from / : the user may not be allowed into the caller's folder (a clone under /root)
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u "$user" -- "$@"); else "$@"; fi
}

wait_port() {  # wait_port PORT SECONDS NAME [PID]: until PORT accepts, or PID dies
  local port=$1 deadline=$((SECONDS + $2)) pid=${4:-}
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ((SECONDS > deadline)) || { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; }; then
      echo "deps: $3 did not open port $port" >&2; return 1
    fi
    sleep 0.2
  done
}

rmq_env() {  # rmq_env DIR PORT
  local dir=$1 port=$2
  export HOME=$dir/rabbitmq
  export RABBITMQ_NODENAME=hatongsu$port@localhost
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$port RABBITMQ_DIST_PORT=$((port + 1))
  export RABBITMQ_MNESIA_BASE=$dir/rabbitmq/mnesia RABBITMQ_LOG_BASE=$dir/rabbitmq/log
  export RABBITMQ_PID_FILE=$dir/rabbitmq/pid RABBITMQ_ENABLED_PLUGINS_FILE=$dir/rabbitmq/enabled_plugins
  export RABBITMQ_CONFIG_FILE=$dir/rabbitmq/rabbitmq RABBITMQ_ADVANCED_CONFIG_FILE=$dir/rabbitmq/advanced.config
  # Our own epmd on its own port, so stopping it never touches another Erlang node's.
  export ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=$((port + 2))
  export RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq/rabbitmq-env.conf
}

start() {
  local dir=$1 pg_port=$2 amqp_port=$3
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$dir"; then
    echo "deps: the 'postgres' user cannot reach $dir (a parent folder is private);" \
         "choose a folder it can reach, e.g. /var/lib/hatongsu" >&2
    exit 1
  fi

  # PostgreSQL
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    mkdir -p "$dir/pg"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/pg"
    local pwfile; pwfile=$(mktemp); echo "$PG_PASSWORD" >"$pwfile"; chmod 644 "$pwfile"
    as_user postgres "$PG_BIN/initdb" -D "$dir/pg" -U postgres --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/pg-init.log" 2>&1
    rm -f "$pwfile"
  fi
  if ! as_user postgres "$PG_BIN/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; then
    as_user postgres "$PG_BIN/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -w -t 60 \
      -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  fi
  echo "$pg_port" >"$dir/pg.port"
  for db in hatongsu_user hatongsu_album; do
    as_user postgres "$PG_BIN/psql" -h "$dir/pg" -p "$pg_port" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
      as_user postgres "$PG_BIN/createdb" -h "$dir/pg" -p "$pg_port" -U postgres "$db"
  done

  # RabbitMQ
  mkdir -p "$dir/rabbitmq"
  echo "$amqp_port" >"$dir/amqp.port"
  (
    rmq_env "$dir" "$amqp_port"
    [ -f "$dir/rabbitmq/enabled_plugins" ] || echo "[]." >"$dir/rabbitmq/enabled_plugins"
    [ "$(id -u)" -eq 0 ] && chown -R rabbitmq:rabbitmq "$dir/rabbitmq"
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null; then
      local cmd=("$RMQ_BIN/rabbitmq-server")
      [ "$(id -u)" -eq 0 ] && cmd=(runuser -u rabbitmq -- env HOME="$HOME" "${cmd[@]}")
      (cd "$dir/rabbitmq" && exec setsid "${cmd[@]}") >"$dir/rabbitmq-server.out" 2>&1 </dev/null &
      wait_port "$amqp_port" 120 RabbitMQ $! || { tail -20 "$dir/rabbitmq-server.out" >&2; exit 1; }
    fi
  )
}

stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd -P)
  if [ -f "$dir/pg/PG_VERSION" ]; then
    as_user postgres "$PG_BIN/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/rabbitmq/pid" ]; then
    local pid; pid=$(cat "$dir/rabbitmq/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  if [ -f "$dir/amqp.port" ]; then  # the node's own epmd, which outlives the node otherwise
    epmd -port $(($(cat "$dir/amqp.port") + 2)) -kill >/dev/null 2>&1 || true
  fi
}

print_env() {
  local dir; dir=$(cd "$1" && pwd -P)
  local pg_port amqp_port
  pg_port=$(cat "$dir/pg.port"); amqp_port=$(cat "$dir/amqp.port")
  echo "export HATONGSU_PG_BASE=postgresql://postgres:$PG_PASSWORD@127.0.0.1:$pg_port"
  echo "export USER_PG_URL=postgresql://postgres:$PG_PASSWORD@127.0.0.1:$pg_port/hatongsu_user"
  echo "export ALBUM_PG_URL=postgresql://postgres:$PG_PASSWORD@127.0.0.1:$pg_port/hatongsu_album"
  echo "export HATONGSU_AMQP_URL=amqp://guest:guest@127.0.0.1:$amqp_port/"
}

case "${1:-}" in
  start) start "$2" "$3" "$4" ;;
  stop) stop "$2" ;;
  env) print_env "$2" ;;
  *) sed -n '2,9p' "$0"; exit 2 ;;
esac
