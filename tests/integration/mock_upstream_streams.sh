#!/bin/sh
# mockserver --upstream passes a streamed (text/event-stream) answer on as it
# arrives: the client reads its first events while the upstream is still
# sending (a buffered answer would bring them all at once, at the end), the
# events are the upstream's byte for byte, the journal has the exchange
# ("upstream stream", its status, the time to its headers), and a stream the
# upstream cuts reaches the client cut, not as a complete answer.
. "$RL_ROOT/tests/lib/mockserver.sh"
S=tests/data/live/stream-stand-in.json
tmp=$(mktemp -d); up_pid=""; front_pid=""
trap 'kill $up_pid $front_pid 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir "$tmp/up" "$tmp/front"
mock_start "$tmp/up" "$S" --time-scale 4 || fail "upstream did not start"; up_pid=$mock_pid; up=$mock_url
mock_start "$tmp/front" "$S" --upstream "$up" --journal "$tmp/journal.jsonl" || fail "front"
front_pid=$mock_pid; front=$mock_url
# read URL OUT: one streamed call; OUT gets "SECONDS LINE" per line as it arrives.
read_stream() {
  python3 - "$1" "$2" <<'PY'
import sys, time, urllib.request
url, out = sys.argv[1], sys.argv[2]
req = urllib.request.Request(url + "/oa/v1/chat/completions", method="POST",
    data=b'{"model":"gpt","stream":true,"messages":[{"role":"user","content":"hi"}]}',
    headers={"Authorization": "Bearer sk-stream-stand-in", "Content-Type": "application/json"})
t0 = time.monotonic()
ok = True
with open(out, "w") as f:
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=10) as r:
            for line in r:
                line = line.decode().rstrip("\n")
                if line:
                    f.write("%.4f %s\n" % (time.monotonic() - t0, line))
                    f.flush()
    except Exception as e:  # a cut stream ends in an error
        f.write("%.4f ERROR %s\n" % (time.monotonic() - t0, type(e).__name__))
PY
}
read_stream "$front" "$tmp/through.txt" || fail "the streamed call through the front failed"
grep -q 'data: \[DONE\]' "$tmp/through.txt" || { cat "$tmp/through.txt"; fail "no [DONE] through the front"; }
[ "$(grep -c '"delta":{"content":' "$tmp/through.txt")" -eq 10 ] || { cat "$tmp/through.txt"; fail "tokens lost"; }
# The first token's event came at least 0.2 s of wall time before [DONE] (0.3 s apart upstream).
awk '/"delta":{"content":/ && !first { first = $1 } /\[DONE\]/ { done = $1 }
  END { if (!first || done - first < 0.2) { printf "first token %s, [DONE] %s\n", first, done; exit 1 } }' \
  "$tmp/through.txt" || fail "the stream was buffered, not passed on as it came"
# The second answer is cut after 3 tokens: the client sees it end without [DONE].
read_stream "$front" "$tmp/cut.txt"
! grep -q 'data: \[DONE\]' "$tmp/cut.txt" || { cat "$tmp/cut.txt"; fail "a cut stream came through whole"; }
[ "$(grep -c '"delta":{"content":' "$tmp/cut.txt")" -eq 3 ] || { cat "$tmp/cut.txt"; fail "not the 3 tokens before the cut"; }
# The third, direct from the upstream and through the front: the same events.
read_stream "$front" "$tmp/a.txt"; read_stream "$up" "$tmp/b.txt"
cut -d' ' -f2- "$tmp/a.txt" | sed 's/"created":[0-9]*/"created":T/' >"$tmp/a2"
cut -d' ' -f2- "$tmp/b.txt" | sed 's/"created":[0-9]*/"created":T/; s/chatcmpl-[0-9a-z-]*/chatcmpl-X/g' >"$tmp/b2"
sed -i 's/chatcmpl-[0-9a-z-]*/chatcmpl-X/g' "$tmp/a2"
cmp -s "$tmp/a2" "$tmp/b2" || { diff "$tmp/a2" "$tmp/b2" | head; fail "the front changed the events"; }
kill "$front_pid"; wait "$front_pid" 2>/dev/null; front_pid=""
J="$tmp/journal.jsonl"
[ "$(wc -l <"$J")" -eq 3 ] || { cat "$J"; fail "3 journal lines expected"; }
jq -e -s '.[0] | .status == 200 and .note == "upstream stream" and .provider == "oa" and
  .model == "gpt" and .latency < 1' "$J" >/dev/null || { head -n 1 "$J"; fail "journal entry"; }
! grep -rq "sk-stream-stand-in" "$J" "$tmp/front" || fail "the key reached a file"
echo ok
