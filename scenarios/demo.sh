#!/bin/sh
# demo.sh (`make demo`): runs every experiment in scenarios/ and shows the
# result. Each seed scenario runs in `sim` with its own policy, its
# comparison policies (before/after, alone, nested...); one scenario per seed
# also with every peer preset in scenarios/policies/peers/ (candidates
# substituted by peer-policy.sh) but the tenacity defaults (see peers());
# seeds 002 and 003 also run over HTTP against a bin/mockserver on a free
# loopback port (scaled time); the classic experiments run with each of their
# policies; two parameter sweeps (seed 001's fallback policy over cooldown
# and attempts, seed 004's ladder over base and cap, each beside the peers'
# presets). Then `retrylab check` on every run that has expectations, one
# report over all runs and sweeps (out/report/index.html; with make
# conformance's table when out/conformance/table.json exists) and a table on
# stdout. One line per step as it goes ("demo:   12.3 s  ...": seconds since
# the start).
# Exit 0 when everything ran and every check held; 1 when a check failed
# (a seed check failing is a broken build of the experiments); 3 when a
# command could not run (sim/run/report/mockserver failure). The last line
# says which.
# Environment: RL_BIN (default bin/), DEMO_OUT (default out/), DEMO_SCALE
# (time scale of the HTTP runs, default 200), DEMO_CONFORMANCE (the table,
# default out/conformance/table.json).
set -u
cd "$(dirname "$0")/.." || exit 3
BIN=${RL_BIN:-bin}
RL="$BIN/retrylab"; MS="$BIN/mockserver"
OUT=${DEMO_OUT:-out}
RUNS="$OUT/demo-runs"; REPORT="$OUT/report"
SCALE=${DEMO_SCALE:-200}
S=scenarios; P=scenarios/policies; E=scenarios/expect
broken=0; failed=0

now_s() { if [ -r /proc/uptime ]; then cut -d' ' -f1 /proc/uptime; else date +%s; fi; }
T0=$(now_s)
# say TEXT: one progress line, with the seconds since the start.
say() { awk -v a="$T0" -v b="$(now_s)" -v t="$*" 'BEGIN { printf "demo: %6.1f s  %s\n", b - a, t }'; }
# Mockservers start inside subshells (command substitution, background jobs),
# so each leaves its PID in a file, and cleanup stops every one of them.
cleanup() { for f in "$RUNS"/*.ms.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rm -rf "$RUNS" && mkdir -p "$RUNS/policies" "$RUNS/peers" || exit 3
: >"$RUNS/rows"; : >"$RUNS/dirs"
# The peers' presets the demo runs: all but tenacity's bare @retry, which
# retries at once without end (100,000 attempts here): on seed 001 that is
# 68 million attempts, a 30 GB trace, and minutes of a sweep's time. Run it
# by hand on a small scenario.
PEERS="$RUNS/peers"
for pre in "$P"/peers/*.json; do
  case $pre in *-stop-never-wait-none.json) continue ;; esac
  cp "$pre" "$PEERS/" || exit 3
done

# json_num FILE KEY: the first number written as "KEY": N in FILE, else "-".
json_num() {
  v=$(sed -n "s/.*\"$2\":[[:space:]]*\(-\{0,1\}[0-9][0-9.eE+-]*\).*/\1/p" "$1" 2>/dev/null | head -n 1)
  echo "${v:--}"
}
json_str() {
  v=$(sed -n "s/.*\"$2\":[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$1" 2>/dev/null | head -n 1)
  echo "${v:--}"
}

# check_run DIR: prints the verdict word (check reads DIR/expect.json when
# verdict put one there, else the scenario's expect).
check_run() {
  "$RL" check "$1" >"$1/check.txt" 2>&1
  case $? in
    0) echo ok ;;
    1) echo FAIL ;;
    *) echo ERROR ;;
  esac
}

