#!/bin/sh
# bench/sim.sh: simulated attempts per second on one core for a 10,000-task
# scenario (bench/data/sim-10k.json), with the trace written and without.
# Median of 3 rounds, each the best of 3 runs (other processes on the machine
# only ever slow a run down). Goal: >= 2,000,000 attempts/s with the trace.
# Streaming: bench/data/sim-10k-stream.json played with its streaming policy
# and with sim-10k-policy.json (the same attempts unstreamed), alternated in
# the same rounds; goal: streaming >= 0.5x the unstreamed attempts/s.
# Writes bench/out/sim.json, merges it into bench/results.json under "sim"
# and prints one table row per goal with the measurement beside it.
# Run from the repository root after `make` (make bench does both).
# Results over time: bench/README.md.
set -eu
BUILD=${RL_BUILD:-build}
GOAL=2000000
mkdir -p "$BUILD/bench" bench/out
PKGS="libmicrohttpd libcurl libcjson"
cc -std=c11 -D_GNU_SOURCE -O2 -I. $(pkg-config --cflags $PKGS) bench/sim_bench.c \
  "$BUILD/libengine.a" "$BUILD/libmock.a" "$BUILD/libcommon.a" \
  $(pkg-config --libs $PKGS) -lm -lpthread -o "$BUILD/bench/sim_bench"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# taskset pins the run to one core when available.
pin=""; command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
field() { printf '%s' "$1" | sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p"; }
median3() { printf '%s\n' "$1" "$2" "$3" | sort -g | sed -n 2p; }
rates=""; bares=""; parses=""; srates=""; plains=""
for round in 1 2 3; do
  json=$($pin "$BUILD/bench/sim_bench" bench/data/sim-10k.json "$tmp/trace.jsonl" 3)
  rates="$rates $(field "$json" attempts_per_s)"
  bares="$bares $(field "$json" attempts_per_s_no_trace)"
  parses="$parses $(field "$json" attempts_per_s_parsing_headers)"
  sjson=$($pin "$BUILD/bench/sim_bench" bench/data/sim-10k-stream.json "$tmp/trace.jsonl" 3)
  srates="$srates $(field "$sjson" attempts_per_s)"
  pjson=$($pin "$BUILD/bench/sim_bench" bench/data/sim-10k-stream.json "$tmp/trace.jsonl" 3 \
    bench/data/sim-10k-policy.json)
  plains="$plains $(field "$pjson" attempts_per_s)"
done
# shellcheck disable=SC2086
rate=$(median3 $rates); bare=$(median3 $bares); parse=$(median3 $parses)
# shellcheck disable=SC2086
srate=$(median3 $srates); plain=$(median3 $plains)
sratio=$(awk -v a="$srate" -v b="$plain" 'BEGIN { printf "%.2f", a / b }')
tasks=$(field "$json" tasks); attempts=$(field "$json" attempts)
out=$(printf '{"tasks": %s, "attempts": %s, "attempts_per_s": %s, "attempts_per_s_no_trace": %s, "attempts_per_s_parsing_headers": %s, "goal_attempts_per_s": %s, "stream_attempts_per_s": %s, "stream_unstreamed_attempts_per_s": %s, "stream_ratio": %s, "goal_stream_ratio": 0.5, "rounds": 3, "runs_per_round": 3, "statistic": "median of rounds, best run of each"}' \
  "$tasks" "$attempts" "$rate" "$bare" "$parse" "$GOAL" "$srate" "$plain" "$sratio")
printf '%s\n' "$out" >bench/out/sim.json
sh bench/merge_results.sh sim "$out"
verdict="goal met"; [ "$rate" -ge "$GOAL" ] || verdict="goal NOT met"
printf '%-34s %12s /s  (no trace: %s /s)  goal >= %s: %s\n' \
  "sim attempts/s (10,000 tasks)" "$rate" "$bare" "$GOAL" "$verdict"
# rl_headers_known (engine/core/headers.c) stays only while it buys >= 20% of sim speed.
gain=$(awk -v a="$bare" -v b="$parse" 'BEGIN { printf "%.2f", a / b }')
keep=$(awk -v g="$gain" 'BEGIN { print (g >= 1.2) ? "keep it (>= 1.20x)" : "REMOVE it (< 1.20x)" }')
printf '%-34s %12s /s  (the shortcut buys %sx: %s)\n' \
  "sim, headers written and parsed" "$parse" "$gain" "$keep"
sverdict=$(awk -v r="$sratio" 'BEGIN { print (r >= 0.5) ? "goal met" : "goal NOT met" }')
printf '%-34s %12s /s  (unstreamed: %s /s, %sx)  goal >= 0.5x: %s\n' \
  "sim, every attempt streamed" "$srate" "$plain" "$sratio" "$sverdict"
