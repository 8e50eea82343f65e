#!/bin/sh
# retrylab sim never writes a key value, and never takes one from the
# environment: with a key of the same name exported, the run is byte for byte
# the run without it (the scenario's test key is used), and no output file,
# stdout or stderr contains either value; the trace names keys by id only.
set -u
R="$RL_BIN/retrylab"; D="$RL_ROOT/tests/data/sim"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"

ENV_VALUE="sk-env-secret-$$-value"
RL_SIM_TEST_KEY="$ENV_VALUE" "$R" sim "$D/scripted-429.json" --out "$tmp/env" >"$tmp/env.out" 2>"$tmp/env.err" \
  || fail "sim exited $?"
[ -s "$tmp/env/trace.jsonl" ] && [ -s "$tmp/env/summary.json" ] || fail "run files missing"
grep -q '"key":"k-' "$tmp/env/trace.jsonl" || fail "trace has no key ids"
if grep -r -F -q "$ENV_VALUE" "$tmp"; then fail "env key value found in output"; fi
env -u RL_SIM_TEST_KEY "$R" sim "$D/scripted-429.json" --out "$tmp/noenv" >/dev/null 2>&1 || fail "sim exited $?"
cmp -s "$tmp/env/trace.jsonl" "$tmp/noenv/trace.jsonl" || fail "an exported key changed the run"

unset RL_SIM_TEST_KEY
FILE_VALUE="sk-sim-many-test-value-2"
"$R" sim "$D/many-jitter.json" --out "$tmp/file" >"$tmp/file.out" 2>"$tmp/file.err" || fail "sim exited $?"
grep -q '"event":"done"' "$tmp/file/trace.jsonl" || fail "no done events"
if grep -r -F -q "$FILE_VALUE" "$tmp"; then fail "scenario key value found in output"; fi
echo ok
