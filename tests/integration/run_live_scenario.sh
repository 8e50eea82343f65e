#!/bin/sh
# run --live PROVIDERS --scenario S against a mockserver standing in for a
# provider: the tasks arrive as S's workload says (not all at t=0), `check`
# judges the run by S's expectations, and every response event keeps its
# raw evidence: error type and code, the request id, and the rate-limit
# header the engine does not read. The key never reaches a file or output.
. "$RL_ROOT/tests/lib/mockserver.sh"
S=tests/data/live/evidence-stand-in.json
mock_test "$S"
cat >"$tmp/providers.json" <<JSON
{ "kind": "providers", "name": "stand-in",
  "providers": [ { "name": "groq", "base_url": "$mock_url/groq/v1", "shape": "openai",
                   "keys": { "RL_LIVE_EVIDENCE_KEY": "RL_TEST_EVIDENCE_KEY" } } ] }
JSON
RL_TEST_EVIDENCE_KEY=sk-live-evidence-value "$RL_BIN/retrylab" run --live "$tmp/providers.json" \
  --scenario "$S" --out "$tmp/run" --quiet >"$tmp/out.txt" 2>&1 || { cat "$tmp/out.txt"; fail "run exit $?"; }
T="$tmp/run/trace.jsonl"
[ "$(jq -r 'select(.event=="start") | .mode' "$T")" = live ] || fail "mode is not live"
[ "$(jq -r 'select(.event=="start") | .scenario_name' "$T")" = live-evidence-stand-in ] ||
  fail "not filed under the scenario's name"
[ "$(jq -r 'select(.event=="start") | .tasks' "$T")" = 4 ] || fail "not the workload's 4 tasks"
# uniform over 1 s: task 3's first send is 0.75 s in, not at t=0
late=$(jq -r 'select(.event=="send" and .task==3 and .attempt==1) | .t >= 0.7' "$T")
[ "$late" = true ] || fail "task 3 started at t=0: arrivals not taken from the workload"
first=$(jq -c 'select(.event=="response" and .status==429)' "$T" | head -n 1)
echo "$first" | jq -e '.error_type == "rate_limit_exceeded" and .error_code == "rate_limit_exceeded"' >/dev/null ||
  fail "no error type/code: $first"
echo "$first" | jq -e '.request_id | startswith("req_")' >/dev/null || fail "no request id: $first"
echo "$first" | jq -e '.headers["x-ratelimit-limit-requests-day"] == "14400"' >/dev/null ||
  fail "the unread rate-limit header is missing: $first"
echo "$first" | jq -e '.headers | has("x-ratelimit-limit-requests") | not' >/dev/null ||
  fail "a header the engine reads is in the evidence: $first"
jq -e '.providers and .mode == "live"' "$tmp/run/summary.json" >/dev/null || fail "summary"
"$RL_BIN/retrylab" check "$tmp/run" >"$tmp/check.txt" 2>&1 || { cat "$tmp/check.txt"; fail "check"; }
grep -q "all 2 expectations hold" "$tmp/check.txt" || fail "the scenario's expect was not used"
# --tasks with --scenario is refused; --scenario without --live too
"$RL_BIN/retrylab" run --live "$tmp/providers.json" --scenario "$S" --tasks 2 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--tasks with --scenario accepted"
"$RL_BIN/retrylab" run "$S" --target "$mock_url" --scenario "$S" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--scenario without --live accepted"
! grep -rq sk-live-evidence-value "$tmp/run" "$tmp/out.txt" || fail "the key reached a file"
echo "ok"
