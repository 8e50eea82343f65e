#!/bin/sh
# retrylab journal: a client that is not retrylab (curl in a shell loop)
# runs against the mockserver; its journal becomes a run folder that check
# reads. Attempts sharing an Idempotency-Key are one task, an identical body
# after a success is a new one, the measured waits are the gaps between the
# journal's timestamps, and a retry sent before the Retry-After elapsed is
# caught by respects_retry_after. A cut last line is skipped with a warning;
# a bad line in the middle, or a journal of another scenario, is exit 2.
. "$RL_ROOT/tests/lib/mockserver.sh"
S=tests/data/live/evidence-stand-in.json
tmp=$(mktemp -d); mock_pid=""
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
mock_start "$tmp" "$S" --journal "$tmp/journal.jsonl" || fail "mockserver did not start"
call() { # KEY-HEADER...
  curl -s -o /dev/null --noproxy '*' -H 'Authorization: Bearer sk-live-evidence-value' "$@" \
    -d '{"model":"llama","messages":[{"role":"user","content":"hi"}]}' "$mock_url/groq/v1/chat/completions"
}
call -H 'Idempotency-Key: order-1'; call -H 'Idempotency-Key: order-1'; call -H 'Idempotency-Key: order-1'
call
kill "$mock_pid"; wait "$mock_pid" 2>/dev/null; mock_pid=""
J="$tmp/journal.jsonl"
"$RL_BIN/retrylab" journal "$J" --out "$tmp/run" --scenario "$S" >"$tmp/out.txt" 2>&1 ||
  { cat "$tmp/out.txt"; fail "journal exit $?"; }
grep -q "4 attempts in 2 tasks" "$tmp/out.txt" || { cat "$tmp/out.txt"; fail "grouping"; }
T="$tmp/run/trace.jsonl"
[ "$(jq -r 'select(.event=="response" and .task==0) | .group' "$T" | sort -u)" = idempotency_key ] ||
  fail "task 0 not grouped by its Idempotency-Key"
[ "$(jq -r 'select(.event=="response" and .task==1) | .group' "$T")" = body_window ] ||
  fail "task 1 not grouped by body"
# the waits check reads are the gaps between the journal's timestamps (20 ms)
want=$(jq -s '[.[] | select(.status != null)] | sort_by(.t) | [.[0], .[1]] | (.[1].t - .[0].t - .[0].latency_s)' "$J")
got=$(jq -s '[.[] | select(.event=="wait" and .task==0)][0].delay' "$T")
awk -v a="$want" -v b="$got" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 0.02) }' ||
  fail "wait $got s, journal gap $want s"
printf '{"kind":"expect","respects_retry_after":true}\n' >"$tmp/ra.json"
"$RL_BIN/retrylab" check "$tmp/run" --expect "$tmp/ra.json" >"$tmp/check.txt" 2>&1
[ $? -eq 1 ] || { cat "$tmp/check.txt"; fail "the early retry was not caught"; }
grep -q "retry-after task 0: attempt 2 sent .* after a 429 that said Retry-After 1.0 s" "$tmp/check.txt" ||
  { cat "$tmp/check.txt"; fail "no line for the early attempt"; }
# a cut last line: a warning, the rest converted
head -c -40 "$J" >"$tmp/cut.jsonl"
"$RL_BIN/retrylab" journal "$tmp/cut.jsonl" --out "$tmp/run2" >"$tmp/cut.txt" 2>&1 || fail "cut: exit $?"
grep -q "cut.jsonl:4: last line cut off" "$tmp/cut.txt" || { cat "$tmp/cut.txt"; fail "no warning"; }
# entries out of order and unknown members: the same run
{ sed -n 4p "$J"; sed -n 1,3p "$J" | sed 's/^{/{"novel":{"x":[1]},/'; } >"$tmp/shuffled.jsonl"
"$RL_BIN/retrylab" journal "$tmp/shuffled.jsonl" --out "$tmp/run3" >/dev/null 2>&1 || fail "shuffled"
[ "$(jq -c 'select(.event=="send") | [.task,.attempt]' "$tmp/run3/trace.jsonl" | tr -d '\n')" = \
  "$(jq -c 'select(.event=="send") | [.task,.attempt]' "$T" | tr -d '\n')" ] || fail "order changed the tasks"
# a malformed line in the middle: exit 2 naming it
{ sed -n 1p "$J"; echo '{"t":"soon","status":200}'; sed -n 2,4p "$J"; } >"$tmp/bad.jsonl"
"$RL_BIN/retrylab" journal "$tmp/bad.jsonl" --out "$tmp/run4" >"$tmp/bad.txt" 2>&1
[ $? -eq 2 ] && grep -q 'bad.jsonl:2: "t" must be a number' "$tmp/bad.txt" || { cat "$tmp/bad.txt"; fail "bad line"; }
# another scenario's journal: exit 2
"$RL_BIN/retrylab" journal "$J" --out "$tmp/run5" --scenario tests/data/mockhttp/window.json >"$tmp/o.txt" 2>&1
[ $? -eq 2 ] && grep -q "another scenario" "$tmp/o.txt" || { cat "$tmp/o.txt"; fail "other scenario"; }
# the JSON array of GET /__admin/journal reads the same
jq -s . "$J" >"$tmp/array.json"
"$RL_BIN/retrylab" journal "$tmp/array.json" --out "$tmp/run6" | grep -q "4 attempts in 2 tasks" || fail "array"
echo ok
