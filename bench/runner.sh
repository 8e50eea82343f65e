#!/bin/sh
# bench/runner.sh: the HTTP runner (retrylab run) against bin/mockserver on
# loopback. Medians of 3 runs of each:
#   runner:   10,000 concurrent tasks (bench/data/runner-10k.json, scale 10):
#             peak RSS of retrylab (goal < 64 MiB) and its CPU (user + sys,
#             wait4) per attempt (goal < 20 us); then one more run counts
#             its system calls per attempt with perf, when perf can trace
#             syscalls here (null otherwise): steadier than CPU time on a
#             loaded machine, so a change to the loop shows there first;
#   peers:    in the same rounds, against the same mockserver and scenario with
#             the same 256 connections: two bare libcurl clients (bench/curl_peer.c,
#             the runner's libcurl options and nothing else: no engine, no trace;
#             one on curl_multi_poll, one on the socket API with epoll) sending as
#             many requests as the runner made attempts, and wrk (one thread,
#             3 s; installed by bench/mockserver.sh, null when missing). Their CPU
#             per request is what a libcurl client costs here, and what the
#             kernel's loopback TCP costs any client; the ratios put the
#             runner's own cost beside them. Goal: the runner at most as costly
#             per attempt as the cheaper bare libcurl client;
#   fidelity: 500 waits of 5..50 ms in real time (bench/data/runner-fidelity.json,
#             scale 1): |observed - planned| p50 and p99 from the trace (goal
#             p99 < 1 ms), beside the platform's floor (a bare timerfd sleep).
# Merges its numbers into bench/results.json under "runner" (and writes
# bench/out/runner.json) and prints table rows. Run from the repository
# root after `make` (make bench does both). Bounded: about 45 s.
set -eu
BUILD=${RL_BUILD:-build}
BIN=${RL_BIN:-bin}
mkdir -p "$BUILD/bench" bench/out
cc -std=c11 -D_GNU_SOURCE -O2 bench/runner_tools.c -o "$BUILD/bench/runner_tools"
T="$BUILD/bench/runner_tools"
PKGS="libcurl"
cc -std=c11 -D_GNU_SOURCE -O2 $(pkg-config --cflags $PKGS) bench/curl_peer.c \
  $(pkg-config --libs $PKGS) -o "$BUILD/bench/curl_peer"
