#!/bin/sh
# check_formats.sh: `retrylab check DIR...` judges every run folder at once
# (the worst exit code wins: 2 bad input over 1 a failure over 0), and says it
# as text, JSON (--format json: every verdict) or JUnit XML (--format junit,
# or --junit FILE beside the text: a testsuite per run, a testcase per
# expectation, the failure message holding the diff), with GitHub
# annotations (--annotations github: ::error with the scenario file and the
# line of the failed expectation).
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
R=tests/data/runs
ok=$R/ladder-003; bad=$R/ladder-003-wrong-wait; broken=$R/broken

"$RL" check $ok $bad >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "pass + fail: exit $rc, want 1"
grep -q "check $ok: all 5 expectations hold" "$out" && grep -q "check $bad: 1 of 5 expectations failed" "$out" &&
  grep -q "^check: 2 runs: 1 pass, 1 fail, 0 bad input" "$out" || fail "text: a line per run and a total"
"$RL" check $ok $bad $broken >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "pass + fail + broken: exit $rc, want 2"

# JSON: every verdict of every run.
"$RL" check $ok $bad --format json >"$out" 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "json: exit $rc, want 1"
node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const ok = j.kind === "check" && j.exit === 1 && j.runs.length === 2 &&
  j.runs[0].result === "pass" && j.runs[1].result === "fail" && j.runs[1].failed === 1 &&
  j.runs[1].checks.find((c) => c.name === "ladder task 0" && !c.ok &&
    c.lines[0].includes("attempt 4 waited 150.0 s")) &&
  j.runs[1].checks.filter((c) => c.ok).length === 4 && j.runs[1].expectations_from === "scenario";
process.exit(ok ? 0 : 1);' "$out" || fail "json: not the verdicts"

# JUnit on stdout and in a file at once with the text.
"$RL" check $ok $bad --format junit >"$out" 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "junit: exit $rc, want 1"
cp "$out" "$tmp/stdout.xml"
"$RL" check $ok $bad --junit "$tmp/check.xml" >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "--junit: exit $rc, want 1"
grep -q "check $bad: 1 of 5 expectations failed" "$out" || fail "--junit: the text is gone"
cmp -s "$tmp/check.xml" "$tmp/stdout.xml" || fail "--junit FILE differs from --format junit"
node -e '
const x = require("fs").readFileSync(process.argv[1], "utf8");
const suites = x.match(/<testsuite /g) || [], cases = x.match(/<testcase /g) || [];
const fail = x.match(/<testcase [^>]*name="ladder task 0"[^>]*>\s*<failure message="ladder task 0: attempt 4 waited 150.0 s, expected 160.0 s \+\/- 1%"/);
process.exit(suites.length === 2 && cases.length === 10 && fail && /tests="10" failures="1" errors="0"/.test(x) ? 0 : 1);' \
  "$tmp/check.xml" || { cat "$tmp/check.xml"; fail "junit: not a suite per run, a case per expectation"; }
"$RL" check $ok $broken --junit "$tmp/b.xml" >"$out" 2>&1
grep -q '<error message="tests/data/runs/broken/trace.jsonl:4: not a JSON object"' "$tmp/b.xml" ||
  fail "junit: a broken run is not an error case"
"$RL" check $ok --junit /nonexistent/dir/x.xml >"$out" 2>&1; rc=$?
[ $rc -eq 3 ] || fail "--junit into a missing folder: exit $rc, want 3"

# GitHub annotations point at the scenario file and the failed ladder's line.
"$RL" check $bad --annotations github >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "annotations: exit $rc, want 1"
line=$(grep -n '"task": 0' tests/data/runs/scenarios/ladder-003.json | head -n 1 | cut -d: -f1)
grep -qF "::error file=tests/data/runs/scenarios/ladder-003.json,line=$line,title=$bad%3A ladder task 0::ladder task 0: attempt 4 waited 150.0 s, expected 160.0 s +/- 1%25" \
  "$out" || fail "annotations: no ::error for the ladder at line $line"
"$RL" check $bad --annotations github --format json >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "annotations with json: exit $rc, want 2"
"$RL" check $bad --format xml >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q -- '--format: text, json or junit, not "xml"' "$out" || fail "--format xml: exit $rc"
echo "check_formats: ok"
