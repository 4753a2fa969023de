#!/usr/bin/env bash
# Runs an eoqsim sweep as a Slurm job array (one shard per array task), then merges the shards.
#
#   scripts/cluster/slurm_sweep.sh SPEC OUT [-N SHARDS] [-c CPUS] [-p PARTITION] [--eoqsim PATH] [--no-wait]
#
#   -N SHARDS     array tasks (default 8); at most 1000 (Slurm's default MaxArraySize is 1001), so a
#                 large sweep gives each task many points: task i runs the points whose id % N == i
#   -c CPUS       CPUs per task, each running a point at a time (default 1)
#   -p PARTITION  Slurm partition (default: the cluster's default)
#   --eoqsim PATH the eoqsim binary, on a filesystem the compute nodes see (default build/eoqsim)
#   --no-wait     submit and print the job id; merge later with
#                 eoqsim sweep-merge OUT/shard_* --out OUT/merged
#
# Each task runs `eoqsim sweep SPEC --shard $SLURM_ARRAY_TASK_ID/N --jobs CPUS --resume --out
# OUT/shard_$SLURM_ARRAY_TASK_ID`, so a requeued or resubmitted task continues where it stopped.
# Without --no-wait the script polls squeue (no accounting database is needed), then merges into
# OUT/merged/results.csv; the exit status is non-zero when points are missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 2 ] || usage
spec=$(realpath "$1"); out=$(realpath -m "$2"); shift 2
shards=8; cpus=1; partition=(); eoqsim="$root/build/eoqsim"; wait_done=1
while [ $# -gt 0 ]; do
  case "$1" in
    -N) shards=$2; shift 2 ;;
    -c) cpus=$2; shift 2 ;;
    -p) partition=(--partition "$2"); shift 2 ;;
    --eoqsim) eoqsim=$(realpath "$2"); shift 2 ;;
    --no-wait) wait_done=0; shift ;;
    *) echo "slurm_sweep.sh: unknown option $1" >&2; usage ;;
  esac
done
command -v sbatch >/dev/null || { echo "slurm_sweep.sh: sbatch not found (a Slurm client is needed)" >&2; exit 2; }
[ -x "$eoqsim" ] || { echo "slurm_sweep.sh: $eoqsim is not executable (build eoqsim or give --eoqsim)" >&2; exit 2; }
if [ "$shards" -lt 1 ] || [ "$shards" -gt 1000 ]; then
  echo "slurm_sweep.sh: -N must be 1..1000 (Slurm's MaxArraySize); give each task more points instead" >&2; exit 2
fi
"$eoqsim" validate "$spec" >/dev/null
mkdir -p "$out/logs"
job=$(sbatch --parsable --job-name="eoqsim-sweep" --array="0-$((shards - 1))" --cpus-per-task="$cpus" \
  "${partition[@]}" -o "$out/logs/task_%a.log" \
  --wrap "exec \"$eoqsim\" sweep \"$spec\" --shard \$SLURM_ARRAY_TASK_ID/$shards --jobs $cpus --resume --out \"$out/shard_\$SLURM_ARRAY_TASK_ID\"")
job=${job%%;*}
echo "submitted array job $job ($shards tasks) writing to $out"
[ "$wait_done" -eq 1 ] || exit 0
# squeue polling: sbatch --wait's back-off adds tens of seconds, and sacct needs a database.
while [ -n "$(timeout 10 squeue -h -j "$job" 2>/dev/null || echo pending)" ]; do sleep 0.5; done
dirs=()
for i in $(seq 0 $((shards - 1))); do [ -f "$out/shard_$i/journal.jsonl" ] && dirs+=("$out/shard_$i"); done
[ ${#dirs[@]} -gt 0 ] || { echo "slurm_sweep.sh: no task produced results; see $out/logs" >&2; exit 1; }
"$eoqsim" sweep-merge "${dirs[@]}" --out "$out/merged" --complete
