# fail.sh (sourced by tests/integration/*.sh; not a test itself): the one
# failure helper of the shell tests.
#   fail MESSAGE  prints "FAIL: MESSAGE", then the file named by FAIL_LOG
#                 when it is set and exists (what the failing command
#                 printed), and exits 1.
fail() {
  echo "FAIL: $*"
  if [ -n "${FAIL_LOG:-}" ] && [ -f "$FAIL_LOG" ]; then
    echo "--- $FAIL_LOG:"
    cat "$FAIL_LOG"
  fi
  exit 1
}
