#!/bin/sh
# Runs every unit-test binary given as an argument (cmocka) and every
# tests/integration/*.sh script, RL_JOBS at a time (default: the number of
# cores), then prints one summary line: "N passed, N failed". A binary that
# dies before cmocka reports (a sanitizer abort, a crash) counts as one
# failure. Each test runs from the repository root with RL_BIN set; its
# output is shown only when it fails. The five slowest tests are named with
# their wall times (the first place to look when `make test` gets slower).
export RL_ROOT="$(pwd)"
logs=$(mktemp -d); trap 'rm -rf "$logs"' EXIT
jobs=${RL_JOBS:-$(nproc 2>/dev/null || echo 2)}

# One test: its exit code and output into $logs/NAME.{rc,log}.
run_one() {
  name=$(basename "$1")
  t0=$(date +%s.%N)
  case $1 in
    *.sh) timeout 900 sh "$1" >"$logs/$name.log" 2>&1 ;;
    *) timeout 900 "$1" >"$logs/$name.log" 2>&1 ;;
  esac
  echo $? >"$logs/$name.rc"
  echo "$t0 $(date +%s.%N)" | awk -v n="$name" '{printf "%.1f %s\n", $2 - $1, n}' >"$logs/$name.time"
}

if [ "${1:-}" = "--one" ]; then
  logs=$2; trap - EXIT; run_one "$3"; exit 0
fi

# The slowest first, so the last ones to start are short.
list=$(for t in "$@" tests/integration/*.sh; do [ -f "$t" ] && echo "$t"; done |
  awk '/test_run_http|test_mockhttp|reports_|scenarios_/ {print 0, $0; next} {print 1, $0}' |
  sort -s -k1,1n | cut -d' ' -f2-)
printf '%s\n' $list | xargs -P "$jobs" -I{} sh "$0" --one "$logs" {}

passed=0; failed=0; failures=""
for t in $list; do
  name=$(basename "$t"); rc=$(cat "$logs/$name.rc" 2>/dev/null || echo 127)
  case $t in
    *.sh) p=0; f=0; [ "$rc" -eq 0 ] && p=1 || f=1 ;;
    *)
      p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$logs/$name.log" | tail -n 1)
      f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$logs/$name.log" | tail -n 1)
      p=${p:-0}; f=${f:-0}
      if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi ;;
  esac
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    failures="$failures $name"
    echo "---- $name (exit $rc)"; cat "$logs/$name.log"
  else
    case $t in *.sh) echo "ok   $name" ;; *) echo "ok   $name: $p" ;; esac
  fi
done

cat "$logs"/*.time 2>/dev/null | sort -rn | head -n 5 |
  awk '{s = s (NR > 1 ? ", " : "") $2 " " $1 " s"} END {if (s != "") print "slowest: " s}'
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
