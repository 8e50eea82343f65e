/* import.h: readers of outside data. A mockserver journal (a user's own
 * client, graded), a HAR file (browsers, mitmproxy) or a run folder become
 * one list of exchanges (a request and its answer); exchanges are grouped
 * into the client's tasks; the tasks are written in the one trace format
 * (trace.jsonl + summary.json), or turned into the one scenario format that
 * replays what was seen. Nothing here reads a clock; files come in through
 * common/io and go out through the trace and summary writers. */
#ifndef RL_IMPORT_H
#define RL_IMPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/keyid.h"
#include "common/timeu.h"
#include "engine/core/headers.h"

#define RL_IMPORT_NAME_MAX 128
#define RL_IMPORT_VALUE_MAX 129 /* a grouping header's value, cut, with its NUL */
#define RL_IMPORT_MAX_HEADERS 32
#define RL_IMPORT_MAX_ENTRIES 1000000

/* One request seen from outside and its answer. */
typedef struct rl_exchange {
    cm_us t;       /* the request's arrival, scenario seconds from the source's t = 0 */
    cm_us latency; /* until the answer began (journal: planned; HAR: wait + receive) */
    char provider[RL_IMPORT_NAME_MAX], model[RL_IMPORT_NAME_MAX];
    char key[CM_KEYID_LEN]; /* a key id, never a value */
    int status;             /* 0: no answer; error says why */
    const char *error;      /* transport error name when status is 0 ("reset", "timeout") */
    char endpoint[16];      /* "chat", "messages", "responses", "models", or "" */
    char error_type[64], error_code[64];
    /* what groups attempts into tasks */
    char task_header[RL_IMPORT_VALUE_MAX]; /* X-Retrylab-Task */
    char idem[RL_IMPORT_VALUE_MAX];        /* Idempotency-Key */
    int retry_count;                       /* x-stainless-retry-count, -1 none */
    uint64_t body;                         /* digest of the request body, 0 none */
    int64_t attempt_task;                  /* X-Retrylab-Attempt's task, -1 none */
    /* the answer's headers: names and values in one allocation */
    size_t nheaders;
    rl_header headers[RL_IMPORT_MAX_HEADERS];
    char *header_text;
    /* set by the grouping */
    int64_t task;
    uint32_t attempt;
    /* a run folder's trace: what the engine read (else -1) */
    cm_us retry_after;
    int64_t limit, remaining, limit_tokens, remaining_tokens;
    cm_us reset, reset_tokens;
} rl_exchange;

typedef struct rl_exchanges {
    rl_exchange *v;
    size_t n, cap;
    size_t skipped;    /* entries left out with a warning (nothing lost for the result) */
    char source[1024]; /* the file or folder read */
    /* set by the grouping: the rule of each task (rl_group_rule) */
    uint8_t *task_rule;
    size_t ntasks;
    /* a run folder: the policy it ran ("" when unknown) */
    char policy[1024];
} rl_exchanges;

/* A warning printed by the readers (where nothing is lost): "FILE:LINE: ...". */
typedef void (*rl_import_warn)(void *ctx, const char *msg);

void rl_exchanges_free(rl_exchanges *x);
/* A new exchange at the end of x, zeroed but for the -1 fields; NULL when
 * out of memory or past RL_IMPORT_MAX_ENTRIES. */
rl_exchange *rl_exchanges_add(rl_exchanges *x);
/* Copies headers in[0..n) (at most RL_IMPORT_MAX_HEADERS) into e. 0, -1 OOM. */
int rl_exchange_set_headers(rl_exchange *e, const rl_header *in, size_t n);
/* Sorts by t (stable: equal times keep their order). */
void rl_exchanges_sort(rl_exchanges *x);

/* Reads a mockserver journal (JSON Lines, as --journal writes, or the JSON
 * array of GET /__admin/journal). Unknown members are ignored; entries are
 * sorted by arrival. A last line cut off (a server killed mid-write) is
 * skipped with a warning; any other malformed entry is bad input:
 * CM_ERR_INPUT with err "FILE:LINE: what is wrong". 0, CM_ERR_INPUT or
 * CM_ERR_RUNTIME (unreadable, out of memory). */
