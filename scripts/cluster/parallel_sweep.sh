#!/usr/bin/env bash
# Runs an eoqsim sweep as shards under GNU parallel, locally or across hosts, then merges them.
#
#   scripts/cluster/parallel_sweep.sh SPEC OUT [-N SHARDS] [-j JOBS] [-S SSHLOGINS] [--eoqsim PATH]
#
#   -N SHARDS     shards (default: 4 x the job slots); shard i runs the points whose id % N == i
#   -j JOBS       shards run at once per host (default 2)
#   -S SSHLOGINS  GNU parallel's --sshlogin list (e.g. 2/node1,2/node2); the hosts must see OUT,
#                 SPEC and eoqsim at the same paths (a shared filesystem)
#   --eoqsim PATH the eoqsim binary (default: build/eoqsim next to this script's repository)
#
# Each shard runs `eoqsim sweep SPEC --shard i/N --resume --out OUT/shard_i`, so running the script
# again continues an interrupted sweep. The merged results are in OUT/merged/results.csv; the exit
# status is non-zero when a shard failed or points are missing. GNU parallel's job log is
# OUT/parallel.joblog.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 2 ] || usage
spec=$(realpath "$1"); out=$(realpath -m "$2"); shift 2
shards=""; jobs=2; sshlogin=""; eoqsim="$root/build/eoqsim"
while [ $# -gt 0 ]; do
  case "$1" in
    -N) shards=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    -S) sshlogin=$2; shift 2 ;;
    --eoqsim) eoqsim=$(realpath "$2"); shift 2 ;;
    *) echo "parallel_sweep.sh: unknown option $1" >&2; usage ;;
  esac
done
command -v parallel >/dev/null || { echo "parallel_sweep.sh: GNU parallel is not installed (apt-get install parallel)" >&2; exit 2; }
[ -x "$eoqsim" ] || { echo "parallel_sweep.sh: $eoqsim is not executable (build eoqsim or give --eoqsim)" >&2; exit 2; }
[ -n "$shards" ] || shards=$((4 * jobs))
"$eoqsim" validate "$spec" >/dev/null
mkdir -p "$out"
export PARALLEL_HOME=${PARALLEL_HOME:-$out/.parallel}   # parallel caches host probes here, not in ~
remote=()
[ -n "$sshlogin" ] && remote=(-S "$sshlogin")
status=0
seq 0 $((shards - 1)) | parallel -j "$jobs" "${remote[@]}" --joblog "$out/parallel.joblog" --halt never \
  "$eoqsim" sweep "$spec" --shard "{}/$shards" --resume --out "$out/shard_{}" '>' "$out/shard_{}.log" '2>&1' \
  || status=$?
[ "$status" -eq 0 ] || echo "parallel_sweep.sh: $status shard(s) failed; see $out/parallel.joblog and $out/shard_*.log" >&2
dirs=()
for i in $(seq 0 $((shards - 1))); do [ -f "$out/shard_$i/journal.jsonl" ] && dirs+=("$out/shard_$i"); done
[ ${#dirs[@]} -gt 0 ] || { echo "parallel_sweep.sh: no shard produced results" >&2; exit 1; }
"$eoqsim" sweep-merge "${dirs[@]}" --out "$out/merged" --complete || status=1
exit "$status"
