#!/bin/sh
# check_counts_expectations.sh: `retrylab check` summarises expectations, not
# failure lines: a ladder with two wrong waits prints two lines but is one
# failed expectation ("1 of 2 expectations failed"); the report's check cell
# counts the same way ("FAIL (1 of 2)").
set -u
. "$RL_ROOT/tests/lib/output_test.sh"

cp -r tests/data/runs/ladder-003 "$tmp/run"
cat > "$tmp/run/expect.json" <<'JSON'
{"kind": "expect", "ladder": {"task": 0, "waits_s": [21, 41, 80, 160, 320, 640]}, "max_attempts": 7}
JSON
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "exit $rc, want 1"
[ "$(grep -c '^ladder task 0: attempt' "$out")" -eq 2 ] || fail "want both wrong waits listed"
grep -qx "check $tmp/run: 1 of 2 expectations failed" "$out" || fail "summary does not count expectations"

"$RL" report "$tmp/run" --out "$tmp/rep" --format svg >"$out" 2>&1
grep -q "FAIL (1 of 2)" "$tmp/rep/index.html" || fail "report check cell does not count expectations"
echo "check_counts_expectations: ok"