# row DIR CHECK CLAIM_FILE: appends one table row from DIR/summary.json.
row() {
  sm="$1/summary.json"
  rate=$(json_num "$sm" success_rate); claimed=$(json_num "$3" claimed)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(json_str "$sm" scenario_name)" \
    "$(json_str "$sm" policy_name)" "$(json_str "$sm" mode)" "$rate" "$claimed" \
    "$(json_num "$sm" attempts)" "$(json_num "$sm" scenario_time_s)" "$2" >>"$RUNS/rows"
}

# verdict DIR EXPECT CHECK?: a comparison run's own EXPECT goes into
# DIR/expect.json (so `check` and the report judge the run by its own claims,
# not by the scenario's); checks when asked, records broken/failed, adds the
# row; the claimed rate comes from EXPECT, else from the scenario's expect.
verdict() {
  v=-
  if [ "$2" != "-" ] && ! cp "$2" "$1/expect.json"; then
    echo "demo: cannot copy $2 into $1"; broken=1
  fi
  if [ "$3" = yes ]; then
    v=$(check_run "$1")
    [ "$v" = ok ] || { echo "demo: check $1: $v"; cat "$1/check.txt"; }
    [ "$v" = FAIL ] && failed=1
    [ "$v" = ERROR ] && broken=1
  fi
  claim=$2; [ "$2" = "-" ] && claim=$scenario_file
  row "$1" "$v" "$claim"
  echo "$1" >>"$RUNS/dirs"
}

# sim SCENARIO POLICY LABEL EXPECT CHECK? [quiet]: a run; its progress line
# unless quiet.
sim() {
  scenario_file=$1; dir="$RUNS/$3"
  if ! "$RL" sim "$1" --policy "$2" --out "$dir" --quiet >"$RUNS/$3.log" 2>&1; then
    echo "demo: sim $1 --policy $2 failed:"; cat "$RUNS/$3.log"; broken=1; return
  fi
  verdict "$dir" "$4" "$5"
  [ "${6:-}" = quiet ] && return
  rate=$(json_num "$dir/summary.json" success_rate)
  say "$(printf 'sim %-48s %6s success, check %s' "$3" \
    "$(awk -v r="$rate" 'BEGIN { printf (r == "-" ? "-" : "%.1f%%"), 100 * r }')" "$v")"
}

