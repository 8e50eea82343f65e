#!/bin/sh
# check_notes_other_policy.sh: a run of a policy other than its scenario's own
# (a peer's preset) is still checked against the scenario's expectations when
# it has no expect.json of its own, but check says so on stderr (the report
# leaves such a run unchecked); a run of the scenario's own policy gets no note.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
S=scenarios/seed-003-moonshot-tiers.json
sh scenarios/peer-policy.sh scenarios/policies/peers/tenacity-9-openai-cookbook-recipe.json \
  scenarios/policies/seed-003-tier-aware.json >"$tmp/peer.json" || fail "peer-policy.sh failed"
"$RL" sim "$S" --policy "$tmp/peer.json" --out "$tmp/peer" --quiet >"$out" 2>&1 || fail "peer sim failed"
"$RL" sim "$S" --out "$tmp/own" --quiet >"$out" 2>&1 || fail "own sim failed"
"$RL" check "$tmp/peer" >"$out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 1 ] || fail "peer check exited $rc, want 1 (the seed's pinned ladder is not tenacity's)"
grep -q "note: $tmp/peer used policy peer-tenacity-9-openai-cookbook-recipe@seed-003-tier-aware, not its scenario's own" "$tmp/err" \
  || { cat "$tmp/err" >>"$out"; fail "no note about the other policy"; }
"$RL" check "$tmp/own" >"$out" 2>"$tmp/err" || fail "own check exited $?"
[ -s "$tmp/err" ] && { cat "$tmp/err" >>"$out"; fail "the own-policy run got a note"; }
echo "check_notes_other_policy: ok"
