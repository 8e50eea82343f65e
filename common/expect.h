/* expect.h: the "expect" object -- what `retrylab check` asserts on a run --
 * parsed and validated (file:line:col, unknown fields are errors) into a
 * plain struct. It appears inside a scenario ("expect": {...}) or alone in a
 * file with "kind": "expect" (for `retrylab check --expect FILE`).
 *
 * Keys (all optional; an empty object asserts nothing):
 *   kind                 "expect" (only meaningful in a standalone file)
 *   comment              free text, ignored
 *   ladder               {task, waits_s[], tolerance, abs_tolerance_s, field, prefix}
 *                        or an array of such objects (one per task). The task's
 *                        wait events, in order, must have these delays: wait i
 *                        (the wait after attempt i, from 1) may differ from
 *                        waits_s[i-1] by at most max(tolerance * expected,
 *                        abs_tolerance_s). tolerance is relative (default 0),
 *                        abs_tolerance_s defaults to 0.001 s (trace rounding).
 *                        field: "delay" (planned, default) or "observed" (what a
 *                        real-time run actually waited). The number of waits
 *                        must match too, unless prefix is true (then only the
 *                        first len(waits_s) waits are compared).
 *   success_rate         {min, max, claimed, source}: min/max bound the measured
 *                        rate in [0,1]; claimed is the rate a seed document
 *                        claims (reported beside the measured one, never
 *                        asserted), source names that document.
 *   max_attempts         the most send events any one task may make.
 *   max_attempts_per_task  the same thing under a clearer name (an alias; giving
 *                        both is an error).
 *   max_total_wait_s     the most planned wait (sum of wait delays) any one task
 *                        may accumulate -- per task, not per run.
 *   max_calls_per_success  run-wide sends / successes (no success: fails).
 *   candidates_used      ["provider/model", ...] each must receive >= 1 send.
 *   candidates_not_used  ["provider/model", ...] none may receive a send.
 *   final_message        {task, contains} or an array: the task must end in
 *                        failure with a message containing the substring.
 *   rotation_order       {task, candidates[], prefix} or an array: the task's
 *                        sends' "provider/model" in order, consecutive
 *                        duplicates collapsed, must equal candidates (or start
 *                        with them when prefix is true).
 *   max_task_duration_s  the longest any one task may take, from its first send
 *                        to its done event (a task never done counts to the
 *                        end of the run).
 *   candidate_requests   {candidate, min, max} or an array: the requests (sends)
 *                        "provider/model" receives over the whole run must lie
 *                        in [min, max] (give min, max or both).
 *   ttft                 {p, max_s} or an array: percentile p (0 < p <= 100,
 *                        default 99, nearest rank) of the time to first token of
 *                        every streamed response that got one is at most max_s.
 *   ttft_p99_max_s       the same as {"p": 99, "max_s": X}.
 *   max_resends_after_tokens  the most re-sends after tokens: attempts sent
 *                        after an earlier attempt of the same task received
 *                        tokens (> 0) and then failed (0: no task is re-sent
 *                        once it has received tokens).
 *   respects_retry_after true, or {tolerance_s}: no attempt of a task is sent
 *                        before the Retry-After of its previous error answer
 *                        (status >= 400) has elapsed, counted from that answer;
 *                        one verdict line per attempt sent early. tolerance_s
 *                        (default 0.005 s): how early still counts as on time.
 */
#ifndef CM_EXPECT_H
#define CM_EXPECT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonpos.h"

#define CM_EXPECT_MAX_WAITS 64      /* waits_s items per ladder */
#define CM_EXPECT_MAX_LIST 16       /* ladders, final messages, rotation orders */
#define CM_EXPECT_MAX_CANDIDATES 64 /* names in candidates_used / _not_used / rotation */
#define CM_EXPECT_NAME_MAX 128      /* "provider/model" incl. NUL */
#define CM_EXPECT_TEXT_MAX 256      /* source, contains incl. NUL */
#define CM_EXPECT_MAX_TTFT 8        /* ttft bounds */

typedef enum cm_expect_field { CM_EXPECT_DELAY, CM_EXPECT_OBSERVED } cm_expect_field;

typedef struct cm_expect_ladder {
    int64_t task;
    double waits_s[CM_EXPECT_MAX_WAITS];
    size_t n_waits;
    double tolerance;       /* relative, >= 0 */
    double abs_tolerance_s; /* seconds, >= 0 */
    cm_expect_field field;
    bool prefix;
} cm_expect_ladder;

typedef struct cm_expect_message {
    int64_t task;
    char contains[CM_EXPECT_TEXT_MAX];
} cm_expect_message;

typedef struct cm_expect_rotation {
    int64_t task;
    bool prefix;
    size_t n;
    char candidates[CM_EXPECT_MAX_CANDIDATES][CM_EXPECT_NAME_MAX];
} cm_expect_rotation;

typedef struct cm_expect_count {
    char candidate[CM_EXPECT_NAME_MAX]; /* "provider/model" */
    bool has_min, has_max;
    int64_t min, max; /* requests over the run */
} cm_expect_count;

typedef struct cm_expect_ttft {
    double p;     /* percentile, 0 < p <= 100 */
    double max_s; /* seconds */
} cm_expect_ttft;

