#!/bin/sh
# bench/mockserver.sh: mockserver throughput on a fixed 429 (with Retry-After
# and rate-limit headers), side by side with nginx answering the same 429 and
# headers, both measured with wrk on 127.0.0.1 for the same duration,
# connections and worker threads. The mockserver runs with its journal ON
# (in memory and to a JSON Lines file); to be fair nginx writes an access log
# too (buffered, as nginx users run it). Prints requests/s for both, the
# ratio (goal >= 0.7) and the mockserver's peak RSS (goal < 64 MiB), and
# merges them into bench/results.json under "mockserver".
# Environment: BENCH_SECONDS (5), BENCH_ROUNDS (3), BENCH_CONNECTIONS (64).
cd "$(dirname "$0")/.." || exit 3
SECONDS_EACH=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=$(nproc 2>/dev/null || echo 2)
[ "$THREADS" -gt 8 ] && THREADS=8

need() { # need COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q "$2" >/dev/null || { echo "bench: cannot install $2" >&2; exit 3; }
  else
    echo "bench: $1 missing: run as root: apt-get install $2" >&2; exit 3
  fi
}
need wrk wrk
need nginx nginx-light
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

TMP=$(mktemp -d /tmp/rl-bench.XXXXXX)
MOCK_PID=; NGINX_PID=
cleanup() {
  [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# ---- the mockserver ----
bin/mockserver bench/data/fixed429.json --port 0 --threads "$THREADS" \
  --journal "$TMP/journal.jsonl" >"$TMP/mock.out" 2>"$TMP/mock.err" &
MOCK_PID=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/mock.out" ] && break; sleep 0.2; done
MOCK_URL=$(sed -n '1s/^listening on //p' "$TMP/mock.out")
[ -n "$MOCK_URL" ] || { echo "bench: mockserver did not start: $(cat "$TMP/mock.err")" >&2; exit 3; }

# ---- nginx with the same answer ----
mkdir -p "$TMP/nginx"
nginx_conf() { # nginx_conf PORT
cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes $THREADS;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log $TMP/nginx/access.log combined buffer=64k;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$1;
    location / {
      default_type application/json;
      add_header Retry-After 20 always;
      add_header x-ratelimit-limit-requests 3 always;
      add_header x-ratelimit-remaining-requests 0 always;
      add_header x-ratelimit-reset-requests 20s always;
      return 429 '{"error":{"message":"Rate limit reached for requests","type":"rate_limit_exceeded","param":null,"code":"rate_limit_exceeded"}}\n';
    }
  }
}
CONF
}
# A free port: try a few until nginx binds one.
for try in 1 2 3 4 5 6 7 8; do
  PORT=$((20000 + ($$ * 7 + try * 7919) % 30000))
  nginx_conf "$PORT"
  "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' 2>"$TMP/nginx.err" &
  NGINX_PID=$!
  sleep 0.5
  kill -0 "$NGINX_PID" 2>/dev/null && break
  NGINX_PID=
done
NGINX_URL="http://127.0.0.1:$PORT"
[ -n "$NGINX_PID" ] && curl -s -o /dev/null "$NGINX_URL/" ||
  { echo "bench: nginx did not start: $(cat "$TMP/nginx.err")" >&2; exit 3; }

# ---- measure: alternate rounds, take medians ----
rps() { # rps URL -> requests/s
  wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_EACH}s" -s bench/post.lua "$1/bench/v1/chat/completions" \
    | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'
}
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
: >"$TMP/mock.rps"; : >"$TMP/nginx.rps"
i=0
while [ "$i" -lt "$ROUNDS" ]; do
  rps "$MOCK_URL" >>"$TMP/mock.rps"
  rps "$NGINX_URL" >>"$TMP/nginx.rps"
  i=$((i + 1))
done
MOCK_RPS=$(median <"$TMP/mock.rps")
NGINX_RPS=$(median <"$TMP/nginx.rps")
RSS_KB=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$MOCK_PID/status")
JOURNAL_LINES=$(wc -l <"$TMP/journal.jsonl")
kill "$MOCK_PID"; wait "$MOCK_PID"; MOCK_RC=$?; MOCK_PID=
JOURNAL_LINES=$(wc -l <"$TMP/journal.jsonl")

RATIO=$(awk -v a="$MOCK_RPS" -v b="$NGINX_RPS" 'BEGIN {printf "%.3f", (b > 0) ? a / b : 0}')
RSS_MIB=$(awk -v k="$RSS_KB" 'BEGIN {printf "%.1f", k / 1024}')
echo "mockserver: $MOCK_RPS requests/s (median of $ROUNDS x ${SECONDS_EACH}s, $CONNS connections, journal on: $JOURNAL_LINES lines written)"
echo "nginx:      $NGINX_RPS requests/s (same 429 and headers, access log on)"
echo "ratio:      $RATIO (goal >= 0.7)"
echo "peak RSS:   $RSS_MIB MiB (goal < 64)"
echo "exit on SIGTERM: $MOCK_RC"
sh bench/merge_results.sh mockserver "$(cat <<JSON
{"mockserver_rps": $MOCK_RPS, "nginx_rps": $NGINX_RPS, "ratio": $RATIO, "goal_ratio": 0.7,
 "mockserver_peak_rss_mib": $RSS_MIB, "goal_rss_mib": 64, "seconds_each": $SECONDS_EACH,
 "rounds": $ROUNDS, "connections": $CONNS, "threads": $THREADS, "journal": true,
 "nginx_access_log": true, "journal_lines": $JOURNAL_LINES,
 "mockserver_rounds": [$(paste -sd, "$TMP/mock.rps")], "nginx_rounds": [$(paste -sd, "$TMP/nginx.rps")]}
JSON
)"
