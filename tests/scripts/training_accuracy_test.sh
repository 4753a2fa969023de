#!/bin/sh
# Functional training on the digits (README's command, same settings): eoq on the int8 chip must
# reach 90% test accuracy and fp32_bn 95%; the figure must come out.
set -eu
eoqsim=$1
root=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
/usr/bin/python3 "$root/analysis/plot_training.py" --eoqsim "$eoqsim" --out "$d" --steps 1500 \
  --require eoq=0.90 --require fp32_bn=0.95 --require wageubn=0.90
magic=$(head -c 4 "$d/training.png" | od -An -tx1 | tr -d ' \n')
[ "$magic" = "89504e47" ] || { echo "training.png is not a PNG ($magic)"; exit 1; }
# One row per step, accuracy a fraction where measured.
awk -F, 'NR > 1 && $3 != "" && ($3 < 0 || $3 > 1) { print "accuracy out of [0,1]: " $0; bad = 1 } END { exit bad }' \
  "$d"/eoq_edge_eoq/training.csv
[ "$(wc -l < "$d"/eoq_edge_eoq/training.csv)" -eq 1501 ] || { echo "training.csv should have 1500 rows"; exit 1; }
