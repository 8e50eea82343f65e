#!/bin/sh
# scenarios_validate.sh: `retrylab validate` accepts every JSON file under
# scenarios/ (scenarios, policies, peers' presets, expect files), and every
# peer preset with each seed policy's candidates (peer-policy.sh) is a valid
# policy named PRESET@POLICY; a preset or policy without a candidates block
# is refused with exit 2.
set -u
RL="$RL_BIN/retrylab"; P=scenarios/policies
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"; FAIL_LOG=$dir/log

files=$(find scenarios -name '*.json' | sort)
n=$(echo "$files" | wc -l)
[ "$n" -ge 40 ] || fail "only $n JSON files under scenarios/"
# shellcheck disable=SC2086 # no spaces in these paths
"$RL" validate $files >"$dir/log" 2>&1 || fail "validate exited $?"
[ "$(grep -c ': ok$' "$dir/log")" -eq "$n" ] || fail "want $n ok lines"

m=0
for pol in "$P"/seed-*.json; do
  for pre in "$P"/peers/*.json; do
    sh scenarios/peer-policy.sh "$pre" "$pol" >"$dir/p.json" 2>"$dir/log" || fail "peer-policy.sh $pre $pol"
    "$RL" validate "$dir/p.json" >"$dir/log" 2>&1 || fail "$pre on $pol is not a valid policy"
    pname=$(sed -n 's/^  "name": "\([^"]*\)",$/\1/p' "$pol")
    grep -q "^  \"name\": \"[^\"]*@$pname\",$" "$dir/p.json" || fail "$pre on $pol: name lacks @$pname"
    want=$(grep -c '"provider":' "$pol"); got=$(grep -c '"provider":' "$dir/p.json")
    [ "$want" -eq "$got" ] || fail "$pre on $pol: $got candidates, want $want"
    m=$((m + 1))
  done
done
printf '{"kind": "policy", "name": "x"}\n' >"$dir/none.json"
sh scenarios/peer-policy.sh $P/peers/grpc-a6.json "$dir/none.json" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "a policy without candidates: exit $rc, want 2"
echo "scenarios_validate: $n files valid, $m preset copies valid"
