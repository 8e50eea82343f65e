#!/bin/sh
# report_missing_scenario.sh: a run whose trace names a scenario file that
# cannot be found from the current folder (a relative path, report run from
# elsewhere) is reported with a plain warning on stderr and in the page --
# "scenario file X not found (relative to the current folder): claims and
# checks left out" -- never "the run used another policy"; check exits 2 and
# says the path is taken relative to the current folder.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
root=$(pwd)
cd "$tmp" || exit 1

"$RL" report "$root/tests/data/runs/ladder-003" --out "$tmp/rep" --format svg >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "report: exit $rc, want 0"
want="scenario file tests/data/runs/scenarios/ladder-003.json not found (relative to the current folder)"
grep -qF "warning: $root/tests/data/runs/ladder-003: $want: claims and checks left out" "$out" ||
  fail "report: no warning on stderr"
grep -qF "$want" "$tmp/rep/index.html" || fail "page does not say the scenario file is missing"
grep -q "another policy" "$tmp/rep/index.html" && fail "page gives 'another policy' as the reason"

"$RL" check "$root/tests/data/runs/ladder-003" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "check: exit $rc, want 2"
grep -qF "$want" "$out" || fail "check: message does not say relative to the current folder"
echo "report_missing_scenario: ok"