int rl_import_journal(const char *path, rl_exchanges *out, rl_import_warn warn, void *ctx,
                      cm_err *err);
/* Reads a HAR 1.2 file (log.entries[]: startedDateTime, time, timings,
 * request, response); t = 0 is the first entry's start. Bodies in base64
 * (content.encoding) are decoded for the error type. Entries that are no
 * API call (no JSON body) are skipped with a warning. Returns as above. */
int rl_import_har(const char *path, rl_exchanges *out, rl_import_warn warn, void *ctx, cm_err *err);
/* Reads a run folder's trace.jsonl (a live, mock or sim run, or a graded
 * journal): its attempts with their tasks, and the policy it ran. */
int rl_import_run(const char *dir, rl_exchanges *out, rl_import_warn warn, void *ctx, cm_err *err);

/* How the attempts of a task were found to belong together, in the order
 * the rules are tried. */
#define RL_GROUP_RULES(X)                                                                          \
    X(TASK_HEADER, "task_header")         /* X-Retrylab-Task */                                    \
    X(ATTEMPT_HEADER, "attempt_header")   /* X-Retrylab-Attempt (retrylab run) */                  \
    X(IDEMPOTENCY_KEY, "idempotency_key") /* Idempotency-Key */                                    \
    X(RETRY_COUNT, "retry_count")         /* x-stainless-retry-count chained, same body */         \
    X(BODY_WINDOW, "body_window")         /* the same body again within the window */              \
    X(ALONE, "alone")                     /* no body: one attempt per task */                      \
    X(TRACE, "trace")                     /* a run folder: the trace's own tasks */
typedef enum rl_group_rule {
#define X(id, name) RL_GROUP_##id,
    RL_GROUP_RULES(X)
#undef X
} rl_group_rule;
const char *rl_group_rule_name(rl_group_rule r);

/* Groups x's exchanges (sorted by t) into tasks: sets each one's task (tasks
 * numbered by their first attempt's arrival) and attempt, and x->task_rule.
 * `window` bounds the body rule: an identical body sent within `window`
 * after the end of the previous unsuccessful attempt is a retry. 0, -1 OOM. */
int rl_import_group(rl_exchanges *x, cm_us window);

/* What the journal and HAR conversions write in the start event. */
typedef struct rl_import_run_info {
    const char *mode;          /* "journal" or "har" */
    const char *scenario;      /* a scenario file the source played, or NULL */
    const char *scenario_name; /* its name, or the source's file name */
    const char *policy;        /* NULL: none */
    const char *policy_name;   /* what the trace calls the client's policy */
} rl_import_run_info;

/* Writes grouped x as DIR/trace.jsonl and DIR/summary.json (the run folder
 * format of sim and run; waits are measured: each wait event's delay and
 * observed are the time from the end of one attempt to the next send).
 * 0, or CM_ERR_RUNTIME with err (cannot write). */
int rl_import_write_run(const rl_exchanges *x, const rl_import_run_info *info, const char *dir,
                        cm_err *err);

/* What rl_import_scenario needs besides the exchanges. */
typedef struct rl_import_scenario_opts {
    const char *name;        /* the scenario's name */
    const char *policy_path; /* written as "policy" (absolute), or NULL */
    const char *const *keys; /* key names the policy uses per provider: "provider/KEY" */
    size_t nkeys;
} rl_import_scenario_opts;

/* Builds the scenario that replays grouped x: providers and models, each
 * model's latency, windows from the rate-limit headers, Retry-After, the
 * answers over time that no window explains (phases for runs of errors,
 * faults for scattered ones), and a workload matching the tasks' arrivals;
 * its "description" says where each value came from. Returns the text
 * (malloc'd, the caller frees), or NULL with err. */
char *rl_import_scenario(const rl_exchanges *x, const rl_import_scenario_opts *o, cm_err *err);

#endif