typedef struct cm_expect {
    cm_expect_ladder *ladders; /* owned, n_ladders items */
    size_t n_ladders;

    bool has_rate_min, has_rate_max, has_rate_claimed;
    double rate_min, rate_max, rate_claimed;
    char rate_source[CM_EXPECT_TEXT_MAX]; /* "" when absent */

    bool has_max_attempts, has_max_total_wait, has_max_calls_per_success;
    int64_t max_attempts;
    double max_total_wait_s;
    double max_calls_per_success;

    char (*used)[CM_EXPECT_NAME_MAX]; /* owned, n_used names */
    size_t n_used;
    char (*not_used)[CM_EXPECT_NAME_MAX]; /* owned, n_not_used names */
    size_t n_not_used;

    cm_expect_message *messages; /* owned, n_messages items */
    size_t n_messages;
    cm_expect_rotation *rotations; /* owned, n_rotations items */
    size_t n_rotations;

    bool has_max_task_duration;
    double max_task_duration_s;
    cm_expect_count *counts; /* owned, n_counts items (candidate_requests) */
    size_t n_counts;

    cm_expect_ttft ttft[CM_EXPECT_MAX_TTFT]; /* ttft and ttft_p99_max_s */
    size_t n_ttft;
    bool has_max_resends_after_tokens;
    int64_t max_resends_after_tokens;
    bool has_respect_retry_after;
    double retry_after_tolerance_s;
} cm_expect;

/* Parses and validates the expect object `node` of document `doc` (the root of
 * a standalone file, or a scenario's "expect" value). `ctx` is node's field
 * path for messages ("expect", or NULL/"" for a file root). On success fills
 * *out (the caller frees it with cm_expect_free; nothing points into doc) and
 * returns 0. On failure returns -1, err holds "file:line:col: field: message",
 * and *out is left empty (cm_expect_free on it is safe and does nothing). */
int cm_expect_parse(const cm_json *doc, const cJSON *node, const char *ctx, cm_expect *out,
                    cm_err *err);

/* Loads a standalone expect file (its root must say "kind": "expect").
 * Same ownership and errors as cm_expect_parse. */
int cm_expect_load(const char *path, cm_expect *out, cm_err *err);

/* Frees what cm_expect_parse allocated and zeroes *e; NULL and zeroed structs are fine. */
void cm_expect_free(cm_expect *e);

/* True when the expect asserts nothing at all. */
bool cm_expect_empty(const cm_expect *e);

/* ---- claims: what a source document says, beside the expect ----
 * A scenario's "claims" array holds {source, says} entries. An entry may say
 * what it claims as a number the report judges against what retrylab
 * measured: a "measure" and one direction:
 *   "at_least": X, "at_most": X, "about": X (with "tolerance", relative,
 *   default 0.05), "range": [LO, HI], or "best": true (the claimed policy
 *   does best on the measure among the policies run on the scenario:
 *   highest success rate, lowest of the others);
 * or "measure": "ladder" with "task" and "waits_s" (and "tolerance",
 * relative, default 0.01): that task's planned waits, in order.
 * "policy" names the policy the claim is about (a path relative to the
 * scenario file; default: the scenario's own policy). A claim is never
 * asserted by `check`: the scenario's expect pins retrylab's own result,
 * which may refute it. */
#define CM_CLAIM_MEASURES(X)                                                                       \
    X(MAX_TOTAL_WAIT, "max_total_wait_s", "the most planned wait one task accumulates, seconds")   \
    X(MAX_TASK_DURATION, "max_task_duration_s", "the longest one task takes, seconds")             \
    X(MAX_ATTEMPTS, "max_attempts", "the most calls one task makes")                               \
    X(SUCCESS_RATE, "success_rate", "successes / tasks, 0..1")                                     \
    X(CALLS_PER_SUCCESS, "calls_per_success", "calls over the run / successes")                    \
    X(LADDER, "ladder", "one task's planned waits, in order")

typedef enum cm_claim_measure {
    CM_CLAIM_NONE, /* no number: compared by eye */
#define X(id, name, what) CM_CLAIM_##id,
    CM_CLAIM_MEASURES(X)
#undef X
} cm_claim_measure;

/* What a claim with a number claims about its measure. */
typedef enum cm_claim_dir {
    CM_CLAIM_BY_EYE,   /* no measure */
    CM_CLAIM_AT_LEAST, /* measured >= lo */
    CM_CLAIM_AT_MOST,  /* measured <= hi */
    CM_CLAIM_ABOUT,    /* value within tolerance: lo <= measured <= hi */
    CM_CLAIM_RANGE,    /* lo <= measured <= hi */
    CM_CLAIM_BEST,     /* best among the scenario's policies */
    CM_CLAIM_WAITS,    /* measure ladder: every wait within tolerance */
} cm_claim_dir;

typedef struct cm_claim {
    const char *source, *says; /* point into the document (valid until cm_json_free) */
    const char *policy;        /* the same; NULL: the scenario's own policy */
    cm_claim_measure measure;
    cm_claim_dir dir;
    double value;            /* at_least, at_most, about: the number stated */
    double tolerance;        /* about, ladder: relative */
    double lo, hi;           /* the measured values that bear the claim out */
    cm_expect_ladder ladder; /* measure ladder: task, waits_s, tolerance */
} cm_claim;

/* Parses and validates one claims entry `node` (unknown fields, an unknown
 * measure, a measure without a direction, two directions, a direction
 * without a measure are errors). `ctx` names it in messages ("claims[2]").
 * 0, or -1 with err "file:line:col: field: what". */
int cm_claim_parse(const cm_json *doc, const cJSON *node, const char *ctx, cm_claim *out,
                   cm_err *err);
/* True when more of the measure is better (success_rate), false when less is. */
bool cm_claim_more_is_better(cm_claim_measure m);
/* Whether `measured` bears out a claim of direction at_least, at_most, about
 * or range (with a relative slack of 1e-9 for rounding). */
bool cm_claim_holds(const cm_claim *c, double measured);

#endif
