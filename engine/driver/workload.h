/* workload.h: what the scenario's clients do, for the drivers: when each task
 * starts (burst, uniform, Poisson), which client a task belongs to, and the
 * test value behind a key name. Pure. */
#ifndef RL_WORKLOAD_H
#define RL_WORKLOAD_H
#include <stddef.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/rng.h"
#include "common/tasklimit.h"
#include "common/timeu.h"
#include "mockserver/scenario/scenario.h"

/* The most tasks one run may start (clients x tasks_per_client): the
 * scenario loader's and the trace reader's limit too. */
#define RL_WORKLOAD_MAX_TASKS CM_MAX_TASKS

/* The RNG stream (cm_rng_fork of the run seed) the schedule draws from; task
 * streams are the task ids, so this one never collides with them. */
#define RL_WORKLOAD_RNG_STREAM UINT64_MAX

typedef struct rl_schedule {
    size_t n;     /* clients x tasks_per_client */
    cm_us *start; /* start of task i (scenario time), non-decreasing in i */
} rl_schedule;

/* Fills *out with one start time per task: BURST all at 0; UNIFORM task i at
 * i * over / n; POISSON at the running sum of exponential gaps of mean
 * 1 / rate_per_s drawn from `rng` (the first task after the first gap);
 * each later by the workload's start.
 * 0 (free with rl_schedule_free), or -1 with err when the workload has no
 * tasks, too many, or bad parameters (*out is then empty). */
int rl_workload_schedule(const mock_workload *w, cm_rng *rng, rl_schedule *out, cm_err *err);
void rl_schedule_free(rl_schedule *s);
/* The schedule of a run with seed `seed`, as every driver draws it: from the
 * stream RL_WORKLOAD_RNG_STREAM of the seed. Returns as rl_workload_schedule. */
int rl_workload_schedule_run(const mock_workload *w, uint64_t seed, rl_schedule *out, cm_err *err);

/* Tasks are dealt to clients round-robin: task i belongs to client
 * i % clients and is that client's (i / clients)-th task. */
uint32_t rl_workload_client(const mock_workload *w, uint32_t task);
uint32_t rl_workload_client_task(const mock_workload *w, uint32_t task);

/* The test value of key `key_name` of provider `provider` in `sc`, else NULL
 * (also when sc is NULL). Never the environment: a simulated or mocked
 * provider accepts only the scenario's test keys, so an exported real key
 * could only fail its calls (and, over HTTP, leave the machine); live runs
 * read keys through their providers file. Borrowed from the scenario; callers
 * never print it (use cm_keyid). */
const char *rl_key_resolve(const mock_scenario *sc, const char *provider, const char *key_name);

#endif
