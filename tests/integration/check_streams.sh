#!/bin/sh
# check_streams.sh: on a hand-written trace whose answers stream
# (tests/data/runs/streams: tasks with complete, cut and stalled streams, the
# cut one sent again after 12 tokens), check bounds the time to first token
# by percentile ("ttft", "ttft_p99_max_s") and counts re-sends after tokens
# ("max_resends_after_tokens"); the report draws the TTFT CDF and the share
# of streams by outcome.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
D=tests/data/runs/streams
"$RL" check $D --expect $D/expect-holds.json >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "check (holds): exit $rc, want 0"
"$RL" check $D --expect $D/expect-fails.json >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "check (fails): exit $rc, want 1"
grep -qF "ttft p99 2.5 s > 2.0 s (4 streamed responses)" "$out" || fail "no ttft line"
grep -qF "1 re-send after tokens > 0: task 1 sent attempt 2 after attempt 1 received 12 tokens and ended cut" \
  "$out" || fail "no re-send line"
grep -qF "2 of 2 expectations failed" "$out" || fail "not two failed expectations"
# A run without streams cannot meet a ttft bound.
printf '{"kind":"expect","ttft_p99_max_s":10}\n' >"$tmp/e.json"
"$RL" check tests/data/runs/ladder-003 --expect "$tmp/e.json" >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "ttft p99: no streamed response received a first token" "$out" ||
  fail "ttft on a run without streams: exit $rc"
printf '{"kind":"expect","ttft":{"p":0,"max_s":1}}\n' >"$tmp/bad.json"
"$RL" check $D --expect "$tmp/bad.json" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "bad.json:1:[0-9]*: ttft.p: must be a percentile above 0" "$out" ||
  fail "ttft p 0: exit $rc"

"$RL" report $D --out "$tmp/rep" --format svg >"$out" 2>&1 || fail "report: exit $?"
[ -s "$tmp/rep/ttft.svg" ] && [ -s "$tmp/rep/streams.svg" ] || fail "no ttft or streams picture"
grep -q '^0.400000 0.200000$' "$tmp/rep/ttft_1.dat" || fail "ttft_1.dat: the first ttft is not 20% of 5 streams"
awk '/^# outcome cut/ { on = 1; next } on && NF == 4 { print; exit }' "$tmp/rep/streams.dat" |
  grep -q '^0 70.0000 10.0000 1$' || fail "streams.dat: the cut stream is not 60..80%"
grep -q 'src="ttft.png"\|src="ttft.svg"' "$tmp/rep/index.html" || fail "the page lacks the ttft picture"
# A run without streams gets neither picture.
"$RL" report tests/data/runs/ladder-003 --out "$tmp/rep2" --format svg >"$out" 2>&1 || fail "report 2"
[ -f "$tmp/rep2/ttft.gp" ] && fail "a ttft picture for a run without streams"
echo "check_streams: ok"
