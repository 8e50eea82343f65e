/* rotation.h: which candidate comes next. Circular search from the current
 * candidate: first the other models of the same provider (in list order,
 * wrapping), then the providers in the policy's fallback order for this
 * provider (or, without one, in candidate-list order after the current one,
 * wrapping); candidates the caller calls unusable (cooling down, breaker
 * open, already tried in this pass) are skipped. Pure. */
#ifndef RL_ROTATION_H
#define RL_ROTATION_H
#include <stdbool.h>
#include <stdint.h>

#include "common/jsonpos.h"

#define RL_MAX_CANDIDATES 256
#define RL_MAX_PROVIDERS 32
#define RL_MAX_KEYS 16

typedef struct rl_policy rl_policy;

typedef struct rl_rotation_cfg {
    bool wait_backoff;   /* wait the ladder before the next candidate (seed 004); else go at once */
    bool wait_when_none; /* every usable candidate cooling/open: wait for the first (else fail) */
    uint8_t nfallbacks[RL_MAX_PROVIDERS]; /* per provider index; 0 = list order */
    uint8_t fallbacks[RL_MAX_PROVIDERS][RL_MAX_PROVIDERS];
} rl_rotation_cfg;

/* Parses "rotation": {"wait": "none"|"backoff", "when_none_available":
 * "fail"|"wait", "provider_fallbacks": {"groq": ["openai", "anthropic"]}}.
 * Provider names must be those of the policy's candidates (p's candidates are
 * loaded first). node NULL: defaults (no wait, fail, list order). */
int rl_rotation_parse(const cm_json *doc, const cJSON *node, const rl_policy *p, rl_rotation_cfg *r,
                      cm_err *err);

/* Says whether candidate c may be chosen now. */
typedef bool (*rl_usable_fn)(void *ctx, uint32_t c);

/* The next usable candidate after `cur` (searched as described above), or
 * the first usable one in list order when cur < 0 (a task's first pick).
 * cur itself comes last. -1 when none is usable. */
int rl_rotation_next(const rl_policy *p, int cur, rl_usable_fn usable, void *ctx);

#endif
