#!/bin/sh
# reports_ci_example.sh: README.md's CI script, taken from README.md and run
# as written in a fresh copy of the repository (its files as git lists them:
# nothing built): --baseline writes ci/baseline; unchanged, the script exits
# 0; after a policy change that lowers seed 002's success rate (91.0% ->
# 84.5%: timeouts no longer retried) it exits 1, and out/ci/compare.xml names
# the failed test case success_rate; under GitHub Actions it also annotates
# the policy file.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
clone="$tmp/clone"
mkdir -p "$clone/ci"
git ls-files -co --exclude-standard -z | (cd "$RL_ROOT" && xargs -0 tar cf -) | tar xf - -C "$clone" ||
  fail "copying the repository"
awk '/<!-- ci-example:/ { want = 1; next } want && /^```sh$/ { on = 1; next }
     on && /^```$/ { exit } on { print }' README.md >"$clone/ci/retry-policy.sh"
grep -q 'compare ci/baseline' "$clone/ci/retry-policy.sh" || fail "README.md: no CI script"
cd "$clone" || exit 1
# A plain build, as a user's CI makes it: not the variables of the make that
# runs this test (make asan passes BUILD, BIN, SAN_FLAGS ... down the
# environment).
unset BUILD BIN SAN_FLAGS OPT CC MAKELEVEL MFLAGS MAKEOVERRIDES
export MAKEFLAGS=-j2
unset GITHUB_ACTIONS

sh ci/retry-policy.sh --baseline >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "--baseline: exit $rc, want 0"
[ -f ci/baseline/seed-002-bytez-keys/trace.jsonl ] || fail "--baseline: no baseline of seed 002"
sh ci/retry-policy.sh >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "unchanged: exit $rc, want 0"

P=scenarios/policies/seed-002-key-rotation.json
sed 's/"timeout": "retry"}/"timeout": "fail"}/' "$P" >"$tmp/p" && cp "$tmp/p" "$P"
grep -q '"timeout": "fail"}' "$P" || fail "the policy change did not apply"
sh ci/retry-policy.sh >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "after the change: exit $rc, want 1"
grep -q "compare seed-002-bytez-keys: 1 of 7 measures worse than allowed" "$out" ||
  fail "after the change: not the lines README.md shows"
grep -q '<testcase classname="retrylab.compare.seed-002-bytez-keys" name="success_rate"' out/ci/compare.xml &&
  grep -qF '<failure message="success rate 91.0% -&gt; 84.5% (-6.5 pts; allowed -2 pts): worse than allowed"' \
    out/ci/compare.xml || { cp out/ci/compare.xml "$out"; fail "compare.xml does not name success_rate"; }
[ -s out/ci/check.xml ] && [ -s out/ci/report/index.html ] || fail "no check.xml or report"

GITHUB_ACTIONS=true sh ci/retry-policy.sh >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "under GitHub Actions: exit $rc, want 1"
grep -qF "::error file=$P,title=seed-002-bytez-keys%3A success_rate::success rate 91.0%25 -> 84.5%25" "$out" ||
  fail "under GitHub Actions: no annotation on the policy file"
echo "reports_ci_example: ok"
