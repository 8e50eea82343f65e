#!/bin/sh
# Two sim runs with the same seed give byte-identical traces and summaries
# (apart from wall_s); another seed gives another trace.
set -u
R="$RL_BIN/retrylab"; S="$RL_ROOT/tests/data/sim/many-jitter.json"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
for d in a b; do "$R" sim "$S" --seed 77 --out "$tmp/$d" >/dev/null || fail "run $d exited $?"; done
"$R" sim "$S" --seed 78 --out "$tmp/c" >/dev/null || fail "run c exited $?"
cmp -s "$tmp/a/trace.jsonl" "$tmp/b/trace.jsonl" || fail "same seed, different traces"
grep -v '"wall_s"' "$tmp/a/summary.json" >"$tmp/a.s"; grep -v '"wall_s"' "$tmp/b/summary.json" >"$tmp/b.s"
cmp -s "$tmp/a.s" "$tmp/b.s" || fail "same seed, different summaries"
if cmp -s "$tmp/a/trace.jsonl" "$tmp/c/trace.jsonl"; then fail "different seeds, same trace"; fi
grep -q '"seed":77' "$tmp/a/trace.jsonl" || fail "start event lacks the seed override"
# The equivalence helper sees the same sequences, and one line per non-start event.
L="$RL_ROOT/tests/lib/trace_sequence.sh"
sh "$L" "$tmp/a/trace.jsonl" >"$tmp/a.q" && sh "$L" "$tmp/b/trace.jsonl" >"$tmp/b.q" || fail "trace_sequence failed"
cmp -s "$tmp/a.q" "$tmp/b.q" || fail "same seed, different sequences"
[ "$(wc -l <"$tmp/a.q")" -eq "$(($(wc -l <"$tmp/a/trace.jsonl") - 1))" ] || fail "trace_sequence dropped events"
sh "$L" "$tmp/c/trace.jsonl" >"$tmp/c.q"
if cmp -s "$tmp/a.q" "$tmp/c.q"; then fail "different seeds, same sequences"; fi
echo ok
