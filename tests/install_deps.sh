#!/bin/sh
# Installs the Debian packages named as arguments that are missing.
# As root: apt-get update (once) and install. Otherwise: print the line to run, fail.
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
line="apt-get update && apt-get install -y$missing"
if [ "$(id -u)" != 0 ]; then
  echo "retrylab: missing Debian packages:$missing" >&2
  echo "retrylab: run as root: $line" >&2
  exit 1
fi
echo "retrylab: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2 && apt-get install -y -q $missing >&2
