/* engine.h: the face of the engine core, what drivers (sim.c, http.c) and the
 * CLI may call. The core is pure: it never reads a clock, sleeps or does I/O
 * (policy loading reads its file, nothing else does). A task is a state
 * machine: the driver reports what happened and what time it is, and the
 * task answers with the next action: SEND, WAIT or DONE.
 *
 * Protocol for a driver:
 *   rl_task_start(t, run, id, now);
 *   rl_task_next(t, run, NULL, now, rng, &a);        -> first action (SEND)
 *   after a SEND, when the attempt ends:  rl_task_next(t, run, &outcome, now, rng, &a)
 *   after a WAIT, at or after a.until:    rl_task_next(t, run, NULL, now, rng, &a)
 *   DONE ends the task. No call allocates. */
#ifndef RL_ENGINE_H
#define RL_ENGINE_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/rng.h"
#include "common/timeu.h"
#include "engine/core/errbody.h"
#include "engine/core/headers.h"

/* ---- policy ---- */
typedef struct rl_policy rl_policy;

/* Loads and validates a policy file (kind "policy"). 0 and *out (free with
 * rl_policy_free), or -1 with err = "file:line:col: field: message". */
int rl_policy_load(const char *path, rl_policy **out, cm_err *err);
/* Same from an already loaded document (which must outlive the policy). */
int rl_policy_from_json(const cm_json *doc, rl_policy **out, cm_err *err);
void rl_policy_free(rl_policy *p);
const char *rl_policy_name(const rl_policy *p);

typedef struct rl_candidate_info {
    const char *provider;
    const char *model;
    size_t nkeys;
    const char *const *keys; /* key NAMES; values are resolved by the driver */
} rl_candidate_info;

size_t rl_policy_candidate_count(const rl_policy *p);

/* What the policy reads from an error body (rl_outcome.body), so that a
 * driver for which reading it costs (the simulation asks the provider model
 * for its texts) reads it only then: a mask of the bits below, 0 when the
 * policy's decisions never depend on the body. */
#define RL_BODY_QUOTA 1u      /* only the built-in quota rule (classify.error_body) */
#define RL_BODY_RULES 2u      /* classify rules on type:/code: */
#define RL_BODY_MESSAGE 4u    /* retry_after.from names "message" */
#define RL_BODY_RETRY_INFO 8u /* retry_after.from names "retry_info" */
unsigned rl_policy_body_reads(const rl_policy *p);
/* The type/code names the built-in quota rule fails at once on (classify.h),
 * NULL-terminated. */
extern const char *const rl_quota_names[];
void rl_policy_candidate(const rl_policy *p, size_t i, rl_candidate_info *out);
/* Whether the policy's attempts ask for token streams (its "stream"
 * section), and with the usage totals (*usage, may be NULL): a driver that
 * builds its request bodies once asks this. */
bool rl_policy_streams(const rl_policy *p, bool *usage);
/* The most sends a task may make (limits.max_attempts); RL_MAX_ATTEMPTS,
 * the engine's most, stands for "without end" (tenacity's stop_never). */
#define RL_MAX_ATTEMPTS 100000
uint32_t rl_policy_max_attempts(const rl_policy *p);

/* ---- run: the state every task of one run shares ---- */
/* Cooldown cache, breakers, retry budget, detected tiers, per-candidate
 * metrics. Created per run; `p` must outlive it. NULL when out of memory. */
typedef struct rl_run rl_run;
rl_run *rl_run_new(const rl_policy *p, uint64_t seed);
void rl_run_free(rl_run *run);
/* The Unix time (microseconds) that scenario time 0 stands for; default
 * CM_SCENARIO_EPOCH seconds. Live runs set the real one. */
void rl_run_set_epoch(rl_run *run, int64_t unix_us_at_zero);
/* Metrics per candidate, cooldown snapshot, breaker states and budget use at
 * `now`, as the "candidates", "cooldowns", "breakers" and "budget" members
 * of summary.json. Caller frees. */
cJSON *rl_run_summary_json(const rl_run *run, cm_us now);

/* The attempt timeout a driver applies when a SEND has none (the OpenAI
 * SDK's 600 s). The core uses it to bound how long a breaker probe can stay
 * in flight. */
#define RL_DEFAULT_ATTEMPT_TIMEOUT (600 * CM_US_PER_S)

/* ---- outcomes and actions ---- */
#define RL_TRANSPORT_ERRORS(X)                                                                     \
    X(NONE, "none")                                                                                \
    X(TIMEOUT, "timeout")                                                                          \
    X(RESET, "reset")                                                                              \
    X(CONNECT, "connect")                                                                          \
    X(TRUNCATED, "truncated")                                                                      \
    X(OTHER, "other")
typedef enum rl_transport_error {
#define X(name, text) RL_TE_##name,
    RL_TRANSPORT_ERRORS(X)
#undef X
} rl_transport_error;
const char *rl_transport_error_name(rl_transport_error e);

