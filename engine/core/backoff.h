/* backoff.h: the policy's waiting ladder (constant, linear, exponential or an
 * explicit list) and its jitter, as pure functions of the retry number. */
#ifndef RL_BACKOFF_H
#define RL_BACKOFF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/rng.h"
#include "common/timeu.h"

#define RL_BACKOFF_KINDS(X)                                                                        \
    X(CONSTANT, "constant")       /* base_s every time */                                          \
    X(LINEAR, "linear")           /* base_s x (n + 1): seed 000's "2x, 3x, 4x" */                  \
    X(EXPONENTIAL, "exponential") /* base_s x factor^n */                                          \
    X(LIST, "list")               /* waits_s[n]; after the list: repeat the last or give up */
typedef enum rl_backoff_kind {
#define X(name, text) RL_BACKOFF_##name,
    RL_BACKOFF_KINDS(X)
#undef X
} rl_backoff_kind;

#define RL_JITTERS(X)                                                                              \
    X(NONE, "none")                 /* the ladder value */                                         \
    X(FULL, "full")                 /* uniform in [0, v) */                                        \
    X(EQUAL, "equal")               /* v/2 + uniform in [0, v/2) */                                \
    X(DECORRELATED, "decorrelated") /* min(cap, uniform in [base, prev x 3)) */                    \
    X(PROPORTIONAL, "proportional") /* v x uniform in [lo, hi) */                                  \
    X(ADDITIVE, "additive")         /* v + uniform in [lo, hi) seconds */
typedef enum rl_jitter {
#define X(name, text) RL_JITTER_##name,
    RL_JITTERS(X)
#undef X
} rl_jitter;

#define RL_BACKOFF_MAX_WAITS 64

typedef struct rl_backoff {
    rl_backoff_kind kind;
    double base_s; /* constant, linear, exponential; also decorrelated's floor */
    double factor; /* exponential */
    double cap_s;  /* upper bound of every wait (after jitter); < 0 = none */
    double min_s;  /* lower bound of every wait (after jitter) */
    double waits_s[RL_BACKOFF_MAX_WAITS];
    size_t nwaits;
    bool list_give_up; /* list: past the end, give up (true) or repeat the last value (false) */
    rl_jitter jitter;
    double jitter_lo, jitter_hi; /* proportional, additive */
    bool cap_after_jitter;       /* cap_s also bounds the jittered wait (default true) */
    bool reset_on_rotate;        /* restart the ladder at n = 0 on a new candidate */
} rl_backoff;

/* Default: exponential, base 1 s, factor 2, no cap, no jitter. */
void rl_backoff_defaults(rl_backoff *b);
/* Parses a "backoff" object into *b (defaults first). node NULL keeps the
 * defaults. 0, or -1 with err "file:line:col: ctx.field: message". */
int rl_backoff_parse(const cm_json *doc, const cJSON *node, const char *ctx, rl_backoff *b,
                     cm_err *err);
/* The same for the policy's own ladder, which may also hold "by_outcome"
 * (read by the policy loader, policy.c: its ladders per outcome). */
int rl_backoff_parse_main(const cm_json *doc, const cJSON *node, rl_backoff *b, cm_err *err);
/* The ladder value for retry n (0 = first retry), capped, before jitter; -1
 * when a list policy has run out and says give up. */
cm_us rl_backoff_ladder(const rl_backoff *b, uint32_t n);
/* The wait for retry n with jitter drawn from rng; prev is the previous wait
 * (decorrelated jitter), 0 for the first. -1 when the list says give up. */
cm_us rl_backoff_delay(const rl_backoff *b, uint32_t n, cm_us prev, cm_rng *rng);

#endif
