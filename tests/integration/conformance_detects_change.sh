#!/bin/sh
# conformance_detects_change.sh: the conformance suite notices a preset
# changed by one number. openai-node 7.x runs two fast cases (500-always,
# 503) against the preset the suite maps it to: as it is, both agree; with
# limits.max_attempts one higher, 500-always disagrees (4 attempts predicted,
# 3 made); with backoff.base_s doubled, both disagree (every gap is below
# the band). Needs Node and the pinned clients (`make conformance` installs
# them, and runs this test); skips without them.
set -u
root=${RL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${RL_BIN:-$root/bin}
conf=$root/tests/conformance
. "$RL_ROOT/tests/lib/fail.sh"
command -v node >/dev/null 2>&1 || { echo "SKIP: no node"; exit 0; }
[ -d "$conf/node_modules/openai7" ] || { echo "SKIP: the pinned clients are not installed (make conformance)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

preset=$(node "$conf/run.mjs" --which-preset openai7) || fail "no preset for openai7"
name=$(basename "$preset")
peers=$(dirname "$preset")

# variant DIR CHANGE: a copy of the preset folder with CHANGE made to the preset.
variant() {
  cp -r "$peers" "$1"
  [ -z "$2" ] && return 0
  node -e '
    const fs = require("fs");
    const [file, what] = process.argv.slice(1);
    const p = JSON.parse(fs.readFileSync(file, "utf8"));
    if (what === "attempts") p.limits.max_attempts += 1;
    else p.backoff.base_s *= 2;
    fs.writeFileSync(file, JSON.stringify(p, null, 2));' "$1/$name" "$2"
}

# check LABEL CHANGE EXIT TALLY: runs the two cases on the variant; the suite
# must exit EXIT and its "N agree, M disagree" line must read TALLY (the
# grading summary follows it).
check() {
  variant "$tmp/$1" "$2"
  node "$conf/run.mjs" --bin "$bin" --presets "$tmp/$1" --clients openai7 \
    --only '^openai7/(500-always|503)$' --known none --no-rerun --tolerance 0.3 --jobs 2 \
    --out "$tmp/out-$1" >"$tmp/$1.txt" 2>&1
  rc=$?
  last=$(grep -E '^[0-9]+ agree, [0-9]+ disagree$' "$tmp/$1.txt" | tail -n 1)
  [ "$rc" -eq "$3" ] && [ "$last" = "$4" ] ||
    fail "$1: exit $rc (expected $3), tally '$last' (expected '$4'):
$(cat "$tmp/$1.txt")"
  echo "ok: $1: $last"
}

check unchanged "" 0 "2 agree, 0 disagree"
check max-attempts-plus-1 attempts 1 "1 agree, 1 disagree"
check base-doubled base 1 "0 agree, 2 disagree"
