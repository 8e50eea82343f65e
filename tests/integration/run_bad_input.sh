#!/bin/sh
# retrylab run refuses bad input with exit 2 before any request: flags that do
# not go together, bad files (file:line:col), a providers file that holds a
# key value or a clear-text remote URL, a policy provider the file lacks.
set -u
R="$RL_BIN/retrylab"; D="$RL_ROOT/tests/data/run"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
expect2() { # expect2 PATTERN ARGS...: exit 2 and stderr matching PATTERN
  pat=$1; shift
  "$R" run "$@" --out "$tmp/out" >"$tmp/o" 2>"$tmp/e"; rc=$?
  [ "$rc" -eq 2 ] || { cat "$tmp/e"; fail "run $*: exit $rc, want 2"; }
  grep -q -- "$pat" "$tmp/e" || { cat "$tmp/e"; fail "run $*: stderr lacks '$pat'"; }
}
T=http://127.0.0.1:9
expect2 'target URL is required' "$D/ladder-003.json"
printf '{"kind":"scenario","providers":[{"name":"p","shape":"openai","models":[{"name":"m"}]}]}' >"$tmp/nopol.json"
expect2 'retrylab run: .*nopol.json: the scenario names no policy; pass --policy POLICY' "$tmp/nopol.json" --target "$T"
expect2 'which scenario' --target "$T"
expect2 'time-scale' "$D/ladder-003.json" --target "$T" --time-scale 0
expect2 'seed' "$D/ladder-003.json" --target "$T" --seed 9007199254740992
expect2 'time-scale' "$D/ladder-003.json" --target "$T" --time-scale abc
expect2 'concurrency' "$D/ladder-003.json" --target "$T" --concurrency 0
expect2 'max-connections' "$D/ladder-003.json" --target "$T" --max-connections -1
expect2 'tasks is for --live' "$D/ladder-003.json" --target "$T" --tasks 3
expect2 'unknown option' "$D/ladder-003.json" --target "$T" --frobnicate 1
expect2 'live needs --policy' --live "$D/providers-example.json"
expect2 'no --target, no --time-scale' --live "$D/providers-example.json" --policy "$D/live-policy.json" --time-scale 2
expect2 'live takes no SCENARIO' "$D/ladder-003.json" --live "$D/providers-example.json" --policy "$D/live-policy.json"
printf '{"kind":"scenario",\n "name": 5}' >"$tmp/badsc.json"
expect2 'badsc.json:2:' "$tmp/badsc.json" --target "$T"
printf '{"kind":"providers","providers":[{"name":"groq","base_url":"https://x/v1",\n"shape":"openai","keys":{"K":"sk-abc-123"}}]}' >"$tmp/p1.json"
expect2 'p1.json:2:' --live "$tmp/p1.json" --policy "$D/live-policy.json"
printf '{"kind":"providers","providers":[{"name":"groq","base_url":"http://api.example.com/v1","shape":"openai"}]}' >"$tmp/p2.json"
expect2 'must start with https://' --live "$tmp/p2.json" --policy "$D/live-policy.json"
printf '{"kind":"providers","providers":[{"name":"claude","base_url":"https://x/v1","shape":"anthropic"}]}' >"$tmp/p3.json"
expect2 'provider groq (candidate 0 of the policy) is not in' --live "$tmp/p3.json" --policy "$D/live-policy.json"
expect2 'ladder-003.json:[0-9]*:[0-9]*: kind: expected "providers", got "scenario"' --live "$D/ladder-003.json" --policy "$D/live-policy.json"
expect2 'environment variable RL_RUN_LIVE_KEY_A is not set' --live "$D/providers-example.json" --policy "$D/live-policy.json"
grep -q 'sk-abc-123' "$tmp/e" "$tmp/o" && fail "a key value was printed"
[ ! -e "$tmp/out/trace.jsonl" ] || fail "a refused run wrote a trace"
"$R" run --help >"$tmp/o" || fail "--help exited $?"
grep -q 'usage: retrylab run' "$tmp/o" || fail "--help prints no usage"
echo ok
