#!/bin/sh
# sim warns on stderr, and still runs, where the run would mislead: an
# expect.json left in a reused --out folder (check and report would judge the
# new run by an earlier run's claims), and a policy candidate whose provider
# or model the scenario does not have (its calls get 404). A clean run warns
# about nothing.
set -u
R="$RL_BIN/retrylab"; D="$RL_ROOT/tests/data/sim"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
"$R" sim "$D/scripted-429.json" --out "$tmp/r" --quiet 2>"$tmp/e1" || fail "first sim exited $?"
[ -s "$tmp/e1" ] && fail "a clean run warned: $(cat "$tmp/e1")"
printf '{"kind":"expect","max_attempts":1}\n' >"$tmp/r/expect.json"
"$R" sim "$D/scripted-429.json" --out "$tmp/r" --quiet 2>"$tmp/e2" || fail "second sim exited $?"
grep -q "warning: $tmp/r/expect.json was there before this run" "$tmp/e2" || { cat "$tmp/e2"; fail "no warning about the old expect.json"; }

sed 's/"model": *"llama"/"model": "llama-typo"/' "$D/honour-retry-after.json" >"$tmp/typo.json"
grep -q llama-typo "$tmp/typo.json" || fail "could not make the typo policy"
"$R" sim "$D/scripted-429.json" --policy "$tmp/typo.json" --out "$tmp/t" --quiet 2>"$tmp/e3" || fail "typo sim exited $?"
grep -q 'warning: model llama-typo of provider groq (the policy.s) is not in the scenario; its calls get 404' "$tmp/e3" \
  || { cat "$tmp/e3"; fail "no warning about the unknown model"; }
sed 's/"provider": *"groq"/"provider": "grok"/' "$D/honour-retry-after.json" >"$tmp/prov.json"
"$R" sim "$D/scripted-429.json" --policy "$tmp/prov.json" --out "$tmp/p" --quiet 2>"$tmp/e4" || fail "provider sim exited $?"
grep -q 'warning: provider grok of the policy is not in the scenario; its calls get 404' "$tmp/e4" \
  || { cat "$tmp/e4"; fail "no warning about the unknown provider"; }
grep -q 'warning: model' "$tmp/e4" && fail "an unknown provider also warned about its model"
echo ok
