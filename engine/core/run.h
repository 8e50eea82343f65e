/* run.h: struct rl_run, the state every task of one run shares: cooldowns,
 * breakers, the retry budget, detected tiers and per-candidate metrics. The
 * engine's files read it directly; others use engine.h. */
#ifndef RL_RUN_H
#define RL_RUN_H
#include "engine/core/candidate_metrics.h"
#include "engine/core/policy.h"

struct rl_run {
    const rl_policy *p;
    uint64_t seed;
    int64_t epoch_us;           /* Unix microseconds at scenario time 0 */
    cm_us *cool_until;          /* per candidate */
    rl_breaker *breakers;       /* per candidate */
    rl_metrics *metrics;        /* per candidate */
    int tier[RL_MAX_PROVIDERS]; /* detected tier row per provider, -1 unknown */
    rl_budget budget;
};

#endif
