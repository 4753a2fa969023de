#!/bin/sh
# The quick sweep runs, and analysis/plot_sweep.py draws its Pareto fronts and sensitivities.
set -eu
eoqsim=$1
root=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$eoqsim" sweep "$root/configs/sweeps/quick.json" --jobs 2 --out "$d" >/dev/null
[ "$(grep -c ',ok,' "$d/results.csv")" = 10 ] || { echo "FAIL: expected 10 ok points"; cat "$d/results.csv"; exit 1; }
[ "$(grep -c ',skipped,' "$d/results.csv")" = 2 ] || { echo "FAIL: expected 2 points skipped by area"; exit 1; }
/usr/bin/python3 "$root/analysis/plot_sweep.py" "$d" >/dev/null
for f in pareto sensitivity; do
  magic=$(head -c 4 "$d/$f.png" | od -An -tx1 | tr -d ' \n')
  [ "$magic" = "89504e47" ] || { echo "FAIL: $f.png is not a PNG"; exit 1; }
done
echo ok
