#!/bin/sh
# check_long_trace_line.sh: a trace line longer than 1 MiB is bad input on
# its line ("trace.jsonl:N: line longer than 1 MiB", exit 2) for check and
# report, wherever it is: in the middle (3 MB), or last and without its
# newline (50 MB: not taken for a line cut off by a killed writer). The
# reader never holds more than the limit and a buffer: peak RSS stays far
# below the line's size. A trace that is /dev/zero is not a regular file.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
[ -x /usr/bin/time ] || sh tests/install_deps.sh time || fail "/usr/bin/time is missing"

# pad N: N bytes of 'a', no newline.
pad() { head -c "$1" /dev/zero | tr '\0' a; }

cp -r tests/data/runs/ladder-003 "$tmp/mid"
{ head -n 4 tests/data/runs/ladder-003/trace.jsonl
  printf '{"t":1,"event":"note","pad":"'; pad 3000000; printf '"}\n'
  tail -n +5 tests/data/runs/ladder-003/trace.jsonl; } >"$tmp/mid/trace.jsonl"
cp -r tests/data/runs/ladder-003 "$tmp/end"
{ printf '{"t":1,"event":"note","pad":"'; pad 50000000; } >>"$tmp/end/trace.jsonl"
n=$(($(wc -l <tests/data/runs/ladder-003/trace.jsonl) + 1))

for cmd in check report; do
  for run in mid:5 end:$n; do
    dir=$tmp/${run%:*}; line=${run#*:}
    if [ $cmd = check ]; then "$RL" check "$dir" >"$out" 2>&1
    else "$RL" report "$dir" --out "$tmp/rep" --format svg >"$out" 2>&1; fi
    rc=$?
    [ $rc -eq 2 ] || fail "$cmd ${run%:*}: exit $rc, want 2"
    grep -qF "$dir/trace.jsonl:$line: line longer than 1 MiB" "$out" || fail "$cmd ${run%:*}: message"
  done
done

# Peak memory of check on the 50 MB line: the limit and a buffer, not the line
# (it was 67 MB, the line grown whole; 40 MB leaves room for sanitizer builds).
/usr/bin/time -f 'peak %M KB' "$RL" check "$tmp/end" >"$out" 2>&1
kb=$(sed -n 's/^peak \([0-9]*\) KB$/\1/p' "$out")
[ -n "$kb" ] && [ "$kb" -lt 40000 ] || fail "check on a 50 MB line: peak $kb KB, want < 40000"

mkdir "$tmp/zero" && ln -s /dev/zero "$tmp/zero/trace.jsonl"
timeout 10 "$RL" check "$tmp/zero" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -qF "$tmp/zero/trace.jsonl: not a regular file (a character device)" "$out" ||
  fail "trace.jsonl /dev/zero: exit $rc"
echo "check_long_trace_line: ok (peak $kb KB on a 50 MB line)"
