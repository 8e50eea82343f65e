#!/bin/sh
# report_conformance.sh: `retrylab report --conformance FILE` shows make
# conformance's table.json as a section of the page (after the scenarios):
# each client and case with the attempts and gaps its preset predicts beside
# what the client did, agreeing rows green, unknown disagreements red, known
# ones with their cause; a file that is not a conformance table is bad input.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
T=tests/data/reports/conformance-table.json
"$RL" report tests/data/runs/ladder-003 --conformance $T --out "$tmp/rep" --format svg >"$out" 2>&1 ||
  fail "report --conformance: exit $?"
page="$tmp/rep/index.html"
sed -n '/id="conformance"/,/<\/table>/p' "$page" >"$out"
for want in "2 agree, 2 disagree (1 of them known, with their cause), 1 skipped" \
            '<td class="l">openai-node 6.49.0</td><td class="l">429-retry-after-2</td>' \
            "2 attempts; gaps 2.00 s</td><td class=\"l\">2 attempts; gaps 2.01 s</td><td class=\"l ok\">yes" \
            '<td class="l fail">NO<br><small>2 attempts, predicted 3</small>' \
            '<td class="l muted">no (known)<br><small>the SDK does not retry 529 &lt;overloaded&gt; before 1.18' \
            '<td class="l muted">skipped'; do
  grep -qF -- "$want" "$out" || fail "the conformance section lacks: $want"
done
awk '/<section id="s1">/ { a = NR } /id="conformance"/ { b = NR } /id="details"/ { c = NR }
     END { exit !(a && a < b && b < c) }' "$page" || fail "the section is not after the scenarios"
grep -q 'href="#conformance"' "$page" || fail "no link to the section"

"$RL" report tests/data/runs/ladder-003 --conformance tests/data/runs/ladder-003/summary.json \
  --out "$tmp/rep2" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "not a conformance table" "$out" || fail "a summary as --conformance: exit $rc"
"$RL" report tests/data/runs/ladder-003 --conformance "$tmp/none.json" --out "$tmp/rep3" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "a missing --conformance file: exit $rc, want 2"
echo "report_conformance: ok"
