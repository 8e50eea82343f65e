#!/bin/sh
# bench/stream.sh: the mockserver holding STREAM_CONNS (2,000) concurrent
# token streams at 20 tokens/s each (40,000 events/s) for 20 s on 127.0.0.1
# (bench/data/stream-2k.json), side by side with bench/sse_ref.c (one epoll
# thread sending the same bytes at the same pacing: the floor here), both
# read by bench/stream_load.c. Per server: each token event's lateness
# against its stream's schedule (p50, p99), events/s, the server's peak RSS
# and its CPU use (% of one core over the run); rounds alternate the two
# servers and the medians are compared. Goals: p99 lateness < 5 ms, peak
# RSS < 128 MiB. Merges the numbers into bench/results.json under "stream".
# Environment: STREAM_CONNS (2000), STREAM_ROUNDS (3), STREAM_RAMP_S (1).
cd "$(dirname "$0")/.." || exit 3
set -eu
BUILD=${RL_BUILD:-build}
CONNS=${STREAM_CONNS:-2000}
ROUNDS=${STREAM_ROUNDS:-3}
RAMP=${STREAM_RAMP_S:-1}
TPS=20; TOKENS=400 # as bench/data/stream-2k.json says: 20 s per stream
GOAL_P99_MS=5; GOAL_RSS_KIB=131072
mkdir -p "$BUILD/bench" bench/out
for p in stream_load sse_ref; do
  cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror "bench/$p.c" -o "$BUILD/bench/$p"
done
TMP=$(mktemp -d /tmp/rl-bench-stream.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM
HZ=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
field() { printf '%s' "$1" | sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run NAME COMMAND...: one round against the server COMMAND starts; appends
# "p50 p99 events_per_s rss_kib cpu_pct complete" to $TMP/NAME.
run() {
  name=$1; shift
  "$@" >"$TMP/srv.out" 2>"$TMP/srv.err" &
  PID=$!
  for _ in $(seq 50); do [ -s "$TMP/srv.out" ] && break; sleep 0.1; done
  port=$(sed -n '1s/.*:\([0-9]*\)$/\1/p' "$TMP/srv.out")
  [ -n "$port" ] || { echo "bench: $name did not start: $(cat "$TMP/srv.err")" >&2; exit 3; }
  c0=$(ticks "$PID"); t0=$(date +%s.%N)
  json=$("$BUILD/bench/stream_load" "$port" /bench/v1/chat/completions "$CONNS" "$TPS" "$RAMP" 60) ||
    echo "bench: $name: not every stream completed: $json" >&2
  c1=$(ticks "$PID"); t1=$(date +%s.%N)
  rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$PID/status")
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  cpu=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v hz="$HZ" \
    'BEGIN { printf "%.1f", 100 * (b - a) / hz / (e - s) }')
  echo "$(field "$json" late_p50_ms) $(field "$json" late_p99_ms) $(field "$json" events_per_s)" \
    "$rss $cpu $(field "$json" complete)" >>"$TMP/$name"
  printf '  round %s %-10s p50 %7s ms  p99 %7s ms  %6s events/s  RSS %6s KiB  CPU %5s%%  %s/%s streams\n' \
    "$round" "$name" $(tail -n 1 "$TMP/$name") "$CONNS"
}

for round in $(seq "$ROUNDS"); do
  run mockserver bin/mockserver bench/data/stream-2k.json --port 0
  run reference "$BUILD/bench/sse_ref" 0 "$TPS" "$TOKENS"
done
col() { awk -v c="$2" '{ print $c }' "$TMP/$1"; }
# shellcheck disable=SC2046
for s in mockserver reference; do
  eval "${s}_p50=$(median $(col $s 1)) ${s}_p99=$(median $(col $s 2)) ${s}_eps=$(median $(col $s 3))"
  eval "${s}_rss=$(median $(col $s 4)) ${s}_cpu=$(median $(col $s 5))"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
r_p99=$(ratio "$mockserver_p99" "$reference_p99"); r_cpu=$(ratio "$mockserver_cpu" "$reference_cpu")
out=$(printf '{"conns": %s, "tokens_per_s": %s, "seconds": %s, "rounds": %s, "mockserver": {"late_p50_ms": %s, "late_p99_ms": %s, "events_per_s": %s, "peak_rss_kib": %s, "cpu_pct": %s}, "reference": {"late_p50_ms": %s, "late_p99_ms": %s, "events_per_s": %s, "peak_rss_kib": %s, "cpu_pct": %s}, "ratio_p99": %s, "ratio_cpu": %s, "goal_p99_ms": %s, "goal_rss_kib": %s, "statistic": "median of rounds"}' \
  "$CONNS" "$TPS" $((TOKENS / TPS)) "$ROUNDS" "$mockserver_p50" "$mockserver_p99" "$mockserver_eps" \
  "$mockserver_rss" "$mockserver_cpu" "$reference_p50" "$reference_p99" "$reference_eps" \
  "$reference_rss" "$reference_cpu" "$r_p99" "$r_cpu" "$GOAL_P99_MS" "$GOAL_RSS_KIB")
printf '%s\n' "$out" >bench/out/stream.json
sh bench/merge_results.sh stream "$out"
v_p99=$(awk -v a="$mockserver_p99" -v g="$GOAL_P99_MS" 'BEGIN { print (a < g) ? "goal met" : "goal NOT met" }')
v_rss=$([ "$mockserver_rss" -lt "$GOAL_RSS_KIB" ] && echo "goal met" || echo "goal NOT met")
printf '%-34s %9s ms  (reference %s ms, %sx)  goal < %s ms: %s\n' \
  "stream p99 event lateness" "$mockserver_p99" "$reference_p99" "$r_p99" "$GOAL_P99_MS" "$v_p99"
printf '%-34s %9s KiB (reference %s KiB)  goal < %s KiB: %s\n' \
  "stream server peak RSS" "$mockserver_rss" "$reference_rss" "$GOAL_RSS_KIB" "$v_rss"
printf '%-34s %9s %%   (reference %s %%, %sx) of one core, %s streams, %s events/s\n' \
  "stream server CPU" "$mockserver_cpu" "$reference_cpu" "$r_cpu" "$CONNS" "$mockserver_eps"
