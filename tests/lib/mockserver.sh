# mockserver.sh (sourced by tests/integration/*.sh; not a test itself): starts
# $RL_BIN/mockserver on a free loopback port.
#   mock_start DIR SCENARIO [FLAG...]
# runs `mockserver SCENARIO --port 0 FLAG...` in the background with its
# output in DIR/ms.out, and sets mock_pid (kill it in the test's cleanup)
# and mock_url (from the "listening on URL" line). Returns 1 with the
# server's output on stdout when no URL shows within 5 s.
mock_start() {
  _dir=$1; _scen=$2; shift 2
  "$RL_BIN/mockserver" "$_scen" --port 0 "$@" >"$_dir/ms.out" 2>&1 &
  mock_pid=$!
  mock_url=""; _i=0
  while [ -z "$mock_url" ] && [ $_i -lt 50 ]; do
    sleep 0.1; _i=$((_i + 1))
    mock_url=$(sed -n 's/^listening on //p' "$_dir/ms.out")
  done
  [ -n "$mock_url" ] || { cat "$_dir/ms.out"; return 1; }
}

# fail MESSAGE: tests/lib/fail.sh.
. "$RL_ROOT/tests/lib/fail.sh"

#   mock_test SCENARIO [FLAG...]
# the usual start of a test against one mockserver: tmp, a fresh directory
# removed on exit together with the server; the server started as by
# mock_start (mock_url, mock_pid); the test fails when it does not start.
mock_test() {
  tmp=$(mktemp -d); mock_pid=""
  trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
  mock_start "$tmp" "$@" || fail "mockserver did not start"
}
