# output_test.sh (sourced by tests/integration/*.sh; not a test itself): the usual
# start of a test that runs retrylab and judges what it printed.
# Sets RL (the retrylab binary), tmp (a fresh directory, removed on exit) and
# out (DIR/out: send a command's output there), and defines fail MESSAGE:
# the test fails with "FAIL: MESSAGE" followed by that output.
RL="$RL_BIN/retrylab"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"
. "$RL_ROOT/tests/lib/fail.sh"
FAIL_LOG=$out
