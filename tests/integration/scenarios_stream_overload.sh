#!/bin/sh
# scenarios_stream_overload.sh: the stream-overload story holds. Each of its
# three policies passes the expectations written for it; the restart run
# fails the fallback's (its slowest answer is over 15 s, its Sonnet
# requests over 200); the tokens wasted (summary.json) are 16,250 for never
# and fallback and 21,750 for restart, as scenarios/README.md says; and the
# fallback over HTTP (mockserver at time scale 50, about 1.5 s) makes the
# sim's 265 attempts and wastes the same tokens.
. "$RL_ROOT/tests/lib/mockserver.sh"
S=scenarios/stream-overload.json; P=scenarios/policies; E=scenarios/expect
mock_pid=""; tmp=$(mktemp -d)
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# wasted DIR: the tokens of broken streams over every candidate.
wasted() { jq '[.candidates[].tokens_wasted // 0] | add' "$1/summary.json"; }

for p in never restart fallback; do
  "$RL_BIN/retrylab" sim "$S" --policy "$P/stream-overload-$p.json" --out "$tmp/$p" --quiet \
    >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "sim with $p"; }
done
"$RL_BIN/retrylab" check "$tmp/fallback" >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "fallback check"; }
for p in never restart; do
  "$RL_BIN/retrylab" check "$tmp/$p" --expect "$E/stream-overload-$p.json" >"$tmp/log" 2>&1 ||
    { cat "$tmp/log"; fail "$p check"; }
done
"$RL_BIN/retrylab" check "$tmp/restart" >"$tmp/log" 2>&1
[ $? -eq 1 ] && grep -q 'took .* > 15' "$tmp/log" && grep -q 'claude-sonnet-4: 287 requests > 200' "$tmp/log" ||
  { cat "$tmp/log"; fail "restart should fail the fallback's expectations"; }
[ "$(wasted "$tmp/never")" = 16250 ] && [ "$(wasted "$tmp/restart")" = 21750 ] &&
  [ "$(wasted "$tmp/fallback")" = 16250 ] ||
  fail "tokens wasted $(wasted "$tmp/never") / $(wasted "$tmp/restart") / $(wasted "$tmp/fallback"), want 16250 / 21750 / 16250"

mock_start "$tmp" "$S" --time-scale 50 || fail "mockserver did not start"
timeout 60 "$RL_BIN/retrylab" run "$S" --target "$mock_url" --time-scale 50 --out "$tmp/http" --quiet \
  >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "run over HTTP"; }
[ "$(jq .attempts "$tmp/http/summary.json")" = 265 ] && [ "$(wasted "$tmp/http")" = 16250 ] ||
  fail "over HTTP: $(jq .attempts "$tmp/http/summary.json") attempts, $(wasted "$tmp/http") tokens wasted; want 265, 16250"
echo ok
