#!/bin/sh
# report_claim_verdicts.sh: the "Seed claims vs retrylab" verdict keeps the
# seed's claims apart from retrylab's pinned result: a claim with a number
# ("measure": "max_total_wait_s", "value": 600) that the run exceeds reads
# "longer than claimed: 21.0 min vs 10 min", and the expectations that pin
# the run read "retrylab's pinned result holds (N of N checks)", never "the
# encoded claims hold". The scenario loader refuses an unknown measure (exit 2,
# file:line:col) and a value without a measure.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"

# The ladder-003 fixture (waits 20..640 s: 1260 s in all) pointed at a copy
# of its scenario whose claims carry numbers (trace and summary alike).
cp -r tests/data/runs/ladder-003 "$tmp/run"
cat > "$tmp/sc.json" <<'JSON'
{ "kind": "scenario", "name": "claims-with-numbers",
  "policy": "seed-003-tier-aware.json", "seed": 3,
  "claims": [ { "source": "003_9389391a9bf899d3.txt", "says": "waits ~10 minutes in all",
                "measure": "max_total_wait_s", "value": 600 },
              { "source": "003_9389391a9bf899d3.txt", "says": "at most 9 calls",
                "measure": "max_attempts", "value": 9 },
              { "source": "003_9389391a9bf899d3.txt", "says": "FREE tier: 20, 40, 80, 160, 320, 640 s" } ],
  "providers": [ { "name": "moonshot", "shape": "openai", "keys": { "MOONSHOT_KEY_1": "sk-test-1" },
                   "models": [ { "name": "kimi" } ] } ],
  "workload": { "clients": 1, "tasks_per_client": 1 },
  "expect": { "ladder": { "task": 0, "waits_s": [20, 40, 80, 160, 320, 640], "tolerance": 0.01 },
              "max_total_wait_s": 1300 } }
JSON
sed "s|\"scenario\":\"[^\"]*\"|\"scenario\":\"$tmp/sc.json\"|" tests/data/runs/ladder-003/trace.jsonl \
  > "$tmp/run/trace.jsonl"
sed "s|\"scenario\": \"[^\"]*\"|\"scenario\": \"$tmp/sc.json\"|" tests/data/runs/ladder-003/summary.json \
  > "$tmp/run/summary.json" # the summary names the same scenario as the trace: one run
"$RL" report "$tmp/run" --out "$tmp/rep" --format svg >"$out" 2>&1
sed -n '/id="claims"/,/<\/table>/p' "$tmp/rep/index.html" >"$out"
for want in "longer than claimed: 21.0 min vs 10 min" "within the claim: 7 calls per task vs 9" \
            "retrylab&#39;s pinned result holds (2 of 2 checks)" 'class="l warn"'; do
  grep -q -- "$want" "$out" || fail "claims table lacks: $want"
done
grep -q "encoded claims hold" "$out" && fail "the verdict still calls the pinned result 'the claims'"

# Loader: an unknown measure and a value without a measure are bad input.
sed 's/"max_attempts", "value": 9/"max_calls", "value": 9/' "$tmp/sc.json" > "$tmp/bad.json"
"$RL" validate "$tmp/bad.json" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown measure: exit $rc, want 2"
grep -q 'bad.json:6:[0-9]*: claims\[1\].measure: "max_calls" is not one of' "$out" ||
  fail "unknown measure: no file:line:col message"
sed 's/"measure": "max_attempts", //' "$tmp/sc.json" > "$tmp/bad2.json"
"$RL" validate "$tmp/bad2.json" >"$out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q 'claims\[1\].value: needs a "measure"' "$out" || fail "value without measure"
echo "report_claim_verdicts: ok"
