#!/bin/bash
# Kills a running sweep's whole process group with SIGKILL mid-run, resumes it, and checks that
# results.csv has exactly the rows of an uninterrupted run (wall-clock column aside) and that the
# journal holds every point once.
set -euo pipefail
eoqsim=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cat > "$d/spec.json" <<'JSON'
{"schema": "eoqsim.sweep/1", "name": "kill",
 "base": {"chip": "edge_eoq", "scheme": "eoq", "network": "resnet50", "batch": 2},
 "grid": {"pe_array.rows": [8, 16, 24, 32], "buffers.glb.capacity": ["128 KiB", "256 KiB", "512 KiB", "1 MiB"],
          "pe_array.dataflow": ["ws", "os"]}}
JSON
total=32
"$eoqsim" sweep "$d/spec.json" --jobs 2 --out "$d/ref" >/dev/null
setsid "$eoqsim" sweep "$d/spec.json" --jobs 2 --out "$d/run" >/dev/null 2>&1 &
leader=$!
# Wait for a few points to land in the journal, then kill the process group (parent and children).
for _ in $(seq 1 1000); do
  n=$(($( { wc -l < "$d/run/journal.jsonl"; } 2>/dev/null || echo 1) - 1))
  [ "$n" -ge 4 ] && break
  sleep 0.01
done
kill -9 -- "-$leader" 2>/dev/null || true
wait "$leader" 2>/dev/null || true
done_before=$(($(wc -l < "$d/run/journal.jsonl") - 1))
if [ "$done_before" -ge "$total" ]; then
  echo "FAIL: the sweep finished before it could be killed ($done_before points); make the points heavier"; exit 1
fi
echo "killed after $done_before of $total points"
"$eoqsim" sweep "$d/spec.json" --jobs 2 --resume --out "$d/run" >/dev/null
strip() { sed 's/,[^,]*$//' "$1"; }
if ! cmp -s <(strip "$d/ref/results.csv") <(strip "$d/run/results.csv"); then
  echo "FAIL: resumed results differ"; diff <(strip "$d/ref/results.csv") <(strip "$d/run/results.csv") | head; exit 1
fi
records=$(($(wc -l < "$d/run/journal.jsonl") - 1))
unique=$(tail -n +2 "$d/run/journal.jsonl" | sed 's/^{"point":\([0-9]*\),.*/\1/' | sort -u | wc -l)
[ "$records" = "$total" ] && [ "$unique" = "$total" ] || { echo "FAIL: journal has $records records, $unique distinct"; exit 1; }
echo "ok: resumed sweep equals the uninterrupted one ($total points, each once)"
