#!/bin/sh
# Runs every unit-test binary given as an argument (cmocka) and every
# tests/cli/*.sh script, then prints one summary line: "N passed, N failed".
# A binary that dies before cmocka reports (a sanitizer abort, a crash) counts
# as one failure. Each test runs from the repository root with RL_BIN set.
passed=0; failed=0; failures=""
log=$(mktemp); trap 'rm -f "$log"' EXIT
export RL_ROOT="$(pwd)"

for t in "$@"; do
  timeout 900 "$t" >"$log" 2>&1; rc=$?
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    failures="$failures $(basename "$t")"
    echo "---- $(basename "$t") (exit $rc)"; cat "$log"
  else
    echo "ok   $(basename "$t"): $p"
  fi
done

for s in tests/cli/*.sh; do
  [ -f "$s" ] || continue
  timeout 900 sh "$s" >"$log" 2>&1; rc=$?
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $(basename "$s")"
  else
    failed=$((failed + 1)); failures="$failures $(basename "$s")"
    echo "---- $(basename "$s") (exit $rc)"; cat "$log"
  fi
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
