#!/bin/sh
# check_fifo_inputs.sh: a FIFO (or another non-regular file) in a run folder's
# place of trace.jsonl, summary.json or expect.json, or given as --expect,
# is bad input for check and report: exit 2 naming the path, at once,
# instead of blocking in open() until a writer comes (timeout guards it).
set -u
. "$RL_ROOT/tests/lib/output_test.sh"

# want_fifo NAME PATH CMD...: runs retrylab CMD... with a 10 s guard; exit 2
# and "PATH: not a regular file (a FIFO)" wanted.
want_fifo() {
  name=$1; path=$2; shift 2
  timeout 10 "$RL" "$@" >"$out" 2>&1; rc=$?
  [ $rc -ne 124 ] || fail "$name: still blocked after 10 s"
  [ $rc -eq 2 ] || fail "$name: exit $rc, want 2"
  grep -qF "$path: not a regular file (a FIFO)" "$out" || fail "$name: message"
}

for file in trace.jsonl summary.json expect.json; do
  cp -r tests/data/runs/ladder-003 "$tmp/$file"
  rm -f "$tmp/$file/$file"
  mkfifo "$tmp/$file/$file"
  want_fifo "check, $file a FIFO" "$tmp/$file/$file" check "$tmp/$file"
  want_fifo "report, $file a FIFO" "$tmp/$file/$file" report "$tmp/$file" --out "$tmp/rep" \
    --format svg
done

cp -r tests/data/runs/ladder-003 "$tmp/run"
mkfifo "$tmp/expect-fifo.json"
want_fifo "check --expect a FIFO" "$tmp/expect-fifo.json" check "$tmp/run" \
  --expect "$tmp/expect-fifo.json"

# The report folder's list of what the last report wrote, a FIFO: not read.
mkdir -p "$tmp/rep2" && mkfifo "$tmp/rep2/.retrylab-report-files"
timeout 10 "$RL" report "$tmp/run" --out "$tmp/rep2" --format svg >"$out" 2>&1; rc=$?
[ $rc -ne 124 ] || fail "report into a folder whose list is a FIFO: blocked"
echo "check_fifo_inputs: ok"
