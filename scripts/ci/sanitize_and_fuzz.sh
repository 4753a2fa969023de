#!/usr/bin/env bash
# CI steps after the unit tests (installs what it needs itself):
#   1. the whole test suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#      (-DEOQSIM_SANITIZE=ON), tests labelled `slow` (PyTorch/ONNX exports) left out;
#   2. every libFuzzer target (clang 14) for FUZZ_SECONDS (default 60) each, starting from the
#      seed corpus in tests/fuzz/corpus/ and the built-in configs; any crash, leak, timeout or
#      sanitizer report fails the step and leaves the reproducer in build-fuzz/findings/.
# Usage: scripts/ci/sanitize_and_fuzz.sh [sanitize|fuzz|all]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
what=${1:-all}
seconds=${FUZZ_SECONDS:-60}
t0=$(date +%s.%N); ts() { awk -v a="$t0" -v b="$(date +%s.%N)" -v m="$*" 'BEGIN{printf "[%7.1fs] %s\n", b-a, m}'; }
install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  ts "installed ${missing[*]}"
}

if [ "$what" = sanitize ] || [ "$what" = all ]; then
  # -O1: the sanitizers need little optimization, and it halves the build time.
  cmake -S . -B build-asan -DEOQSIM_SANITIZE=ON -DEOQSIM_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" >/dev/null
  cmake --build build-asan -j2 >/dev/null
  ts "sanitizer build done"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -LE slow -j2 --output-on-failure
  ts "sanitizer test run done"
fi

if [ "$what" = fuzz ] || [ "$what" = all ]; then
  install clang-14 libclang-rt-14-dev
  CXX=clang++-14 cmake -S . -B build-fuzz -DEOQSIM_FUZZ=ON -DEOQSIM_TESTS=OFF -DEOQSIM_BENCH=OFF >/dev/null
  cmake --build build-fuzz --target fuzz_all -j2 >/dev/null
  ts "fuzz targets built"
  mkdir -p build-fuzz/findings
  for t in chip trace csv network onnx sweep; do
    seeds=("tests/fuzz/corpus/$t")
    case "$t" in
      chip) seeds+=(configs/chips) ;;
      sweep) seeds+=(configs/sweeps) ;;
    esac
    work="build-fuzz/corpus_$t"; mkdir -p "$work"
    if ! (cd build-fuzz/findings && "../fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -timeout=20 \
            -rss_limit_mb=4096 -print_final_stats=1 "$root/$work" "${seeds[@]/#/$root/}" \
            > "$t.log" 2>&1); then
      echo "FAIL: fuzz_$t found a problem:"; grep -E "ERROR|SUMMARY|what\(\)|runtime error" "build-fuzz/findings/$t.log" | head -20
      ls build-fuzz/findings
      exit 1
    fi
    ts "fuzz_$t: $(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "build-fuzz/findings/$t.log" | grep -Eo '[0-9]+$') runs, no crash"
  done
fi
