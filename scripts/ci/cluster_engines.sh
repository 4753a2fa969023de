#!/usr/bin/env bash
# CI step after the unit tests: runs a real sweep on two existing job engines and checks that the
# merged results equal an unsharded run (wall-clock column aside).
#   1. GNU parallel, locally (scripts/cluster/parallel_sweep.sh);
#   2. a single-node Slurm (slurmctld + slurmd + munge from Debian) started as root under a
#      private config in a temporary directory, stopped by PID (scripts/cluster/slurm_sweep.sh).
# The recipe and its pitfalls: reference/cluster.md. Installs its packages itself.
# Usage: scripts/ci/cluster_engines.sh [build/eoqsim]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
eoqsim=$(realpath "${1:-$root/build/eoqsim}")
spec="$root/configs/sweeps/quick.json"
t0=$(date +%s.%N); ts() { awk -v a="$t0" -v b="$(date +%s.%N)" -v m="$*" 'BEGIN{printf "[%6.2fs] %s\n", b-a, m}'; }

pkgs=(parallel slurmctld slurmd slurm-client munge)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  ts "installed ${missing[*]}"
fi

D=$(mktemp -d)
strip() { sed 's/,[^,]*$//' "$1"; }
"$eoqsim" sweep "$spec" --jobs 2 --out "$D/ref" >/dev/null
ts "reference sweep: $(($(wc -l < "$D/ref/results.csv") - 1)) points"

# --- 1. GNU parallel -------------------------------------------------------------------------
"$root/scripts/cluster/parallel_sweep.sh" "$spec" "$D/parallel" -N 3 -j 2 --eoqsim "$eoqsim"
cmp -s <(strip "$D/ref/results.csv") <(strip "$D/parallel/merged/results.csv") \
  || { echo "FAIL: GNU parallel sweep differs from the unsharded one"; exit 1; }
ts "GNU parallel: 3 shards merged, equal to the unsharded sweep"

# --- 2. Single-node Slurm --------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then echo "cluster_engines.sh: the Slurm step runs its daemons as root" >&2; exit 1; fi
S="$D/slurm"; mkdir -p "$S"/{state,spool,munge}
# munged wants every directory above its socket world-executable (mktemp -d makes 0700).
chmod 755 "$D" "$S"
HOST=$(hostname -s)
CTLD_PORT=${CTLD_PORT:-6817}; SLURMD_PORT=${SLURMD_PORT:-6818}
stop_pid() { local p=$1 st; [ -n "$p" ] || return 0; kill "$p" 2>/dev/null || return 0
  for _ in $(seq 1 50); do st=$(awk '{print $3}' /proc/$p/stat 2>/dev/null || true)
    { [ -z "$st" ] || [ "$st" = Z ]; } && return 0; sleep 0.2; done
  kill -9 "$p" 2>/dev/null || true; }
cleanup() {
  for f in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/munged.pid"; do [ -s "$f" ] && stop_pid "$(cat "$f")"; done
  rm -rf "$D"
}
trap cleanup EXIT
# munge: private key and socket (the socket's directory must be world-executable, the key 0400).
head -c 1024 /dev/urandom > "$S/munge/munge.key"
chmod 755 "$S/munge"; chmod 400 "$S/munge/munge.key"
munged --socket="$S/munge/munge.socket.2" --key-file="$S/munge/munge.key" --pid-file="$S/munge/munged.pid" \
       --log-file="$S/munge/munged.log" --seed-file="$S/munge/munged.seed"
cat > "$S/slurm.conf" <<CONF
ClusterName=eoqsimci
SlurmctldHost=${HOST}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/munge.socket.2
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$S/jobcomp.txt
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
NodeName=${HOST} NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=ci Nodes=${HOST} Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$S/slurm.conf"
slurmctld -i -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
up=0
for _ in $(seq 1 60); do
  timeout 5 sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && { up=1; break; }
  sleep 0.5
done
[ "$up" = 1 ] || { echo "FAIL: Slurm did not come up"; tail -5 "$S/slurmctld.log" "$S/slurmd.log"; exit 1; }
ts "Slurm up: slurmctld $(cat "$S/slurmctld.pid"), slurmd $(cat "$S/slurmd.pid")"
"$root/scripts/cluster/slurm_sweep.sh" "$spec" "$D/slurm_out" -N 4 --eoqsim "$eoqsim"
failed=$(grep -c 'JobState=' "$S/jobcomp.txt" || true)
notok=$(grep 'JobState=' "$S/jobcomp.txt" | grep -vc 'JobState=COMPLETED' || true)
[ "$notok" -eq 0 ] || { echo "FAIL: $notok of $failed Slurm tasks did not complete"; cat "$S/jobcomp.txt"; exit 1; }
cmp -s <(strip "$D/ref/results.csv") <(strip "$D/slurm_out/merged/results.csv") \
  || { echo "FAIL: Slurm sweep differs from the unsharded one"; exit 1; }
ts "Slurm: 4 array tasks completed, merged, equal to the unsharded sweep"
