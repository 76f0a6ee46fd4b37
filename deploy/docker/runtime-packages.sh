#!/usr/bin/env bash
# Prints the Debian packages that own the shared libraries a binary loads, one per line: what its
# runtime image must install (apt then adds their own dependencies). Run in the build stage, where
# the -dev packages pulled those libraries in.
# Usage: runtime-packages.sh BINARY...
set -euo pipefail
for bin in "$@"; do
  ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r lib; do
  # Debian 12 merged /lib into /usr/lib, but dpkg knows each file by the path its package ships.
  for path in "$lib" "$(realpath "$lib")" "${lib#/usr}" "/usr$lib"; do
    if owner=$(dpkg-query -S "$path" 2>/dev/null); then
      echo "${owner%%:*}"
      continue 2
    fi
  done
  echo "runtime-packages: no package owns $lib" >&2
  exit 1
done | sort -u
