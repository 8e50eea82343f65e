/* retry_after.h: what the policy does with a delay the server asks for
 * (Retry-After, retry-after-ms, Gemini's RetryInfo, "try again in 20s" in
 * the error message): which of them it reads, for which statuses, within
 * which window (each end inclusive or not), and what happens outside it
 * (the ladder, give up, rotate, clamp); a date already past; how the wait
 * combines with the ladder and what the ladder does after it; plus a
 * cumulative ceiling per task (Portkey). */
#ifndef RL_RETRY_AFTER_H
#define RL_RETRY_AFTER_H
#include <stdbool.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/timeu.h"
#include "engine/core/errbody.h"
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
    X(LADDER, "ladder")   /* use the backoff ladder instead (openai-node, anthropic-python) */     \
    X(GIVE_UP, "give_up") /* fail the task at once (openai-python >= 2.52) */                      \
    X(ROTATE, "rotate")   /* move to the next candidate (cooling this one down) */                 \
    X(CLAMP, "clamp")     /* wait max_s */
typedef enum rl_ra_above {
#define X(name, text) RL_RA_ABOVE_##name,
    RL_RA_ABOVE(X)
#undef X
} rl_ra_above;

#define RL_RA_BELOW(X)                                                                             \
    X(CLAMP, "clamp")   /* wait min_s */                                                           \
    X(LADDER, "ladder") /* use the ladder (the Python SDKs: 0 goes to the ladder) */
typedef enum rl_ra_below {
#define X(name, text) RL_RA_BELOW_##name,
    RL_RA_BELOW(X)
#undef X
} rl_ra_below;

#define RL_RA_PAST(X)                                                                              \
    X(ZERO, "zero")           /* a 0 s value, then the window decides */                           \
    X(LADDER, "ladder")       /* the ladder (openai-python, openai-node 7) */                      \
    X(IMMEDIATE, "immediate") /* retry at once, whatever the window (openai-node 6.26..7.4) */
typedef enum rl_ra_past {
#define X(name, text) RL_RA_PAST_##name,
    RL_RA_PAST(X)
#undef X
} rl_ra_past;

#define RL_RA_SOURCES(X)                                                                           \
    X(HEADERS, "headers")       /* the headers listed in "headers" */                              \
    X(RETRY_INFO, "retry_info") /* Gemini's RetryInfo.retryDelay in the error body */              \
    X(MESSAGE, "message")       /* "try again in 20s" in the error message */
typedef enum rl_ra_source {
#define X(name, text) RL_RA_SRC_##name,
    RL_RA_SOURCES(X)
#undef X
} rl_ra_source;

#define RL_RA_HEADERS(X)                                                                           \
    X(MS, "retry-after-ms")                                                                        \
    X(SECONDS, "retry-after")
typedef enum rl_ra_header {
#define X(name, text) RL_RA_HDR_##name,
    RL_RA_HEADERS(X)
#undef X
} rl_ra_header;

#define RL_RA_LADDER_AFTER(X)                                                                      \
    X(CONTINUE, "continue") /* the ladder goes on at its next step */                              \
    X(RESET, "reset")       /* the ladder starts again at n = 0 (gRPC A6 pushback) */              \
    X(ZERO, "zero")         /* every later ladder wait of the task is 0 s (Portkey) */
typedef enum rl_ra_ladder_after {
#define X(name, text) RL_RA_THEN_##name,
    RL_RA_LADDER_AFTER(X)
#undef X
} rl_ra_ladder_after;

#define RL_RA_COMBINE(X)                                                                           \
    X(REPLACE, "replace") /* the server's value replaces the ladder's */                           \
    X(MAX, "max")         /* max(server, ladder) (curl >= 8.7) */                                  \
    X(BOUNDED, "bounded") /* max(ladder, min(server, ladder + bounded_plus_s)) (AWS JS v3) */
typedef enum rl_ra_combine {
#define X(name, text) RL_RA_COMBINE_##name,
    RL_RA_COMBINE(X)
#undef X
} rl_ra_combine;

#define RL_RA_MAX_STATUSES 16

typedef struct rl_ra_cfg {
    rl_ra_mode mode;
    cm_us max;          /* ceiling; < 0 = none */
    bool max_inclusive; /* a value equal to max is still honoured (default true) */
    rl_ra_above above;
    cm_us min;          /* floor (default 0) */
    bool min_inclusive; /* a value equal to min is within the window (default true) */
    rl_ra_below below;
    rl_ra_past past;
    cm_us total_max; /* cumulative server-given waiting per task; < 0 = none */
    uint16_t statuses[RL_RA_MAX_STATUSES]; /* honoured only after these; none = every status */
    uint8_t nstatuses;
    uint8_t headers[2]; /* rl_ra_header, in the order read (the first usable wins) */
    uint8_t nheaders;
    bool dates;       /* a Retry-After HTTP-date is read (default true) */
    bool clock_dates; /* date_reference "clock": a date minus now, not minus the Date header */
    uint8_t from[3];  /* rl_ra_source, in the order read (the first that gives one wins) */
    uint8_t nfrom;
    rl_ra_ladder_after ladder_after;
    rl_ra_combine combine;
    cm_us bounded_plus; /* combine "bounded" */
    bool plain_read;    /* from, headers and dates as by default: the signals'
                           own reading (has_retry_after, retry_after) is the value */
} rl_ra_cfg;

/* What to do with this response's server-given delay. */
typedef enum rl_ra_verdict {
    RL_RAV_LADDER,  /* none usable (or ignored, or outside the window): the ladder */
    RL_RAV_WAIT,    /* wait *delay (the server's value, bounded) */
    RL_RAV_GIVE_UP, /* above the ceiling (or the cumulative ceiling): fail */
    RL_RAV_ROTATE,  /* above the ceiling: rotate */
} rl_ra_verdict;

void rl_ra_defaults(rl_ra_cfg *c);
/* Parses "retry_after" (node may be NULL: defaults). 0 or -1 with err. */
int rl_ra_parse(const cm_json *doc, const cJSON *node, const char *ctx, rl_ra_cfg *c, cm_err *err);

/* The delay the server asks for, read the policy's way (its sources,
 * headers and dates; not its mode, statuses or window): the value, or -1.
 * *past (may be NULL) tells whether it came from a date already past. */
cm_us rl_ra_server_value(const rl_ra_cfg *c, const rl_signals *s, const rl_error_body *body,
                         bool *past);

/* Decides for a response with `status`, signals s and error body `body`
 * (may be NULL), given the server-given time already waited in this task
 * (waited). *delay is the wait for RL_RAV_WAIT, the server's value for
 * RL_RAV_GIVE_UP and RL_RAV_ROTATE. The combination with the ladder
 * (combine) is the caller's: it has the ladder. Pure. */
rl_ra_verdict rl_ra_decide(const rl_ra_cfg *c, const rl_signals *s, const rl_error_body *body,
                           int status, cm_us waited, cm_us *delay);

#endif
