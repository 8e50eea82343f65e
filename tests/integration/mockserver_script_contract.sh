#!/bin/sh
# mockserver from a shell script, as the README shows: --port 0, read the
# first stdout line for the URL, talk to it with the curl tool, stop it with
# SIGTERM (exit 0), and find every request in the --journal file by key id,
# never by key value.
set -u
BIN=${RL_BIN:-bin}
TMP=$(mktemp -d /tmp/rl-mockcli.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN/mockserver" tests/data/mockhttp/window.json --port 0 --journal "$TMP/j.jsonl" \
  >"$TMP/out" 2>"$TMP/err" &
PID=$!
i=0
until [ -s "$TMP/out" ] || [ "$i" -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
URL=$(sed -n '1s/^listening on //p' "$TMP/out")
case "$URL" in http://127.0.0.1:[0-9]*) ;; *) fail "first line: $(head -1 "$TMP/out")" ;; esac

codes=""
for n in 1 2 3 4; do
  c=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Authorization: Bearer sk-test-oa' \
      -H 'Content-Type: application/json' \
      -d '{"model":"m1","messages":[{"role":"user","content":"hi"}]}' \
      "$URL/oa/v1/chat/completions") || fail "curl $n"
  codes="$codes $c"
done
[ "$codes" = " 200 200 200 429" ] || fail "statuses:$codes"
grep -q '"rate_limit_exceeded"\|"requests"' "$TMP/body" || fail "429 body: $(cat "$TMP/body")"

kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
[ "$rc" -eq 0 ] || fail "exit $rc after SIGTERM: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/j.jsonl")" -eq 4 ] || fail "journal lines: $(wc -l <"$TMP/j.jsonl")"
grep -q 'sk-test-oa' "$TMP/j.jsonl" && fail "key value in the journal"
grep -q '"key":"k-' "$TMP/j.jsonl" || fail "no key id in the journal"
exit 0
