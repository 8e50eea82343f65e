#!/bin/sh
# A sim run stopped by SIGTERM exits 143 and leaves a trace whose every line
# is whole JSON and a summary marked partial. RL_SIM_RAISE_AFTER makes the run
# signal itself after N events, through the real handler, deterministically.
set -u
R="$RL_BIN/retrylab"; S="$RL_ROOT/tests/data/sim/many-jitter.json"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
RL_SIM_RAISE_AFTER=150 "$R" sim "$S" --out "$tmp/run" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 143 ] || { cat "$tmp/e"; fail "exit $rc, want 143"; }
grep -q '"partial":	true' "$tmp/run/summary.json" || fail "summary not partial"
lines=$(wc -l <"$tmp/run/trace.jsonl")
[ "$lines" -gt 1 ] || fail "trace too short ($lines lines)"
[ "$(tail -c 1 "$tmp/run/trace.jsonl" | od -An -c | tr -d ' ')" = '\n' ] || fail "last line cut"
bad=$(grep -c -v '^{"t":[0-9.]*,"event":"[a-z]*".*}$' "$tmp/run/trace.jsonl")
[ "$bad" -eq 0 ] || fail "$bad malformed lines"
dones=$(grep -c '"event":"done"' "$tmp/run/trace.jsonl")
[ "$dones" -lt 200 ] || fail "run was not interrupted ($dones done)"
grep -q 'interrupted' "$tmp/o" || fail "final line does not say interrupted"
echo ok
