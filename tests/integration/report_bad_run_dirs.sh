#!/bin/sh
# report_bad_run_dirs.sh: a run folder whose trace.jsonl is a directory says
# "not a regular file (a directory)" (check and report, exit 2); a run folder whose own
# expect.json is malformed is bad input for report too (exit 2 with
# file:line:col), as it is for check and as reports/README promises for a
# malformed run directory.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"

mkdir -p "$tmp/dirtrace/trace.jsonl"
for cmd in check report; do
  "$RL" $cmd "$tmp/dirtrace" >"$out" 2>&1; rc=$?
  [ $rc -eq 2 ] || fail "$cmd, trace.jsonl a directory: exit $rc, want 2"
  grep -qF "$tmp/dirtrace/trace.jsonl: not a regular file (a directory)" "$out" ||
    fail "$cmd, trace.jsonl a directory: message"
done

cp -r tests/data/runs/ladder-003 "$tmp/run"
printf '{"kind": "expect", "max_attempts": 7,}\n' > "$tmp/run/expect.json"
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "check, malformed expect.json: exit $rc, want 2"
"$RL" report "$tmp/run" --out "$tmp/rep" --format svg >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "report, malformed expect.json: exit $rc, want 2"
grep -qF "$tmp/run/expect.json:1:" "$out" || fail "report, malformed expect.json: no file:line:col"
echo "report_bad_run_dirs: ok"
