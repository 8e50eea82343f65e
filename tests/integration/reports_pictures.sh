#!/bin/sh
# reports_pictures.sh: the report's pictures stay readable as runs pile up:
# the seed-003 ladder (20 .. 640 s) is on a log y axis; a run whose ladder is
# much longer than the expected one is cut two retries after it, with a note
# naming the run, its task and its data file; with many runs of a scenario
# the ladder draws only the expect's first ladder and the key lists each run
# once (not once per task); the provider load of more than 3 runs is one
# panel per run in both PNG and SVG; pictures with a long key are taller and
# index.html gives each picture its own height; keys sit outside the data
# and the outcomes key names only the outcomes that happened.
set -u
RL="$RL_BIN/retrylab"
RUNS=tests/data/runs
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/log" ] && cat "$dir/log"; exit 1; }
png_ok() {
  magic=$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')
  [ "$magic" = "89504e470d0a1a0a" ] || fail "$1 is not a PNG"
}
# png_height FILE: the height in the PNG's IHDR (bytes 21..24).
png_height() { od -An -tu1 -j 20 -N 4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'; }

# One seed-003 run: log scale, the key outside, the expected ladder, no cut.
out="$dir/one"
"$RL" report $RUNS/ladder-003 --out "$out" >"$dir/log" 2>&1 || fail "report exited $?"
grep -q "^set logscale y" "$out/ladder.gp" || fail "the 20..640 s ladder is not on a log axis"
grep -q "^set ylabel 'wait (s, log scale" "$out/ladder.gp" || fail "the ladder's axis does not say log scale"
grep -q "^set key outside right" "$out/ladder.gp" || fail "the key is not outside the data"
grep -q "cut after retry" "$out/ladder.gp" && fail "a ladder as long as the expected one was cut"
png_ok "$out/ladder.png"
[ "$(png_height "$out/ladder.png")" -eq 540 ] || fail "a one-run ladder is not 540 px high"

# The same run with 6 waits more for task 0: cut after retry 8, with a note.
mkdir -p "$dir/long"
awk '/"event":"done"/ { for (i = 7; i <= 12; i++)
       printf "{\"t\":1261.75,\"event\":\"wait\",\"task\":0,\"attempt\":%d,\"delay\":5.0,\"reason\":\"backoff\"}\n", i }
     { print }' $RUNS/ladder-003/trace.jsonl >"$dir/long/trace.jsonl"
cp $RUNS/ladder-003/summary.json "$dir/long/"
out="$dir/cut"
"$RL" report $RUNS/ladder-003 "$dir/long" --out "$out" >"$dir/log" 2>&1 || fail "report (long ladder) exited $?"
grep -q "^set xrange \[0.5:8.5\]" "$out/ladder.gp" || fail "the x axis does not end 2 retries after the expected ladder"
grep -q "^set label 2 'cut after retry 8: #2 [^']*: task 0 has 12 waits (ladder_2.dat)'" "$out/ladder.gp" ||
  fail "no note naming the cut ladder"
grep -q '^12 5.000000 NaN$' "$out/ladder_2.dat" || fail "the cut waits are not all in ladder_2.dat"

# Five runs of the scenario: one key entry per run, one ladder drawn, load in panels.
set --
for i in 1 2 3 4 5; do cp -r $RUNS/ladder-003 "$dir/run$i"; set -- "$@" "$dir/run$i"; done
out="$dir/five"
"$RL" report "$@" --out "$out" >"$dir/log" 2>&1 || fail "report on five runs exited $?"
for i in 1 2 3 4 5; do
  [ "$(grep -c "title '#$i " "$out/ladder.gp")" -eq 1 ] || fail "run $i is not in the ladder's key exactly once"
done
grep -q "^set multiplot layout 5,1" "$out/load.gp" || fail "five runs' load is not one panel per run"
[ "$(grep -c "^set multiplot" "$out/load.gp")" -eq 2 ] || fail "the load panels are not written for both formats"
png_ok "$out/load.png"
h=$(png_height "$out/load.png")
[ "$h" -gt 540 ] || fail "five load panels fit in 540 px ($h)"
grep -q "^rl_h = $h\$" "$out/load.gp" || fail "load.gp's height is not the PNG's"
grep -q "src=\"load.png\" width=\"900\" height=\"$h\"" "$out/index.html" ||
  fail "index.html does not give load.png its height"
for i in 1 2 3 4 5; do
  grep -q ">#$i seed-003-tier-aware<" "$out/load.svg" || fail "load.svg lacks the panel of run $i"
done

# The outcomes key names only the outcomes some run had (ladder-003: 2xx and
# 429): no series at all for the others.
gp="$dir/one/outcomes.gp"
grep -q "index 0 using 2:1:3:(0.36) with boxxyerror.* title '2xx'" "$gp" || fail "outcomes key lacks 2xx"
grep -q "index 2 using 2:1:3:(0.36) with boxxyerror.* title '429'" "$gp" || fail "outcomes key lacks 429"
grep -q "title '5xx'" "$gp" && fail "outcomes key names 5xx, which no run had"
[ "$(grep -c 'boxxyerror' "$gp")" -eq 2 ] || fail "outcomes draws outcomes no run had"
