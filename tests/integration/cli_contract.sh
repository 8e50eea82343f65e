#!/bin/sh
# The command line as DESIGN.md writes it is a contract: every command's
# --help exits 0 and names each flag of its DESIGN.md synopsis, every flag a
# --help names is documented in a README, each synopsis form runs as written
# on tests/data/cli/tiny.json (sim, run against a mockserver on loopback, run
# --live against the same mockserver, check, report, validate, mockserver),
# and bad flags or missing arguments exit 2 with a message naming them.
set -u
R="$RL_BIN/retrylab"; M="$RL_BIN/mockserver"; D="$RL_ROOT/tests/data/cli"
tmp=$(mktemp -d); mpid=""
trap '[ -n "$mpid" ] && kill "$mpid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
docs="$RL_ROOT/README.md $RL_ROOT/engine/README.md $RL_ROOT/mockserver/README.md $RL_ROOT/reports/README.md"

# --help: exit 0, says something, names the DESIGN.md flags; its flags are documented.
help_ok() { # NAME "FLAGS OF THE DESIGN SYNOPSIS" COMMAND...
  name=$1; flags=$2; shift 2
  "$@" --help >"$tmp/h" 2>"$tmp/he"; rc=$?
  [ "$rc" -eq 0 ] || fail "$name --help: exit $rc"
  [ "$(wc -l <"$tmp/h")" -ge 3 ] || fail "$name --help: says too little"
  grep -qi 'exit' "$tmp/h" || fail "$name --help: does not give its exit codes"
  for f in $flags; do grep -q -- "$f" "$tmp/h" || fail "$name --help: no $f"; done
  for f in $(grep -o -- '--[a-z][a-z-]*' "$tmp/h" | sort -u); do
    [ "$f" = "--help" ] && continue
    cat $docs | grep -q -- "$f" || fail "$name --help names $f, no README documents it"
  done
}
help_ok retrylab "" "$R"
help_ok sim "--policy --seed --out" "$R" sim
help_ok run "--policy --target --time-scale --concurrency --out --live" "$R" run
help_ok check "--expect --format --junit --annotations --strict" "$R" check
help_ok compare "--max-drop-success --max-rise-calls --format --junit" "$R" compare
help_ok report "--out --conformance" "$R" report
help_ok validate "" "$R" validate
help_ok sweep "--policy --vary --vary-scenario --seeds --jobs --out --shard --objective" "$R" sweep
help_ok sweep-merge "--out --objective" "$R" sweep-merge
help_ok mockserver "--port --bind --time-scale" "$M"
# --help wins wherever it stands
for c in "$R sim" "$R run" "$R check" "$R compare" "$R report" "$R validate" "$M"; do
  $c "$D/tiny.json" --help >/dev/null 2>&1 || fail "$c FILE --help: exit $?"
done

# Bad flags and missing arguments: exit 2, and the message names the flag.
bad() { # WHAT NEEDLE COMMAND...
  what=$1; needle=$2; shift 2
  timeout 20 "$@" >"$tmp/o" 2>"$tmp/e"; rc=$?
  [ "$rc" -eq 2 ] || { cat "$tmp/e"; fail "$what: exit $rc, want 2"; }
  [ -z "$needle" ] || grep -q -- "$needle" "$tmp/e" || { cat "$tmp/e"; fail "$what: no '$needle'"; }
}
for c in sim run check compare report validate; do
  bad "$c --no-such-flag" "--no-such-flag" "$R" $c --no-such-flag
  grep -q 'unknown' "$tmp/e" || { cat "$tmp/e"; fail "$c --no-such-flag: not called unknown"; }
  bad "$c FILE --no-such-flag V" "--no-such-flag" "$R" $c "$D/tiny.json" --no-such-flag 1
  grep -q 'unknown' "$tmp/e" || { cat "$tmp/e"; fail "$c FILE --no-such-flag: not called unknown"; }
  bad "$c (no arguments)" "" "$R" $c
