/* job.h: what `retrylab sim` and `retrylab run` do alike around a driver:
 * the run folder, the trace's start event, the summary, the closing line and
 * the exit code.
 *
 * A run folder is replaced whole or not at all: the trace is written to
 * DIR/trace.jsonl.partial (follow it with `tail -f`), and only when the run
 * has ended, its summary is written and both files take their names
 * (trace.jsonl, then summary.json, each by rename). A run that cannot write
 * its trace stops, and the folder keeps the previous run; a run stopped by a
 * signal is a run too: its summary says "partial": true. */
#ifndef RL_JOB_H
#define RL_JOB_H
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "engine/core/engine.h"
#include "engine/driver/driver.h"
#include "engine/driver/rundir.h"
#include "engine/driver/trace.h"

typedef struct rl_job {
    const char *cmd;           /* "retrylab sim": the prefix of every message */
    const char *mode;          /* "sim", "mock" or "live" */
    const char *scenario;      /* the scenario (or providers) file as given */
    const char *scenario_name; /* its name ("live" for live runs) */
    const char *policy_path;
    const rl_policy *policy;
    uint64_t seed;
    uint64_t tasks;
    double time_scale;          /* 1 for sim and live */
    const char *target;         /* the mockserver's URL, or NULL */
    rl_trace_level trace_level; /* --trace (RL_TRACE_FULL by default: set it) */
    /* set by rl_job_open */
    rl_rundir rd;
    char partial[RL_RUNDIR_MAX + 32]; /* DIR/trace.jsonl.partial */
    rl_trace *trace;
    int64_t wall_start;
} rl_job;

/* Creates the run folder (--out `out`, or out/runs/SCENARIO-NAME), opens the
 * trace under its partial name and writes the start event. 0, or the exit
 * code after a message (2: an empty --out; 3: the folder or file cannot be
 * made). */
int rl_job_open(rl_job *j, const char *out);

/* Ends the job after the driver returned `run_rc` (0, CM_ERR_RUNTIME or
 * CM_ERR_INPUT; `err` says why when not 0) with result *r (its run_json is
 * freed here). `extra` (may be NULL; stays the caller's) adds members to
 * the summary. Writes the summary, gives both files their names, prints
 * the closing line, and returns the exit code: 0; 2 bad input; 3 runtime
 * failure (no trace or summary written whole: the folder keeps the
 * previous run); 128 + the signal for a run stopped by one. */
int rl_job_close(rl_job *j, int run_rc, const cm_err *err, rl_drv_result *r, const cJSON *extra);

#endif
