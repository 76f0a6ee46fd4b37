#!/usr/bin/env bash
# Makes the secrets deploy/compose.yaml mounts (compose `secrets:`), once: random values in
# deploy/secrets/, a folder only you can enter. Existing files are kept, so re-running is safe and
# a running system keeps its keys. Each file is readable inside its container (mode 0644: the
# services run as uid 10001, the databases as their own users); the folder keeps other users of
# this host out.
# Usage: deploy/secrets.sh
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$dir"
chmod 700 "$dir"

random() { head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-32; }
make() {  # make NAME VALUE: writes deploy/secrets/NAME unless it exists
  local f="$dir/$1"
  [ -s "$f" ] && return 0
  (umask 022; printf '%s\n' "$2" >"$f")
  echo "secrets: made $f"
}

make service-secret "$(random)"
make access-token-secret "$(random)"
make refresh-token-secret "$(random)"
make admin-password "$(random)"
make pg-password "$(random)"
make pg-url "postgresql://hatongsu:$(cat "$dir/pg-password")@postgres:5432/hatongsu"
make rabbitmq-password "$(random)"
make amqp-url "amqp://hatongsu:$(cat "$dir/rabbitmq-password")@rabbitmq:5672/"
make rabbitmq.conf "default_user = hatongsu
default_pass = $(cat "$dir/rabbitmq-password")"
make s3-access-key "hatongsu-$(random | cut -c1-12)"
make s3-secret-key "$(random)"
