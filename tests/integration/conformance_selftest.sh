#!/bin/sh
# conformance_selftest.sh: the conformance suite's own logic (preset lookup
# by metadata and file name, jitter bands, the derived policy, known-
# disagreement globs, verdicts, and grading a planted journal through
# retrylab journal and check) without clients or network
# (tests/conformance/selftest.mjs). Needs Node; skips without it.
set -u
root=${RL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v node >/dev/null 2>&1 || { echo "SKIP: no node"; exit 0; }
node "$root/tests/conformance/selftest.mjs"
