#!/bin/sh
# retrylab validate checks provider profiles (kind "profile"): the library
# in scenarios/profiles/ is valid; a bad profile exits 2 with file:line:col;
# a scenario whose profile holds a bad window is refused at the profile's
# line; the tour scenario that starts from all seven runs in sim.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
D="$RL_ROOT/tests/data/profiles"
"$RL" validate "$RL_ROOT"/scenarios/profiles/*.json >"$out" 2>&1 || fail "the library does not validate"
[ "$(grep -c ': ok$' "$out")" -ge 7 ] || fail "want 7 profiles ok"
"$RL" validate "$D/profiles/bad_limit.json" >"$out" 2>&1
[ $? -eq 2 ] || fail "a bad profile must exit 2"
grep -q 'bad_limit.json:8:29: provider.windows\[0\].limit: ' "$out" || fail "no file:line:col"
"$RL" validate "$D/uses_bad_limit.json" >"$out" 2>&1
[ $? -eq 2 ] || fail "a scenario with a bad profile must exit 2"
grep -q 'profiles/bad_limit.json:8:29: ' "$out" || fail "not at the profile's line"
"$RL" sim "$RL_ROOT/scenarios/profiles-tour.json" --out "$tmp/tour" --quiet >"$out" 2>&1 || fail "tour sim exited $?"
grep -q '"success_rate":	1' "$tmp/tour/summary.json" || { cat "$tmp/tour/summary.json" >"$out"; fail "tour: not every task succeeded"; }
echo ok
