#!/bin/sh
# The sim's progress line goes to stderr only when stderr is a terminal (here
# a pseudo-terminal from script(1)), never with --quiet, never into a pipe.
set -u
R="$RL_BIN/retrylab"; S="$RL_ROOT/tests/data/sim/many-jitter.json"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
command -v script >/dev/null 2>&1 || fail "script(1) (util-linux) is needed for this test"
script -qec "'$R' sim '$S' --out '$tmp/a'" /dev/null >"$tmp/tty.txt" 2>&1 || fail "sim on a tty exited $?"
grep -q 'sim: 200/200 tasks done' "$tmp/tty.txt" || { cat "$tmp/tty.txt"; fail "no progress line on a tty"; }
script -qec "'$R' sim '$S' --quiet --out '$tmp/b'" /dev/null >"$tmp/quiet.txt" 2>&1 || fail "--quiet exited $?"
if grep -q 'tasks done' "$tmp/quiet.txt"; then fail "--quiet still draws progress"; fi
"$R" sim "$S" --out "$tmp/c" >"$tmp/o" 2>"$tmp/e" || fail "piped run exited $?"
[ ! -s "$tmp/e" ] || { cat "$tmp/e"; fail "stderr not silent when not a terminal"; }
grep -q '^sim: 200 tasks, ' "$tmp/o" || fail "final line missing"
echo ok
