#!/bin/sh
# bench/run.sh (make bench): runs every bench/*.sh but this one; each prints
# its table row and writes bench/out/NAME.json. The rows are printed as a
# table and the fragments joined into bench/results.json as {"NAME": {...}}.
set -u
mkdir -p bench/out
rm -f bench/out/*.json
failed=0
echo "benchmark                                 result"
for b in bench/*.sh; do
  [ "$(basename "$b")" = run.sh ] && continue
  sh "$b" || { echo "$(basename "$b" .sh): FAILED"; failed=1; }
done
{
  printf '{'
  sep=''
  for f in bench/out/*.json; do
    [ -f "$f" ] || continue
    printf '%s\n  "%s": %s' "$sep" "$(basename "$f" .json)" "$(cat "$f")"
    sep=','
  done
  printf '\n}\n'
} >bench/results.json
echo "results: bench/results.json"
exit $failed
