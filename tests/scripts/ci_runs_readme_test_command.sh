#!/bin/sh
# README's second fenced sh command is the test command; .ci/run must contain it verbatim.
set -eu
root=$1
cmd=$(awk '/^```sh$/ { n++; getline; if (n == 2) { print; exit } }' "$root/README.md")
[ -n "$cmd" ] || { echo "README.md has no second sh command"; exit 1; }
grep -qxF "$cmd" "$root/.ci/run" || { echo ".ci/run does not run README's test command: $cmd"; exit 1; }
