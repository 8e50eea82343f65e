#!/bin/sh
# reports_compare.sh: `retrylab compare A B` sets run B beside its baseline A
# measure by measure (success rate, attempts per task, calls per success, the
# waits' Kolmogorov-Smirnov distance, task duration p50/p95/p99) and exits 1
# when one is worse than its limit: a policy change from 3 to 2 attempts on
# seed 002 drops the success rate by 21 points. Folders of run folders pair
# by name (a baseline run missing from B fails; a new one is noted). Limits
# are flags; --format json|junit and --junit FILE as for check.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
S=scenarios/seed-002-bytez-keys.json
for n in 3 2; do
  sed "s/\"max_attempts\": 3,/\"max_attempts\": $n,/" scenarios/policies/seed-002-key-rotation.json >"$tmp/p$n.json"
  "$RL" sim $S --policy "$tmp/p$n.json" --out "$tmp/base/m$n" --quiet >"$out" 2>&1 || fail "sim $n"
done
grep -q '"max_attempts": 2,' "$tmp/p2.json" || fail "the test's edit did not apply"

"$RL" compare "$tmp/base/m3" "$tmp/base/m3" >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "a run against itself: exit $rc, want 0"
grep -q "no measure worse than allowed" "$out" || fail "a run against itself: no verdict"

"$RL" compare "$tmp/base/m3" "$tmp/base/m2" >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "3 -> 2 attempts: exit $rc, want 1"
grep -Eq "^  success rate +91.0% +70.0% +-21.0 pts +-2 pts  WORSE$" "$out" || fail "no success rate row"
grep -Eq "^  calls per success +2.14 +2.45 +\+14.6% +\+10%  WORSE$" "$out" || fail "no calls row"
grep -Eq "^  waits \(KS distance\) .* D = 0.30 +D <= 0.25  WORSE$" "$out" || fail "no waits row"
grep -Eq "^  task duration p50 .*  ok$" "$out" || fail "no duration row"
grep -q "3 of 7 measures worse than allowed" "$out" || fail "no closing line"
"$RL" compare "$tmp/base/m3" "$tmp/base/m2" --max-drop-success 25 --max-rise-calls 20 \
  --max-wait-ks 0.5 >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "with wider limits: exit $rc, want 0"

"$RL" compare "$tmp/base/m3" "$tmp/base/m2" --format json >"$out" 2>/dev/null
node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const m = j.pairs[0].measures, r = m.find((x) => x.name === "success_rate");
process.exit(j.kind === "compare" && j.exit === 1 && m.length === 7 && !r.ok &&
  Math.abs(r.change + 21) < 1e-6 && m.find((x) => x.name === "task_duration_p95").ok ? 0 : 1);' "$out" ||
  fail "json: not the measures"
"$RL" compare "$tmp/base/m3" "$tmp/base/m2" --junit "$tmp/c.xml" >"$out" 2>&1
grep -q '<testcase classname="retrylab.compare.[^"]*" name="success_rate" file="[^"]*p2.json">' "$tmp/c.xml" &&
  grep -q '<failure message="success rate 91.0% -&gt; 70.0% (-21.0 pts; allowed -2 pts): worse than allowed"' \
    "$tmp/c.xml" || { cat "$tmp/c.xml"; fail "junit: no failed success_rate case"; }

# Folders of runs: pairs by name.
mkdir -p "$tmp/cur"
cp -r "$tmp/base/m3" "$tmp/cur/m3"
cp -r "$tmp/base/m2" "$tmp/cur/m2"
cp -r "$tmp/base/m3" "$tmp/cur/new"
"$RL" compare "$tmp/base" "$tmp/cur" >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "folders: exit $rc, want 0"
grep -q "note: $tmp/cur/new has no baseline" "$out" || fail "folders: the new run is not noted"
grep -q "^compare: 2 pairs: 0 worse than allowed" "$out" || fail "folders: no total"
rm -rf "$tmp/cur/m2"
"$RL" compare "$tmp/base" "$tmp/cur" >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "$tmp/cur has no run m2: the baseline has one" "$out" ||
  fail "folders: a missing run: exit $rc, want 1"

# Bad input.
"$RL" compare "$tmp/base/m3" "$tmp/cur" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "is a run folder and $tmp/cur is not" "$out" || fail "run vs folder: exit $rc"
"$RL" compare "$tmp/base/m3" "$tmp/base/m2" --max-wait-ks 2 >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q -- '--max-wait-ks: a number from 0 to 1, not "2"' "$out" || fail "--max-wait-ks 2"
"$RL" compare "$tmp/base/m3" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "one folder: exit $rc, want 2"
echo "reports_compare: ok"
