/* cooldown.h: the cooldown cache (seed 001): a rate-limited candidate is
 * skipped until its Retry-After, else the policy's default (22 minutes in
 * seed 001); a second cooldown extends, never shortens, the deadline. Pure. */
#ifndef RL_COOLDOWN_H
#define RL_COOLDOWN_H
#include <cjson/cJSON.h>
#include <stdbool.h>

#include "common/jsonpos.h"
#include "common/timeu.h"

typedef struct rl_policy rl_policy;

typedef struct rl_cooldown_cfg {
    bool enabled; /* section present */
    cm_us dflt;   /* when the 429 carried no Retry-After */
    cm_us max;    /* ceiling on one cooldown; < 0 = none */
} rl_cooldown_cfg;

/* Parses "cooldown": {"default_s": 1320, "max_s": 3600}. node NULL: disabled. */
int rl_cooldown_parse(const cm_json *doc, const cJSON *node, rl_cooldown_cfg *c, cm_err *err);
/* Cools a candidate down for `dur` from now (dur < 0: the default), capped by
 * max; *until only ever grows. */
void rl_cooldown_put(const rl_cooldown_cfg *c, cm_us *until, cm_us now, cm_us dur);
/* True while now < until. */
static inline bool rl_cooldown_active(cm_us until, cm_us now)
{
    return now < until;
}
/* {"total": N, "by_provider": {"groq": N}, "available": {"groq": N},
 * "entries": [{"provider", "model", "remaining_s"}]} for the candidates
 * cooling at now; until[] holds one deadline per candidate of p. Caller
 * frees; NULL when out of memory. */
cJSON *rl_cooldown_snapshot(const rl_policy *p, const cm_us *until, cm_us now);
/* "groq: 0, openai: 2, anthropic: 5" (candidates NOT cooling per provider,
 * in provider order) into out[size]. */
void rl_cooldown_available_text(const rl_policy *p, const cm_us *until, cm_us now, char *out,
                                size_t size);

#endif
