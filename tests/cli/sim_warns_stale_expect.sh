#!/bin/sh
# An expect.json left in a reused --out folder would judge the new run by an
# earlier run's claims (check and report prefer it): sim says so on stderr,
# and says nothing when the folder has none.
set -u
R="$RL_BIN/retrylab"; D="$RL_ROOT/tests/data/sim"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$R" sim "$D/scripted-429.json" --out "$tmp/r" --quiet 2>"$tmp/e1" || fail "first sim exited $?"
grep -q 'expect.json' "$tmp/e1" && fail "warned without an expect.json: $(cat "$tmp/e1")"
printf '{"kind":"expect","max_attempts":1}\n' >"$tmp/r/expect.json"
"$R" sim "$D/scripted-429.json" --out "$tmp/r" --quiet 2>"$tmp/e2" || fail "second sim exited $?"
grep -q "warning: $tmp/r/expect.json was there before this run" "$tmp/e2" || { cat "$tmp/e2"; fail "no warning about the old expect.json"; }
echo ok