# peers SCENARIO SEED_POLICY: the seed policy and every peer preset (with the
# seed policy's candidates) on a copy of SCENARIO named "NAME + peers", so the
# report draws them as their own group beside the seed's (its policy and
# profile names made absolute, since the copy lives elsewhere).
peers() {
  base=$(basename "$1" .json)
  mkdir -p "$RUNS/policies/$base" "$RUNS/scenarios"
  copy="$RUNS/scenarios/$base+peers.json"
  sed -e '/^  "name": /s/",$/ + peers",/' -e "s#^  \"policy\": \"#  \"policy\": \"$PWD/$S/#" \
    -e "s#\"profile\": \"\([A-Za-z0-9_-]*\)\"#\"profile\": \"$PWD/$S/profiles/\1.json\"#g" "$1" >"$copy"
  sim "$copy" "$2" "$base+peers--seed" - no quiet
  n=0
  for pre in "$PEERS"/*.json; do
    name=$(basename "$pre" .json); pol="$RUNS/policies/$base/$name.json"
    if ! sh $S/peer-policy.sh "$pre" "$2" >"$pol"; then
      echo "demo: cannot make $pol"; broken=1; continue
    fi
    sim "$copy" "$pol" "$base+peers--$name" - no quiet
    n=$((n + 1))
  done
  say "peers on $base: the seed's policy and $n presets"
}

# http_start SCENARIO LABEL: starts a mockserver; prints its URL (empty on failure).
http_start() {
  "$MS" "$1" --port 0 --time-scale "$SCALE" >"$RUNS/$2.ms.out" 2>&1 &
  echo $! >"$RUNS/$2.ms.pid"
  i=0; url=""
  while [ -z "$url" ] && [ $i -lt 100 ]; do
    sleep 0.05; i=$((i + 1))
    url=$(sed -n 's/^listening on //p' "$RUNS/$2.ms.out")
  done
  echo "$url"
}

# http_run SCENARIO LABEL (in the background): runs SCENARIO over HTTP.
http_run() {
  url=$(http_start "$1" "$2")
  if [ -z "$url" ]; then echo "demo: mockserver did not start for $1"; echo 3 >"$RUNS/$2.rc"; return; fi
  timeout 90 "$RL" run "$1" --target "$url" --time-scale "$SCALE" --out "$RUNS/$2" --quiet \
    >"$RUNS/$2.log" 2>&1
  echo $? >"$RUNS/$2.rc"
  kill "$(cat "$RUNS/$2.ms.pid")" 2>/dev/null
}

http_collect() {
  rc=$(cat "$RUNS/$2.rc" 2>/dev/null || echo 3)
  if [ "$rc" -ne 0 ]; then echo "demo: run $1 over HTTP exited $rc:"; cat "$RUNS/$2.log"; broken=1; return; fi
  scenario_file=$1; verdict "$RUNS/$2" - yes
  say "run $2 (over HTTP): check $v"
}

"$RL" --help >/dev/null 2>&1 || [ -x "$RL" ] || { echo "demo: $RL missing (run make)"; exit 3; }

# ---- HTTP runs first (they take wall time); the sims run meanwhile ----
say "starting the HTTP runs of seeds 002 and 003 (a mockserver each, time scale $SCALE)"
http_run $S/seed-002-bytez-keys.json seed-002-bytez-keys--http &
h1=$!
http_run $S/seed-003-moonshot-tiers.json seed-003-moonshot-tiers--http &
h2=$!

# ---- seeds: own policy (checked), comparison policies (checked), peers ----
sim $S/seed-000-chutes-persistent.json $P/seed-000-persistent.json seed-000-chutes-persistent - yes
sim $S/seed-000-chutes-give-up.json $P/seed-000-persistent.json seed-000-chutes-give-up - yes
sim $S/seed-001-groq-fallback.json $P/seed-001-groq-fallback.json seed-001-groq-fallback - yes
sim $S/seed-001-groq-fallback.json $P/seed-001-cooldown-60s.json seed-001-groq-fallback--cooldown-60s \
  $E/seed-001-cooldown-60s.json yes
sim $S/seed-001-groq-fallback-no-retry-after.json $P/seed-001-groq-fallback.json \
  seed-001-groq-fallback-no-retry-after - yes
sim $S/seed-002-bytez-keys.json $P/seed-002-key-rotation.json seed-002-bytez-keys - yes
sim $S/seed-002-bytez-keys.json $P/seed-002-before.json seed-002-bytez-keys--before $E/seed-002-before.json yes
sim $S/seed-003-moonshot-tiers.json $P/seed-003-tier-aware.json seed-003-moonshot-tiers - yes
sim $S/seed-003-moonshot-tiers.json $P/seed-003-nested-transport.json seed-003-moonshot-tiers--nested \
  $E/seed-003-nested-transport.json yes
sim $S/seed-004-openrouter-rotation.json $P/seed-004-rotation-breaker.json seed-004-openrouter-rotation - yes
sim $S/seed-004-openrouter-rotation.json $P/seed-004-alone.json seed-004-openrouter-rotation--alone \
  $E/seed-004-alone.json yes
sim $S/seed-004-openrouter-rotation.json $P/seed-004-alone-no-breaker.json \
  seed-004-openrouter-rotation--alone-no-breaker $E/seed-004-alone-no-breaker.json yes
sim $S/seed-004-openrouter-rotation-per-model.json $P/seed-004-rotation-breaker.json \
  seed-004-openrouter-rotation-per-model - yes
sim $S/seed-004-openrouter-ladder.json $P/seed-004-rotation-breaker.json seed-004-openrouter-ladder - yes

# One scenario per seed: 14 presets on each of 5 keep the report within its
# 128 run directories (seed 000's give-up and seed 004's ladder variants
# would add 28 more).
peers $S/seed-000-chutes-persistent.json $P/seed-000-persistent.json
peers $S/seed-001-groq-fallback.json $P/seed-001-groq-fallback.json
peers $S/seed-002-bytez-keys.json $P/seed-002-key-rotation.json
peers $S/seed-003-moonshot-tiers.json $P/seed-003-tier-aware.json
peers $S/seed-004-openrouter-rotation.json $P/seed-004-rotation-breaker.json

# ---- classic experiments ----
for n in 100 1000; do
  for j in none full equal decorrelated; do
    sim $S/classic-herd-$n.json $P/classic-herd-$j.json classic-herd-$n--$j - yes
  done
done
sim $S/classic-outage.json $P/classic-outage-no-breaker.json classic-outage--no-breaker - yes
sim $S/classic-outage.json $P/classic-outage-breaker.json classic-outage--breaker - yes
for q in key organisation; do
  for k in rotate single; do
    sim $S/classic-keys-per-$q.json $P/classic-keys-$k.json classic-keys-per-$q--$k - no
  done
done

# ---- streams: a provider that overloads mid-stream, three policies (scenarios/README.md) ----
sim $S/stream-overload.json $P/stream-overload-fallback.json stream-overload - yes
sim $S/stream-overload.json $P/stream-overload-never.json stream-overload--never $E/stream-overload-never.json yes
sim $S/stream-overload.json $P/stream-overload-restart.json stream-overload--restart \
  $E/stream-overload-restart.json yes

# ---- parameter sweeps: each is a section of the report with its Pareto picture ----
sweeps=""
sweep() { # SCENARIO NAME ARGS...: one sweep into RUNS/NAME, its closing line printed
  sc=$1; name=$2; shift 2
  say "sweep $name ..."
  if "$RL" sweep "$sc" --out "$RUNS/$name" --peers "$PEERS" --quiet "$@" >"$RUNS/$name.log" 2>&1; then
    sweeps="$sweeps $RUNS/$name"
    say "$(tail -n 1 "$RUNS/$name.log" | sed 's/ -> .*//')"
  else
    echo "demo: sweep $name failed:"; cat "$RUNS/$name.log"; broken=1
  fi
}
sweep $S/seed-001-groq-fallback-no-retry-after.json sweep-seed-001 --seeds 5 \
  --vary cooldown.default_s=15,30,60,120,300,600,1320 --vary limits.max_attempts=2,5,10,25 \
  --objective 'max success_rate; calls_per_success<=1.5'
