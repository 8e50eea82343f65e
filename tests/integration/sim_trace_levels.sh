#!/bin/sh
# sim_trace_levels.sh: --trace summary writes the start event (marked
# "trace":"summary") and one done line per task, --trace none the start
# only, full every event; the summaries agree whatever the level. A trace
# that grows past its warning size says so once on stderr, and a workload
# big enough to pass it is warned about before the run (RL_TRACE_WARN_BYTES
# stands in for the 1 GiB the programs use); a bad level exits 2.
set -u
. "$(dirname "$0")/../lib/output_test.sh"
S="$RL_ROOT/tests/data/sim/many-jitter.json"
for level in full summary none; do
  "$RL" sim "$S" --trace "$level" --out "$tmp/$level" --quiet >"$out" 2>&1 || fail "--trace $level"
done
[ "$(wc -l <"$tmp/summary/trace.jsonl")" -eq 201 ] || fail "summary: not 200 done lines and a start"
[ "$(grep -c '"event":"done"' "$tmp/summary/trace.jsonl")" -eq 200 ] || fail "summary: done lines"
head -n 1 "$tmp/summary/trace.jsonl" | grep -q '"trace":"summary"}$' || fail "summary: start unmarked"
[ "$(wc -l <"$tmp/none/trace.jsonl")" -eq 1 ] || fail "none: more than the start"
head -n 1 "$tmp/none/trace.jsonl" | grep -q '"trace":"none"}$' || fail "none: start unmarked"
grep -q '"trace":' "$tmp/full/trace.jsonl" && fail "full: marked as not full"
grep -q '"event":"send"' "$tmp/full/trace.jsonl" || fail "full: no send events"
for level in summary none; do
  sed 's/"wall_s":.*//' "$tmp/$level/summary.json" >"$tmp/a"
  sed 's/"wall_s":.*//' "$tmp/full/summary.json" >"$tmp/b"
  cmp -s "$tmp/a" "$tmp/b" || fail "the $level summary differs from the full one"
done
RL_TRACE_WARN_BYTES=20000 "$RL" sim "$S" --out "$tmp/big" --quiet >/dev/null 2>"$out"
[ "$(grep -c 'warning: trace.jsonl passed 19.5 KiB' "$out")" -eq 1 ] || fail "no single size warning"
grep -q 'warning: 200 tasks will write a trace of more than 19.5 KiB' "$out" ||
  fail "no warning before the run"
RL_TRACE_WARN_BYTES=20000 "$RL" sim "$S" --trace summary --out "$tmp/big2" --quiet >/dev/null 2>"$out"
grep -q 'will write' "$out" && fail "warned before a summary-level run"
"$RL" sim "$S" --trace most --out "$tmp/bad" >"$out" 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "--trace most: exit $rc, want 2"
grep -q "none, summary or full, not 'most'" "$out" || fail "--trace most: no message"
echo ok
