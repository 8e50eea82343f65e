/* tier.h: the tier table (seed 003): a provider's detected rate limit (e.g.
 * 3 requests per minute) names its tier ("free") and the tier sets the
 * backoff's base (20 s). Pure. */
#ifndef RL_TIER_H
#define RL_TIER_H
#include <stddef.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "engine/core/backoff.h"
#include "engine/core/headers.h"

#define RL_TIER_MAX 16

typedef struct rl_tier {
    const char *name; /* points into the policy document */
    int64_t up_to;    /* matches limits <= up_to; -1 = any limit (the last row) */
    double base_s;    /* backoff base for this tier */
    double factor;    /* 0 = keep the policy's */
    double cap_s;     /* 0 = keep the policy's */
} rl_tier;

typedef struct rl_tiers {
    size_t n;         /* 0 = no tier detection */
    bool from_tokens; /* detect from limit_tokens instead of limit_requests */
    rl_tier t[RL_TIER_MAX];
} rl_tiers;

/* Parses "tiers": {"from": "limit_requests"|"limit_tokens", "table": [{"name",
 * "up_to", "base_s", "factor", "cap_s"}]}; rows in increasing up_to, only the
 * last may omit up_to. node NULL: no tiers. 0 or -1 with err. */
int rl_tiers_parse(const cm_json *doc, const cJSON *node, rl_tiers *t, cm_err *err);
/* The row for the limit the signals carry: its index, or -1 (no limit sent,
 * no table, or no row matches). */
int rl_tiers_detect(const rl_tiers *t, const rl_signals *s);
/* Overrides b's base (and factor/cap when the row sets them) with row i. */
void rl_tier_apply(const rl_tiers *t, int i, rl_backoff *b);

#endif
