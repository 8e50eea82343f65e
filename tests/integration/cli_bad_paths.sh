#!/bin/sh
# Bad paths get one clear line on stderr and the right exit code, never a
# crash or a silent 0: missing files, directories where files belong, empty
# files, a scenario whose "policy" file is not there (named at the
# scenario's "policy" field), run directories without a trace, an --out that
# cannot be created (3: the input was fine, the disk said no).
set -u
R="$RL_BIN/retrylab"; M="$RL_BIN/mockserver"; D="$RL_ROOT/tests/data/cli"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$RL_ROOT/tests/lib/fail.sh"
# one WANT_RC NEEDLE COMMAND...: exit WANT_RC, exactly one stderr line holding NEEDLE.
one() {
  want=$1; needle=$2; shift 2
  timeout 20 "$@" >"$tmp/o" 2>"$tmp/e"; rc=$?
  [ "$rc" -eq "$want" ] || { cat "$tmp/e"; fail "$*: exit $rc, want $want"; }
  [ "$(wc -l <"$tmp/e")" -eq 1 ] || { cat "$tmp/e"; fail "$*: want one line on stderr"; }
  grep -q -- "$needle" "$tmp/e" || { cat "$tmp/e"; fail "$*: no '$needle'"; }
}
: >"$tmp/empty.json"; mkdir "$tmp/dir" "$tmp/emptyrun"; echo x >"$tmp/afile"
for c in "$R sim" "$R validate" "$M"; do
  one 2 "$tmp/missing.json: cannot open" $c "$tmp/missing.json"
  one 2 "$tmp/dir" $c "$tmp/dir"
  one 2 "$tmp/empty.json:1:1" $c "$tmp/empty.json"
done
one 2 "$tmp/missing.json: cannot open" "$R" run "$tmp/missing.json" --target http://127.0.0.1:9
one 2 "$tmp/missing.json: cannot open" "$R" sim "$D/tiny.json" --policy "$tmp/missing.json"

# The scenario's own policy is missing: the message points at its "policy" field.
sed 's/"policy": "tiny-policy.json"/"policy": "no-such-policy.json"/' "$D/tiny.json" >"$tmp/nopol.json"
grep -q no-such-policy "$tmp/nopol.json" || fail "test setup: tiny.json's policy line changed"
for c in "$R sim" "$R validate"; do
  one 2 "$tmp/nopol.json:5:13: policy: $tmp/no-such-policy.json: cannot open" $c "$tmp/nopol.json"
done
one 2 "$tmp/nopol.json:5:13: policy:" "$R" run "$tmp/nopol.json" --target http://127.0.0.1:9
mkdir "$tmp/no-such-policy.json"
one 2 "$tmp/nopol.json:5:13: policy: .*: cannot open: Is a directory" "$R" sim "$tmp/nopol.json"
# --policy overrides a missing default: the run goes ahead
"$R" sim "$tmp/nopol.json" --policy "$D/tiny-policy.json" --out "$tmp/ok" --quiet >/dev/null 2>&1 ||
  fail "sim with --policy over a missing default policy failed"

# check and report: a run directory without a trace, a file, an empty summary.
for c in check report; do
  one 2 "$tmp/emptyrun/trace.jsonl: cannot open" "$R" $c "$tmp/emptyrun"
  one 2 "$tmp/missing" "$R" $c "$tmp/missing"
  one 2 "$tmp/afile" "$R" $c "$tmp/afile"
done
mkdir "$tmp/badrun"; cp "$tmp/ok/trace.jsonl" "$tmp/badrun/"; : >"$tmp/badrun/summary.json"
one 2 "summary.json:1:1" "$R" check "$tmp/badrun"
# An empty trace (a run that never started) is not a run that meets everything.
mkdir "$tmp/nothing"; : >"$tmp/nothing/trace.jsonl"
one 2 "$tmp/nothing/trace.jsonl: no events" "$R" check "$tmp/nothing" --expect "$D/tiny-expect-fails.json"
one 2 "$tmp/nothing/trace.jsonl: no events" "$R" report "$tmp/ok" "$tmp/nothing" --out "$tmp/rep"
one 2 "$tmp/missing.json: cannot open" "$R" check "$tmp/ok" --expect "$tmp/missing.json"
one 2 "$tmp/empty.json:1:1" "$R" check "$tmp/ok" --expect "$tmp/empty.json"

# An --out that cannot be created: exit 3, naming it.
one 3 "$tmp/afile/run" "$R" sim "$D/tiny.json" --out "$tmp/afile/run" --quiet
one 3 "$tmp/afile/report" "$R" report "$tmp/ok" --out "$tmp/afile/report"
echo ok
