#!/bin/sh
# make bench: runs every bench section (bench/*.sh other than this file and
# bench/soak.sh and bench/soak_run.sh, which make soak runs) in name order. Each section prints
# its numbers and merges them into bench/results.json under its own key
# (see bench/merge_results.sh).
# Exit status: 0 when every section ran, else the number of failed sections.
cd "$(dirname "$0")/.." || exit 3
failed=0
for s in bench/*.sh; do
  case "$s" in bench/run.sh|bench/merge_results.sh|bench/soak.sh|bench/soak_run.sh) continue ;; esac
  echo "== $s"
  sh "$s" || { echo "bench: $s failed" >&2; failed=$((failed + 1)); }
done
exit "$failed"
