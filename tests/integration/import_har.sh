#!/bin/sh
# retrylab import of a HAR file: two attempts sharing an Idempotency-Key are
# one task; the 429's base64 body gives its error type; the scenario is
# valid. A HAR cut off mid-write is exit 2 naming the file.
. "$RL_ROOT/tests/lib/mockserver.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
H=tests/data/import/two-attempts.har
"$RL_BIN/retrylab" import "$H" --out "$tmp/s.json" | grep -q "2 attempts in 1 tasks" || fail "grouping"
"$RL_BIN/retrylab" validate "$tmp/s.json" >/dev/null || fail "not a valid scenario"
jq -e '.providers[0].name == "api.example.test" and .providers[0].faults[0].error_type == "rate_limit"' \
  "$tmp/s.json" >/dev/null || { cat "$tmp/s.json"; fail "base64 body not read"; }
head -c 300 "$H" >"$tmp/cut.har"
"$RL_BIN/retrylab" import "$tmp/cut.har" --out "$tmp/t.json" >"$tmp/o.txt" 2>&1
[ $? -eq 2 ] && grep -q "cut.har" "$tmp/o.txt" || { cat "$tmp/o.txt"; fail "cut HAR"; }
echo ok
