#!/bin/sh
# check_sparse_task_ids.sh: check and report size their task tables by the
# tasks a trace holds, not by the start event's count or the highest task
# number: a 12-line trace of task 9999999 in a run of 10 million tasks took
# 790 MB and 4.7 s in check. Now both finish in little memory, and check
# names the task by its number.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
[ -x /usr/bin/time ] || sh tests/install_deps.sh time || fail "/usr/bin/time is missing"

mkdir "$tmp/run"
k=9999999
{ printf '{"t":0,"event":"start","format":"retrylab-trace/1","scenario_name":"s","tasks":10000000}\n'
  for a in 1 2 3 4 5; do
    printf '{"t":%d,"event":"send","task":%d,"attempt":%d,"provider":"p","model":"m"}\n' $a $k $a
    printf '{"t":%d.5,"event":"response","task":%d,"attempt":%d,"provider":"p","model":"m","status":429}\n' $a $k $a
  done
  printf '{"t":9,"event":"done","task":%d,"outcome":"failure","message":"gave up"}\n' $k
} >"$tmp/run/trace.jsonl"
[ "$(wc -l <"$tmp/run/trace.jsonl")" -eq 12 ] || fail "test setup: not 12 lines"
printf '{"kind":"expect","max_attempts":4}\n' >"$tmp/expect.json"

/usr/bin/time -f 'peak %M KB' "$RL" check "$tmp/run" --expect "$tmp/expect.json" >"$out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "check: exit $rc, want 1"
grep -qF "task 9999999 made 5 attempts, max_attempts is 4" "$out" || fail "check: the task's number"
kb=$(sed -n 's/^peak \([0-9]*\) KB$/\1/p' "$out")
[ -n "$kb" ] && [ "$kb" -lt 60000 ] || fail "check: peak $kb KB, want < 60000"

/usr/bin/time -f 'peak %M KB' "$RL" report "$tmp/run" --out "$tmp/rep" --format svg >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "report: exit $rc, want 0"
rkb=$(sed -n 's/^peak \([0-9]*\) KB$/\1/p' "$out")
[ -n "$rkb" ] && [ "$rkb" -lt 60000 ] || fail "report: peak $rkb KB, want < 60000"
grep -q '^[0-9.]* [0-9]* 9999999 5$' "$tmp/rep/timeline_1.dat" || fail "report: the timeline names task 9999999"
echo "check_sparse_task_ids: ok (peak: check $kb KB, report $rkb KB)"
