/* summary.h: the run summary (DIR/summary.json), shared by the simulation
 * and the HTTP runner: totals of the run plus the engine's per-candidate
 * metrics, cooldowns, breakers and budget (rl_run_summary_json). Written
 * atomically: a reader sees the old file or the new one, never half of one. */
#ifndef RL_SUMMARY_H
#define RL_SUMMARY_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/timeu.h"

typedef struct rl_summary {
    uint64_t tasks;      /* tasks the run meant to start */
    uint64_t tasks_done; /* tasks that reached done (== tasks unless partial) */
    uint64_t successes;
    uint64_t attempts;   /* SENDs over all tasks */
    cm_us total_wait;    /* planned waits over all tasks */
    cm_us scenario_time; /* scenario time when the run ended */
    bool partial;        /* interrupted by a signal */
    uint64_t seed;
    const char *scenario, *scenario_name; /* path and name, or NULL */
    const char *policy, *policy_name;
    const char *mode; /* "sim", "mock" or "live" */
    double time_scale;
    double wall_s; /* wall-clock seconds the run took */
} rl_summary;

/* Builds the summary object: the fields of `s` (success_rate = successes /
 * tasks, 0 when tasks is 0) followed by a copy of every member of `extra`
 * (may be NULL; stays the caller's). Caller frees with cJSON_Delete; NULL
 * when out of memory. */
cJSON *rl_summary_json(const rl_summary *s, const cJSON *extra);

/* Writes rl_summary_json(s, extra) to `path` through `path`.tmp + rename.
 * 0, or -1 with err = "path: cannot write: reason" (no temporary left). */
int rl_summary_write(const char *path, const rl_summary *s, const cJSON *extra, cm_err *err);

#endif