done
bad "mockserver --no-such-flag" "--no-such-flag" "$M" "$D/tiny.json" --no-such-flag
grep -q 'unknown' "$tmp/e" || fail "mockserver --no-such-flag: not called unknown"
bad "check --expect (no value)" "--expect" "$R" check "$tmp" --expect
bad "report --out (no value)" "--out" "$R" report "$tmp" --out
bad "mockserver (no arguments)" "" "$M"
bad "retrylab (no command)" "" "$R"
bad "retrylab nosuchcommand" "nosuchcommand" "$R" nosuchcommand
bad "sim --seed (no value)" "--seed" "$R" sim "$D/tiny.json" --seed
bad "sim --seed abc" "--seed" "$R" sim "$D/tiny.json" --seed abc
bad "run --time-scale 0" "--time-scale" "$R" run "$D/tiny.json" --target http://127.0.0.1:9 --time-scale 0
bad "run --target not a URL" "--target" "$R" run "$D/tiny.json" --target 127.0.0.1:9
bad "run without --target" "--target" "$R" run "$D/tiny.json"
bad "run --live without --policy" "--policy" "$R" run --live "$D/tiny.json"
bad "report --format gif" "--format" "$R" report "$tmp" --format gif
bad "mockserver --port 70000" "--port" "$M" "$D/tiny.json" --port 70000

# retrylab validate FILE...
"$R" validate "$D/tiny.json" "$D/tiny-policy.json" "$D/tiny-expect-fails.json" >"$tmp/o" 2>&1 ||
  { rc=$?; cat "$tmp/o"; fail "validate FILE...: exit $rc"; }
[ "$(grep -c ': ok$' "$tmp/o")" -eq 3 ] || fail "validate: want three ok lines"

# retrylab sim SCENARIO [--policy POLICY] [--seed N] [--out DIR]
"$R" sim "$D/tiny.json" --out "$tmp/sim" --quiet >"$tmp/o" 2>&1 || { rc=$?; cat "$tmp/o"; fail "sim: exit $rc"; }
"$R" sim "$D/tiny.json" --policy "$D/tiny-other-policy.json" --seed 3 --out "$tmp/sim-other" \
  >"$tmp/o" 2>&1 || { rc=$?; cat "$tmp/o"; fail "sim --policy --seed --out: exit $rc"; }
grep -q '"policy_name":"cli-tiny-no-retry"' "$tmp/sim-other/trace.jsonl" || fail "sim --policy ignored"
grep -q '"seed":3,' "$tmp/sim-other/trace.jsonl" || fail "sim --seed ignored"

# retrylab check DIR [--expect FILE]: 0 when all hold, 1 with a diff line when not
"$R" check "$tmp/sim" >"$tmp/o" 2>&1 || { rc=$?; cat "$tmp/o"; fail "check DIR: exit $rc"; }
"$R" check "$tmp/sim" --expect "$D/tiny-expect-fails.json" >"$tmp/o" 2>&1; rc=$?
[ "$rc" -eq 1 ] || { cat "$tmp/o"; fail "check --expect (failing): exit $rc, want 1"; }
grep -q 'max_attempts' "$tmp/o" || fail "check: no diff line"
"$R" check "$tmp/sim-other" >"$tmp/o" 2>&1; rc=$?
[ "$rc" -eq 1 ] || fail "check of a run below the scenario's success_rate: exit $rc, want 1"

# retrylab report DIR... [--out DIR]: several DIRs overlay (3 when gnuplot is missing)
"$R" report "$tmp/sim" "$tmp/sim-other" --out "$tmp/report" >"$tmp/o" 2>&1; rc=$?
if command -v gnuplot >/dev/null 2>&1; then
  [ "$rc" -eq 0 ] || { cat "$tmp/o"; fail "report DIR... --out: exit $rc"; }
