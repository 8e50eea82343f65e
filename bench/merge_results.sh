#!/bin/sh
# usage: merge_results.sh KEY JSON_OBJECT
# Sets bench/results.json[KEY] = JSON_OBJECT, keeping the other sections'
# keys. Uses python3 when present; without it the file is rewritten with this
# key only (and says so).
key=$1; value=$2
file="$(dirname "$0")/results.json"
if command -v python3 >/dev/null 2>&1; then
  python3 - "$file" "$key" "$value" <<'PY'
import json, sys, os
path, key, value = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
data = {}
if os.path.exists(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except ValueError:
        data = {}
data[key] = value
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(data, f, indent=2, sort_keys=True)
    f.write("\n")
os.replace(tmp, path)
PY
else
  echo "bench: python3 missing: $file now holds only \"$key\"" >&2
  printf '{\n  "%s": %s\n}\n' "$key" "$value" > "$file"
fi
