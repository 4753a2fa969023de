#!/bin/sh
# Runs a small compare and draws it; passes if a PNG comes out.
set -eu
eoqsim=$1
root=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$eoqsim" compare --network resnet20 --batch 2 --pair fp32_bn:edge_bn_fp32 --pair eoq:edge_eoq --out "$d" >/dev/null
/usr/bin/python3 "$root/analysis/plot_compare.py" "$d"
magic=$(head -c 4 "$d/compare.png" | od -An -tx1 | tr -d ' \n')
[ "$magic" = "89504e47" ] || { echo "compare.png is not a PNG ($magic)"; exit 1; }
