#!/bin/sh
# report_invalid_utf8.sh: raw bytes that are not UTF-8 in a trace's strings
# (a policy name, a provider, a final message) never reach the outputs as
# such: each becomes U+FFFD, so index.html (declared utf-8), the gnuplot
# scripts and data files, and the SVG pictures gnuplot writes from them are
# valid UTF-8; so is a name cut to fit in the middle of a character.
set -u
. "$RL_ROOT/tests/lib/output_test.sh"
command -v iconv >/dev/null || fail "iconv is missing"

mkdir "$tmp/run"
long=$(i=0; while [ $i -lt 100 ]; do printf '\303\251'; i=$((i + 1)); done) # 100 x e-acute
{ printf '{"t":0,"event":"start","format":"retrylab-trace/1","scenario_name":"s\377%s","policy_name":"p\377\342\202","tasks":1}\n' "$long"
  printf '{"t":0,"event":"send","task":0,"attempt":1,"provider":"gr\377q","model":"m"}\n'
  printf '{"t":1,"event":"response","task":0,"attempt":1,"provider":"gr\377q","model":"m","status":401}\n'
  printf '{"t":1,"event":"done","task":0,"outcome":"failure","message":"key \377 rejected"}\n'
} >"$tmp/run/trace.jsonl"
printf '{"kind":"expect","final_message":{"task":0,"contains":"nothing like it"}}\n' >"$tmp/run/expect.json"
"$RL" report "$tmp/run" --out "$tmp/rep" --format svg >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "report: exit $rc, want 0"
LC_ALL=C grep -q "key $(printf '\357\277\275') rejected" "$tmp/rep/index.html" ||
  fail "the message's 0xFF is not U+FFFD in index.html"
for f in "$tmp"/rep/*.html "$tmp"/rep/*.gp "$tmp"/rep/*.dat "$tmp"/rep/*.svg; do
  [ -f "$f" ] || continue
  iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>"$out" || fail "$(basename "$f") is not valid UTF-8"
done
"$RL" check "$tmp/run" >"$out" 2>&1
iconv -f UTF-8 -t UTF-8 "$out" >/dev/null 2>&1 || fail "check's output is not valid UTF-8"
echo "report_invalid_utf8: ok"
