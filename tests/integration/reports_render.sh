#!/bin/sh
# reports_render.sh: `retrylab report` on the fixtures in tests/data/runs/:
# every picture is a valid, non-empty PNG and SVG, index.html references each
# picture in its scenario's section, the page runs overview -> claims table ->
# sections -> details, the claims table holds claimed and measured numbers,
# a run with another policy than its scenario's shows "-" (never FAIL), two
# runs overlay in the success and load scripts, and without gnuplot on PATH
# the command exits 3 naming gnuplot-nox while still writing the data files
# and the HTML tables.
set -u
RL="$RL_BIN/retrylab"
RUNS=tests/data/runs
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/log" ] && cat "$dir/log"; exit 1; }

out="$dir/two"
"$RL" report $RUNS/herd-exp-no-jitter $RUNS/herd-exp-full-jitter --out "$out" >"$dir/log" 2>&1 ||
  fail "report on two runs exited $?"
# One outcomes picture for the scenario; a timeline for the run with the
# scenario's own policy only (exp-no-jitter; exp-full-jitter is a comparison).
for pic in success ladder timeline_1 outcomes latency load; do
  png="$out/$pic.png"; svg="$out/$pic.svg"
  [ -s "$png" ] || fail "$pic.png missing or empty"
  magic=$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')
  [ "$magic" = "89504e470d0a1a0a" ] || fail "$pic.png is not a PNG (magic $magic)"
  [ "$(stat -c %s "$png")" -gt 2000 ] || fail "$pic.png is suspiciously small"
  grep -q "<svg" "$svg" || fail "$pic.svg is not an SVG"
  [ -s "$out/$pic.gp" ] || fail "$pic.gp missing"
  grep -q "src=\"$pic.png\"" "$out/index.html" || fail "index.html does not show $pic.png"
done
for gone in timeline_2 outcomes_1 outcomes_2; do
  [ -f "$out/$gone.gp" ] && fail "$gone.gp should not exist"
done
# Both runs in the overlay pictures and in the outcomes picture.
for gp in success load latency ladder; do
  grep -q "#1 exp-no-jitter" "$out/$gp.gp" || fail "$gp.gp lacks run 1"
  grep -q "#2 exp-full-jitter" "$out/$gp.gp" || fail "$gp.gp lacks run 2"
done
grep -q "'#1 exp-no-jitter' 1" "$out/outcomes.gp" && grep -q "'#2 exp-full-jitter' 0" "$out/outcomes.gp" ||
  fail "outcomes.gp does not name a bar per run"
# Both runs' bars (one candidate each): a row per run in each outcome's block.
awk '/^# outcome 2xx/ { on = 1; next } /^# outcome/ { on = 0 } on && NF == 4 { n++ } END { exit n != 2 }' \
  "$out/outcomes.dat" || fail "outcomes.dat lacks a bar per run"
grep -q "success_1.dat" "$out/success.gp" && grep -q "success_2.dat" "$out/success.gp" ||
  fail "success.gp does not plot both data files"
grep -q "load_1.dat" "$out/load.gp" && grep -q "load_2.dat" "$out/load.gp" ||
  fail "load.gp does not plot both data files"
grep -q "groq: 10 req / 10 s" "$out/load.gp" || fail "load.gp's key does not give the limit"
grep -q "^plot.*100 with lines dt 2.*the limit (100%)" "$out/load.gp" ||
  grep -q "100 with lines dt 2 lw 2 lc rgb '#000000' title 'the limit (100%)'" "$out/load.gp" ||
  fail "load.gp has no limit line"
page="$out/index.html"
# The page in order: overview, claims table, the scenario's section, details.
awk '/id="overview"/ { a = NR } /id="claims"/ { b = NR } /<section id="s1">/ { c = NR }
     /id="details"/ { d = NR } END { exit !(a && a < b && b < c && c < d) }' "$page" ||
  fail "index.html parts are not in the order overview, claims, section, details"
