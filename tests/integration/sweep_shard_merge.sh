#!/bin/sh
# N slices of a sweep (--shard K/N) merged with sweep-merge equal one
# unsharded run row for row: sweep.csv, rows.jsonl and best-policy.json are
# byte for byte the same, whatever order the slices are given in, with 1,
# 2 and 3 worker threads. A missing slice leaves the merge marked partial,
# exit 3.
set -u
R="$RL_BIN/retrylab"; S="$RL_ROOT/tests/data/sweep/herd.json"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
sweep() { "$R" sweep "$S" --vary backoff.base_s=0.5,1,2,4 --vary backoff.jitter=none,full,equal \
  --vary-scenario 'providers[0].windows[0].limit=5,8' --vary limits.max_attempts=3..9:3 \
  --seeds 3 --quiet --objective 'max success_rate; calls_per_success<=10' "$@" >/dev/null; }
sweep --out "$tmp/all" --jobs 2 || fail "unsharded sweep: exit $?"
[ "$(wc -l <"$tmp/all/sweep.csv")" -eq 73 ] || fail "want 72 rows and a header"
for k in 0 1 2; do sweep --out "$tmp/s$k" --shard "$k/3" --jobs $((k + 1)); done
"$R" sweep-merge "$tmp/s2" "$tmp/s0" "$tmp/s1" --out "$tmp/merged" >"$tmp/o" 2>&1 ||
  { cat "$tmp/o"; fail "merge: exit $?"; }
for f in sweep.csv rows.jsonl best-policy.json; do
  cmp "$tmp/all/$f" "$tmp/merged/$f" || fail "$f: merged slices differ from the unsharded run"
done
grep -q '"partial":	false' "$tmp/merged/sweep.json" || fail "merged sweep.json not whole"
# the slices' own fronts differ from the whole one: the merge judged it again
marks=$(awk -F, 'NR > 1 && $2 == 1' "$tmp/all/sweep.csv" | wc -l)
[ "$marks" -ge 1 ] || fail "no Pareto marks"
"$R" sweep-merge "$tmp/s0" "$tmp/s2" --out "$tmp/part" >"$tmp/o" 2>&1; rc=$?
[ "$rc" -eq 3 ] || { cat "$tmp/o"; fail "merge with a slice missing: exit $rc, want 3"; }
grep -q '"partial":	true' "$tmp/part/sweep.json" || fail "merge with a slice missing not partial"
echo ok
