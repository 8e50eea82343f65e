#!/bin/sh
# rundir_whole_or_old.sh: a run folder holds one whole run. A second run into
# the same --out whose trace cannot be written (a full disk: its partial
# trace is /dev/full) stops with exit 3 and no closing line, and the folder
# still holds the first run, byte for byte; the same for `run` against a
# mockserver. A run in progress writes DIR/trace.jsonl.partial, never
# DIR/trace.jsonl. A SIGTERM at the first event leaves a partial run.
set -u
. "$(dirname "$0")/../lib/mockserver.sh"
[ -w /dev/full ] || { echo "SKIP: no /dev/full"; exit 0; }
mock_test "$RL_ROOT/tests/data/run/ladder-003.json" --time-scale 1000
R="$RL_BIN/retrylab"; D="$RL_ROOT/tests/data"
out="$tmp/run"

"$R" sim "$D/sim/scripted-429.json" --out "$out" >"$tmp/o1" 2>&1 || fail "first sim: $(cat "$tmp/o1")"
cp "$out/trace.jsonl" "$tmp/trace.first"; cp "$out/summary.json" "$tmp/summary.first"
[ ! -e "$out/trace.jsonl.partial" ] || fail "a finished run left its partial trace"

# The second run, of another scenario, meets a full disk.
ln -s /dev/full "$out/trace.jsonl.partial"
"$R" sim "$D/sim/many-jitter.json" --out "$out" >"$tmp/o2" 2>"$tmp/e2"; rc=$?
[ "$rc" -eq 3 ] || fail "sim on a full disk: exit $rc, want 3: $(cat "$tmp/e2")"
grep -q 'No space left on device' "$tmp/e2" || fail "sim does not say why: $(cat "$tmp/e2")"
grep -q 'tasks,' "$tmp/o2" && fail "sim printed its closing line after the trace failed"
cmp -s "$out/trace.jsonl" "$tmp/trace.first" || fail "sim: the first run's trace changed"
cmp -s "$out/summary.json" "$tmp/summary.first" || fail "sim: the first run's summary changed"
[ ! -e "$out/trace.jsonl.partial" ] || fail "sim left its partial trace behind"

ln -s /dev/full "$out/trace.jsonl.partial"
"$R" run "$D/run/ladder-003.json" --target "$mock_url" --time-scale 1000 --out "$out" \
  >"$tmp/o3" 2>"$tmp/e3"; rc=$?
[ "$rc" -eq 3 ] || fail "run on a full disk: exit $rc, want 3: $(cat "$tmp/e3")"
grep -q 'No space left on device' "$tmp/e3" || fail "run does not say why: $(cat "$tmp/e3")"
grep -q 'tasks,' "$tmp/o3" && fail "run printed its closing line after the trace failed"
cmp -s "$out/trace.jsonl" "$tmp/trace.first" || fail "run: the first run's trace changed"
cmp -s "$out/summary.json" "$tmp/summary.first" || fail "run: the first run's summary changed"

# While a run goes on, only the partial trace grows; trace.jsonl is the old one
# until the new run is whole.
"$R" run "$D/run/ladder-003.json" --target "$mock_url" --time-scale 1000 --out "$out" \
  >"$tmp/o5" 2>&1 &
pid=$!; i=0
while [ ! -e "$out/trace.jsonl.partial" ] && [ $i -lt 50 ]; do sleep 0.05; i=$((i + 1)); done
[ -e "$out/trace.jsonl.partial" ] || fail "no partial trace while the run goes on"
cmp -s "$out/trace.jsonl" "$tmp/trace.first" || fail "trace.jsonl changed before the run ended"
wait "$pid" || fail "the ladder run failed: $(cat "$tmp/o5")"
[ ! -e "$out/trace.jsonl.partial" ] || fail "the partial trace outlived its run"
grep -q '"scenario_name":"run-seed-003' "$out/trace.jsonl" || fail "trace.jsonl is not the new run"

# A signal as the run begins (after the first event): a partial run, exit 143.
RL_SIM_RAISE_AFTER=1 "$R" sim "$D/sim/many-jitter.json" --out "$tmp/early" >"$tmp/o4" 2>&1
rc=$?
[ "$rc" -eq 143 ] || fail "early SIGTERM: exit $rc, want 143: $(cat "$tmp/o4")"
grep -q '"partial":	true' "$tmp/early/summary.json" || fail "early SIGTERM: not partial"
echo ok
