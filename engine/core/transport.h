/* transport.h: the optional transport retry layer under the application's
 * retries (seed 003's pitfall: urllib3's Retry under a tier-aware loop):
 * which responses it retries, how long it waits, and its policy section.
 * Pure: no clock, no allocation on the decision path. */
#ifndef RL_TRANSPORT_H
#define RL_TRANSPORT_H
#include <stdbool.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/rng.h"
#include "common/timeu.h"
#include "engine/core/backoff.h"
#include "engine/core/headers.h"

#define RL_TRANSPORT_MAX_STATUSES 32
#define RL_TRANSPORT_MAX_RETRIES 100

typedef struct rl_transport_cfg {
    bool enabled;                                 /* the section is present */
    uint32_t retries;                             /* retries per application attempt */
    uint16_t statuses[RL_TRANSPORT_MAX_STATUSES]; /* urllib3's status_forcelist */
    uint32_t nstatuses;
    uint32_t error_mask;      /* bit (1 << rl_transport_error) per retried transport error */
    rl_backoff backoff;       /* the layer's own ladder, indexed by its retry number */
    bool first_immediate;     /* retry 0 goes at once (urllib3: no wait before the 2nd try) */
    bool respect_retry_after; /* urllib3's respect_retry_after_header (default true) */
    cm_us retry_after_max;    /* ceiling on an honoured Retry-After; < 0 = none */
} rl_transport_cfg;

/* A disabled layer (no section): never retries. */
void rl_transport_defaults(rl_transport_cfg *c);

/* Parses the policy's "transport" object `node` (NULL: defaults, disabled):
 * {"retries": 3, "statuses": [429, 503], "errors": ["reset"], "backoff": {a
 * backoff object}, "first_retry_immediate": bool, "respect_retry_after":
 * bool, "retry_after_max_s": s, "comment", "source"}. 0 with *c filled, or
 * -1 with err "file:line:col: transport.field: message" (*c then disabled). */
int rl_transport_parse(const cm_json *doc, const cJSON *node, rl_transport_cfg *c, cm_err *err);

/* Does the layer retry this response (status, or transport error when
 * status is 0)? True for a listed status or error, and (when
 * respect_retry_after) for a 413, 429 or 503 carrying a Retry-After, as
 * urllib3's Retry.is_retry does. Does not look at the retry count. */
bool rl_transport_wants(const rl_transport_cfg *c, int status, int error, const rl_signals *sig);

/* The wait before the layer's retry n (0 = first) of one application
 * attempt: the server's Retry-After when respected and > 0 (capped by
 * retry_after_max), else 0 for n = 0 with first_immediate, else the ladder
 * value for n (jitter from rng; prev = the previous transport wait). -1 when
 * a list ladder says give up. *by_ra tells whether Retry-After decided. */
cm_us rl_transport_delay(const rl_transport_cfg *c, uint32_t n, cm_us prev, const rl_signals *sig,
                         cm_rng *rng, bool *by_ra);

#endif
