#!/bin/sh
# retrylab validate: "FILE: ok" and exit 0 for valid policies, scenarios and
# expect files; exit 2 with the loader's file:line:col line for bad ones.
set -u
R="$RL_BIN/retrylab"; D="$RL_ROOT/tests/data/sim"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
printf '{"kind":"expect","max_attempts":7}\n' >"$tmp/exp.json"
printf '{"kind":"providers","providers":[{"name":"groq","shape":"openai","base_url":"https://api.groq.com/openai/v1"}]}\n' >"$tmp/goodprov.json"
"$R" validate "$D/scripted-429.json" "$D/honour-retry-after.json" "$tmp/exp.json" "$tmp/goodprov.json" \
  >"$tmp/o" 2>"$tmp/e" || { cat "$tmp/e"; fail "valid files: exit $?"; }
[ "$(grep -c ': ok$' "$tmp/o")" -eq 4 ] || fail "want four ok lines"
printf '{"kind":"expect","max_atempts":7}\n' >"$tmp/badexp.json"
printf '{"kind":"providers","providers":[{"name":"groq","shape":"openai",\n "base_url":"http://example.com/v1"}]}\n' >"$tmp/prov.json"
printf '[1,2]\n' >"$tmp/arr.json"
printf '{"kind":"recipe"}\n' >"$tmp/kind.json"
"$R" validate "$D/scripted-429.json" "$D/bad-workload.json" "$tmp/badexp.json" "$tmp/prov.json" \
  "$tmp/arr.json" "$tmp/kind.json" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 2 ] || fail "bad files: exit $rc, want 2"
grep -q 'scripted-429.json: ok' "$tmp/o" || fail "the good file is not reported ok"
grep -q 'bad-workload.json:8:64: workload.arival: unknown field' "$tmp/e" || fail "scenario message"
grep -q 'badexp.json:1:[0-9]*: max_atempts' "$tmp/e" || { cat "$tmp/e"; fail "expect message"; }
grep -q 'prov.json:2:13: providers\[0\].base_url' "$tmp/e" || { cat "$tmp/e"; fail "providers message"; }
grep -q 'arr.json:1:1:' "$tmp/e" || fail "non-object message"
grep -q 'kind.json:1:9: kind:' "$tmp/e" || { cat "$tmp/e"; fail "unknown kind message"; }
# a bad policy, and a good scenario whose policy is bad
printf '{"kind":"policy","name":"p",\n "candidates":[{"provider":"groq","model":"llama"}],\n "backof":{}}\n' >"$tmp/badpol.json"
sed 's/"policy": "honour-retry-after.json"/"policy": "badpol.json"/' "$D/scripted-429.json" >"$tmp/sc.json"
"$R" validate "$tmp/badpol.json" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 2 ] || fail "bad policy: exit $rc, want 2"
grep -q 'badpol.json:3:[0-9]*: backof: unknown field' "$tmp/e" || { cat "$tmp/e"; fail "policy message"; }
"$R" validate "$tmp/sc.json" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 2 ] || fail "scenario with a bad policy: exit $rc, want 2"
grep -q 'badpol.json:3:' "$tmp/e" || { cat "$tmp/e"; fail "scenario's policy message"; }
"$R" validate >/dev/null 2>&1; [ $? -eq 2 ] || fail "no files: want exit 2"
echo ok
