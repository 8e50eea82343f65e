#!/bin/sh
# layers.sh [ROOT]: the architecture's walls (DESIGN.md), checked on the C
# files under ROOT (default: the repository). Prints each breach as
# FILE:LINE: what is wrong, and exits 1 when there is one, 0 when all hold.
#
# 1. Pure parts (common/*.[ch] outside common/io, engine/core, mockserver/model,
#    mockserver/scenario) read no clock, never sleep, touch no socket, thread,
#    file or environment, and include no header that does (libcurl,
#    libmicrohttpd, sockets, threads, POSIX I/O). Files come in through
#    common/io (cm_file_read), the one place that opens them.
# 2. Nothing includes upward. Bottom to top: common -> mockserver (scenario,
#    model -> front) -> engine (core -> driver -> sim | http | import -> sweep
#    (on sim) -> cli); reports/ stands apart (it reads files) and only engine/cli
#    includes it.
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT

files() { find "$@" -name '*.[ch]' 2>/dev/null | sort; }

pure=$(files common engine/core mockserver/model mockserver/scenario | grep -v '^common/io/')
for f in $pure; do
  # Strip comments and strings first, so a comment that names a function is no breach.
  sed -e 's#/\*.*\*/##g' -e 's#"[^"]*"#""#g' "$f" | awk -v f="$f" '
    /^[ \t]*\/?\*/ { next }
    /#include[ \t]*<(curl\/|microhttpd|sys\/socket|sys\/epoll|sys\/timerfd|sys\/time\.h|sys\/stat|sys\/resource|netinet\/|arpa\/|poll\.h|pthread|threads\.h|unistd|fcntl|signal\.h|dirent)/ {
      printf "%s:%d: pure file includes %s\n", f, NR, $2; next }
    /(^|[^A-Za-z0-9_.>])(clock_gettime|gettimeofday|time|clock|sleep|usleep|nanosleep|fopen|fdopen|freopen|fread|fgets|getline|open|read|write|socket|connect|getenv|rand|srand|system|popen)[ \t]*\(/ {
      match($0, /(clock_gettime|gettimeofday|time|clock|sleep|usleep|nanosleep|fopen|fdopen|freopen|fread|fgets|getline|open|read|write|socket|connect|getenv|rand|srand|system|popen)[ \t]*\(/)
      printf "%s:%d: pure file calls %s\n", f, NR, substr($0, RSTART, RLENGTH); next }
    /(^|[^A-Za-z0-9_])(FILE[ \t]*\*|stdin|stdout|stderr)([^A-Za-z0-9_]|$)/ {
      printf "%s:%d: pure file uses a stdio stream\n", f, NR }'
done >>"$out"

# upward FILE... PATTERN WHY: includes matching PATTERN are breaches.
upward() {
  why=$1; pat=$2; shift 2
  for f in $(files "$@"); do
    grep -nE "#include[ \t]*\"($pat)" "$f" | while IFS=: read -r n rest; do
      printf '%s:%s: includes %s (%s)\n' "$f" "$n" "$(echo "$rest" | sed 's/.*"\(.*\)".*/\1/')" "$why"
    done
  done >>"$out"
}
upward "common/ stands under every part" 'engine/|mockserver/|reports/' common
upward "the mockserver includes nothing of the client" 'engine/|reports/' mockserver
upward "the model and the loader are under the HTTP front" 'mockserver/front/' mockserver/model mockserver/scenario
upward "the core includes no driver" 'engine/(driver|sim|http|cli)/|reports/' engine/core
upward "the driver layer is under the drivers" 'engine/(sim|http|cli)/|reports/' engine/driver
upward "a driver includes no other driver" 'engine/(http|cli)/|reports/' engine/sim
upward "a driver includes no other driver" 'engine/(sim|cli)/|reports/' engine/http
upward "sweeps run on the simulator, under the command line" 'engine/(http|cli)/|reports/' engine/sweep
upward "readers of outside data write traces and scenarios, under the command line" 'engine/(sim|http|cli|sweep)/|reports/' engine/import
upward "reports/ reads files, not engine structs" 'engine/|mockserver/' reports

if [ -s "$out" ]; then
  cat "$out"
  echo "layers: $(wc -l <"$out") breaches of the layers (DESIGN.md)"
  exit 1
fi
echo "layers: every wall holds ($(files common engine mockserver reports | wc -l) files)"
