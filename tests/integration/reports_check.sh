#!/bin/sh
# reports_check.sh: `retrylab check` exit codes and diff lines on the
# hand-written fixtures in tests/data/runs/: 0 when the run matches its
# scenario's expect, 1 with the line naming the attempt when one wait differs,
# 1 with the success-rate line and the claim, 2 on a broken trace line, a bad
# expect file, a missing directory or a bad flag.
set -u
RL="$RL_BIN/retrylab"
RUNS=tests/data/runs
out=$(mktemp); trap 'rm -f "$out"' EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$out"; exit 1; }

"$RL" check $RUNS/ladder-003 >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "matching ladder: exit $rc, want 0"
grep -q "all 5 expectations hold" "$out" || fail "matching ladder: no summary line"

"$RL" check $RUNS/ladder-003-wrong-wait >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "wrong wait: exit $rc, want 1"
grep -qx "ladder task 0: attempt 4 waited 150.0 s, expected 160.0 s +/- 1%" "$out" ||
  fail "wrong wait: no diff line naming attempt 4"
[ "$(grep -c '^ladder' "$out")" -eq 1 ] || fail "wrong wait: more than one ladder line"

"$RL" check $RUNS/herd-exp-full-jitter --expect tests/data/expect/herd-strict.json >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "strict herd: exit $rc, want 1"
grep -qx "success rate 0.85 < 0.95 (seed 001 claims 95%)" "$out" || fail "strict herd: no rate line"
grep -q "^calls per success 4.88, max_calls_per_success is 3" "$out" || fail "strict herd: no calls line"
grep -q "^candidate groq/llama-3.1-8b received 166 requests (expected in candidates_not_used)" "$out" ||
  fail "strict herd: no candidate line"

"$RL" check $RUNS/ladder-003 --expect tests/data/expect/ladder-003-claims.json >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "--expect file that holds: exit $rc, want 0"

"$RL" check $RUNS/mixed-outcomes >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "mixed outcomes: exit $rc, want 0"

"$RL" check $RUNS/broken >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "broken trace: exit $rc, want 2"
grep -q "broken/trace.jsonl:4: not a JSON object" "$out" || fail "broken trace: no file:line message"

"$RL" check $RUNS/ladder-003 --expect tests/data/expect/bad/unknown_field.json >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "bad expect: exit $rc, want 2"
grep -q "unknown_field.json:3:60: ladder.tolerence: unknown field" "$out" || fail "bad expect: no file:line:col"

"$RL" check $RUNS/no-such-run >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "missing dir: exit $rc, want 2"
grep -q "no-such-run/trace.jsonl: cannot open" "$out" || fail "missing dir: no message"

"$RL" check $RUNS/ladder-003 --bogus >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "bad flag: exit $rc, want 2"

"$RL" check --help >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "usage: retrylab check" "$out" || fail "--help"
echo "reports_check: ok"
