#!/bin/bash
# Runs every case of tests/bad_inputs/: each directory holds `args` (eoqsim's arguments, one per
# line; {dir} is the case's directory, {out} a fresh output directory) and `expected` (text the
# error message must contain), beside the input files. Each case must exit with status 2 and
# print "eoqsim: error: ..." containing the expected text — never crash, hang or exit 0/1.
set -uo pipefail
eoqsim=$1
cases=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
for d in "$cases"/*/; do
  d=${d%/}; name=$(basename "$d")
  out="$work/$name"
  args=()
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line//\{dir\}/$d}; line=${line//\{out\}/$out}
    args+=("$line")
  done < "$d/args"
  expected=$(head -n 1 "$d/expected")
  timeout 60 "$eoqsim" "${args[@]}" >"$work/$name.out" 2>"$work/$name.err"
  code=$?
  if [ "$code" -ne 2 ]; then
    echo "FAIL $name: exit $code (want 2)"; sed 's/^/    /' "$work/$name.err" | head -3; fail=$((fail + 1)); continue
  fi
  if ! head -c 14 "$work/$name.err" | grep -qF "eoqsim: error:"; then
    echo "FAIL $name: stderr does not start with 'eoqsim: error:'"; fail=$((fail + 1)); continue
  fi
  if ! grep -qF -- "$expected" "$work/$name.err"; then
    echo "FAIL $name: message lacks \"$expected\""; sed 's/^/    /' "$work/$name.err" | head -3; fail=$((fail + 1)); continue
  fi
  pass=$((pass + 1))
done
echo "$pass passed, $fail failed"
[ "$pass" -ge 50 ] || { echo "FAIL: the corpus must hold at least 50 cases"; exit 1; }
[ "$fail" -eq 0 ]