else
  [ "$rc" -eq 3 ] || fail "report without gnuplot: exit $rc, want 3"
fi
[ -s "$tmp/report/index.html" ] || fail "report: no index.html"
grep -q 'cli-tiny-no-retry' "$tmp/report/index.html" || fail "report: the second run is missing"

# mockserver SCENARIO [--port P] [--bind ADDR] [--time-scale X]
"$M" "$D/tiny.json" --port 0 --bind 127.0.0.1 --time-scale 20 >"$tmp/m" 2>"$tmp/me" & mpid=$!
i=0
while [ ! -s "$tmp/m" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
url=$(sed -n '1s/^listening on //p' "$tmp/m")
case "$url" in http://127.0.0.1:[0-9]*) ;; *) cat "$tmp/me"; fail "mockserver: first line '$url'";; esac

# retrylab run SCENARIO [--policy POLICY] --target URL [--time-scale X] [--concurrency N] [--out DIR]
timeout 60 "$R" run "$D/tiny.json" --policy "$D/tiny-policy.json" --target "$url" --time-scale 20 \
  --concurrency 2 --out "$tmp/mock" --quiet >"$tmp/o" 2>&1 || { rc=$?; cat "$tmp/o"; fail "run: exit $rc"; }
grep -q '"mode":"mock"' "$tmp/mock/trace.jsonl" || fail "run: not a mock trace"
"$R" check "$tmp/mock" >"$tmp/o" 2>&1 || { rc=$?; cat "$tmp/o"; fail "check of the mock run: exit $rc"; }
timeout 60 "$R" run "$D/tiny.json" --target "$url" --out "$tmp/mock1" --quiet >"$tmp/o" 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "run at another --time-scale than the mockserver's: exit $rc, want 2"

# retrylab run --live PROVIDERS --policy POLICY [--out DIR] (the loopback mockserver as the provider)
printf '{"kind": "providers", "providers": [{"name": "groq", "shape": "openai",\n  "base_url": "%s/groq/v1", "keys": {"RL_CLI_TINY_KEY": "RL_CLI_TINY_VAR"}}]}\n' \
  "$url" >"$tmp/providers.json"
RL_CLI_TINY_VAR=sk-cli-tiny-test-value timeout 60 "$R" run --live "$tmp/providers.json" \
  --policy "$D/tiny-policy.json" --out "$tmp/live" --quiet >"$tmp/o" 2>&1 ||
  { rc=$?; cat "$tmp/o"; fail "run --live: exit $rc"; }
grep -q '"mode":"live"' "$tmp/live/trace.jsonl" || fail "run --live: not a live trace"
grep -q '"outcome":"success"' "$tmp/live/trace.jsonl" || fail "run --live: the task failed"
env -u RL_CLI_TINY_VAR timeout 20 "$R" run --live "$tmp/providers.json" --policy "$D/tiny-policy.json" \
  --out "$tmp/live2" --quiet >"$tmp/o" 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "run --live with the key variable unset: exit $rc, want 2"
grep -q 'RL_CLI_TINY_VAR' "$tmp/o" || fail "run --live: the unset variable is not named"

# --version: both programs name themselves, the version and the commit.
"$R" --version >"$tmp/o" 2>&1 || fail "retrylab --version: exit $?"
grep -qE '^retrylab [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]+|unknown\)$' "$tmp/o" ||
  fail "retrylab --version: $(cat "$tmp/o")"
"$M" --version >"$tmp/o" 2>&1 || fail "mockserver --version: exit $?"
grep -qE '^mockserver [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]+|unknown\)$' "$tmp/o" ||
  fail "mockserver --version: $(cat "$tmp/o")"

# mockserver: exit 0 after SIGTERM
kill -TERM "$mpid"; wait "$mpid"; rc=$?; mpid=""
[ "$rc" -eq 0 ] || fail "mockserver after SIGTERM: exit $rc, want 0"
echo ok
