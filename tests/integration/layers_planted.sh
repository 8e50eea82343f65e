#!/bin/sh
# layers_planted.sh: the layer walls catch what they promise to. On a copy
# of the sources, make layers passes as it is and fails once a violation is
# planted: libcurl or a clock call in the core, a socket in the model, an
# upward include from the core to a driver and from the mockserver to the
# engine; and the compiler itself refuses a pure file that includes libcurl.
set -u
. "$(dirname "$0")/../lib/output_test.sh"
copy() {
  rm -rf "$tmp/src" && mkdir -p "$tmp/src/tests" &&
    cp -r "$RL_ROOT/common" "$RL_ROOT/engine" "$RL_ROOT/mockserver" "$RL_ROOT/reports" \
      "$RL_ROOT/Makefile" "$tmp/src/" && cp "$RL_ROOT/tests/layers.sh" "$RL_ROOT/tests/install_deps.sh" "$tmp/src/tests/"
}
# plant FILE LINE WANT: append LINE to FILE in a fresh copy; make layers must
# fail and name FILE and WANT.
plant() {
  copy
  printf '%s\n' "$2" >>"$tmp/src/$1"
  sh "$tmp/src/tests/layers.sh" "$tmp/src" >"$out" 2>&1 && fail "layers passed with '$2' in $1"
  grep -q "^$1:[0-9]*: .*$3" "$out" || fail "layers did not name $1 ($3)"
}
copy
sh "$tmp/src/tests/layers.sh" "$tmp/src" >"$out" 2>&1 || fail "layers fails on the clean tree"
plant engine/core/backoff.c '#include <curl/curl.h>' 'includes <curl/curl.h>'
plant engine/core/task.c 'static long now_(void) { return (long)time(NULL); }' 'calls time('
plant engine/core/policy.c 'static void t_(void) { struct timespec ts; clock_gettime(1, &ts); }' 'clock_gettime'
plant mockserver/model/window.c 'static int s_(void) { return socket(2, 1, 0); }' 'calls socket('
plant common/rng.c 'static void f_(void) { fopen("x", "r"); }' 'calls fopen('
plant engine/core/run.c '#include "engine/driver/trace.h"' 'includes engine/driver/trace.h'
plant mockserver/model/plan.c '#include "engine/core/engine.h"' 'includes engine/core/engine.h'
plant engine/sim/sim.c '#include "engine/http/runner.h"' 'a driver includes no other driver'
# A comment that names a call is no breach.
copy
printf '/* never call time(NULL) here */\n' >>"$tmp/src/engine/core/task.c"
sh "$tmp/src/tests/layers.sh" "$tmp/src" >"$out" 2>&1 || fail "a comment counted as a call"
# The compiler refuses it too: the pure parts build against guard headers.
copy
printf '#include <curl/curl.h>\n' >>"$tmp/src/engine/core/backoff.c"
(cd "$tmp/src" && make BUILD="$tmp/build" "$tmp/build/engine/core/backoff.o") >"$out" 2>&1 &&
  fail "the build compiled a pure file that includes libcurl"
grep -q 'pure part of retrylab' "$out" || fail "the build failed, but not at the guard"
echo ok
