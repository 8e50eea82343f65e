#!/bin/sh
# check_mock_unreachable.sh: a run against the mockserver (mode "mock") in
# which attempts got the transport error "connect" (the mockserver died
# mid-run: it never refuses a connection itself) did not measure the
# scenario: check fails it (exit 1, "N attempts could not connect to the
# mockserver: the run does not measure the scenario") even when every
# expectation holds, and the report's check cell shows FAIL. The same trace
# marked as a sim run is judged as before.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"

cp -r tests/data/runs/mixed-outcomes "$tmp/run"
# The reset of task 2 attempt 2 becomes a refused connection (as when the
# mockserver is killed between two attempts).
sed '42s/"latency":0.4,"error":"reset"/"latency":0.001,"error":"connect"/' \
  tests/data/runs/mixed-outcomes/trace.jsonl > "$tmp/run/trace.jsonl"
grep -q '"error":"connect"' "$tmp/run/trace.jsonl" || fail "fixture edit did not apply"
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "mock run with connect errors: exit $rc, want 1"
grep -qx "1 attempt could not connect to the mockserver: the run does not measure the scenario" "$out" ||
  fail "no line about the unreachable mockserver"
"$RL" report "$tmp/run" --out "$tmp/rep" --format svg >"$out" 2>&1
grep -q '">FAIL (the run)</td>' "$tmp/rep/index.html" || fail "report check cell does not show FAIL"

sed -i '1s/"mode":"mock"/"mode":"sim"/' "$tmp/run/trace.jsonl"
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "the same trace as a sim run: exit $rc, want 0"
echo "check_mock_unreachable: ok"
