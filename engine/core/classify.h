/* classify.h: what an attempt's outcome means (success, retry, rotate, rotate
 * the key, fail at once) and the user-facing message for a final failure,
 * both configurable by the policy's "classify" and "messages" sections. */
#ifndef RL_CLASSIFY_H
#define RL_CLASSIFY_H
#include <stdbool.h>
#include <stddef.h>

#include "common/jsonpos.h"
#include "engine/core/errbody.h"

#define RL_DECISIONS(X)                                                                            \
    X(SUCCESS, "success")       /* the task is done */                                             \
    X(RETRY, "retry")           /* wait (Retry-After or ladder), same candidate */                 \
    X(ROTATE, "rotate")         /* next candidate (cooling this one down on a 429) */              \
    X(ROTATE_KEY, "rotate_key") /* same candidate, next key, after the ladder's wait */            \
    X(FAIL, "fail")             /* fail the task at once */
typedef enum rl_decision {
#define X(name, text) RL_DECIDE_##name,
    RL_DECISIONS(X)
#undef X
} rl_decision;

/* Engine-made failures, each with its message key in "messages". */
#define RL_FAIL_REASONS(X)                                                                         \
    X(OUTCOME, "outcome")           /* the last outcome failed at once / retries ran out */        \
    X(MAX_ATTEMPTS, "max_attempts") /* limits.max_attempts reached */                              \
    X(DEADLINE, "deadline")         /* limits.deadline_s reached */                                \
    X(MAX_WAIT, "max_total_wait")   /* limits.max_total_wait_s would be exceeded */                \
    X(RETRY_AFTER, "retry_after")   /* Retry-After above the policy's ceiling */                   \
    X(ALL_COOLING, "all_cooling")   /* every candidate cooling down or open */                     \
    X(EXHAUSTED, "exhausted")       /* every candidate tried, no task retry left */                \
    X(BUDGET, "budget")             /* the run's retry budget refused a retry */                   \
    X(GIVE_UP, "give_up")           /* the backoff list ran out (after_list give_up) */
typedef enum rl_fail_reason {
#define X(name, text) RL_FAIL_##name,
    RL_FAIL_REASONS(X)
#undef X
} rl_fail_reason;

#define RL_CLASSIFY_MAX 64
#define RL_MESSAGES_MAX 64

/* An outcome pattern: an exact status (100..599), a class "4xx" (cls 1..5), a
 * transport error name, "type:NAME" / "code:NAME" (the error body's type or
 * code; classify only), or an engine reason (messages only). */
typedef struct rl_pattern {
    int status;       /* exact status, or 0 */
    int cls;          /* 1..5 for "1xx".."5xx", or 0 */
    int error;        /* rl_transport_error + 1 for transport errors, or 0 */
    int reason;       /* rl_fail_reason + 1 (messages only), or 0 */
    bool any;         /* "default" */
    int body;         /* RL_PAT_TYPE or RL_PAT_CODE for a body pattern, or 0 */
    const char *name; /* body pattern: the type or code (points into the pattern text) */
} rl_pattern;

enum { RL_PAT_TYPE = 1, RL_PAT_CODE = 2 };

/* What pattern_parse may accept beside statuses, classes, transport errors
 * and "default". */
#define RL_PAT_ALLOW_REASON 1u /* engine reasons (messages) */
#define RL_PAT_ALLOW_BODY 2u   /* type:NAME, code:NAME (classify) */

/* Parses a pattern (the text must outlive p: a body pattern points into it).
 * 0, or -1 when s is none of the allowed forms. */
int rl_pattern_parse(const char *s, unsigned allow, rl_pattern *p);
/* How well p matches an outcome: 4 a body pattern (type or code equal), 3 an
 * exact status or the transport error, 2 a class, 1 "default", 0 none.
 * body may be NULL. */
int rl_pattern_rank(const rl_pattern *p, int status, int error, const rl_error_body *body);

typedef struct rl_classify {
    struct {
        rl_pattern pat;
        rl_decision decision;
    } rules[RL_CLASSIFY_MAX];
    size_t nrules;
    bool x_should_retry; /* honour the x-should-retry header (default true) */
    bool error_body;     /* read the error body: the built-in quota rule and the
                            type:/code: rules (default true) */
    bool body_rules;     /* some rule is a type:/code: pattern */
    struct {
        rl_pattern pat;
        const char *text; /* points into the policy document */
    } messages[RL_MESSAGES_MAX];
    size_t nmessages;
} rl_classify;

/* Defaults: 2xx success; 400, 404 and other 4xx fail; 401, 403 rotate_key;
 * 408, 409, 429, 5xx and every transport error retry; x-should-retry honoured;
 * an error body whose type or code is a quota name (rl_quota_names:
 * insufficient_quota, enforced_spend_limit_reached) fails at once, whatever
 * the status, unless a type:/code: rule of the policy matches that body. */
void rl_classify_defaults(rl_classify *c);
/* Parses "classify" (an object of pattern -> decision, plus "x_should_retry"
 * and "error_body": bool) and "messages" (pattern or reason -> template);
 * either node may be NULL. 0 or -1 with err. */
int rl_classify_parse(const cm_json *doc, const cJSON *classify, const cJSON *messages,
                      rl_classify *c, cm_err *err);
/* The decision for an outcome: status (0 for transport errors), error
 * (rl_transport_error), should_retry (-1 absent, 0, 1), body (the error
 * body read, or NULL). In order: x-should-retry (when honoured) for a
 * non-2xx; a type:/code: rule; the built-in quota rule; the best status,
 * class, transport error or default rule; the built-in decision. Pure. */
rl_decision rl_classify_outcome(const rl_classify *c, int status, int error, int should_retry,
                                const rl_error_body *body);

/* Values substituted into message templates: {status}, {error}, {attempts},
 * {provider}, {model}, {retry_after}, {available}, {reason}. */
typedef struct rl_message_vars {
    int status;
    const char *error;
    unsigned attempts;
    const char *provider, *model;
    double retry_after_s;  /* < 0: unknown */
    const char *available; /* "groq: 0, openai: 2" */
    rl_fail_reason reason;
} rl_message_vars;

/* Writes the final failure message into out[size] (always terminated): the
 * policy's template for the reason if given, else for the last outcome
 * (status, class, error), else "default", else a built-in sentence. */
void rl_classify_message(const rl_classify *c, const rl_message_vars *v, char *out, size_t size);

/* True when the message rl_classify_message writes for v names {available}
 * (v->available is not read to decide), so a caller builds that snapshot
 * only then. */
bool rl_classify_message_names_available(const rl_classify *c, const rl_message_vars *v);
const char *rl_fail_reason_name(rl_fail_reason r);

#endif
