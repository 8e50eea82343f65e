#!/bin/sh
# report_mixed_run_folder.sh: a run folder whose summary.json belongs to
# another run than its trace.jsonl (a second `sim` into the folder failed
# after writing its trace, leaving the first run's summary of another
# scenario) is bad input for check and report: exit 2 naming what differs,
# where report used to exit 0 showing the old numbers under the new name.
# The same run's partial summary, or its trace cut at the last line, is fine.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"

mkdir "$tmp/mixed"
cp tests/data/runs/ladder-003/summary.json "$tmp/mixed/"
cp tests/data/runs/mixed-outcomes/trace.jsonl "$tmp/mixed/"
want="$tmp/mixed: summary.json (scenario tests/data/runs/scenarios/ladder-003.json, seed 3, tasks 1, \
policy scenarios/policies/seed-003-tier-aware.json) does not match trace.jsonl (scenario \
tests/data/runs/scenarios/mixed.json, seed 7, tasks 6, policy scenarios/policies/rotate-keys.json): \
the folder mixes two runs"
"$RL" check "$tmp/mixed" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "check, mixed folder: exit $rc, want 2"
grep -qF "retrylab check: $want" "$out" || fail "check, mixed folder: message"
"$RL" report tests/data/runs/ladder-003 "$tmp/mixed" --out "$tmp/rep" --format svg >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "report, mixed folder: exit $rc, want 2"
grep -qF "$want" "$out" || fail "report, mixed folder: message"

cp -r tests/data/runs/ladder-003 "$tmp/partial"
sed 's/"partial": false/"partial": true/' tests/data/runs/ladder-003/summary.json >"$tmp/partial/summary.json"
printf '{"t":1262,"event":"se' >>"$tmp/partial/trace.jsonl"
"$RL" report "$tmp/partial" --out "$tmp/rep2" --format svg >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "report, partial summary and cut trace of one run: exit $rc, want 0"
"$RL" check "$tmp/partial" >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "summary.json says partial" "$out" ||
  fail "check, partial summary of the same run: exit $rc, want 1 (partial)"
echo "report_mixed_run_folder: ok"
