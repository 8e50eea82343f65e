#!/bin/sh
# check_cut_last_line.sh: a trace whose last line was cut off without its
# newline (a run killed by SIGKILL, a full disk) is read without that line:
# check and report warn "trace.jsonl:N: last line cut off; ignored" and go
# on; the same cut line followed by a newline, or a broken line before the
# end, stays bad input (exit 2).
set -u
. "$RL_ROOT/tests/lib/output_test.sh"

cp -r tests/data/runs/ladder-003 "$tmp/run"
n=$(($(wc -l < "$tmp/run/trace.jsonl") + 1))
printf '{"t":2000,"event":"send","task":0,"attem' >> "$tmp/run/trace.jsonl"
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "cut last line: check exit $rc, want 0"
grep -qF "retrylab check: warning: $tmp/run/trace.jsonl:$n: last line cut off; ignored" "$out" ||
  fail "cut last line: no warning"
"$RL" report "$tmp/run" --out "$tmp/rep" --format svg >"$out" 2>&1
grep -qF "retrylab report: warning: $tmp/run/trace.jsonl:$n: last line cut off; ignored" "$out" ||
  fail "cut last line: report gives no warning"
[ -s "$tmp/rep/index.html" ] || fail "cut last line: no page"

echo >> "$tmp/run/trace.jsonl"
"$RL" check "$tmp/run" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "trace.jsonl:$n: not a JSON object" "$out" ||
  fail "cut line with its newline: exit $rc, want 2"
echo "check_cut_last_line: ok"