/* How a streamed answer ended, as its bytes tell (NONE: not a stream). */
#define RL_STREAM_ENDS(X)                                                                          \
    X(NONE, "none")           /* not a stream */                                                   \
    X(COMPLETE, "complete")   /* its terminal event arrived */                                     \
    X(ERROR, "error")         /* an error event arrived */                                         \
    X(MALFORMED, "malformed") /* an event that is not what the format says */                      \
    X(CUT, "cut")             /* the connection ended before the terminal event */                 \
    X(STALLED, "stalled")     /* no byte for the idle timeout: the client gave up */
typedef enum rl_stream_end {
#define X(name, text) RL_STREAM_##name,
    RL_STREAM_ENDS(X)
#undef X
} rl_stream_end;
const char *rl_stream_end_name(rl_stream_end e);

/* What happened to the last SEND. */
typedef struct rl_outcome {
    int status; /* HTTP status; 0 with error != NONE for transport errors */
    rl_transport_error error;
    const rl_header *headers; /* valid during the rl_task_next call only */
    size_t nheaders;
    cm_us latency; /* send to end of response */
    /* A 2xx stream: how it ended, the tokens that arrived, the time from the
     * send to the first of them (-1: none came), the error event's type. A
     * stream that did not end COMPLETE is a failure: the policy's "stream"
     * section decides what follows. */
    rl_stream_end stream;
    uint32_t tokens;
    cm_us ttft;
    const char *stream_error; /* "" or NULL when none */
    /* What the error body of a non-2xx response said (errbody.h), or NULL
     * when the driver read none; valid during the rl_task_next call only.
     * A driver fills it when rl_policy_body_reads says the policy reads it. */
    const rl_error_body *body;
} rl_outcome;

#define RL_WAIT_REASONS(X)                                                                         \
    X(BACKOFF, "backoff")         /* the policy's ladder */                                        \
    X(RETRY_AFTER, "retry_after") /* the server's Retry-After */                                   \
    X(COOLDOWN, "cooldown")       /* every candidate cooling down; wait for the first back */      \
    X(TASK_RETRY, "task_retry")   /* task-level retry (seed 000) */                                \
    X(BREAKER, "breaker")         /* every breaker open, or its probe in flight */                 \
    X(TRANSPORT, "transport")     /* the transport layer's own retry (policy "transport") */
typedef enum rl_wait_reason {
#define X(name, text) RL_WAIT_##name,
    RL_WAIT_REASONS(X)
#undef X
} rl_wait_reason;
const char *rl_wait_reason_name(rl_wait_reason r);

typedef enum rl_action_kind { RL_SEND, RL_WAIT, RL_DONE } rl_action_kind;

typedef struct rl_action {
    rl_action_kind kind;
    uint32_t attempt;      /* SEND: attempt number within the task, from 1 */
    uint32_t candidate;    /* SEND: index into the policy's candidates */
    uint32_t key;          /* SEND: index into that candidate's keys */
    cm_us timeout;         /* SEND: per-attempt timeout, 0 = none */
    bool stream;           /* SEND: ask for a token stream (policy "stream") */
    bool stream_usage;     /* SEND: with the usage totals at its end (OpenAI include_usage) */
    cm_us idle_timeout;    /* SEND: a stream silent this long ends as stalled; 0 = none */
    uint32_t resume_from;  /* SEND: tokens the task already holds (policy stream.resume) */
    cm_us until;           /* WAIT: wake at this scenario time */
    cm_us delay;           /* WAIT: until - now */
    rl_wait_reason reason; /* WAIT */
    bool success;          /* DONE */
    char message[256];     /* DONE on failure: the user-facing message.
                              WAIT: a note (e.g. a clamped Retry-After), or "" */
    /* What the engine read from the outcome just reported (for the trace's
     * response event): valid after a call with an outcome. */
    rl_signals signals;
    const char *tier; /* detected tier name, or NULL */
} rl_action;

/* ---- task ---- */
#include "engine/core/task.h" /* struct rl_task: fixed size, no pointers to free */

void rl_task_start(rl_task *t, rl_run *run, uint32_t id, cm_us now);
void rl_task_next(rl_task *t, rl_run *run, const rl_outcome *last, cm_us now, cm_rng *rng,
                  rl_action *out);
/* rl_task_next for a driver that already knows what the outcome's headers
 * say (the simulation, which has the model's values): `parsed` is used
 * instead of rl_headers_parse(last->headers, ...). It must equal, field by
 * field, what rl_headers_parse would read from those headers at `now`
 * (tests/unit/test_sim_signals.c checks the simulation's). NULL parsed, or
 * NULL last, is rl_task_next. `parsed` is copied; the caller keeps it. */
void rl_task_next_read(rl_task *t, rl_run *run, const rl_outcome *last, const rl_signals *parsed,
                       cm_us now, cm_rng *rng, rl_action *out);

#endif
