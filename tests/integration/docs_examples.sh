#!/bin/sh
# The example files the READMEs show are taken from the READMEs themselves
# (by their "name"), saved, validated and run as the text says, so the docs
# cannot drift from the code: README.md's policy and scenario (sim, check),
# engine/README.md's complete policy and providers file, mockserver/README.md's
# complete scenario (sim with its own policy, check), and README.md's
# peer-policy.sh recipe; and the copy of DESIGN.md's scenario example
# (tests/data/scenarios/good/design_example.json, whose "policies/" is a link
# to tests/data/policies/good) validates.
set -u
R="$RL_BIN/retrylab"; cd "$RL_ROOT" || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"

# block FILE NAME: the ```json block of FILE whose text holds "name": "NAME".
block() {
  awk -v want="\"name\": \"$2\"" '
    /^```json$/ { on = 1; b = ""; next }
    on && /^```$/ { on = 0; if (index(b, want)) { printf "%s", b; found = 1; exit } next }
    on { b = b $0 "\n" }
    END { exit found ? 0 : 1 }' "$1"
}
block README.md seed-003-tier-aware >"$tmp/policy.json" || fail "README.md: no policy example"
mkdir "$tmp/sc"; ln -s "$RL_ROOT/scenarios/policies" "$tmp/sc/policies"
block README.md free-tier-ladder >"$tmp/sc/free-tier-ladder.json" || fail "README.md: no scenario"
block engine/README.md groq-first-with-everything >"$tmp/everything.json" ||
  fail "engine/README.md: no complete policy example"
block engine/README.md my-live-providers >"$tmp/providers.json" ||
  fail "engine/README.md: no providers example"

"$R" validate "$tmp/policy.json" "$tmp/sc/free-tier-ladder.json" "$tmp/everything.json" \
  "$tmp/providers.json" tests/data/scenarios/good/reference_example.json \
  tests/data/scenarios/good/design_example.json >"$tmp/o" 2>&1 ||
  { rc=$?; cat "$tmp/o"; fail "validate of the READMEs' examples: exit $rc"; }

# README.md's scenario, with its own policy and with README.md's policy: its expect holds.
for p in "" "$tmp/policy.json"; do
  "$R" sim "$tmp/sc/free-tier-ladder.json" ${p:+--policy "$p"} --out "$tmp/run" --quiet \
    >"$tmp/o" 2>&1 || { rc=$?; cat "$tmp/o"; fail "sim of README.md's scenario (policy '$p'): exit $rc"; }
  "$R" check "$tmp/run" >"$tmp/o" 2>&1 || { rc=$?; cat "$tmp/o"; fail "check of README.md's scenario: exit $rc"; }
done
grep -q '"delay":640.000000' "$tmp/run/trace.jsonl" || fail "README.md's scenario: no 640 s wait"

# mockserver/README.md's complete example runs with its own policy and meets its expect.
"$R" sim tests/data/scenarios/good/reference_example.json --out "$tmp/ref" --quiet >"$tmp/o" 2>&1 ||
  { rc=$?; cat "$tmp/o"; fail "sim of the reference example: exit $rc"; }
"$R" check "$tmp/ref" >"$tmp/o" 2>&1 || { rc=$?; cat "$tmp/o"; fail "check of the reference example: exit $rc"; }

# README.md: sh scenarios/peer-policy.sh PRESET POLICY, then sim with it.
grep -q 'sh scenarios/peer-policy.sh scenarios/policies/peers/tenacity-9-openai-cookbook-recipe.json' README.md ||
  fail "README.md: the peer-policy recipe changed; update this test"
sh scenarios/peer-policy.sh scenarios/policies/peers/tenacity-9-openai-cookbook-recipe.json \
  scenarios/policies/seed-003-tier-aware.json >"$tmp/peer.json" || fail "peer-policy.sh: exit $?"
"$R" sim scenarios/seed-003-moonshot-tiers.json --policy "$tmp/peer.json" --out "$tmp/peer" \
  --quiet >"$tmp/o" 2>&1 || { rc=$?; cat "$tmp/o"; fail "sim with the peer preset: exit $rc"; }
echo ok
