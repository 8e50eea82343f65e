#!/bin/sh
# json_limits_exit_2.sh: JSON files past the loader's limits are bad input
# with file:line:col, at once and in little memory: a 14 MB scenario whose
# "description" is an array of 7 million numbers ("more than 1000000 values
# (the limit)": it took 10 s and 1.67 GB before the limit), and nesting past
# cJSON's 1000 levels ("JSON nested deeper than 1000 levels", which cJSON
# reported as a bare syntax error), in a scenario and in a run's summary.json.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
[ -x /usr/bin/time ] || sh tests/install_deps.sh time || fail "/usr/bin/time is missing"

f=$tmp/huge.json
{ printf '{"kind": "scenario", "name": "huge",\n "description": ['
  yes '0,' | head -n 7000000 | tr -d '\n'; printf '0]}\n'; } >"$f"
/usr/bin/time -f 'peak %M KB' "$RL" validate "$f" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "7 million values: exit $rc, want 2"
# value 1,000,001 (after the root and 3 members) is number 999,997: column 18 + 2 * 999996
grep -qF "$f:2:2000010: more than 1000000 values (the limit)" "$out" || fail "7 million values: message"
kb=$(sed -n 's/^peak \([0-9]*\) KB$/\1/p' "$out")
[ -n "$kb" ] && [ "$kb" -lt 200000 ] || fail "7 million values: peak $kb KB, want < 200000"

deep() { i=0; while [ $i -lt "$1" ]; do printf '['; i=$((i + 1)); done; }
{ printf '{"kind": "scenario",\n "name": '; deep 1001; } >"$tmp/deep.json"
"$RL" validate "$tmp/deep.json" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -qF "$tmp/deep.json:2:1009: JSON nested deeper than 1000 levels" "$out" ||
  fail "deep scenario: exit $rc"

cp -r tests/data/runs/ladder-003 "$tmp/run"
{ printf '{"tasks": 1, "extra": '; deep 1001; } >"$tmp/run/summary.json"
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -qF "$tmp/run/summary.json:1:1022: JSON nested deeper than 1000 levels" "$out" ||
  fail "deep summary.json: exit $rc"
echo "json_limits_exit_2: ok (peak $kb KB on 7 million values)"
