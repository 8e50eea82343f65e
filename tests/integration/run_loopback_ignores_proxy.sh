#!/bin/sh
# A proxy in the environment (http_proxy, HTTPS_PROXY, ALL_PROXY, as on many
# office machines) must not come between retrylab run and a mockserver on
# loopback: the admin calls and the requests go direct. The proxy named here
# is a closed port, so a request that went through it would fail to connect.
set -u
. "$RL_ROOT/tests/lib/mockserver.sh"
R="$RL_BIN/retrylab"; S="$RL_ROOT/tests/data/run/stochastic.json"
mock_test "$S" --time-scale 400
url=$mock_url
closed=http://127.0.0.1:9
rc=0
http_proxy=$closed HTTP_PROXY=$closed https_proxy=$closed ALL_PROXY=$closed all_proxy=$closed \
  timeout 60 "$R" run "$S" --target "$url" --time-scale 400 --out "$tmp/a" --quiet >"$tmp/o" 2>"$tmp/e" || rc=$?
[ "$rc" = 0 ] || { cat "$tmp/e"; fail "run with a proxy in the environment exited $rc"; }
grep -q '"error":"connect"' "$tmp/a/trace.jsonl" && fail "requests went to the proxy"
grep -q '"event":"response".*"status":200' "$tmp/a/trace.jsonl" || fail "no 200 in the trace"
echo ok
