#!/bin/sh
# check_empty_expect.sh: an expect that states no expectation ({"kind":
# "expect"}, or only a claimed rate, which is never asserted) must not pass
# check: exit 2 with "FILE: states no expectation", whether it comes from
# --expect, the run folder's expect.json or the scenario.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"

cp -r tests/data/runs/ladder-003 "$tmp/run"
echo '{"kind": "expect"}' > "$tmp/empty.json"
"$RL" check "$tmp/run" --expect "$tmp/empty.json" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "--expect empty: exit $rc, want 2"
grep -qx "retrylab check: $tmp/empty.json: states no expectation" "$out" || fail "--expect empty: message"

echo '{"kind": "expect", "success_rate": {"claimed": 0.9}}' > "$tmp/run/expect.json"
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "claimed-only expect.json: exit $rc, want 2"
grep -qx "retrylab check: $tmp/run/expect.json: states no expectation" "$out" || fail "expect.json: message"

echo '{"kind": "expect", "max_attempts": 7}' > "$tmp/run/expect.json"
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "one expectation: exit $rc, want 0"
echo "check_empty_expect: ok"
