#!/bin/sh
# bench/sweep.sh: retrylab sweep throughput and memory.
# 1. Variant-runs per second of `retrylab sweep` on seed 001 as the seed reads it
#    (1,000 tasks, 514 attempts a run): limits.max_attempts 5..25 (21
#    variants, each loaded once; the seed's policy never reaches the limit, so
#    every run does the floor's work) x 100 seeds = 2,100 runs, no trace, all
#    cores; median of 3. Goal: >= 5,000 variant-runs/s. Also, once, the
#    demo's kind of grid (cooldown x attempts, 22 x 5 x 20 seeds), whose
#    short cooldowns double the attempts of a run.
# 2. The floor under it: rl_sim_run alone (bench/sweep_floor.c: the same
#    scenario and policy, no trace, one thread per core, no sweep around it).
# 3. The same work as one `retrylab sim` process per variant-run (200 runs,
#    two at a time): the sweep's speed-up is the ratio.
# 4. Memory: peak RSS of a 100,000-variant sweep (tests/data/sweep/herd.json,
#    one seed) beside a 1,000-variant one: it stays flat (goal < 256 MiB).
# Writes bench/out/sweep.json and merges it into bench/results.json under "sweep".
set -eu
BUILD=${RL_BUILD:-build}
R=./bin/retrylab
S=scenarios/seed-001-groq-fallback-no-retry-after.json
GOAL=5000
mkdir -p "$BUILD/bench" bench/out
PKGS="libmicrohttpd libcurl libcjson"
cc -std=c11 -D_GNU_SOURCE -O2 -I. $(pkg-config --cflags $PKGS) bench/sweep_floor.c \
  "$BUILD/libengine.a" "$BUILD/libmock.a" "$BUILD/libcommon.a" \
  $(pkg-config --libs $PKGS) -lm -lpthread -o "$BUILD/bench/sweep_floor"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cores=$(nproc 2>/dev/null || echo 2)
field() { sed -n "s/.*\"$2\":[ 	]*\([0-9.]*\).*/\1/p" "$1" | head -n 1; }
median3() { printf '%s\n' "$1" "$2" "$3" | sort -g | sed -n 2p; }

rates=""; cpus=""
for round in 1 2 3; do
  /usr/bin/time -f '%U %S' -o "$tmp/t$round" "$R" sweep "$S" --vary limits.max_attempts=5..25:1 \
    --seeds 100 --quiet --out "$tmp/sw$round" >/dev/null
  rates="$rates $(field "$tmp/sw$round/sweep.json" runs_per_s)"
  cpus="$cpus $(awk '{ printf "%.0f", 2100 / ($1 + $2) }' "$tmp/t$round")"
done
# shellcheck disable=SC2086
rate=$(median3 $rates); cpu_rate=$(median3 $cpus)
rate=${rate%.*}
"$R" sweep "$S" --vary cooldown.default_s=60..1320:60 --vary limits.max_attempts=5..25:5 \
  --seeds 20 --quiet --out "$tmp/mixed" >/dev/null
mixed=$(field "$tmp/mixed/sweep.json" runs_per_s); mixed=${mixed%.*}

"$BUILD/bench/sweep_floor" "$S" "$cores" 3 >"$tmp/floor.json"
floor=$(field "$tmp/floor.json" runs_per_s); floor_cpu=$(field "$tmp/floor.json" runs_per_cpu_s)

n=200
start=$(date +%s.%N)
seq 1 $n | xargs -P "$cores" -I{} "$R" sim "$S" --seed {} --quiet --out "$tmp/p{}" >/dev/null
end=$(date +%s.%N)
procs=$(awk -v n=$n -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", n / (b - a) }')
ratio=$(awk -v a="$rate" -v b="$procs" 'BEGIN { printf "%.1f", a / b }')

H=tests/data/sweep/herd.json
/usr/bin/time -f %M -o "$tmp/m1" "$R" sweep "$H" --vary backoff.base_s=0.01..10:0.01 --seeds 1 \
  --quiet --out "$tmp/m1k" >/dev/null
/usr/bin/time -f %M -o "$tmp/m2" "$R" sweep "$H" --vary backoff.base_s=0.01..1000:0.01 --seeds 1 \
  --quiet --out "$tmp/m100k" >/dev/null
rss1=$(tail -n 1 "$tmp/m1"); rss2=$(tail -n 1 "$tmp/m2")
rows=$(($(wc -l <"$tmp/m100k/sweep.csv") - 1))

out=$(printf '{"variant_runs_per_s": %s, "variant_runs_per_cpu_s": %s, "sim_floor_runs_per_cpu_s": %s, "cooldown_grid_variant_runs_per_s": %s, "goal_variant_runs_per_s": %s, "sim_floor_runs_per_s": %s, "process_per_run_runs_per_s": %s, "speedup_over_processes": %s, "threads": %s, "rss_kib_1000_variants": %s, "rss_kib_100000_variants": %s, "rows_100000": %s, "statistic": "median of 3 sweeps of 2,100 runs"}' \
 "$rate" "$cpu_rate" "$floor_cpu" "$mixed" "$GOAL" "$floor" "$procs" "$ratio" "$cores" "$rss1" "$rss2" "$rows")
printf '%s\n' "$out" >bench/out/sweep.json
sh bench/merge_results.sh sweep "$out"
verdict="goal met"; [ "$rate" -ge "$GOAL" ] || verdict="goal NOT met (the floor, rl_sim_run alone: $floor /s)"
printf '%-34s %12s /s  (%sx one sim process per run: %s /s)  goal >= %s: %s\n' \
  "sweep variant-runs/s (seed 001)" "$rate" "$ratio" "$procs" "$GOAL" "$verdict"
printf '%-34s %12s /s  (rl_sim_run alone on %s threads, no sweep around it)\n' \
  "sim floor, runs/s (seed 001)" "$floor" "$cores"
printf '%-34s %12s /s  (the floor: %s per CPU second; a busy machine moves wall rates, not these)\n' \
  "sweep runs per CPU second" "$cpu_rate" "$floor_cpu"
printf '%-34s %12s /s  (cooldown 60..1320 s: up to twice the attempts a run)\n' \
  "sweep, the demo's kind of grid" "$mixed"
mem="goal met"; [ "$rss2" -lt 262144 ] || mem="goal NOT met"
printf '%-34s %9s KiB  (1,000 variants: %s KiB)  goal < 262144 KiB: %s\n' \
  "sweep peak RSS, 100,000 variants" "$rss2" "$rss1" "$mem"
