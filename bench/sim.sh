#!/bin/sh
# bench/sim.sh: simulated attempts per second on one core for a 10,000-task
# scenario (bench/data/sim-10k.json), with the trace written and without.
# Writes bench/out/sim.json and prints one table row. Goal: >= 2,000,000/s.
# Run from the repository root after `make` (make bench does both).
set -eu
BUILD=${RL_BUILD:-build}
mkdir -p "$BUILD/bench" bench/out
PKGS="libmicrohttpd libcurl libcjson"
cc -std=c11 -D_GNU_SOURCE -O2 -I. $(pkg-config --cflags $PKGS) bench/sim_bench.c \
  "$BUILD/libengine.a" "$BUILD/libmock.a" "$BUILD/libcommon.a" \
  $(pkg-config --libs $PKGS) -lm -lpthread -o "$BUILD/bench/sim_bench"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# taskset pins the run to one core when available.
pin=""; command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
json=$($pin "$BUILD/bench/sim_bench" bench/data/sim-10k.json "$tmp/trace.jsonl" 5)
printf '%s\n' "$json" >bench/out/sim.json
rate=$(printf '%s' "$json" | sed -n 's/.*"attempts_per_s": \([0-9]*\).*/\1/p')
bare=$(printf '%s' "$json" | sed -n 's/.*"attempts_per_s_no_trace": \([0-9]*\).*/\1/p')
verdict="goal met"; [ "$rate" -ge 2000000 ] || verdict="goal NOT met"
printf '%-34s %12s /s  (no trace: %s /s)  goal >= 2000000: %s\n' \
  "sim attempts/s (10,000 tasks)" "$rate" "$bare" "$verdict"
