# Sourced by scripts/run.sh, scripts/test.sh and scripts/web_test.sh: free loopback ports, and starts
# the user service, the album service, the gateway, the event server and the world server in the
# background, in that order, each once the one before listens. Their settings come from the
# environment (README.md lists them; USER_GRPC_ADDR, ALBUM_GRPC_ADDR and GATEWAY_HTTP_PORT must be
# set; EVENT_HTTP_PORT is 2567 and WORLD_PORT 4100 unless set). The gateway tells the web client
# where the event and world servers are (GATEWAY_EVENT_PUBLIC_URL, GATEWAY_WORLD_PUBLIC_URL): on
# loopback at those ports unless set. Their process ids are appended to the array `service_pids`.

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
