#!/bin/sh
# A "concurrency" window in retrylab sim: four clients at once against one
# slot whose answers take 2 s. The slot is given back when an attempt ends
# (sim.c calls mock_model_release), so the tasks go through one after the
# other: 10 attempts, 6 refusals each told to wait until the holder ends
# (Retry-After 2), all succeed, and two runs give the same trace.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
S="$RL_ROOT/tests/data/mockhttp/concurrency.json"
for d in a b; do "$RL" sim "$S" --out "$tmp/$d" --quiet >"$out" 2>&1 || fail "sim $d exited $?"; done
cmp -s "$tmp/a/trace.jsonl" "$tmp/b/trace.jsonl" || fail "two runs, different traces"
t="$tmp/a/trace.jsonl"
[ "$(grep -c '"status":429' "$t")" -eq 6 ] || { cat "$t" >"$out"; fail "expected 6 refusals"; }
[ "$(grep -c '"status":200' "$t")" -eq 4 ] || { cat "$t" >"$out"; fail "expected 4 successes"; }
[ "$(grep '"event":"wait"' "$t" | grep -vc '"delay":2')" -eq 0 ] || { cat "$t" >"$out"; fail "a wait other than 2 s"; }
grep -q '"attempts":	10' "$tmp/a/summary.json" || { cat "$tmp/a/summary.json" >"$out"; fail "expected 10 attempts"; }
echo ok
