#!/bin/sh
# Exports torchvision's resnet18, resnet50 and mobilenet_v2 with workloads/export_torch.py, and
# resnet18 through torch.onnx.export, then runs each on the FP32 chip: the exported and imported
# networks must give the same layers.csv as the built-ins (same layers, names, MACs and figures).
# Also converts an exported network to Fixup form for EOQ and checks the report says so.
set -eu
eoqsim=$1
root=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
same() {  # network-a network-b scheme chip label
  "$eoqsim" run --chip "$4" --scheme "$3" --network "$1" --batch 2 --out "$d/a" >/dev/null
  "$eoqsim" run --chip "$4" --scheme "$3" --network "$2" --batch 2 --out "$d/b" >/dev/null
  if ! cmp -s "$d/a/layers.csv" "$d/b/layers.csv"; then
    echo "FAIL: $5: layers.csv differs"; diff "$d/a/layers.csv" "$d/b/layers.csv" | head -20; exit 1
  fi
  echo "ok: $5"
}
for m in resnet18 resnet50 mobilenet_v2; do
  /usr/bin/python3 "$root/workloads/export_torch.py" --model "$m" -o "$d/$m.json" >/dev/null
  same "$d/$m.json" "$m" fp32_bn edge_bn_fp32 "export_torch.py $m"
done
# EOQ on the exported ResNet-18: converted to Fixup form, the same figures as the built-in Fixup
# form (layer names differ: the conversion names the scalars after their convs).
"$eoqsim" run --chip edge_eoq --scheme eoq --network "$d/resnet18.json" --batch 2 --out "$d/c" >/dev/null
"$eoqsim" run --chip edge_eoq --scheme eoq --network resnet18 --batch 2 --out "$d/e" >/dev/null
cut -d, -f2- "$d/c/layers.csv" > "$d/c.csv"
cut -d, -f2- "$d/e/layers.csv" > "$d/e.csv"
cmp -s "$d/c.csv" "$d/e.csv" || { echo "FAIL: Fixup conversion differs from the built-in Fixup form"; exit 1; }
grep -q "converted to Fixup form" "$d/c/report.json" || { echo "FAIL: report does not state the conversion"; exit 1; }
echo "ok: exported resnet18 converted to Fixup form for eoq"
# ONNX from torch.onnx.export, BatchNorm kept (training-mode export).
/usr/bin/python3 - "$d/resnet18.onnx" <<'PY'
import sys, warnings
warnings.filterwarnings("ignore")
import torch, torchvision
m = torchvision.models.resnet18(weights=None)
torch.onnx.export(m, torch.zeros(1, 3, 224, 224), sys.argv[1], opset_version=13,
                  training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
PY
same "$d/resnet18.onnx" resnet18 fp32_bn edge_bn_fp32 "torch.onnx.export resnet18"
# A model the exporter cannot take is a clear error with exit code 2.
set +e
/usr/bin/python3 "$root/workloads/export_torch.py" --model no_such_model -o "$d/x.json" 2>"$d/err"
code=$?
set -e
[ "$code" = 2 ] && grep -q "not a torchvision model name" "$d/err" || { echo "FAIL: bad --model exit $code"; cat "$d/err"; exit 1; }
echo "ok: bad --model exits 2"
