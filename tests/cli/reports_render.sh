#!/bin/sh
# reports_render.sh: `retrylab report` on the fixtures in tests/data/runs/:
# every picture is a valid, non-empty PNG and SVG, index.html references each
# picture and holds the summary numbers of the traces, two runs overlay in the
# success and load scripts, and without gnuplot on PATH the command exits 3
# naming gnuplot-nox while still writing the data files and the HTML tables.
set -u
RL="$RL_BIN/retrylab"
RUNS=tests/data/runs
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/log" ] && cat "$dir/log"; exit 1; }

out="$dir/two"
"$RL" report $RUNS/herd-exp-no-jitter $RUNS/herd-exp-full-jitter --out "$out" >"$dir/log" 2>&1 ||
  fail "report on two runs exited $?"
for pic in success ladder timeline_1 timeline_2 outcomes_1 outcomes_2 latency load; do
  png="$out/$pic.png"; svg="$out/$pic.svg"
  [ -s "$png" ] || fail "$pic.png missing or empty"
  magic=$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')
  [ "$magic" = "89504e470d0a1a0a" ] || fail "$pic.png is not a PNG (magic $magic)"
  [ "$(stat -c %s "$png")" -gt 2000 ] || fail "$pic.png is suspiciously small"
  grep -q "<svg" "$svg" || fail "$pic.svg is not an SVG"
  [ -s "$out/$pic.gp" ] || fail "$pic.gp missing"
  grep -q "src=\"$pic.png\"" "$out/index.html" || fail "index.html does not show $pic.png"
done
# Both runs in the overlay pictures.
for gp in success load latency ladder; do
  grep -q "herd-40-clients / exp-no-jitter" "$out/$gp.gp" || fail "$gp.gp lacks run 1"
  grep -q "herd-40-clients / exp-full-jitter" "$out/$gp.gp" || fail "$gp.gp lacks run 2"
done
grep -q "success_1.dat" "$out/success.gp" && grep -q "success_2.dat" "$out/success.gp" ||
  fail "success.gp does not plot both data files"
grep -q "load_1.dat" "$out/load.gp" && grep -q "load_2.dat" "$out/load.gp" ||
  fail "load.gp does not plot both data files"
grep -q "groq limit: 10 requests / 10 s" "$out/load.gp" || fail "load.gp has no limit line"
# Summary numbers: tasks 40; success 100.0% and 85.0%; attempts 160 and 166.
for want in ">40<" ">100.0%<" ">85.0%<" ">160<" ">166<" "DIFFERS: measured 85.0% is 10.0 points below"; do
  grep -q -- "$want" "$out/index.html" || fail "index.html lacks $want"
done
grep -q ">pass (3 of 3)<" "$out/index.html" || fail "index.html lacks the check verdict column"
grep -q "<script" "$out/index.html" && fail "index.html uses JavaScript"
grep -Eq "(src|href)=\"https?:" "$out/index.html" && fail "index.html uses external assets"

# One format only, the seed-003 ladder with its expected ladder.
out="$dir/ladder"
"$RL" report $RUNS/ladder-003 --out "$out" --format svg --tasks 5 >"$dir/log" 2>&1 ||
  fail "svg-only report exited $?"
[ -f "$out/ladder.png" ] && fail "--format svg wrote a PNG"
grep -q "<svg" "$out/ladder.svg" || fail "ladder.svg missing"
grep -q "ladder_expected.dat" "$out/ladder.gp" || fail "ladder.gp lacks the expected ladder"
grep -q "^6 640" "$out/ladder_expected.dat" || fail "expected ladder data wrong"
grep -q "FREE tier: 20, 40, 80, 160, 320, 640 s" "$out/index.html" || fail "claim text missing"

# HTML escaping of what comes from files.
"$RL" report $RUNS/mixed-outcomes --out "$dir/mixed" >"$dir/log" 2>&1 || fail "mixed report exited $?"
grep -q "success 30% -&gt; 85% with key rotation" "$dir/mixed/index.html" || fail "claim not escaped"
grep -q "timeout" "$dir/mixed/timeline_1.gp" || fail "timeline lacks the timeout class"

# Runs of two scenarios: one set of overlay pictures per scenario.
out="$dir/groups"
"$RL" report $RUNS/ladder-003 $RUNS/herd-exp-no-jitter $RUNS/herd-exp-full-jitter --out "$out" \
  --format png >"$dir/log" 2>&1 || fail "two-scenario report exited $?"
for pic in success ladder latency load success_s2 ladder_s2 latency_s2 load_s2; do
  [ -s "$out/$pic.png" ] || fail "two scenarios: $pic.png missing"
  grep -q "src=\"$pic.png\"" "$out/index.html" || fail "two scenarios: $pic.png not shown"
done
grep -q "success_1.dat" "$out/success.gp" && ! grep -q "success_2.dat" "$out/success.gp" ||
  fail "success.gp should hold the ladder run only"
grep -q "success_2.dat" "$out/success_s2.gp" && grep -q "success_3.dat" "$out/success_s2.gp" ||
  fail "success_s2.gp should overlay both herd runs"

# No gnuplot on PATH: exit 3, message names the package, tables still written.
out="$dir/nognuplot"
env PATH=/nonexistent "$RL" report $RUNS/ladder-003 --out "$out" >"$dir/log" 2>&1; rc=$?
[ $rc -eq 3 ] || fail "without gnuplot: exit $rc, want 3"
grep -q "gnuplot-nox" "$dir/log" || fail "without gnuplot: message does not name gnuplot-nox"
[ -s "$out/success_1.dat" ] && [ -s "$out/success.gp" ] || fail "without gnuplot: no data files"
grep -q ">100.0%<" "$out/index.html" || fail "without gnuplot: no summary table"
grep -q "<img" "$out/index.html" && fail "without gnuplot: index.html shows missing pictures"

# Bad input.
"$RL" report $RUNS/broken --out "$dir/broken" >"$dir/log" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "broken trace: exit $rc, want 2"
grep -q "trace.jsonl:4:" "$dir/log" || fail "broken trace: no line number"
"$RL" report $RUNS/ladder-003 --format gif >"$dir/log" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "bad --format: exit $rc, want 2"
"$RL" report $RUNS/ladder-003 --tasks 0 >"$dir/log" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "bad --tasks: exit $rc, want 2"
echo "reports_render: ok"