sweep $S/seed-004-openrouter-ladder.json sweep-seed-004 --seeds 20 \
  --vary backoff.base_s=0.25,0.5,1,2,4 --vary backoff.cap_s=8,16,32,60,120

say "waiting for the HTTP runs"
wait $h1 $h2
http_collect $S/seed-002-bytez-keys.json seed-002-bytez-keys--http
http_collect $S/seed-003-moonshot-tiers.json seed-003-moonshot-tiers--http
cleanup

# ---- one report over every run ----
dirs=$(cat "$RUNS/dirs")
CONF=${DEMO_CONFORMANCE:-$OUT/conformance/table.json}
conf=""; [ -f "$CONF" ] && conf="--conformance $CONF"
say "report over $(wc -l <"$RUNS/dirs") runs${conf:+ and the conformance table} ..."
# shellcheck disable=SC2086 # run directories have no spaces
if ! "$RL" report $dirs $sweeps $conf --out "$REPORT" >"$RUNS/report.log" 2>&1; then
  echo "demo: report failed:"; cat "$RUNS/report.log"; broken=1
fi
say "$(tail -n 1 "$RUNS/report.log")"
echo

sh $S/demo-table.sh "$RUNS"
for d in $sweeps; do echo; tail -n 1 "$d.log"; done
T1=$(now_s)
awk -v a="$T0" -v b="$T1" -v r="$REPORT/index.html" \
  'BEGIN { printf "\nreport: %s\nwall time: %.1f s\n", r, b - a }'
[ $broken -ne 0 ] && { echo "demo: exit 3: something could not run (see above)"; exit 3; }
[ $failed -ne 0 ] && { echo "demo: exit 1: a check failed (see above)"; exit 1; }
echo "demo: exit 0: everything ran and every check held"
exit 0
