#!/bin/sh
# retrylab sim refuses bad input with exit 2 and a file:line:col message.
set -u
R="$RL_BIN/retrylab"; D="$RL_ROOT/tests/data/sim"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
expect2() { # expect2 PATTERN ARGS...: exit 2 and stderr matching PATTERN
  pat=$1; shift
  "$R" sim "$@" --out "$tmp/out" >"$tmp/o" 2>"$tmp/e"; rc=$?
  [ "$rc" -eq 2 ] || fail "sim $*: exit $rc, want 2"
  grep -q -- "$pat" "$tmp/e" || { cat "$tmp/e"; fail "sim $*: stderr lacks '$pat'"; }
}
expect2 'bad-workload.json:8:64: workload.arival: unknown field' "$D/bad-workload.json"
printf '{"kind":"policy","name":"x","candidates":[],"backoff":{"kind":"constant"}}' >"$tmp/badpol.json"
expect2 'badpol.json:1:' "$D/scripted-429.json" --policy "$tmp/badpol.json"
# a file of another kind given as the policy is named by its kind, not by its first field
expect2 'scripted-429.json:[0-9]*:[0-9]*: kind: must be "policy" (got "scenario")' "$D/scripted-429.json" --policy "$D/scripted-429.json"
printf '{"kind":"scenario",\n "name": 5}' >"$tmp/badsc.json"
expect2 'badsc.json:2:' "$tmp/badsc.json"
printf '{"kind":"scenario",' >"$tmp/trunc.json"
expect2 'trunc.json:1:' "$tmp/trunc.json"
expect2 'cannot open' "$tmp/nonexistent.json"
expect2 'seed' "$D/scripted-429.json" --seed 12x
# strtoull would wrap a sign into a huge seed: refused, not reinterpreted
expect2 'seed' "$D/scripted-429.json" --seed -1
expect2 'seed' "$D/scripted-429.json" --seed ' 7'
# above 2^53 - 1 a seed would not read back from the summary (a JSON number)
expect2 'seed: not a whole number from 0 to 9007199254740991' "$D/scripted-429.json" --seed 9007199254740992
expect2 'unknown option' "$D/scripted-429.json" --frobnicate 1
# an empty --out is bad input (2), not a folder that cannot be made (3)
"$R" sim "$D/scripted-429.json" --out "" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 2 ] && grep -q -- '--out: an empty folder name' "$tmp/e" || { cat "$tmp/e"; fail "sim --out '': exit $rc, want 2"; }
expect2 'which scenario' --quiet
# a scenario without "policy" and no --policy: said, with the way out
printf '{"kind":"scenario","providers":[{"name":"p","shape":"openai","models":[{"name":"m"}]}]}' >"$tmp/nopol.json"
expect2 'retrylab sim: .*nopol.json: the scenario names no policy; pass --policy POLICY' "$tmp/nopol.json"
[ ! -e "$tmp/out/trace.jsonl" ] || fail "a refused run wrote a trace"
"$R" sim --help >"$tmp/o" || fail "--help exited $?"
grep -q 'usage: retrylab sim' "$tmp/o" || fail "--help prints no usage"
echo ok
