#!/bin/sh
# scenarios_seeds_check.sh: every seed experiment in scenarios/ passes
# `retrylab check` after `retrylab sim` with its own policy, and each
# comparison policy passes the expect file written for it.
set -u
RL="$RL_BIN/retrylab"; S=scenarios; P=scenarios/policies; E=scenarios/expect
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"; FAIL_LOG=$dir/log

n=0
for sc in "$S"/seed-*.json; do
  name=$(basename "$sc" .json)
  "$RL" sim "$sc" --out "$dir/$name" --quiet >"$dir/log" 2>&1 || fail "sim $sc exited $?"
  "$RL" check "$dir/$name" >"$dir/log" 2>&1 || fail "check $name exited $?"
  grep -q "all [0-9]* expectations hold" "$dir/log" || fail "check $name did not say all hold"
  n=$((n + 1))
done
[ $n -ge 7 ] || fail "only $n seed scenarios found"

# scenario, comparison policy, its expect file
while read -r sc pol exp; do
  "$RL" sim "$S/$sc" --policy "$P/$pol" --out "$dir/alt" --quiet >"$dir/log" 2>&1 || fail "sim $sc --policy $pol"
  "$RL" check "$dir/alt" --expect "$E/$exp" >"$dir/log" 2>&1 || fail "check $sc with $pol against $exp"
  rm -rf "$dir/alt"
done <<'LIST'
seed-001-groq-fallback.json seed-001-cooldown-60s.json seed-001-cooldown-60s.json
seed-002-bytez-keys.json seed-002-before.json seed-002-before.json
seed-003-moonshot-tiers.json seed-003-nested-transport.json seed-003-nested-transport.json
seed-004-openrouter-rotation.json seed-004-alone.json seed-004-alone.json
seed-004-openrouter-rotation.json seed-004-alone-no-breaker.json seed-004-alone-no-breaker.json
LIST
echo "scenarios_seeds_check: $n seed scenarios and 5 comparison runs pass"
