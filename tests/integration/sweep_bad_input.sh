#!/bin/sh
# retrylab sweep refuses bad input before anything runs: exit 2, the
# offending --vary (or flag) quoted, no sweep folder written. Covers a path
# that names no policy field, a value of the wrong type or out of range, a
# range with no values, a grid over 10 million variants, a path into a
# missing array item, a bad --shard and a bad --objective.
set -u
R="$RL_BIN/retrylab"; S="$RL_ROOT/tests/data/sweep/herd.json"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
n=0
refused() { # NEEDLE ARGS...: exit 2, NEEDLE on stderr, nothing written
  needle=$1; shift; n=$((n + 1))
  timeout 20 "$R" sweep "$S" --out "$tmp/out$n" --quiet "$@" >"$tmp/o" 2>"$tmp/e"; rc=$?
  [ "$rc" -eq 2 ] || { cat "$tmp/e"; fail "$*: exit $rc, want 2"; }
  grep -qF -- "$needle" "$tmp/e" || { cat "$tmp/e"; fail "$*: no '$needle' in the message"; }
  [ ! -e "$tmp/out$n" ] || fail "$*: wrote $tmp/out$n"
}
refused "'backoff.nonsense=1'" --vary backoff.nonsense=1
refused "unknown field" --vary backoff.nonsense=1
refused "'nosuch.field=1,2'" --vary nosuch.field=1,2
refused "'limits.max_attempts=abc'" --vary limits.max_attempts=abc
refused "herd-policy.json:6:31: limits.max_attempts" --vary limits.max_attempts=abc
refused "'limits.max_attempts=1.5'" --vary limits.max_attempts=1.5
refused "value 0" --vary limits.max_attempts=3,0
refused "'backoff.jitter=full,sideways'" --vary backoff.jitter=full,sideways
refused "holds no values" --vary backoff.base_s=5..1:1
refused "holds no values" --vary backoff.base_s=1..5:0
refused "holds no values" --vary backoff.base_s=1..5:*1
refused "over the limit of 10000000" --vary backoff.base_s=1..4000:1 --vary backoff.cap_s=1..4000:1
refused "'backoff.base_s=1..4000:1'" --vary backoff.base_s=1..4000:1 --vary backoff.cap_s=1..4000:1
refused "'candidates[3].model=x'" --vary 'candidates[3].model=x'
refused "names an array" --vary candidates=1
refused "'providers[0].windows[0].limit=0,5'" --vary-scenario 'providers[0].windows[0].limit=0,5'
refused "varied twice" --vary backoff.base_s=1,2 --vary backoff.base_s=3
refused "'backoff.base_s'" --vary backoff.base_s
refused "nothing to vary"
refused "--shard" --vary backoff.base_s=1,2 --shard 3/3
refused "--shard" --vary backoff.base_s=1,2 --shard x
refused "--seeds" --vary backoff.base_s=1,2 --seeds 0
refused "--objective" --vary backoff.base_s=1,2 --objective 'max nosuch'
refused "--objective" --vary backoff.base_s=1,2 --objective 'success_rate<=0.5'
refused "--no-such-flag" --vary backoff.base_s=1,2 --no-such-flag 1
# sweep-merge: not a sweep folder, slices of different sweeps, one slice twice
mkdir -p "$tmp/empty"
"$R" sweep-merge "$tmp/empty" --out "$tmp/m" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 2 ] || { cat "$tmp/e"; fail "sweep-merge of a non-sweep: exit $rc, want 2"; }
"$R" sweep "$S" --vary backoff.base_s=1,2 --seeds 1 --quiet --out "$tmp/a" >/dev/null || fail "sweep a"
"$R" sweep "$S" --vary backoff.base_s=1,3 --seeds 1 --quiet --out "$tmp/b" >/dev/null || fail "sweep b"
"$R" sweep-merge "$tmp/a" "$tmp/b" --out "$tmp/m" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 2 ] && grep -q 'different sweeps' "$tmp/e" || { cat "$tmp/e"; fail "merge of two sweeps: exit $rc"; }
"$R" sweep-merge "$tmp/a" "$tmp/a" --out "$tmp/m" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 2 ] || { cat "$tmp/e"; fail "merge of one slice twice: exit $rc"; }
"$R" sweep-merge "$tmp/a" --out "$tmp/a" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" -eq 2 ] || { cat "$tmp/e"; fail "merge into a slice: exit $rc"; }
echo ok
