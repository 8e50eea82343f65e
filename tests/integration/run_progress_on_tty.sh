#!/bin/sh
# retrylab run's progress line (tasks done/total, success so far, scenario
# time) goes to stderr only when stderr is a terminal (a pseudo-terminal from
# script(1)), never with --quiet, never into a pipe.
set -u
. "$RL_ROOT/tests/lib/mockserver.sh"
R="$RL_BIN/retrylab"; S="$RL_ROOT/tests/data/run/stochastic.json"
command -v script >/dev/null 2>&1 || fail "script(1) (util-linux) is needed for this test"
mock_test "$S" --time-scale 400
url=$mock_url
run="run '$S' --target '$url' --time-scale 400"
script -qec "timeout 60 '$R' $run --out '$tmp/a'" /dev/null >"$tmp/tty.txt" 2>&1 || fail "run on a tty exited $?"
grep -q 'run: 200/200 tasks done' "$tmp/tty.txt" || { cat "$tmp/tty.txt"; fail "no progress line on a tty"; }
script -qec "timeout 60 '$R' $run --quiet --out '$tmp/b'" /dev/null >"$tmp/quiet.txt" 2>&1 || fail "--quiet exited $?"
if grep -q 'tasks done' "$tmp/quiet.txt"; then fail "--quiet still draws progress"; fi
timeout 60 "$R" run "$S" --target "$url" --time-scale 400 --out "$tmp/c" >"$tmp/o" 2>"$tmp/e" || fail "piped run exited $?"
[ ! -s "$tmp/e" ] || { cat "$tmp/e"; fail "stderr not silent when not a terminal"; }
grep -q '^run (mock): 200 tasks, ' "$tmp/o" || fail "final line missing"
echo ok
