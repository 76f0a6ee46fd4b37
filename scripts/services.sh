# Sourced by scripts/run.sh, scripts/test.sh, the browser tests and the benches: free loopback ports, and starts
# the user service, the album service, the gateway, the event server and the world server in the
# background, in that order, each once the one before listens. Their settings come from the
# environment (README.md lists them; USER_GRPC_ADDR, ALBUM_GRPC_ADDR and GATEWAY_HTTP_PORT must be
# set; EVENT_HTTP_PORT is 2567 and WORLD_PORT 4100 unless set). The gateway tells the web client
# where the event and world servers are (GATEWAY_EVENT_PUBLIC_URL, GATEWAY_WORLD_PUBLIC_URL): on
# loopback at those ports unless set. Their process ids are appended to the array `service_pids`.
# Below: the same system set up for a browser test (start_test_system), and a network namespace's
# test network (netns_test_network).

service_pids=()

free_port() {  # a random loopback port nobody listens on (and, for RabbitMQ, the next two too)
  local p busy
  while :; do
    p=$(shuf -i 20000-32000 -n 1)  # below the ephemeral range (32768+), where outgoing connections take local ports
    busy=0
    for q in "$p" $((p + 1)) $((p + 2)); do
      (exec 3<>"/dev/tcp/127.0.0.1/$q") 2>/dev/null && busy=1
    done
    [ "$busy" -eq 0 ] && break
  done
  echo "$p"
}

wait_port() {  # wait_port PORT PID: until something listens on PORT, or PID has exited (status 1)
  for _ in $(seq 1 300); do  # up to 30 s (debug builds under ASan start slowly)
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# start_services BIN_DIR [LOG_DIR]: BIN_DIR is a build folder (build/release); with LOG_DIR, each
# service writes to LOG_DIR/<name>.log instead of this terminal.
start_services() {
  local bin=$1 logs=${2:-} name port
  export GATEWAY_EVENT_PUBLIC_URL=${GATEWAY_EVENT_PUBLIC_URL-http://127.0.0.1:${EVENT_HTTP_PORT:-2567}}
  export GATEWAY_WORLD_PUBLIC_URL=${GATEWAY_WORLD_PUBLIC_URL-http://127.0.0.1:${WORLD_PORT:-4100}}
  for name in user album gateway event world; do
    case $name in
      user) port=${USER_GRPC_ADDR##*:} ;;
      album) port=${ALBUM_GRPC_ADDR##*:} ;;
      gateway) port=$GATEWAY_HTTP_PORT ;;
      event) port=${EVENT_HTTP_PORT:-2567} ;;
      world) port=${WORLD_PORT:-4100} ;;
    esac
    if [ -n "$logs" ]; then
      "$bin/services/$name/hatongsu-$name" >"$logs/$name.log" 2>&1 &
    else
      "$bin/services/$name/hatongsu-$name" &
    fi
    service_pids+=($!)
    if ! wait_port "$port" "$!"; then
      echo "services: $name did not start listening on port $port" >&2
      [ -n "$logs" ] && tail -20 "$logs/$name.log" >&2
      return 1
    fi
  done
}

stop_services() {  # SIGTERM to each, then wait for their exit
  local pid
  for pid in "${service_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${service_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  service_pids=()
}

# start_test_system BIN_DIR WORK_DIR TAG: the whole system for a browser test, on the PostgreSQL
# and RabbitMQ that scripts/test.sh started (HATONGSU_PG_BASE, HATONGSU_AMQP_URL): databases
# TAG_user and TAG_album, queue TAG, objects and logs in WORK_DIR, every service on a free loopback
# port, the gateway serving web/dist. Exports the settings (the tests read the admin's e-mail and
# password from them) and `gateway_port`. stop_test_system undoes it; settings exported before the
# call (e.g. GATEWAY_UPLOAD_MAX_FILE_MB) are kept.
start_test_system() {
  local bin=$1 work=$2 db secret repo
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  test_system_tag=$3 test_system_work=$2
  for db in user album; do
    psql -q "$HATONGSU_PG_BASE/postgres" -c "CREATE DATABASE ${test_system_tag}_$db"
  done
  secret() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
  gateway_port=$(free_port)
  export USER_PG_URL="$HATONGSU_PG_BASE/${test_system_tag}_user"
  export ALBUM_PG_URL="$HATONGSU_PG_BASE/${test_system_tag}_album"
  export ACCESS_TOKEN_SECRET=$(secret) REFRESH_TOKEN_SECRET=$(secret) HATONGSU_SERVICE_SECRET=$(secret)
  export HATONGSU_ADMIN_EMAIL=admin@hatongsu.test HATONGSU_ADMIN_PASSWORD=$(secret)
  export USER_GRPC_ADDR=127.0.0.1:$(free_port) ALBUM_GRPC_ADDR=127.0.0.1:$(free_port)
  export USER_GRPC_URL=$USER_GRPC_ADDR ALBUM_GRPC_URL=$ALBUM_GRPC_ADDR
  export ALBUM_AMQP_URL=$HATONGSU_AMQP_URL GATEWAY_AMQP_URL=$HATONGSU_AMQP_URL
  export ALBUM_QUEUE=$test_system_tag GATEWAY_UPLOAD_QUEUE=$test_system_tag
  export GATEWAY_HTTP_PORT=$gateway_port GATEWAY_WEB_DIR=$repo/web/dist EVENT_HTTP_PORT=$(free_port) \
    WORLD_PORT=$(free_port) WORLD_UDP_PORT=0
  # Admin ports (metrics) on free ports too: tests run beside each other and beside `make run`.
  export GATEWAY_ADMIN_PORT=$(free_port) USER_ADMIN_PORT=$(free_port) ALBUM_ADMIN_PORT=$(free_port) \
    EVENT_ADMIN_PORT=$(free_port) WORLD_ADMIN_PORT=$(free_port)
  export STORAGE_DIR=$work/objects STORAGE_PUBLIC_URL=http://127.0.0.1:$gateway_port
  export FRONTEND_URL=http://127.0.0.1:$gateway_port
  # The tests sign in a handful of times: cheaper password hashing keeps ASan builds quick.
  export USER_ARGON2_OPSLIMIT=1 USER_ARGON2_MEMLIMIT_KIB=8192
  export LOG_FORMAT=text
  start_services "$bin" "$work"
}

# stop_test_system EXIT_CODE: stops the services and drops the databases; on a failure, shows the
# end of each service's log.
stop_test_system() {
  local code=$1 db name
  stop_services
  [ -n "${test_system_tag:-}" ] || return 0  # start_test_system never ran
  for db in user album; do
    psql -q "$HATONGSU_PG_BASE/postgres" \
      -c "DROP DATABASE IF EXISTS ${test_system_tag}_$db WITH (FORCE)" || true
  done
  if [ "$code" -ne 0 ]; then
    for name in user album gateway event world; do
      echo "---- $name.log (last lines)" >&2
      tail -30 "$test_system_work/$name.log" >&2 2>/dev/null || true
    done
  fi
}

# netns_test_network: inside a fresh network namespace (unshare -n), lo plus a veth pair holding an
# unused test address (198.18.0.0/15 is reserved for benchmarks), IPv6 off. Chromium gathers no
# ICE candidates when loopback is its only interface, and IPv6's link-local set-up would fire its
# network-change notifier mid-test.
netns_test_network() {
  sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link set lo up
  ip link add v0 type veth peer name v1
  ip addr add 198.18.0.1/24 dev v0
  ip link set v0 up
  ip link set v1 up
}
