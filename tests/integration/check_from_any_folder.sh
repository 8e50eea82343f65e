#!/bin/sh
# check_from_any_folder.sh: a run folder stays judgeable from any working
# folder. The trace records the folder the run ran in ("cwd") and the digests
# of its scenario and policy files; check and report find the files from
# there, from the current folder, or above the run folder (a trace without
# "cwd"), and warn, naming the file, when one changed since the run;
# --strict makes that a failure (exit 1).
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
mkdir -p "$tmp/proj/scenarios/policies" "$tmp/elsewhere" "$tmp/other"
cp scenarios/seed-003-moonshot-tiers.json "$tmp/proj/scenarios/"
cp scenarios/policies/seed-003-tier-aware.json "$tmp/proj/scenarios/policies/"
cp -r scenarios/profiles "$tmp/proj/scenarios/" # the scenario names a provider profile
cd "$tmp/proj" || exit 1
"$RL" sim scenarios/seed-003-moonshot-tiers.json --out out/run --quiet >"$out" 2>&1 || fail "sim: exit $?"
grep -q "\"cwd\":\"$tmp/proj\"" out/run/trace.jsonl || fail "the start event does not record cwd"

# From another folder, with the run where it was and moved elsewhere.
cd "$tmp/other" || exit 1
"$RL" check "$tmp/proj/out/run" >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "check from another folder: exit $rc, want 0"
grep -q "all 11 expectations hold" "$out" || fail "check from another folder: no verdict"
mv "$tmp/proj/out/run" "$tmp/elsewhere/run"
"$RL" check "$tmp/elsewhere/run" >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "check of a moved run folder: exit $rc, want 0"
"$RL" report "$tmp/elsewhere/run" --out "$tmp/rep" --format svg >"$out" 2>&1 || fail "report: exit $?"
grep -q "FREE tier (base 20 s)" "$tmp/rep/index.html" || fail "report from elsewhere: no claims"
grep -q "not found" "$tmp/rep/index.html" && fail "report from elsewhere: scenario not found"

# Without "cwd" (an older trace): found above the run folder.
mkdir -p "$tmp/proj/out/old"
sed 's/"cwd":"[^"]*",//' "$tmp/elsewhere/run/trace.jsonl" >"$tmp/proj/out/old/trace.jsonl"
cp "$tmp/elsewhere/run/summary.json" "$tmp/proj/out/old/"
"$RL" check "$tmp/proj/out/old" >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "check above the run folder: exit $rc, want 0"

# The scenario changed since the run: a warning naming it; --strict fails.
echo " " >>"$tmp/proj/scenarios/seed-003-moonshot-tiers.json"
"$RL" check "$tmp/elsewhere/run" >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "check of a changed scenario: exit $rc, want 0 (a warning)"
grep -q "warning: $tmp/elsewhere/run: scenario file $tmp/proj/scenarios/seed-003-moonshot-tiers.json changed since the run" "$out" ||
  fail "no warning naming the changed scenario"
"$RL" check "$tmp/elsewhere/run" --strict >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "check --strict of a changed scenario: exit $rc, want 1"
grep -q "changed since the run (--strict)" "$out" || fail "--strict: no failure line"
"$RL" check "$tmp/elsewhere/run" --strict --format json >"$out" 2>/dev/null
grep -q '"scenario file changed since the run"' "$out" || fail "json: no warning"
# ... and the policy.
echo " " >>"$tmp/proj/scenarios/policies/seed-003-tier-aware.json"
"$RL" check "$tmp/elsewhere/run" >"$out" 2>&1
grep -q "policy file $tmp/proj/scenarios/policies/seed-003-tier-aware.json changed since the run" "$out" ||
  fail "no warning naming the changed policy"
echo "check_from_any_folder: ok"
