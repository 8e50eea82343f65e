#!/bin/sh
# peer-policy.sh PRESET POLICY: prints PRESET (a peer's policy from
# scenarios/policies/peers/) with its candidates replaced by POLICY's, so a
# peer's retry behaviour runs against a scenario's providers, models and keys.
# The policy format has no way to take candidates from a scenario, so the
# demo makes these copies. Both files keep "candidates" as the first
# multi-line or one-line member block that starts a line with
# '  "candidates":' and ends with a line ending in '],' (as every file in
# scenarios/policies/ does); the output's name is "PRESET-name@POLICY-name".
# Exit 2 when either file lacks such a block.
set -u
[ $# -eq 2 ] || { echo "usage: peer-policy.sh PRESET POLICY" >&2; exit 2; }
[ -r "$1" ] && [ -r "$2" ] || { echo "peer-policy.sh: cannot read $1 or $2" >&2; exit 2; }
awk -v src="$2" '
function block_of(file,    line, on, b) {
  on = 0; b = ""
  while ((getline line < file) > 0) {
    if (!on && line ~ /^  "candidates":/) on = 1
    if (on) { b = b line "\n"; if (line ~ /\],[ \t]*$/) break }
  }
  close(file)
  return (on && line ~ /\],[ \t]*$/) ? b : ""
}
function name_of(file,    line, n) {
  n = ""
  while ((getline line < file) > 0)
    if (line ~ /^  "name": "/) { n = line; sub(/^  "name": "/, "", n); sub(/",?[ \t]*$/, "", n); break }
  close(file)
  return n
}
BEGIN { cands = block_of(src); pname = name_of(src); if (cands == "" || pname == "") exit 2 }
skipping { if ($0 ~ /\],[ \t]*$/) skipping = 0; next }
!done && /^  "candidates":/ {
  printf "%s", cands; done = 1
  if ($0 !~ /\],[ \t]*$/) skipping = 1
  next
}
!named && /^  "name": "/ { sub(/",?[ \t]*$/, "@" pname "\",") ; named = 1 }
{ print }
END { if (!done && cands != "") exit 2 }
' "$1"
