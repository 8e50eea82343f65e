#!/bin/sh
# reports_sim.sh: real runs from `retrylab sim`, then `check` and `report` on
# them. The seed-003 ladder policy passes its scenario's expect; the same
# policy with one wait changed (160 -> 150 s) fails with the diff line naming
# attempt 4; the report overlays both runs and shows the expected ladder.
set -u
RL="$RL_BIN/retrylab"
D=tests/data/reports
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/log" ] && cat "$dir/log"; exit 1; }

"$RL" sim $D/sim-ladder.json --out "$dir/good" --quiet >"$dir/log" 2>&1 || fail "sim (good) exited $?"
"$RL" sim $D/sim-ladder.json --policy $D/ladder-list-changed.json --out "$dir/changed" --quiet \
  >"$dir/log" 2>&1 || fail "sim (changed) exited $?"

"$RL" check "$dir/good" >"$dir/log" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "check on the ladder policy: exit $rc, want 0"

"$RL" check "$dir/changed" >"$dir/log" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "check with one wait changed: exit $rc, want 1"
grep -qx "ladder task 0: attempt 4 waited 150.0 s, expected 160.0 s +/- 1%" "$dir/log" ||
  fail "no diff line naming attempt 4"
grep -q "max_total_wait_s" "$dir/log" && fail "a passing expectation was printed as failed"

out="$dir/report"
"$RL" report "$dir/good" "$dir/changed" --out "$out" >"$dir/log" 2>&1 || fail "report exited $?"
# Pictures: the overlays and one outcomes picture for the scenario; a timeline
# only for the run with the scenario's own policy (the changed run is not checked).
for pic in success ladder timeline_1 outcomes latency load; do
  magic=$(head -c 8 "$out/$pic.png" | od -An -tx1 | tr -d ' \n')
  [ "$magic" = "89504e470d0a1a0a" ] || fail "$pic.png is not a PNG"
  grep -q "<svg" "$out/$pic.svg" || fail "$pic.svg is not an SVG"
  grep -q "src=\"$pic.png\"" "$out/index.html" || fail "index.html does not show $pic.png"
done
[ -f "$out/timeline_2.gp" ] && fail "a timeline was drawn for the unchecked run"
grep -q "'#1 reports-ladder-list' 1" "$out/outcomes.gp" &&
  grep -q "'#2 reports-ladder-list-changed' 0" "$out/outcomes.gp" ||
  fail "outcomes.gp does not name both runs' bars"
grep -q "'load_1.dat'" "$out/load.gp" && grep -q "'load_2.dat'" "$out/load.gp" &&
  grep -q "title '#2 reports-ladder-list-changed'" "$out/load.gp" || fail "load.gp lacks a run"
for gp in success; do
  grep -q "'${gp}_1.dat'.*title '#1 reports-ladder-list[':]" "$out/$gp.gp" || fail "$gp.gp lacks run 1"
  grep -q "'${gp}_2.dat'.*title '#2 reports-ladder-list-changed" "$out/$gp.gp" ||
    fail "$gp.gp lacks run 2"
done
grep -q "^4 150.000000 150.000000 150.000000" "$out/ladder_2.dat" || fail "ladder_2.dat lacks the changed wait"
grep -q "^4 160.000000" "$out/ladder_expected.dat" || fail "expected ladder missing"
grep -q ">1260.0 s<" "$out/index.html" || fail "index.html lacks the total wait"
# The changed policy is not the scenario's: "-" with a tooltip, never FAIL.
grep -q 'title="not checked: different policy">-</td>' "$out/index.html" ||
  fail "the unchecked run does not show '-'"
grep -q "FAIL" "$out/index.html" && fail "index.html shows FAIL for a run with another policy"
grep -q ">pass (5 of 5)<" "$out/index.html" || fail "the own-policy run lacks its verdict"

# With its own expect.json the changed run is judged by it: check and report.
cp $D/ladder-list-changed-expect.json "$dir/changed/expect.json"
"$RL" check "$dir/changed" >"$dir/log" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "check with expect.json: exit $rc, want 1"
grep -qx "ladder task 0: attempt 4 waited 150.0 s, expected 160.0 s +/- 1%" "$dir/log" ||
  fail "expect.json: no diff line naming attempt 4"
grep -q "1 of 4 expectations failed" "$dir/log" || fail "check did not use expect.json (4 expectations)"
"$RL" check "$dir/changed" --expect $D/observed-ladder.json >"$dir/log" 2>&1
grep -q "has no observed wait" "$dir/log" || fail "--expect does not override expect.json"
"$RL" report "$dir/good" "$dir/changed" --out "$out" >"$dir/log" 2>&1 || fail "report (2) exited $?"
grep -q ">FAIL (1 of 4)<" "$out/index.html" || fail "index.html lacks the changed run's own verdict"
grep -q "FAIL</span> ladder task 0: attempt 4 waited 150.0 s" "$out/index.html" ||
  fail "index.html does not show the failed expectation"
grep -q "Judged by the run folder's expect.json" "$out/index.html" || fail "the verdict does not say where it came from"
[ -f "$out/timeline_2.gp" ] || fail "no timeline for the run checked by its expect.json"
echo "reports_sim: ok"
