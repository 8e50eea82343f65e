/* retry_after.h: what the policy does with a server's Retry-After: honour it,
 * ignore it, or honour it up to a ceiling and then give up, fall back to the
 * ladder, rotate, or clamp; plus a cumulative ceiling per task (Portkey). */
#ifndef RL_RETRY_AFTER_H
#define RL_RETRY_AFTER_H
#include <stdbool.h>

#include "common/jsonpos.h"
#include "common/timeu.h"
#include "engine/core/headers.h"

#define RL_RA_MODES(X)                                                                             \
    X(HONOUR, "honour") /* wait what the server says (bounded by max_s when given) */              \
    X(IGNORE, "ignore") /* always the ladder */
typedef enum rl_ra_mode {
#define X(name, text) RL_RA_##name,
    RL_RA_MODES(X)
#undef X
} rl_ra_mode;

#define RL_RA_ABOVE(X)                                                                             \
    X(LADDER, "ladder")   /* use the backoff ladder instead (openai-python, openai-node) */        \
    X(GIVE_UP, "give_up") /* fail the task at once */                                              \
    X(ROTATE, "rotate")   /* move to the next candidate (cooling this one down) */                 \
    X(CLAMP, "clamp")     /* wait max_s */
typedef enum rl_ra_above {
#define X(name, text) RL_RA_ABOVE_##name,
    RL_RA_ABOVE(X)
#undef X
} rl_ra_above;

typedef struct rl_ra_cfg {
    rl_ra_mode mode;
    cm_us max;          /* ceiling; < 0 = none */
    bool max_inclusive; /* a value equal to max is still honoured (default true) */
    rl_ra_above above;
    cm_us min;       /* floor for honoured values (default 0) */
    cm_us total_max; /* cumulative Retry-After waiting per task; < 0 = none */
} rl_ra_cfg;

/* What to do with this response's Retry-After. */
typedef enum rl_ra_verdict {
    RL_RAV_LADDER,  /* no usable Retry-After (or ignored): use the ladder */
    RL_RAV_WAIT,    /* wait *delay (the server's value, bounded) */
    RL_RAV_GIVE_UP, /* above the ceiling (or the cumulative ceiling): fail */
    RL_RAV_ROTATE,  /* above the ceiling: rotate */
} rl_ra_verdict;

void rl_ra_defaults(rl_ra_cfg *c);
/* Parses "retry_after" (node may be NULL: defaults). 0 or -1 with err. */
int rl_ra_parse(const cm_json *doc, const cJSON *node, const char *ctx, rl_ra_cfg *c, cm_err *err);
/* Decides for signals s, given the Retry-After time already waited in this
 * task (waited). *delay is set for RL_RAV_WAIT. Pure. */
rl_ra_verdict rl_ra_decide(const rl_ra_cfg *c, const rl_signals *s, cm_us waited, cm_us *delay);

#endif
