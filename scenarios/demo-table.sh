#!/bin/sh
# demo-table.sh RUNS: prints the demo's summary from RUNS/rows (one line per
# run: scenario, policy, mode, success rate, claimed, calls, scenario time,
# check), then the thundering-herd comparison (calls per jitter for 1,000
# clients) and seed 000's time per task, from the runs in RUNS.
set -u
R=$1
awk -F'\t' '
function pct(x) { return x == "-" ? "-" : sprintf("%.1f%%", 100 * x) }
BEGIN { printf "%-38s %-44s %-4s %8s %8s %7s %9s %s\n", "scenario", "policy", "mode", "success", "claimed", "calls", "time_s", "check"
        printf "%-38s %-44s %-4s %8s %8s %7s %9s %s\n", "--------", "------", "----", "-------", "-------", "-----", "------", "-----" }
{ pol = $2; if (length(pol) > 44) pol = substr(pol, 1, 41) "..."
  printf "%-38s %-44s %-4s %8s %8s %7s %9.1f %s\n", $1, pol, $3, pct($4), pct($5), $6, $7, $8 }
' "$R/rows"

echo
echo "thundering herd, 1,000 clients (total calls; fewer is better):"
awk -F'\t' '$1 == "classic-herd-1000" { j = $2; sub(/^classic-herd-/, "", j); calls[j] = $6; t[j] = $7 }
END { base = calls["none"]
      for (k = 1; k <= 4; k++) { j = (k == 1 ? "none" : k == 2 ? "full" : k == 3 ? "equal" : "decorrelated")
        if (!(j in calls)) continue
        printf "  %-13s %7d calls, last task done at %7.1f s", j, calls[j], t[j]
        if (j != "none" && base > 0) printf "  (%+.0f%% calls vs none)", 100 * (calls[j] - base) / base
        printf "\n" }
      if (("full" in calls) && ("none" in calls))
        printf "  full jitter needs %s calls than no jitter\n", calls["full"] < calls["none"] ? "fewer" : "NOT fewer" }' "$R/rows"

t="$R/seed-000-chutes-persistent/trace.jsonl"
if [ -f "$t" ]; then
  echo
  echo "seed 000: a rate limit until t=3600 s; each task's time to success:"
  awk '
  function num(k,   m) { if (match($0, "\"" k "\":[-0-9.]+")) { m = substr($0, RSTART, RLENGTH); sub(/.*:/, "", m); return m + 0 } return -1 }
  /"event":"send"/ { k = num("task"); if (!(k in start)) start[k] = num("t") }
  /"event":"done"/ { k = num("task"); done[k] = num("t"); calls[k] = num("attempts"); ok[k] = ($0 ~ /"outcome":"success"/) }
  END { for (k = 0; k in start; k++)
          printf "  task %d: limit lasts %4.0f min more -> %s after %5.1f min, %2d calls\n", k,
                 (3600 - start[k]) / 60, ok[k] ? "success" : "gave up", (done[k] - start[k]) / 60, calls[k] }' "$t"
fi
