#!/bin/sh
# bench/soak.sh (make soak; not part of make test, make bench or CI): the
# mockserver under steady load on 127.0.0.1 for SOAK_SECONDS (default 600)
# with its journal on (to a file): wrk drives SOAK_CONNECTIONS (32)
# connections through a mix of requests (bench/soak.lua on
# bench/data/soak.json: answers at once and after 5-30 ms of latency,
# 429s, both shapes, model lists, 401s, 404s). The server's RSS is sampled
# every 10 s. Fails (exit 1) when RSS after the warm-up (the first 10% of
# the run, at most 60 s) grows more than 10% above its value at the end of
# the warm-up, or when the journal file's lines, /__admin/state's
# journal.total, /metrics' mock_journal_entries_total and the sum of
# mock_requests_total disagree by even one entry, or when the server does
# not exit 0 on SIGTERM. Prints requests/s, the RSS samples and the counts.
# Stops by itself: wrk runs SOAK_SECONDS, everything else is bounded.
cd "$(dirname "$0")/.." || exit 3
SOAK_SECONDS=${SOAK_SECONDS:-600}
CONNS=${SOAK_CONNECTIONS:-32}
SAMPLE_S=10
WARM_S=$((SOAK_SECONDS / 10))
[ "$WARM_S" -gt 60 ] && WARM_S=60
[ "$WARM_S" -lt "$SAMPLE_S" ] && WARM_S=$SAMPLE_S
command -v wrk >/dev/null 2>&1 || sh tests/install_deps.sh wrk || exit 3
[ -x bin/mockserver ] || { echo "soak: bin/mockserver missing: run make" >&2; exit 3; }

TMP=$(mktemp -d /tmp/rl-soak.XXXXXX)
MOCK_PID=; WRK_PID=
cleanup() {
  [ -n "$WRK_PID" ] && kill "$WRK_PID" 2>/dev/null
  [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 3' INT TERM

bin/mockserver bench/data/soak.json --port 0 --threads 2 --journal "$TMP/journal.jsonl" \
  >"$TMP/mock.out" 2>"$TMP/mock.err" &
MOCK_PID=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/mock.out" ] && break; sleep 0.2; done
URL=$(sed -n '1s/^listening on //p' "$TMP/mock.out")
[ -n "$URL" ] || { echo "soak: mockserver did not start: $(cat "$TMP/mock.err")" >&2; exit 3; }

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$MOCK_PID/status"; }

echo "soak: $SOAK_SECONDS s, $CONNS connections, warm-up $WARM_S s, RSS every $SAMPLE_S s ($URL)"
timeout $((SOAK_SECONDS + 60)) wrk -t2 -c"$CONNS" -d"${SOAK_SECONDS}s" -s bench/soak.lua "$URL" \
  >"$TMP/wrk.out" 2>&1 &
WRK_PID=$!
: >"$TMP/rss"
t=0
while kill -0 "$WRK_PID" 2>/dev/null && [ "$t" -lt $((SOAK_SECONDS + 60)) ]; do
  sleep "$SAMPLE_S"
  t=$((t + SAMPLE_S))
  kill -0 "$WRK_PID" 2>/dev/null && echo "$t $(rss_kb)" >>"$TMP/rss"
done
wait "$WRK_PID"; WRK_RC=$?; WRK_PID=
sleep 1 # answers still sleeping when wrk stopped finish (latency <= 30 ms)

STATE=$(curl -s --max-time 10 "$URL/__admin/state")
METRICS=$(curl -s --max-time 10 "$URL/metrics")
kill "$MOCK_PID"; wait "$MOCK_PID"; MOCK_RC=$?; MOCK_PID=

LINES=$(wc -l <"$TMP/journal.jsonl")
STATE_TOTAL=$(printf '%s' "$STATE" | sed -n 's/.*"journal":{"total":\([0-9]*\).*/\1/p')
METRICS_TOTAL=$(printf '%s\n' "$METRICS" | sed -n 's/^mock_journal_entries_total \([0-9]*\)$/\1/p')
REQUESTS_SUM=$(printf '%s\n' "$METRICS" | awk '/^mock_requests_total\{/ {s += $NF} END {print s + 0}')
UNDELIVERED=$(printf '%s\n' "$METRICS" | awk '/^mock_undelivered_total\{/ {s += $NF} END {print s + 0}')
RPS=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$TMP/wrk.out")

fail=0
echo "requests/s: ${RPS:-?} (wrk exit $WRK_RC)"
sed -n 's/^ *\([0-9]* requests in .*\)/wrk: \1/p' "$TMP/wrk.out"
echo "RSS samples (s kB):$(awk '{printf " %s:%s", $1, $2}' "$TMP/rss")"
awk -v warm="$WARM_S" '
  $1 <= warm { base = $2 }
  NR == 1 { first = $2 } { last = $2; if ($2 > max) max = $2 }
  $1 > warm && base && $2 > base * 1.10 { over++; if (!worst || $2 > worst) worst = $2 }
  END {
    printf "RSS: first %d kB, at the end of the warm-up %d kB, last %d kB, max %d kB (limit %d kB)\n",
      first, base, last, max, base * 1.10
    if (!base) { print "soak: FAIL: no RSS sample after the warm-up"; exit 1 }
    if (over) { printf "soak: FAIL: %d samples above the limit (worst %d kB)\n", over, worst; exit 1 }
  }' "$TMP/rss" || fail=1
echo "journal: file $LINES lines, state total ${STATE_TOTAL:-?}, /metrics entries ${METRICS_TOTAL:-?}, sum of mock_requests_total $REQUESTS_SUM, undelivered $UNDELIVERED"
if [ -z "$STATE_TOTAL" ] || [ -z "$METRICS_TOTAL" ] || [ "$LINES" != "$STATE_TOTAL" ] ||
  [ "$LINES" != "$METRICS_TOTAL" ] || [ "$LINES" != "$REQUESTS_SUM" ]; then
  echo "soak: FAIL: the journal counts disagree"
  fail=1
fi
[ "$MOCK_RC" -eq 0 ] || { echo "soak: FAIL: mockserver exited $MOCK_RC on SIGTERM"; fail=1; }
[ "$WRK_RC" -eq 0 ] || { echo "soak: FAIL: wrk exited $WRK_RC"; fail=1; }
[ "$fail" -eq 0 ] && echo "soak: ok"
exit "$fail"
