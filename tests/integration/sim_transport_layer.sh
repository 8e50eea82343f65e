#!/bin/sh
# sim_transport_layer.sh: seed 003's nested retries end to end. The "before"
# policy (urllib3 retrying 429s under the tier-aware loop) makes the
# free-tier task send 42 requests, numbered 1..42, with 35 waits of reason
# transport (0, 4, 8, 16, 32 s per application attempt) and the tier ladder
# 20 .. 640 s as 6 backoff waits; the seed's fix (the same policy with 429
# taken out of transport.statuses) sends 7 and waits 20 .. 640 s only.
set -u
R="$RL_BIN/retrylab"; S="$RL_ROOT/scenarios/seed-003-moonshot-tiers.json"
P="$RL_ROOT/scenarios/policies/seed-003-nested-transport.json"
L="$RL_ROOT/tests/lib/trace_sequence.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"

"$R" sim "$S" --policy "$P" --out "$tmp/before" --quiet >"$tmp/log" 2>&1 || fail "sim before exited $?"
sh "$L" "$tmp/before/trace.jsonl" | awk '$1 == 5' >"$tmp/b.q" || fail "trace_sequence failed"
[ "$(awk '$3 == "send"' "$tmp/b.q" | wc -l)" -eq 42 ] || fail "before: $(awk '$3 == "send"' "$tmp/b.q" | wc -l) sends, expected 42"
awk '$3 == "send" { if ($2 != ++n) bad = 1 } END { exit bad }' "$tmp/b.q" || fail "before: attempts are not 1..42"
[ "$(awk '$3 == "wait" && $5 == "transport"' "$tmp/b.q" | wc -l)" -eq 35 ] || fail "before: not 35 transport waits"
got=$(awk '$3 == "wait" && $5 == "backoff" { printf "%g ", $4 }' "$tmp/b.q")
[ "$got" = "20 40 80 160 320 640 " ] || fail "before: backoff waits '$got'"
got=$(awk '$3 == "wait" && $5 == "transport" && $2 <= 6 { printf "%g ", $4 }' "$tmp/b.q")
[ "$got" = "0 4 8 16 32 " ] || fail "before: first transport waits '$got'"
grep -q '"event":"done","task":5,.*"Max retries exceeded (urllib3 retries)"' "$tmp/before/trace.jsonl" \
  || fail "before: task 5 does not end with the urllib3 message"

# The seed's fix: 429 no longer in the transport's statuses.
sed 's/"statuses": \[429, 500/"statuses": [500/' "$P" >"$tmp/fixed.json"
grep -q '"statuses": \[500, 502, 503, 504\]' "$tmp/fixed.json" || fail "could not write the fixed policy"
"$R" sim "$S" --policy "$tmp/fixed.json" --out "$tmp/fixed" --quiet >"$tmp/log" 2>&1 || fail "sim fixed exited $?"
sh "$L" "$tmp/fixed/trace.jsonl" | awk '$1 == 5' >"$tmp/f.q"
[ "$(awk '$3 == "send"' "$tmp/f.q" | wc -l)" -eq 7 ] || fail "fixed: not 7 sends"
got=$(awk '$3 == "wait" { printf "%g/%s ", $4, $5 }' "$tmp/f.q")
[ "$got" = "20/backoff 40/backoff 80/backoff 160/backoff 320/backoff 640/backoff " ] \
  || fail "fixed: waits '$got'"
echo "sim_transport_layer: 42 nested requests before the fix, 7 after"
