#!/bin/sh
# The PyTorch reference (analysis/functional_reference.py) against eoqsim, bit for bit: the
# quantizers on random tensors and one EOQ training step's parameters.
set -eu
exec /usr/bin/python3 "$2/analysis/functional_reference.py" "$1" all --trials 12
