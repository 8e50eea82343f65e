#!/bin/sh
# What a sweep folder holds: one CSV and one JSON line per variant in
# variant order; the Pareto marks are the front sweep.json lists and no row
# on it is dominated; the 95% interval holds the mean; per-task durations
# come through (p95 > 0); best-policy.json is the policy file with only the
# varied fields changed, and it validates; an objective no variant meets
# exits 1; SIGINT leaves the finished rows, whole, marked partial (130);
# retrylab report draws the folder as a section of its own.
set -u
R="$RL_BIN/retrylab"; S="$RL_ROOT/tests/data/sweep/herd.json"; P="$RL_ROOT/tests/data/sweep/herd-policy.json"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
"$R" sweep --help >"$tmp/h" || fail "--help: exit $?"
for f in --policy --vary --vary-scenario --seeds --seed --jobs --out --shard --objective --expect --peers --quiet; do
  grep -q -- "$f" "$tmp/h" || fail "--help lacks $f"
done
grep -q 'default' "$tmp/h" && grep -q 'Exit 0' "$tmp/h" || fail "--help lacks defaults or exit codes"
"$R" sweep "$S" --vary backoff.base_s=0.5..2:0.5 --vary backoff.jitter=none,full --seeds 4 \
  --objective 'max success_rate; calls_per_success<=10' --peers "$RL_ROOT/scenarios/policies/peers" \
  --out "$tmp/sw" --quiet >"$tmp/o" 2>&1 || { cat "$tmp/o"; fail "sweep: exit $?"; }
[ "$(wc -l <"$tmp/sw/sweep.csv")" -eq 9 ] || fail "want 8 rows and a header"
[ "$(wc -l <"$tmp/sw/rows.jsonl")" -eq 8 ] || fail "want 8 JSON rows"
awk -F, 'NR > 1 && $1 != NR - 2 { exit 1 }' "$tmp/sw/sweep.csv" || fail "rows not in variant order"
python3 - "$tmp/sw" "$RL_ROOT/scenarios/policies/peers" <<'PY' || fail "sweep folder checks"
import csv, json, sys
d = sys.argv[1]
meta = json.load(open(d + "/sweep.json"))
rows = list(csv.DictReader(open(d + "/sweep.csv")))
lines = [json.loads(l) for l in open(d + "/rows.jsonl")]
assert meta["kind"] == "sweep" and meta["state"] == "done" and not meta["partial"], meta["state"]
front = {f["variant"] for f in meta["front"]}
assert front == {int(r["variant"]) for r in rows if r["pareto"] == "1"}, "marks differ from front"
assert front == {l["variant"] for l in lines if l["pareto"] == 1}, "jsonl marks differ"
def key(r): return (float(r["success_rate"]), -float(r["calls_per_success"] or 1e300), -float(r["p95_duration_s"]))
def dom(a, b): return all(x >= y for x, y in zip(key(a), key(b))) and key(a) != key(b)
for r in rows:
    on = r["pareto"] == "1"
    assert on == (not any(dom(o, r) for o in rows)), "front wrong at variant " + r["variant"]
    assert float(r["success_ci_low"]) <= float(r["success_rate"]) <= float(r["success_ci_high"])
    assert float(r["p95_duration_s"]) > 0 and float(r["p50_duration_s"]) <= float(r["p95_duration_s"])
    assert r["expect"] in ("holds", "fails")
