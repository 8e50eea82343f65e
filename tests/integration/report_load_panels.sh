#!/bin/sh
# report_load_panels.sh: with more than 3 runs the load picture has one
# panel per run; each panel's key sits outside, right of its data (as
# reports/README says): the script places it at a screen x right of the
# panels' fixed right margin, not with "outside" alone (which let the key
# overlap the data once margins are fixed). Also --format refuses
# duplicates and stray commas with its usual message.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
R=tests/data/runs
for i in 1 2; do cp -r $R/herd-exp-full-jitter "$tmp/a$i"; cp -r $R/herd-exp-no-jitter "$tmp/b$i"; done
"$RL" report "$tmp/a1" "$tmp/b1" "$tmp/a2" "$tmp/b2" --out "$tmp/rep" --format svg >"$out" 2>&1
grep -q "set multiplot layout 4,1" "$tmp/rep/load.gp" || fail "no panel per run"
cp "$tmp/rep/load.gp" "$out"
rm=$(sed -n 's/^set rmargin at screen \([0-9.]*\)$/\1/p' "$tmp/rep/load.gp")
kx=$(sed -n 's/^set key at screen \([0-9.]*\), graph 1 left top$/\1/p' "$tmp/rep/load.gp")
[ -n "$rm" ] && [ -n "$kx" ] || fail "panels: no fixed right margin or no key position"
awk -v m="$rm" -v k="$kx" 'BEGIN { exit !(k > m && k < 0.8) }' || fail "key at $kx is not right of margin $rm"

for f in png,png svg,png, ,svg ''; do
  "$RL" report $R/ladder-003 --out "$tmp/rep2" --format "$f" >"$out" 2>&1; rc=$?
  [ $rc -eq 2 ] || fail "--format '$f': exit $rc, want 2"
  grep -qF -- "--format must be png, svg or png,svg, not \"$f\"" "$out" || fail "--format '$f': message"
done
"$RL" report --help >"$out" 2>&1
grep -q -- "--tasks        tasks in each attempt timeline, 1 to 1000" "$out" || fail "--help lacks the --tasks range"
echo "report_load_panels: ok"
