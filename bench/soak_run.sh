#!/bin/sh
# bench/soak_run.sh (make soak, after bench/soak.sh; not in make test, make
# bench or CI): one long `retrylab run` against a mockserver on 127.0.0.1
# for SOAK_SECONDS (default 600). bench/data/soak-run.json brings 100 tasks a
# second (Poisson) for the whole time; its primary refuses some with a
# Retry-After, fails 1% with a 503, and the policy retries and rotates to a
# backup, so the runner waits, retries and rotates throughout, with the full
# trace written. retrylab's RSS is sampled every 10 s. Fails (exit 1) when
# RSS after the warm-up (the first 10% of the run, at most 60 s) grows more
# than 10% above its value at the end of the warm-up; when the run does not
# exit 0 or does not finish every task; or when the trace's sends, the
# summary's attempts and the mockserver's journal lines disagree by one.
# Stops by itself: the workload ends, and everything is bounded by
# SOAK_SECONDS + 120 s.
cd "$(dirname "$0")/.." || exit 3
SOAK_SECONDS=${SOAK_SECONDS:-600}
SAMPLE_S=10
WARM_S=$((SOAK_SECONDS / 10))
[ "$WARM_S" -gt 60 ] && WARM_S=60
[ "$WARM_S" -lt "$SAMPLE_S" ] && WARM_S=$SAMPLE_S
[ -x bin/mockserver ] && [ -x bin/retrylab ] || { echo "soak-run: bin/ missing: run make" >&2; exit 3; }
command -v jq >/dev/null 2>&1 || sh tests/install_deps.sh jq || exit 3

TMP=$(mktemp -d /tmp/rl-soak-run.XXXXXX)
MOCK_PID=; RUN_PID=
cleanup() {
  [ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null
  [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 3' INT TERM

TASKS=$((SOAK_SECONDS * 100))
jq --argjson n "$TASKS" '.workload.clients = $n | .policy = "'"$PWD"'/bench/data/soak-run-policy.json"' \
  bench/data/soak-run.json >"$TMP/scenario.json" || exit 3

bin/mockserver "$TMP/scenario.json" --port 0 --threads 2 --journal "$TMP/journal.jsonl" \
  >"$TMP/mock.out" 2>"$TMP/mock.err" &
MOCK_PID=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/mock.out" ] && break; sleep 0.2; done
URL=$(sed -n '1s/^listening on //p' "$TMP/mock.out")
[ -n "$URL" ] || { echo "soak-run: mockserver did not start: $(cat "$TMP/mock.err")" >&2; exit 3; }

echo "soak-run: $SOAK_SECONDS s, $TASKS tasks at 100/s, warm-up $WARM_S s, RSS every $SAMPLE_S s ($URL)"
timeout $((SOAK_SECONDS + 120)) bin/retrylab run "$TMP/scenario.json" --target "$URL" \
  --out "$TMP/run" --quiet >"$TMP/run.out" 2>&1 &
RUN_PID=$!
# timeout(1) is RUN_PID; retrylab is its child.
RL_PID=
for _ in 1 2 3 4 5 6 7 8 9 10; do
  RL_PID=$(pgrep -P "$RUN_PID" retrylab) && break
  sleep 0.1
done
[ -n "$RL_PID" ] || { echo "soak-run: retrylab did not start: $(cat "$TMP/run.out")" >&2; exit 3; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$RL_PID/status" 2>/dev/null; }
: >"$TMP/rss"
t=0
while kill -0 "$RUN_PID" 2>/dev/null && [ "$t" -lt $((SOAK_SECONDS + 120)) ]; do
  sleep "$SAMPLE_S"
  t=$((t + SAMPLE_S))
  r=$(rss_kb)
  [ -n "$r" ] && echo "$t $r" >>"$TMP/rss"
done
wait "$RUN_PID"; RUN_RC=$?; RUN_PID=
sleep 1 # the journal file is flushed when requests finish; the last ones too
kill "$MOCK_PID"; wait "$MOCK_PID"; MOCK_RC=$?; MOCK_PID=

fail=0
echo "retrylab run: exit $RUN_RC: $(tail -1 "$TMP/run.out")"
echo "RSS samples (s kB):$(awk '{printf " %s:%s", $1, $2}' "$TMP/rss")"
awk -v warm="$WARM_S" '
  $1 <= warm { base = $2 }
  NR == 1 { first = $2 } { last = $2; if ($2 > max) max = $2 }
  $1 > warm && base && $2 > base * 1.10 { over++; if (!worst || $2 > worst) worst = $2 }
  END {
    printf "RSS: first %d kB, at the end of the warm-up %d kB, last %d kB, max %d kB (limit %d kB)\n",
      first, base, last, max, base * 1.10
    if (!base) { print "soak-run: FAIL: no RSS sample after the warm-up"; exit 1 }
    if (over) { printf "soak-run: FAIL: %d samples above the limit (worst %d kB)\n", over, worst; exit 1 }
  }' "$TMP/rss" || fail=1
S="$TMP/run/summary.json"
DONE=$(jq -r '.tasks_done' "$S" 2>/dev/null)
ATTEMPTS=$(jq -r '.attempts' "$S" 2>/dev/null)
SUCC=$(jq -r '.success_rate' "$S" 2>/dev/null)
SENDS=$(grep -c '"event":"send"' "$TMP/run/trace.jsonl" 2>/dev/null)
LINES=$(wc -l <"$TMP/journal.jsonl")
TRACE_MB=$(du -m "$TMP/run/trace.jsonl" 2>/dev/null | cut -f1)
echo "tasks: $TASKS, done ${DONE:-?}, success rate ${SUCC:-?}; attempts: summary ${ATTEMPTS:-?}, trace sends ${SENDS:-?}, journal lines $LINES; trace ${TRACE_MB:-?} MB"
[ "$RUN_RC" -eq 0 ] || { echo "soak-run: FAIL: retrylab run exited $RUN_RC"; fail=1; }
[ "$DONE" = "$TASKS" ] || { echo "soak-run: FAIL: not every task finished"; fail=1; }
if [ "$ATTEMPTS" != "$SENDS" ] || [ "$SENDS" != "$LINES" ]; then
  echo "soak-run: FAIL: the attempt counts disagree"
  fail=1
fi
[ "$MOCK_RC" -eq 0 ] || { echo "soak-run: FAIL: mockserver exited $MOCK_RC on SIGTERM"; fail=1; }
[ "$fail" -eq 0 ] && echo "soak-run: ok"
exit "$fail"