assert meta["expect"]["skipped_need_trace"] == ["rotation_order"], meta["expect"]
assert set(meta["expect"]["judged"]) == {"success_rate", "max_attempts"}
labels = [p["label"] for p in meta["points"]]
import glob
npeers = len(glob.glob(sys.argv[2] + "/*.json"))
assert labels[0] == "current" and len(labels) == 1 + npeers, (labels, npeers)
assert meta["current_variant"] == 3, meta["current_variant"]   # base_s 1 (2nd), jitter full (2nd)
assert meta["best"]["variant"] is not None and meta["best"]["policy_file"] == "best-policy.json"
PY
"$R" validate "$tmp/sw/best-policy.json" >/dev/null || fail "best-policy.json does not validate"
changed=$(diff "$P" "$tmp/sw/best-policy.json" | grep -c '^>')
[ "$changed" -le 1 ] || { diff "$P" "$tmp/sw/best-policy.json"; fail "best-policy.json changed more than the varied line"; }
"$R" sweep "$S" --vary backoff.base_s=1,2 --seeds 2 --objective 'max success_rate; success_rate>=2' \
  --out "$tmp/none" --quiet >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 1 ] && grep -q 'no variant meets' "$tmp/e" || fail "unmet objective: exit $rc, want 1"
[ ! -e "$tmp/none/best-policy.json" ] || fail "unmet objective wrote a policy"
RL_SWEEP_RAISE_AFTER=7 "$R" sweep "$S" --vary backoff.base_s=0.1..300:0.1 --seeds 2 --jobs 2 \
  --out "$tmp/int" --quiet >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 130 ] || { cat "$tmp/e"; fail "interrupted sweep: exit $rc, want 130"; }
python3 - "$tmp/int" <<'PY' || fail "interrupted folder"
import csv, json, sys
d = sys.argv[1]
meta = json.load(open(d + "/sweep.json"))
rows = list(csv.DictReader(open(d + "/sweep.csv")))
lines = [json.loads(l) for l in open(d + "/rows.jsonl")]
assert meta["partial"] and meta["state"] == "interrupted"
assert 7 <= len(rows) < 3000 and len(rows) == len(lines) == meta["rows"], (len(rows), meta["rows"])
assert [int(r["variant"]) for r in rows] == list(range(len(rows)))
PY
"$R" report "$tmp/sw" --out "$tmp/rep" --format png >"$tmp/o" 2>&1 || { cat "$tmp/o"; fail "report: exit $?"; }
grep -q 'id="sweep1"' "$tmp/rep/index.html" || fail "no sweep section"
grep -q 'Pareto front' "$tmp/rep/index.html" || fail "no front table"
[ -s "$tmp/rep/sweep_1.png" ] || fail "no sweep picture"
# progress on stderr only on a terminal (script(1) gives one), never with --quiet or into a pipe
command -v script >/dev/null 2>&1 || fail "script(1) (util-linux) is needed for this test"
script -qec "'$R' sweep '$S' --vary backoff.base_s=1,2 --seeds 2 --out '$tmp/tty'" /dev/null \
  >"$tmp/tty.txt" 2>&1 || fail "sweep on a tty exited $?"
grep -q 'sweep: 2/2 variants' "$tmp/tty.txt" || { cat "$tmp/tty.txt"; fail "no progress line on a tty"; }
"$R" sweep "$S" --vary backoff.base_s=1,2 --seeds 2 --out "$tmp/pipe" >"$tmp/o" 2>"$tmp/e" || fail "piped sweep"
[ ! -s "$tmp/e" ] || { cat "$tmp/e"; fail "stderr not silent when not a terminal"; }
# README.md's example runs as written (one seed to keep it short)
cd "$RL_ROOT" && "$R" sweep scenarios/seed-001-groq-fallback-no-retry-after.json \
  --vary cooldown.default_s=15,30,60,120,300,600,1320 --vary limits.max_attempts=2,5,10,25 \
  --seeds 1 --peers scenarios/policies/peers \
  --objective 'max success_rate; calls_per_success<=1.5' --out "$tmp/readme" --quiet >"$tmp/o" 2>&1 ||
  { cat "$tmp/o"; fail "README.md's sweep example: exit $?"; }
grep -q 'vary cooldown.default_s=15,30,60,120,300,600,1320 --vary limits.max_attempts=2,5,10,25' \
  "$RL_ROOT/README.md" || fail "README.md's sweep example changed: change this test with it"
echo ok
