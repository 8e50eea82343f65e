/* policy.h: the loaded policy, as the engine's own files see it (other parts
 * use the accessors in engine.h). Every section is fixed-size, so the task's
 * decision path reads it without allocating. */
#ifndef RL_POLICY_H
#define RL_POLICY_H
#include <stdint.h>

#include "engine/core/backoff.h"
#include "engine/core/breaker.h"
#include "engine/core/budget.h"
#include "engine/core/classify.h"
#include "engine/core/cooldown.h"
#include "engine/core/engine.h"
#include "engine/core/retry_after.h"
#include "engine/core/rotation.h"
#include "engine/core/stream.h"
#include "engine/core/tier.h"
#include "engine/core/transport.h"

typedef struct rl_cand {
    const char *provider; /* strings point into the policy document */
    const char *model;
    const char *keys[RL_MAX_KEYS];
    size_t nkeys;
    uint32_t provider_idx; /* index into rl_policy.providers */
} rl_cand;

typedef struct rl_limits {
    uint32_t max_attempts;              /* sends per task, every retry and task retry included */
    uint32_t max_retries_per_candidate; /* request-level retries before rotating; UINT32_MAX none */
    cm_us deadline;                     /* from the task's start; < 0 none */
    cm_us attempt_timeout;              /* SEND.timeout; 0 none */
    cm_us max_total_wait;               /* sum of the task's waits; < 0 none */
} rl_limits;

/* A ladder of its own for some outcomes (backoff.by_outcome). */
#define RL_MAX_LADDERS 8
typedef struct rl_ladder {
    rl_pattern pat; /* a status, class or transport error */
    rl_backoff b;
} rl_ladder;

typedef struct rl_task_retry_cfg {
    uint32_t max;     /* whole-task re-runs after every candidate failed (seed 000: 3) */
    rl_backoff waits; /* the wait before re-run n (seed 000: list 60, 120, 180) */
} rl_task_retry_cfg;

struct rl_policy {
    cm_json *owned; /* the document when loaded from a file; NULL from rl_policy_from_json */
    const cm_json *doc;
    const char *name;
    rl_cand *cands;
    size_t ncand;
    const char *providers[RL_MAX_PROVIDERS];
    size_t nprov;
    rl_backoff backoff;
    rl_ladder ladders[RL_MAX_LADDERS]; /* backoff.by_outcome, in file order */
    size_t nladders;
    rl_ra_cfg retry_after;
    rl_tiers tiers;
    rl_rotation_cfg rotation;
    rl_cooldown_cfg cooldown;
    rl_breaker_cfg breaker;
    rl_budget_cfg budget;
    rl_limits limits;
    rl_classify classify;
    rl_task_retry_cfg task_retry;
    rl_transport_cfg transport; /* the transport retry layer (disabled when absent) */
    rl_stream_cfg stream;       /* token streams (off when absent) */
};

#endif
