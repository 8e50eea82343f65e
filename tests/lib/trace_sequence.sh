#!/bin/sh
# trace_sequence.sh TRACE: the per-task event sequence of a trace written by
# engine/trace.c, in the form the sim/HTTP equivalence compares:
#   TASK ATTEMPT send PROVIDER/MODEL KEYID
#   TASK ATTEMPT response STATUS ERROR
#   TASK ATTEMPT wait DELAY REASON
#   TASK ATTEMPT done OUTCOME
# grouped by task (stable, so each task's events keep their order). Times,
# latencies and observed delays are left out: they differ between a virtual
# and a real-time run; planned delays must not. Not a test itself (lib/).
set -eu
[ $# -eq 1 ] || { echo "usage: trace_sequence.sh TRACE" >&2; exit 2; }
sed -n \
  -e 's/^{"t":[^,]*,"event":"send","task":\([0-9]*\),"attempt":\([0-9]*\),"provider":"\([^"]*\)","model":"\([^"]*\)","key":"\([^"]*\)".*/\1 \2 send \3\/\4 \5/p' \
  -e 's/^{"t":[^,]*,"event":"response","task":\([0-9]*\),"attempt":\([0-9]*\),.*"status":\([0-9]*\),"error":"\([^"]*\)".*/\1 \2 response \3 \4/p' \
  -e 's/^{"t":[^,]*,"event":"response","task":\([0-9]*\),"attempt":\([0-9]*\),.*"status":\([0-9]*\)[,}].*/\1 \2 response \3 -/p' \
  -e 's/^{"t":[^,]*,"event":"wait","task":\([0-9]*\),"attempt":\([0-9]*\),.*"delay":\([0-9.]*\),.*"reason":"\([^"]*\)".*/\1 \2 wait \3 \4/p' \
  -e 's/^{"t":[^,]*,"event":"done","task":\([0-9]*\),"attempt":\([0-9]*\),"outcome":"\([a-z]*\)".*/\1 \2 done \3/p' \
  "$1" | sort -s -n -k1,1
