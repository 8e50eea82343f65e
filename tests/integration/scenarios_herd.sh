#!/bin/sh
# scenarios_herd.sh: the thundering herd of 1,000 clients (classic-herd-1000)
# needs fewer total calls with full and with decorrelated jitter than with
# none (the AWS jitter finding), every task succeeds either way, and the
# demo's table prints those numbers.
set -u
RL="$RL_BIN/retrylab"; S=scenarios; P=scenarios/policies
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"; FAIL_LOG=$dir/log
calls() { sed -n 's/^[[:space:]]*"attempts":[[:space:]]*\([0-9]*\).*/\1/p' "$dir/$1/summary.json" | head -n 1; }

: >"$dir/rows"
for j in none full equal decorrelated; do
  "$RL" sim $S/classic-herd-1000.json --policy $P/classic-herd-$j.json --out "$dir/$j" --quiet \
    >"$dir/log" 2>&1 || fail "sim with $j jitter exited $?"
  "$RL" check "$dir/$j" >"$dir/log" 2>&1 || fail "check (every task succeeds) with $j jitter"
  printf 'classic-herd-1000\tclassic-herd-%s\tsim\t1\t-\t%s\t1.0\tok\n' "$j" "$(calls $j)" >>"$dir/rows"
done
none=$(calls none); full=$(calls full); dec=$(calls decorrelated)
[ -n "$none" ] && [ -n "$full" ] && [ -n "$dec" ] || fail "attempts missing from summary.json"
[ "$full" -lt "$none" ] || fail "full jitter: $full calls, not fewer than no jitter's $none"
[ "$dec" -lt "$none" ] || fail "decorrelated jitter: $dec calls, not fewer than no jitter's $none"

sh $S/demo-table.sh "$dir" >"$dir/table" 2>&1 || fail "demo-table.sh exited $?"
grep -q "none  *$none calls" "$dir/table" || { cat "$dir/table"; fail "table lacks no jitter's $none calls"; }
grep -q "full  *$full calls" "$dir/table" || { cat "$dir/table"; fail "table lacks full jitter's $full calls"; }
grep -q "full jitter needs fewer calls than no jitter" "$dir/table" || fail "table lacks the verdict"
echo "scenarios_herd: none $none, full $full, decorrelated $dec calls"
