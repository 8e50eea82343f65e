#!/bin/sh
# report_folder_holds_one_report.sh: a report into a folder that holds an
# earlier report removes the files that report wrote (the second run's
# timeline and data do not linger when only one run is reported again),
# keeps the user's own files (even one named like run 2's, or changed
# between reports), and lists its own files for the next one.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
R=tests/data/runs
"$RL" report $R/herd-exp-full-jitter $R/herd-exp-no-jitter --out "$tmp/rep" --format svg >"$out" 2>&1 \
  || fail "first report exited $?"
ls "$tmp/rep" | grep -q '_2\.' || fail "the first report wrote no file of run 2: $(ls "$tmp/rep")"
echo "mine" >"$tmp/rep/notes.txt"
echo "mine" >"$tmp/rep/my_2.txt"
"$RL" report $R/herd-exp-full-jitter --out "$tmp/rep" --format svg >"$out" 2>&1 || fail "second report exited $?"
left=$(ls "$tmp/rep" | grep '_2\.' | grep -v '^my_2.txt$')
[ -z "$left" ] || fail "files of the earlier report's run 2 are still there: $left"
[ "$(cat "$tmp/rep/notes.txt")" = mine ] || fail "the user's own file was touched"
echo "changed" >"$tmp/rep/notes.txt" # changed between reports: still not the report's
"$RL" report $R/herd-exp-full-jitter --out "$tmp/rep" --format svg >"$out" 2>&1 || fail "third report exited $?"
[ -f "$tmp/rep/my_2.txt" ] || fail "the user's my_2.txt was removed"
[ -s "$tmp/rep/index.html" ] || fail "no index.html"
grep -qx 'index.html' "$tmp/rep/.retrylab-report-files" || fail "the list lacks index.html"
grep -q 'notes.txt' "$tmp/rep/.retrylab-report-files" && fail "the list names the user's file"
[ ! -e "$tmp/rep/.retrylab-report-files.new" ] || fail "the marker was left behind"
echo "report_folder_holds_one_report: ok"
