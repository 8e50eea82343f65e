#!/bin/sh
# retrylab journal reads a journal's streams: a client (curl) reads a stream
# that breaks off with an error event after 3 tokens, sends again, and reads
# a complete one. The graded trace gives each response its stream end,
# tokens and time to first token; the task succeeds on the complete stream;
# summary.json counts the 3 tokens of the broken stream as wasted. A journal
# whose last stream broke off is a failed task saying so. A malformed
# "stream" member is exit 2 naming the entry.
. "$RL_ROOT/tests/lib/mockserver.sh"
S=$(mktemp); tmp=$(mktemp -d); mock_pid=""
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$tmp" "$S"' EXIT
cat >"$S" <<'JSON'
{ "kind": "scenario", "name": "journal-streams", "seed": 1,
  "providers": [ { "name": "oa", "shape": "openai", "keys": { "K": "sk-journal-streams" },
    "models": [ { "name": "gpt", "stream": { "ttft": { "kind": "fixed", "s": 0.2 }, "tokens_per_s": 100, "tokens": 6 } } ],
    "scripts": [ { "steps": [ { "stream_fault": { "kind": "error", "after_tokens": 3 } }, { "pass": true } ] } ] } ] }
JSON
mock_start "$tmp" "$S" || fail "mockserver did not start"
call() { # RETRY-COUNT
  curl -s -N -o /dev/null --noproxy '*' --max-time 10 -H 'Authorization: Bearer sk-journal-streams' \
    -H "x-stainless-retry-count: $1" \
    -d '{"model":"gpt","stream":true,"messages":[{"role":"user","content":"hi"}]}' "$mock_url/oa/v1/chat/completions"
}
call 0; call 1
curl -s --noproxy '*' "$mock_url/__admin/journal?format=json" >"$tmp/journal.json" || fail "journal"
kill "$mock_pid"; wait "$mock_pid" 2>/dev/null; mock_pid=""
"$RL_BIN/retrylab" journal "$tmp/journal.json" --out "$tmp/run" --scenario "$S" >"$tmp/out.txt" 2>&1 ||
  { cat "$tmp/out.txt"; fail "journal exit $?"; }
grep -q "2 attempts in 1 tasks" "$tmp/out.txt" || { cat "$tmp/out.txt"; fail "grouping"; }
T="$tmp/run/trace.jsonl"
[ "$(jq -c 'select(.event=="response") | [.stream, .tokens, .ttft]' "$T" | tr -d '\n')" = \
  '["error",3,0.2]["complete",6,0.2]' ] || { cat "$T"; fail "stream fields"; }
[ "$(jq -r 'select(.event=="done") | .outcome' "$T")" = success ] || fail "outcome"
[ "$(jq -c '.candidates[0] | [.streams, .tokens, .tokens_wasted]' "$tmp/run/summary.json")" = '[2,9,3]' ] ||
  { cat "$tmp/run/summary.json"; fail "summary stream counts"; }

# only the broken stream: a failed task that says why
jq '[.[0]]' "$tmp/journal.json" >"$tmp/first.json"
"$RL_BIN/retrylab" journal "$tmp/first.json" --out "$tmp/run1" >/dev/null 2>&1 || fail "journal of one entry"
jq -e 'select(.event=="done") | .outcome == "failure" and (.message | test("stream ended \\(error\\) after 3 tokens"))' \
  "$tmp/run1/trace.jsonl" >/dev/null || { cat "$tmp/run1/trace.jsonl"; fail "a broken last stream"; }

# a malformed stream member
jq '.[1].stream.tokens = "many"' "$tmp/journal.json" >"$tmp/bad.json"
"$RL_BIN/retrylab" journal "$tmp/bad.json" --out "$tmp/run2" >"$tmp/out.txt" 2>&1
[ $? -eq 2 ] && grep -q 'bad.json.*entry 1: "stream" must be' "$tmp/out.txt" || { cat "$tmp/out.txt"; fail "malformed stream"; }
echo ok