P="$BUILD/bench/curl_peer"
WRK=$(command -v wrk || true)
tmp=$(mktemp -d)
ms_pid=""
cleanup() {
  [ -n "$ms_pid" ] && kill "$ms_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_mock SCENARIO SCALE: sets url.
start_mock() {
  msout=$(mktemp "$tmp/ms.XXXXXX") # a new file each time: never an old server's URL
  "$BIN/mockserver" "$1" --port 0 --time-scale "$2" >"$msout" 2>"$tmp/ms.err" &
  ms_pid=$!
  i=0
  while [ $i -lt 100 ]; do
    url=$(sed -n 's/^listening on //p' "$msout" 2>/dev/null)
    [ -n "$url" ] && return 0
    sleep 0.05
    i=$((i + 1))
  done
  echo "runner: mockserver did not start: $(cat "$tmp/ms.err")" >&2
  stop_mock
  return 1
}
stop_mock() {
  kill "$ms_pid" 2>/dev/null || true
  wait "$ms_pid" 2>/dev/null || true
  ms_pid=""
}
median3() { printf '%s\n' "$1" "$2" "$3" | sort -g | sed -n 2p; }
num() { sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\([0-9.]*\).*/\1/p" "$2" | head -n 1; }

# One round against one mockserver: the 10,000-task run, then the bare
# libcurl peers with as many requests, then wrk. Prints "rss_kib
# cpu_us_per_attempt attempts poll_us epoll_us wrk_us sys_us wrk_sys_us"
# (CPU per request, then its system part; wrk's are null without wrk).
one_10k() {
  start_mock bench/data/runner-10k.json 10
  out=$("$T" rusage "$BIN/retrylab" run bench/data/runner-10k.json --target "$url" \
    --time-scale 10 --out "$tmp/r10k" --quiet | tail -n 1)
  set -- $out
  [ "$4" = 0 ] || { echo "runner: retrylab run exited $4" >&2; stop_mock; return 1; }
  att=$(num attempts "$tmp/r10k/summary.json")
  ours=$(awk -v rss="$1" -v u="$2" -v s="$3" -v a="$att" \
    'BEGIN { printf "%.1f %.2f %d", rss / 1024, (u + s) / a, a }')
  sys=$(awk -v s="$3" -v a="$att" 'BEGIN { printf "%.2f", s / a }')
  peer=""
  for mode in poll epoll; do
    set -- $("$T" rusage "$P" "$mode" "$url/groq/v1/chat/completions" "$att" 256 | tail -n 1)
    [ "$4" = 0 ] || { echo "runner: curl_peer $mode exited $4" >&2; stop_mock; return 1; }
    peer="$peer $(awk -v u="$2" -v s="$3" -v a="$att" 'BEGIN { printf "%.2f", (u + s) / a }')"
  done
  w=null; wsys=null
  if [ -n "$WRK" ]; then
    "$T" rusage "$WRK" -t1 -c256 -d3s -s bench/runner_post.lua "$url/groq/v1/chat/completions" >"$tmp/wrk"
    n=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$tmp/wrk")
    set -- $(tail -n 1 "$tmp/wrk")
    if [ -n "$n" ] && [ "$4" = 0 ]; then
      w=$(awk -v u="$2" -v s="$3" -v a="$n" 'BEGIN { printf "%.2f", (u + s) / a }')
      wsys=$(awk -v s="$3" -v a="$n" 'BEGIN { printf "%.2f", s / a }')
    fi
  fi
  stop_mock
  echo "$ours $peer $w $sys $wsys"
}

# One 10,000-task run under `perf stat`: prints syscalls per attempt, or
# null when perf is missing or may not trace syscalls.
one_syscalls() {
  command -v perf >/dev/null 2>&1 || { echo null; return 0; }
  start_mock bench/data/runner-10k.json 10
  n=""
  if perf stat -x, -o "$tmp/perf" -e raw_syscalls:sys_enter "$BIN/retrylab" run \
    bench/data/runner-10k.json --target "$url" --time-scale 10 --out "$tmp/rsc" \
    --quiet >/dev/null 2>&1; then
    n=$(sed -n 's/^\([0-9][0-9]*\),.*raw_syscalls:sys_enter.*/\1/p' "$tmp/perf")
  fi
  stop_mock
  att=$(num attempts "$tmp/rsc/summary.json" 2>/dev/null || true)
  if [ -n "$n" ] && [ -n "$att" ]; then
    awk -v n="$n" -v a="$att" 'BEGIN { printf "%.2f\n", n / a }'
  else
    echo null
  fi
}

# One fidelity run: prints "p50_ms p99_ms waits".
one_fidelity() {
  start_mock bench/data/runner-fidelity.json 1
  "$BIN/retrylab" run bench/data/runner-fidelity.json --target "$url" --out "$tmp/fid" \
    --quiet >/dev/null
  stop_mock
  grep '"event":"wait"' "$tmp/fid/trace.jsonl" |
    sed -n 's/.*"delay":\([0-9.]*\),"observed":\([0-9.]*\).*/\1 \2/p' |
    awk '{ d = $2 - $1; if (d < 0) d = -d; print d * 1000 }' | sort -g >"$tmp/lat"
  n=$(wc -l <"$tmp/lat")
  p50=$(sed -n "$(( (n + 1) / 2 ))p" "$tmp/lat")
  p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$tmp/lat")
  printf '%.3f %.3f %d\n' "$p50" "$p99" "$n"
}

# Each round in a subshell: a failed one leaves fewer than 24 numbers.
set -- $(one_10k) $(one_10k) $(one_10k)
[ $# -eq 24 ] || { echo "runner: a 10,000-task run failed" >&2; exit 1; }
rss=$(median3 "$1" "$9" "${17}")
cpu=$(median3 "$2" "${10}" "${18}")
attempts=$3
ppoll=$(median3 "$4" "${12}" "${20}")
pepoll=$(median3 "$5" "${13}" "${21}")
sys=$(median3 "$7" "${15}" "${23}")
wrk=null; wsys=null
[ "$6" = null ] || { wrk=$(median3 "$6" "${14}" "${22}"); wsys=$(median3 "$8" "${16}" "${24}"); }
peer=$(awk -v a="$ppoll" -v b="$pepoll" 'BEGIN { print (a < b) ? a : b }')
ratio() { [ "$2" = null ] && { echo null; return; }; awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
r_peer=$(ratio "$cpu" "$peer"); r_wrk=$(ratio "$cpu" "$wrk")
syscalls=$(one_syscalls)
set -- $(one_fidelity) $(one_fidelity) $(one_fidelity)
[ $# -eq 9 ] || { echo "runner: a fidelity run failed" >&2; exit 1; }
p50=$(median3 "$1" "$4" "$7")
p99=$(median3 "$2" "$5" "$8")
waits=$3
# The floor: one run of 500 bare sleeps (14 s) is enough to compare with.
set -- $("$T" timer 500)
floor50=$(awk -v a="$1" 'BEGIN { printf "%.3f", a / 1000 }')
floor99=$(awk -v a="$2" 'BEGIN { printf "%.3f", a / 1000 }')

verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v < g) ? "goal met" : "goal NOT met" }'; }
printf '%-34s %9s MiB  goal < 64: %s\n' "runner peak RSS (10,000 tasks)" "$rss" "$(verdict "$rss" 64)"
printf '%-34s %9s us   (%s of it system; %s attempts; < 20 asked once: %s, see bench/README.md)\n' \
  "runner CPU per attempt" "$cpu" "$sys" "$attempts" "$(verdict "$cpu" 20 | sed 's/goal //')"
printf '%-34s %9s us   (curl_multi_poll %s, socket API + epoll %s); runner/libcurl %sx, goal <= 1: %s\n' \
  "  bare libcurl client, per request" "$peer" "$ppoll" "$pepoll" "$r_peer" \
  "$(awk -v r="$r_peer" 'BEGIN { print (r <= 1) ? "goal met" : "goal NOT met" }')"
printf '%-34s %9s us   (%s of it system: no libcurl, the kernel'"'"'s loopback TCP is a floor for any client); runner/wrk %sx\n' \
  "  wrk, per request" "$wrk" "$wsys" "$r_wrk"
printf '%-34s %9s      (floor 4 with libcurl 7.88: sendto, recvfrom, two polls)\n' \
  "runner syscalls per attempt" "$syscalls"
printf '%-34s p50 %s ms, p99 %s ms  goal p99 < 1: %s  (platform timerfd floor: p50 %s, p99 %s ms)\n' \
  "delay fidelity (scale 1, $waits waits)" "$p50" "$p99" "$(verdict "$p99" 1)" "$floor50" "$floor99"
json=$(printf '{"tasks": 10000, "attempts": %s, "peak_rss_mib": %s, "goal_rss_mib": 64, "cpu_us_per_attempt": %s, "sys_us_per_attempt": %s, "goal_cpu_us_per_attempt": 20, "peer_libcurl_poll_cpu_us_per_request": %s, "peer_libcurl_epoll_cpu_us_per_request": %s, "peer_wrk_cpu_us_per_request": %s, "peer_wrk_sys_us_per_request": %s, "ratio_to_libcurl": %s, "goal_ratio_to_libcurl": 1, "ratio_to_wrk": %s, "syscalls_per_attempt": %s, "fidelity_waits": %s, "fidelity_p50_ms": %s, "fidelity_p99_ms": %s, "goal_fidelity_p99_ms": 1, "timerfd_floor_p50_ms": %s, "timerfd_floor_p99_ms": %s, "runs": 3, "statistic": "median"}' \
  "$attempts" "$rss" "$cpu" "$sys" "$ppoll" "$pepoll" "$wrk" "$wsys" "$r_peer" "$r_wrk" "$syscalls" "$waits" "$p50" "$p99" "$floor50" "$floor99")
printf '%s\n' "$json" >bench/out/runner.json
sh bench/merge_results.sh runner "$json"
