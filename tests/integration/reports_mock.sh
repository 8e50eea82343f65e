#!/bin/sh
# reports_mock.sh: a real-time run over HTTP (bin/mockserver on a free
# loopback port, --time-scale 20, under a second of wall time) checked on its
# observed waits, then reported beside a sim run of the same scenario: the
# ladder picture carries the observed series and the legend says "(mock)".
set -u
. "$RL_ROOT/tests/lib/mockserver.sh"
RL="$RL_BIN/retrylab"
D=tests/data/reports
dir=$(mktemp -d); mock_pid=""
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
. "$RL_ROOT/tests/lib/fail.sh"; FAIL_LOG=$dir/log

mock_start "$dir" $D/mock-ladder.json --time-scale 20 || fail "mockserver did not start"
url=$mock_url

timeout 60 "$RL" run $D/mock-ladder.json --target "$url" --time-scale 20 --out "$dir/mock" --quiet \
  >"$dir/log" 2>&1 || fail "run exited $?"
kill "$mock_pid"; wait "$mock_pid" 2>/dev/null; mock_pid=""
"$RL" sim $D/mock-ladder.json --out "$dir/sim" --quiet >"$dir/log" 2>&1 || fail "sim exited $?"

"$RL" check "$dir/mock" >"$dir/log" 2>&1 || fail "check (planned) on the mock run exited $?"
"$RL" check "$dir/mock" --expect $D/observed-ladder.json >"$dir/log" 2>&1 ||
  fail "check (observed) on the mock run exited $?"
"$RL" check "$dir/sim" --expect $D/observed-ladder.json >"$dir/log" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "observed ladder on a sim run: exit $rc, want 1"
grep -q "^ladder task 0: attempt 1 has no observed wait" "$dir/log" || fail "no 'no observed wait' line"

out="$dir/report"
"$RL" report "$dir/sim" "$dir/mock" --out "$out" >"$dir/log" 2>&1 || fail "report exited $?"
grep -q "ladder_2.dat' index 1 using (\$1[-+0-9.]*):(z(\$3)) with linespoints dt 2" "$out/ladder.gp" ||
  fail "ladder.gp lacks the observed series of the mock run"
grep -q "#2 reports-short-ladder (mock)" "$out/success.gp" ||
  fail "success.gp does not name the mock run"
awk '!/^#/ && $5 != "NaN" { ok = 1 } END { exit !ok }' "$out/ladder_2.dat" ||
  fail "ladder_2.dat has no observed waits"
magic=$(head -c 8 "$out/ladder.png" | od -An -tx1 | tr -d ' \n')
[ "$magic" = "89504e470d0a1a0a" ] || fail "ladder.png is not a PNG"
echo "reports_mock: ok"
