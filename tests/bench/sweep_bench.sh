#!/bin/bash
# Sweep throughput: a 1,000-point ResNet-18 training-step sweep (EOQ at batch 32; 10 array
# heights x 10 widths x 10 buffer sizes) on --jobs N (default 2). Prints figures; not a test.
# Usage: tests/bench/sweep_bench.sh [build/eoqsim] [jobs]
set -euo pipefail
eoqsim=${1:-build/eoqsim}
jobs=${2:-2}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cat > "$d/spec.json" <<'JSON'
{"schema": "eoqsim.sweep/1", "name": "bench1000",
 "base": {"chip": "edge_eoq", "scheme": "eoq", "network": "resnet18", "batch": 32},
 "grid": {"pe_array.rows": [8, 12, 16, 20, 24, 28, 32, 36, 40, 44],
          "pe_array.cols": [8, 12, 16, 20, 24, 28, 32, 36, 40, 44],
          "buffers.glb.capacity": ["128 KiB", "192 KiB", "256 KiB", "320 KiB", "384 KiB",
                                   "448 KiB", "512 KiB", "768 KiB", "1 MiB", "2 MiB"]}}
JSON
start=$(date +%s.%N)
"$eoqsim" sweep "$d/spec.json" --jobs "$jobs" --out "$d/out" >/dev/null
end=$(date +%s.%N)
ok=$(grep -c ',ok,' "$d/out/results.csv" || true)
awk -v s="$start" -v e="$end" -v n=1000 -v ok="$ok" -v j="$jobs" \
  'BEGIN { t = e - s; printf "1000-point ResNet-18 training-step sweep, %d jobs: %.1f s, %.1f points/s (%d ok)\n", j, t, n / t, ok }'