grep -q '<a href="#s1">herd-40-clients</a>' "$page" || fail "no link to the scenario section"
grep -q '<h2>herd-40-clients</h2>' "$page" || fail "no scenario section heading"
# The claims table: seed 001's claim, by eye, and the expect's claimed rate
# (at least 95%) beside the measured rate of the scenario's own policy
# (exp-no-jitter: 100%), which bears it out.
sed -n '/id="claims"/,/<\/table>/p' "$page" >"$dir/claims"
for want in "seed 001" "95% success rate under rate limits" "success rate at least 95%" \
            '<td class="l">100.0%</td>' 'class="l ok">holds: 100.0% ≥ 95%'; do
  grep -q -- "$want" "$dir/claims" || fail "claims table lacks $want"
done
grep -q "exp-full-jitter" "$dir/claims" && fail "claims table holds the comparison run"
# The runs table: tasks, both success rates, calls per success 160/40 and 166/34,
# the best run first and marked, the own-policy run passes, the other shows "-".
sed -n '/<section id="s1">/,/<\/table>/p' "$page" >"$dir/runs"
for want in ">40<" ">100.0%<" ">85.0%<" ">4.00<" ">4.88<" ">pass (3 of 3)<" \
            'title="not checked: different policy">-</td>' 'class="tag best"'; do
  grep -q -- "$want" "$dir/runs" || fail "runs table lacks $want"
done
awk '/exp-no-jitter/ { a = NR } /exp-full-jitter/ { b = NR } END { exit !(a && b && a < b) }' \
  "$dir/runs" || fail "runs table is not sorted best first"
grep -q "FAIL" "$page" && fail "index.html shows FAIL for a run with another policy"
grep -q "<details>" "$page" && grep -q "<summary>Per-candidate metrics" "$page" ||
  fail "no collapsed per-candidate metrics"
grep -q "<script" "$page" && fail "index.html uses JavaScript"
grep -Eq "(src|href)=\"https?:" "$page" && fail "index.html uses external assets"

# Only a comparison run: its scenario's claims are listed, not measured, and
# the run is not checked.
"$RL" report $RUNS/herd-exp-full-jitter --out "$dir/other" --format svg >"$dir/log" 2>&1 ||
  fail "report on a comparison run exited $?"
grep -q '<li class="muted">95% success rate under rate limits' "$dir/other/index.html" ||
  fail "claims of an unmeasured scenario not marked"
grep -q 'title="not checked: different policy">-</td>' "$dir/other/index.html" ||
  fail "the comparison run is checked"

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

# Runs of two scenarios: one set of pictures per scenario, each in its section.
out="$dir/groups"
"$RL" report $RUNS/ladder-003 $RUNS/herd-exp-no-jitter $RUNS/herd-exp-full-jitter --out "$out" \
  --format png >"$dir/log" 2>&1 || fail "two-scenario report exited $?"
sed -n '/<section id="s1">/,/<\/section>/p' "$out/index.html" >"$dir/s1"
sed -n '/<section id="s2">/,/<\/section>/p' "$out/index.html" >"$dir/s2"
grep -q "<h2>seed-003-moonshot-free-tier</h2>" "$dir/s1" || fail "section 1 is not the ladder scenario"
grep -q "<h2>herd-40-clients</h2>" "$dir/s2" || fail "section 2 is not the herd scenario"
for pic in success ladder latency load outcomes; do
  [ -s "$out/$pic.png" ] && [ -s "$out/${pic}_s2.png" ] || fail "two scenarios: $pic png missing"
  grep -q "src=\"$pic.png\"" "$dir/s1" || fail "section 1 does not show $pic.png"
  grep -q "src=\"${pic}_s2.png\"" "$dir/s2" || fail "section 2 does not show ${pic}_s2.png"
  grep -q "src=\"${pic}_s2.png\"" "$dir/s1" && fail "section 1 shows ${pic}_s2.png"
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
