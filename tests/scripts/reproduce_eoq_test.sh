#!/bin/sh
# Runs analysis/reproduce_eoq.py --quick against this build: four valid PNGs and a summary with
# every section's table come out.
set -eu
eoqsim=$1
root=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
/usr/bin/python3 "$root/analysis/reproduce_eoq.py" --quick --out "$d" --eoqsim "$eoqsim" 2>"$d/progress"
for f in normalization norm_layers training batch_sweep; do
  magic=$(head -c 8 "$d/$f.png" | od -An -tx1 | tr -d ' \n')
  [ "$magic" = "89504e470d0a1a0a" ] || { echo "FAIL: $f.png is not a PNG ($magic)"; exit 1; }
done
for section in "## 1. Normalization step" "## 2. One training step" "## 3. Batch size" "| resnet18 | unfolded |" \
               "| eoq:edge_eoq |" "| wageubn | 16 |"; do
  grep -qF "$section" "$d/summary.md" || { echo "FAIL: summary.md lacks \"$section\""; exit 1; }
done
grep -q "batch-size sweep" "$d/progress" || { echo "FAIL: no progress on stderr"; exit 1; }
# A wrong binary is a clear error, exit 2.
set +e
/usr/bin/python3 "$root/analysis/reproduce_eoq.py" --quick --out "$d/x" --eoqsim /nonexistent 2>"$d/err"
code=$?
set -e
[ "$code" = 2 ] && grep -q "not an executable eoqsim" "$d/err" || { echo "FAIL: bad --eoqsim exit $code"; exit 1; }
echo "ok"
