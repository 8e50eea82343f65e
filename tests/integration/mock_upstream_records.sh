#!/bin/sh
# mockserver --upstream URL: a second mockserver on loopback stands in for a
# provider. Every request goes through: status, headers and body reach the
# client as the upstream sent them; the journal records the exchange (status,
# rate-limit, retry and request-id headers, latency, error type and code) and
# names the key by its id; the key value reaches no file and no output.
# NAME=URL sends /NAME/REST to URL/REST; an upstream that is down gives 502.
. "$RL_ROOT/tests/lib/mockserver.sh"
S=tests/data/live/evidence-stand-in.json
tmp=$(mktemp -d); up_pid=""; front_pid=""
trap 'kill $up_pid $front_pid 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir "$tmp/up" "$tmp/front" "$tmp/named"
mock_start "$tmp/up" "$S" || fail "upstream did not start"; up_pid=$mock_pid; up=$mock_url
mock_start "$tmp/front" "$S" --upstream "$up" --journal "$tmp/journal.jsonl" || fail "front"
front_pid=$mock_pid; front=$mock_url
KEY=sk-live-evidence-value
call() { curl -s --noproxy '*' -D "$tmp/h.txt" -o "$tmp/b.txt" -w '%{http_code}' -H "Authorization: Bearer $KEY" \
  -d '{"model":"llama","messages":[{"role":"user","content":"hi"}]}' "$1/chat/completions"; }
[ "$(call "$front/groq/v1")" = 429 ] || fail "first answer not the upstream's 429"
grep -qi '^x-ratelimit-limit-requests-day: 14400' "$tmp/h.txt" || fail "upstream header lost"
grep -q rate_limit_exceeded "$tmp/b.txt" || fail "upstream body lost"
call "$front/groq/v1" >/dev/null
[ "$(call "$front/groq/v1")" = 200 ] || fail "third answer not 200"
grep -q chat.completion "$tmp/b.txt" || fail "the completion did not come through"
kill "$front_pid"; wait "$front_pid" 2>/dev/null; front_pid=""
J="$tmp/journal.jsonl"
[ "$(wc -l <"$J")" -eq 3 ] || { cat "$J"; fail "3 journal lines expected"; }
jq -e -s '.[0] | .provider == "groq" and .model == "llama" and .status == 429 and
  .error_type == "rate_limit_exceeded" and (.headers["x-request-id"] | startswith("req_")) and
  .headers["Retry-After"] == "1" and .note == "upstream" and (.key | startswith("k-"))' "$J" >/dev/null ||
  { head -n 1 "$J"; fail "journal entry"; }
[ "$(jq -s '.[2].status' "$J")" = 200 ] || fail "third entry"
! grep -rq "$KEY" "$tmp/journal.jsonl" "$tmp/front" || fail "the key reached a file"
# NAME=URL: /named/v1/... goes to the upstream's /groq/v1/...
mock_start "$tmp/named" "$S" --upstream "groq=$up/groq" --journal "$tmp/named.jsonl" || fail "named"
front_pid=$mock_pid
[ "$(call "$mock_url/groq/v1")" = 200 ] || fail "NAME=URL did not reach the upstream"
kill "$up_pid"; wait "$up_pid" 2>/dev/null; up_pid=""
[ "$(call "$mock_url/groq/v1")" = 502 ] || fail "a dead upstream is not a 502"
kill "$front_pid"; wait "$front_pid" 2>/dev/null; front_pid=""
jq -e -s '.[1].status == 502 and (.[1].note | startswith("upstream: "))' "$tmp/named.jsonl" >/dev/null ||
  { cat "$tmp/named.jsonl"; fail "502 journal"; }
"$RL_BIN/mockserver" --upstream ftp://x >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --upstream accepted"
echo ok
