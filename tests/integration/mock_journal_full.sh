#!/bin/sh
# mock_journal_full.sh: a --journal file that refuses writes (/dev/full) is
# not silent: /__admin/state counts the lost entries, stderr names the file
# and the reason once, and mockserver exits 3 (runtime failure) at SIGTERM.
set -u
. "$(dirname "$0")/../lib/mockserver.sh"
[ -w /dev/full ] || { echo "SKIP: no /dev/full"; exit 0; }
mock_test "$RL_ROOT/scenarios/seed-003-moonshot-tiers.json" --journal /dev/full
for i in 1 2 3; do curl -s -m 5 -o /dev/null "$mock_url/nope" || fail "request $i"; done
state=$(curl -s -m 5 "$mock_url/__admin/state") || fail "state"
lost=$(printf '%s' "$state" | sed -n 's/.*"journal":{[^}]*"lost":\([0-9]*\).*/\1/p')
[ -n "$lost" ] && [ "$lost" -ge 1 ] || fail "state shows no lost entries: $state"
kill -TERM "$mock_pid"
wait "$mock_pid"; rc=$?
mock_pid=""
[ "$rc" -eq 3 ] || fail "exit $rc, expected 3"
n=$(grep -c 'cannot write /dev/full: No space left on device' "$tmp/ms.out")
[ "$n" -eq 1 ] || fail "expected one error line naming /dev/full, got $n: $(cat "$tmp/ms.out")"
grep -q '3 entries could not be written to /dev/full' "$tmp/ms.out" || fail "no loss count at exit: $(cat "$tmp/ms.out")"
echo "ok"
