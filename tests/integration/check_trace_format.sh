#!/bin/sh
# check_trace_format.sh: the trace's start event must say
# "format": "retrylab-trace/1" (what sim and run write); another major
# version or no format is bad input for check and report (exit 2,
# "trace.jsonl:1: format X is not one this retrylab reads").
set -u
. "$RL_ROOT/tests/lib/output_test.sh"

"$RL" sim tests/data/runs/scenarios/ladder-003.json --out "$tmp/run" --quiet >"$out" 2>&1 ||
  fail "sim failed"
head -1 "$tmp/run/trace.jsonl" | grep -q '"format":"retrylab-trace/1"' || fail "sim writes another format"
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -le 1 ] || fail "check of a fresh sim run: exit $rc (bad input)"

sed '1s|retrylab-trace/1|retrylab-trace/2|' "$tmp/run/trace.jsonl" > "$tmp/t" && mv "$tmp/t" "$tmp/run/trace.jsonl"
for cmd in check report; do
  if [ $cmd = check ]; then "$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
  else "$RL" report "$tmp/run" --out "$tmp/rep" >"$out" 2>&1; rc=$?; fi
  [ $rc -eq 2 ] || fail "$cmd, format 2: exit $rc, want 2"
  grep -q 'trace.jsonl:1: format "retrylab-trace/2" is not one this retrylab reads' "$out" ||
    fail "$cmd, format 2: no message"
done
sed '1s|"format":"retrylab-trace/2",||' "$tmp/run/trace.jsonl" > "$tmp/t" && mv "$tmp/t" "$tmp/run/trace.jsonl"
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q 'trace.jsonl:1: format (none) is not one' "$out" || fail "no format: exit $rc"
echo "check_trace_format: ok"
