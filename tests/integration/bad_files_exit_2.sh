#!/bin/sh
# Every malformed file under tests/data/{policies,scenarios,expect}/bad makes
# `retrylab validate` exit 2 with one "file:line:col: ..." message, and every
# malformed scenario makes `mockserver` exit 2 the same way, without starting.
# The policy and scenario sets must point where their EXPECTED line says.
set -u
R="$RL_BIN/retrylab"; M="$RL_BIN/mockserver"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
n=0
for dir in policies scenarios expect; do
  for f in "$RL_ROOT"/tests/data/$dir/bad/*.json; do
    "$R" validate "$f" >"$tmp/o" 2>"$tmp/e"; rc=$?
    [ "$rc" -eq 2 ] || fail "validate $f: exit $rc, want 2"
    grep -Eq "^$f:[0-9]+:[0-9]+: " "$tmp/e" || { cat "$tmp/e"; fail "validate $f: no file:line:col"; }
    want=$(awk -F '\t' -v b="$(basename "$f")" '$1 == b { print $2 }' \
      "$RL_ROOT/tests/data/$dir/bad/EXPECTED" 2>/dev/null)
    # The loaders' unit tests check the whole message; here the position must agree.
    pos=$(printf '%s' "$want" | grep -Eo '[0-9]+:[0-9]+' | head -n 1)
    # (validate picks the loader by "kind": a file of another kind is judged as that kind)
    kind=${dir%s}; [ "$dir" = policies ] && kind=policy
    if [ -n "$want" ] && grep -Eq "\"kind\": *\"$kind\"" "$f"; then
      grep -qF -- "$f:$pos:" "$tmp/e" || { cat "$tmp/e"; fail "validate $f: not at $pos"; }
    elif [ -z "$want" ] && [ "$dir" != expect ]; then
      fail "$f has no line in EXPECTED"
    fi
    if [ "$dir" = scenarios ]; then
      timeout 10 "$M" "$f" --port 0 >"$tmp/o" 2>"$tmp/e"; rc=$?
      [ "$rc" -eq 2 ] || fail "mockserver $f: exit $rc, want 2"
      grep -q 'listening' "$tmp/o" && fail "mockserver $f: started listening"
      grep -Eq "$f:[0-9]+:[0-9]+: " "$tmp/e" || { cat "$tmp/e"; fail "mockserver $f: no file:line:col"; }
    fi
    n=$((n + 1))
  done
done
[ "$n" -ge 80 ] || fail "only $n bad files found"
echo "ok: $n malformed files rejected with exit 2 and file:line:col"
