#!/bin/sh
# Record -> import -> replay. A run of a known scenario is recorded through
# `mockserver --upstream` (the upstream: a second mockserver on loopback
# playing the scenario), its journal is imported into a scenario, and the
# same policy replays it in sim. The replay's success curve is within 3
# points of the recording's at every tenth of the run, and its attempts per
# task within 5%. Scaled time (x20): about 5 s of wall time.
. "$RL_ROOT/tests/lib/mockserver.sh"
K=tests/data/fidelity/known.json
P=tests/data/fidelity/known-policy.json
tmp=$(mktemp -d); up_pid=""; front_pid=""
trap 'kill $up_pid $front_pid 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir "$tmp/up" "$tmp/front"
mock_start "$tmp/up" "$K" --time-scale 20 || fail "upstream"; up_pid=$mock_pid; up=$mock_url
mock_start "$tmp/front" "$K" --time-scale 20 --upstream "$up" --journal "$tmp/journal.jsonl" || fail "front"
front_pid=$mock_pid
curl -s --noproxy '*' -X POST "$up/__admin/reset" >/dev/null || fail "upstream reset"
"$RL_BIN/retrylab" run "$K" --target "$mock_url" --time-scale 20 --out "$tmp/rec" --quiet >"$tmp/run.txt" 2>&1 ||
  { cat "$tmp/run.txt"; fail "the recorded run"; }
kill "$front_pid"; wait "$front_pid" 2>/dev/null; front_pid=""
"$RL_BIN/retrylab" import "$tmp/journal.jsonl" --policy "$P" --out "$tmp/imported.json" >"$tmp/imp.txt" 2>&1 ||
  { cat "$tmp/imp.txt"; fail "import"; }
"$RL_BIN/retrylab" validate "$tmp/imported.json" >/dev/null || fail "the imported scenario is not valid"
jq -e '.description | test("window: 20 requests per 10 s") and test("phase: status 503")' "$tmp/imported.json" >/dev/null ||
  { jq -r .description "$tmp/imported.json"; fail "provenance"; }
"$RL_BIN/retrylab" sim "$tmp/imported.json" --policy "$P" --out "$tmp/replay" --quiet >/dev/null || fail "sim"
# success curves at every tenth of the recording's run, attempts per task
curve() { jq -s --argjson T "$2" '[.[] | select(.event=="done" and .outcome=="success") | .t] as $d |
  [range(1;11) | . * $T / 10 as $t | ([$d[] | select(. <= $t)] | length) / 60]' "$1/trace.jsonl"; }
T=$(jq -s '[.[] | select(.event=="done") | .t] | max' "$tmp/rec/trace.jsonl")
a=$(curve "$tmp/rec" "$T"); b=$(curve "$tmp/replay" "$T")
gap=$(jq -n --argjson a "$a" --argjson b "$b" '[range(0;10) | ($a[.] - $b[.]) | fabs] | max')
ar=$(jq '.attempts / .tasks' "$tmp/rec/summary.json"); br=$(jq '.attempts / .tasks' "$tmp/replay/summary.json")
echo "fidelity: curve gap $gap (max over tenths), attempts per task $ar recorded vs $br replayed"
jq -n --argjson g "$gap" '$g <= 0.03' | grep -q true || fail "success curves differ by $gap: $a vs $b"
jq -n --argjson a "$ar" --argjson b "$br" '(($a - $b) | fabs) / $a <= 0.05' | grep -q true ||
  fail "attempts per task $ar vs $br"
echo ok
