#!/bin/sh
# report_missing_scenario.sh: a run whose trace names a scenario file that
# cannot be found -- not beside the folder the run ran in, not from the
# current folder, not above the run folder (a relative path, the run folder
# copied elsewhere) -- is reported with a plain warning on stderr and in the
# page ("scenario file X not found (looked in ...): claims and checks left
# out"), never "the run used another policy"; check exits 2 with the same words.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
cp -r tests/data/runs/ladder-003 "$tmp/run"
cd "$tmp" || exit 1

"$RL" report "$tmp/run" --out "$tmp/rep" --format svg >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "report: exit $rc, want 0"
want="scenario file tests/data/runs/scenarios/ladder-003.json not found (looked in the folder the run ran in, the current folder and those above the run folder)"
grep -qF "warning: $tmp/run: $want: claims and checks left out" "$out" ||
  fail "report: no warning on stderr"
grep -qF "$want" "$tmp/rep/index.html" || fail "page does not say the scenario file is missing"
grep -q "another policy" "$tmp/rep/index.html" && fail "page gives 'another policy' as the reason"

"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "check: exit $rc, want 2"
grep -qF "$want" "$out" || fail "check: message does not say where it looked"
echo "report_missing_scenario: ok"
