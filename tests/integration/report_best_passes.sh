#!/bin/sh
# report_best_passes.sh: when a run that fails its check ties with a passing
# one (same success rate and calls per success), the passing run is marked
# "best", whatever the command-line order.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
R=tests/data/runs

"$RL" report $R/ladder-003-wrong-wait $R/ladder-003 --out "$tmp/rep" --format svg >"$out" 2>&1
sed -n '/<section id="s1">/,/<\/table>/p' "$tmp/rep/index.html" >"$out"
grep -q 'FAIL (1 of 5)' "$out" && grep -q 'pass (5 of 5)' "$out" || fail "fixtures no longer fail/pass"
grep -E '<tr [^>]*class="best"' "$out" | grep -q 'pass (5 of 5)' || fail "best is not the passing run"
grep -E '<tr [^>]*class="best"' "$out" | grep -q 'FAIL' && fail "the failing run is marked best"
echo "report_best_passes: ok"
