#!/usr/bin/env bash
# Regenerates the golden figures from the current build. Run from the project root after
# `cmake --build build`; review the diff before committing it.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=./build/eoqsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
golden() {
  local name=$1; shift
  "$bin" run "$@" --out "$tmp/$name" > /dev/null
  /usr/bin/python3 - "$tmp/$name/report.json" "tests/golden/expected/$name.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
keep = {k: r[k] for k in ("network", "scheme", "batch", "mode", "chip", "totals", "phases", "events",
                          "energy_breakdown_pj", "memory")}
json.dump(keep, open(sys.argv[2], "w"), indent=2)
open(sys.argv[2], "a").write("\n")
PY
  echo "updated tests/golden/expected/$name.json"
}
golden resnet20_b4_eoq --chip edge_eoq --scheme eoq --network resnet20 --batch 4
golden resnet20_b4_fp32_bn --chip edge_bn_fp32 --scheme fp32_bn --network resnet20 --batch 4
golden resnet18_b2_fp32_bn_infer --chip edge_bn_fp32 --scheme fp32_bn --network resnet18 --batch 2 --mode infer
