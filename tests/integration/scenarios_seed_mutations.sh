#!/bin/sh
# scenarios_seed_mutations.sh: a seed policy with one number changed (a copy
# in a temp dir, edited with sed) fails its scenario's check with exit 1 and
# a diff line, for several numbers of every seed. The original passes (so a
# failure comes from the change, not from the scenario).
set -u
RL="$RL_BIN/retrylab"; S=scenarios; P=scenarios/policies
dir=$(mktemp -d); trap 'rm -rf "$dir" "$S"/.flip-seed-*' EXIT
. "$RL_ROOT/tests/lib/fail.sh"; FAIL_LOG=$dir/log

# mutate POLICY SCENARIO SED_EXPR [WANT]: the changed copy must fail the
# check (and print a line containing WANT when given).
mutate() {
  sed "$3" "$P/$1" >"$dir/p.json"
  cmp -s "$P/$1" "$dir/p.json" && fail "sed '$3' changed nothing in $1"
  "$RL" sim "$S/$2" --policy "$dir/p.json" --out "$dir/run" --quiet >"$dir/log" 2>&1 ||
    fail "sim $2 with $1 changed by '$3' exited $?"
  "$RL" check "$dir/run" >"$dir/log" 2>&1; rc=$?
  [ $rc -eq 1 ] || fail "$1 changed by '$3': check on $2 exited $rc, want 1"
  grep -q "expectations\{0,1\} failed" "$dir/log" || fail "no failure summary for '$3'"
  [ -z "$4" ] || grep -qF "$4" "$dir/log" || fail "'$3': no line with \"$4\""
  rm -rf "$dir/run"
  count=$((count + 1))
}
count=0
# A line is POLICY SCENARIO SED_EXPR, optionally followed by " => " and text
# the failing check must print (the expectation that catches the change).
while read -r pol sc expr; do
  want=""
  case $expr in *" => "*) want=${expr#* => }; expr=${expr%% => *} ;; esac
  mutate "$pol" "$sc" "$expr" "$want"
done <<'LIST'
seed-000-persistent.json seed-000-chutes-persistent.json s/"base_s": 60/"base_s": 50/
seed-000-persistent.json seed-000-chutes-persistent.json s/"max_retries_per_candidate": 5/"max_retries_per_candidate": 4/
seed-000-persistent.json seed-000-chutes-give-up.json s/"waits_s": \[60, 120, 180\]/"waits_s": [60, 150, 180]/
seed-000-persistent.json seed-000-chutes-give-up.json s/"max_attempts": 48/"max_attempts": 47/
seed-001-groq-fallback.json seed-001-groq-fallback-no-retry-after.json s/"default_s": 1320/"default_s": 1980/
seed-001-groq-fallback.json seed-001-groq-fallback-no-retry-after.json s/"default_s": 1320/"default_s": 60/
seed-001-groq-fallback.json seed-001-groq-fallback.json s/"429": "rotate"/"429": "retry"/
seed-002-key-rotation.json seed-002-bytez-keys.json s/"base_s": 2,/"base_s": 3,/
seed-002-key-rotation.json seed-002-bytez-keys.json s/"max_attempts": 3,/"max_attempts": 2,/
seed-003-tier-aware.json seed-003-moonshot-tiers.json s/"up_to": 3, "base_s": 20/"up_to": 3, "base_s": 25/
seed-003-tier-aware.json seed-003-moonshot-tiers.json s/"base_s": 0.3}/"base_s": 0.4}/
seed-003-tier-aware.json seed-003-moonshot-tiers.json s/"base_s": 0.006}/"base_s": 0.005}/
seed-003-tier-aware.json seed-003-moonshot-tiers.json s/"max_attempts": 7/"max_attempts": 6/
seed-004-rotation-breaker.json seed-004-openrouter-ladder.json s/"base_s": 1,/"base_s": 4,/
seed-004-rotation-breaker.json seed-004-openrouter-ladder.json s/"max_attempts": 7/"max_attempts": 6/
seed-004-rotation-breaker.json seed-004-openrouter-ladder.json s/"failures": 5/"failures": 3/
seed-000-persistent.json seed-000-chutes-persistent.json s/"max_attempts": 48}/"max_attempts": 48, "attempt_timeout_s": 4}/ => s > 3700.0 s
seed-000-persistent.json seed-000-chutes-give-up.json s/"max": 3,/"max": 2,/ => ladder task 0: 32 waits, expected 43
seed-004-rotation-breaker.json seed-004-openrouter-ladder.json s/"failures": 5/"failures": 4/ => candidate openrouter/mistralai/mistral-small-3.2-24b-instruct:free: 5 requests < 6
seed-004-rotation-breaker.json seed-004-openrouter-ladder.json s/"failures": 5/"failures": 6/ => candidate openrouter/mistralai/mistral-small-3.2-24b-instruct:free: 7 requests > 6
LIST

# The documented seeds' verdicts depend on their providers' documented
# behaviour: the scenario flipped to the other reading fails its own check.
flip() {
  sed "$2" "$S/$1" >"$S/.flip-$1"
  cmp -s "$S/$1" "$S/.flip-$1" && { rm -f "$S/.flip-$1"; fail "sed '$2' changed nothing in $1"; }
  "$RL" sim "$S/.flip-$1" --out "$dir/run" --quiet >"$dir/log" 2>&1; rc=$?
  [ $rc -eq 0 ] || { rm -f "$S/.flip-$1"; fail "sim $1 flipped by '$2' exited $rc"; }
  "$RL" check "$dir/run" >"$dir/log" 2>&1; rc=$?
  rm -f "$S/.flip-$1"; rm -rf "$dir/run"
  [ $rc -eq 1 ] || fail "$1 flipped by '$2': check exited $rc, want 1"
  grep -qF "$3" "$dir/log" || fail "$1 flipped by '$2': no line with \"$3\""
  count=$((count + 1))
}
flip seed-001-groq-fallback.json 's/"retry_after": "seconds"/"retry_after": "none"/' "success rate"
flip seed-004-openrouter-rotation.json 's/"scope": "group"/"scope": "model"/' "deepseek/deepseek-chat"
flip seed-004-openrouter-rotation-per-model.json 's/"scope": "model"/"scope": "group"/' "deepseek/deepseek-chat"
echo "scenarios_seed_mutations: $count changed numbers and assumptions all fail their check"
