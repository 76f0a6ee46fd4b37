#!/usr/bin/env bash
# The libFuzzer targets, built apart from the main (g++) build with clang 14: each target's fuzz
# source and the few sources it needs are compiled directly, with ASan + UBSan, into build/fuzz/,
# then run one after another for SECONDS each (default 20) from its seed corpus
# (fuzz/corpus/<name>/; new inputs go to build/fuzz/<name>-corpus/, not into the repository).
# Any crash, leak, timeout or sanitizer report fails the script; the reproducing input is left in
# build/fuzz/<name>-artifacts/ (replay it: build/fuzz/<name> <file>).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift $(($# > 0 ? 1 : 0))

# The one list of targets: name, the fuzz source, then every source it compiles (repo-relative).
# Keep their dependencies to the standard library and absl status (stun_message also needs
# OpenSSL's libcrypto for HMAC-SHA1).
TARGETS=(
  "multipart fuzz/multipart_fuzz.cpp libs/net/src/multipart.cpp libs/core/src/text.cpp"
  "exif_date fuzz/exif_date_fuzz.cpp services/album/domain/exif_date.cpp"
  "colyseus_frame fuzz/colyseus_frame_fuzz.cpp services/event/adapter/colyseus/codec.cpp"
  "world_message fuzz/world_message_fuzz.cpp services/world/adapter/geckos/codec.cpp"
  "stun_message fuzz/stun_message_fuzz.cpp libs/webrtc/src/stun.cpp"
  "sdp_answer fuzz/sdp_answer_fuzz.cpp libs/webrtc/src/sdp.cpp"
  "dcep_message fuzz/dcep_message_fuzz.cpp libs/webrtc/src/dcep.cpp"
  "cursor_token fuzz/cursor_token_fuzz.cpp services/album/domain/cursor_token.cpp services/album/domain/capture_time.cpp services/album/domain/time_text.cpp libs/core/src/text.cpp"
)

cxx=${FUZZ_CXX:-clang++-14}
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found (scripts/setup installs clang-14)" >&2; exit 1; }
includes=(-I. -Ilibs/core/include -Ilibs/net/include -Ilibs/storage/include -Ilibs/webrtc/include)
read -r -a absl <<<"$(pkg-config --cflags --libs absl_status absl_statusor absl_strings absl_cord absl_str_format_internal libcrypto)"
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
out=build/fuzz
mkdir -p "$out"

failed=()
for entry in "${TARGETS[@]}"; do
  read -r -a words <<<"$entry"
  name=${words[0]}
  sources=("${words[@]:1}")
  if (($# > 0)) && [[ " $* " != *" $name "* ]]; then
    continue
  fi
  echo "fuzz: building $name"
  "$cxx" "${flags[@]}" "${includes[@]}" "${sources[@]}" "${absl[@]}" -o "$out/$name"
  corpus="$out/$name-corpus"
  artifacts="$out/$name-artifacts"
  mkdir -p "$corpus" "$artifacts"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
  echo "fuzz: running $name for ${seconds}s"
  if ! "$out/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}" \
      >"$out/$name.log" 2>&1; then
    tail -n 40 "$out/$name.log" >&2
    failed+=("$name")
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$out/$name.log" | sed "s/^/fuzz: $name /"
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $out/<name>-artifacts/)" >&2
  exit 1
fi
echo "fuzz: all targets ran ${seconds}s without a finding"
