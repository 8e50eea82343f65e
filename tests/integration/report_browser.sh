#!/bin/sh
# report_browser.sh: the report page as a reader's browser shows it. A
# report over several scenarios (seed claims, streams, a comparison run, a
# sweep, the conformance table) is opened in headless Chromium at 1280 px
# with every <details> open (tests/lib/page_check.js): every picture loads,
# and nothing is wider than the window. Chromium comes from Debian
# (tests/install_deps.sh chromium); the test skips, saying so, only when it
# cannot be installed. A report of a user's own scenarios (no seed document)
# says nothing of seeds.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
R=tests/data/runs

# A user's scenario: no seed text anywhere on its page.
"$RL" sim tests/data/sweep/herd.json --policy tests/data/sweep/herd-policy.json --out "$tmp/own" \
  --quiet >"$out" 2>&1 || fail "sim of the user's scenario: exit $?"
"$RL" report "$tmp/own" --out "$tmp/own-rep" --format svg >"$out" 2>&1 || fail "report (own): exit $?"
grep -Eqi "seed doc|seed claims|seed's" "$tmp/own-rep/index.html" &&
  { grep -Ei "seed doc|seed claims|seed's" "$tmp/own-rep/index.html" | head -3 >"$out";
    fail "a user's own scenario's page speaks of seed documents"; }

"$RL" sweep tests/data/sweep/herd.json --policy tests/data/sweep/herd-policy.json \
  --vary backoff.base_s=0.5,1 --seeds 2 --jobs 1 --out "$tmp/sweep" --quiet >"$out" 2>&1 ||
  fail "sweep: exit $?"
"$RL" report $R/ladder-003 $R/herd-exp-no-jitter $R/herd-exp-full-jitter $R/mixed-outcomes $R/streams \
  "$tmp/own" "$tmp/sweep" --conformance tests/data/reports/conformance-table.json \
  --out "$tmp/rep" --format png >"$out" 2>&1 || fail "report: exit $?"

if ! command -v chromium >/dev/null 2>&1 && ! sh tests/install_deps.sh chromium >"$out" 2>&1; then
  echo "report_browser: SKIP: chromium is not installed and cannot be (tests/install_deps.sh chromium):"
  cat "$out"
  exit 0
fi
{ sed '/<\/body>/,$d' "$tmp/rep/index.html"; printf '<script>\n'; cat tests/lib/page_check.js
  printf '</script>\n</body>\n</html>\n'; } >"$tmp/rep/check.html"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/profile" \
  --window-size=1280,900 --virtual-time-budget=30000 --dump-dom "file://$tmp/rep/check.html" \
  >"$tmp/dom" 2>"$tmp/chromium.log"; rc=$?
[ $rc -eq 0 ] || { cat "$tmp/chromium.log" >"$out"; fail "chromium: exit $rc"; }
sed -n '/<pre id="rl-result">/,/<\/pre>/p' "$tmp/dom" >"$out"
[ -s "$out" ] || { tail -20 "$tmp/chromium.log" >"$out"; fail "the page check did not run"; }
n=$(sed -n 's/.*pictures=\([0-9]*\) problems=\([0-9]*\).*/\1/p' "$out")
p=$(sed -n 's/.*pictures=\([0-9]*\) problems=\([0-9]*\).*/\2/p' "$out")
[ "${n:-0}" -ge 20 ] || fail "only ${n:-0} pictures on the page"
[ "$p" = 0 ] || fail "the page has problems at 1280 px"
echo "report_browser: ok ($n pictures, none missing, nothing wider than 1280 px)"
