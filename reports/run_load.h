/* run.h: one run directory (trace.jsonl + summary.json) read back from files
 * into arrays the report and the check walk: events, candidates, tasks, the
 * summary's totals, and the scenario's expect/claims when its file is readable.
 * Internal to reports/ (the face is reports.h). */
#ifndef REP_RUN_H
#define REP_RUN_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/tasklimit.h"

#define REP_PATH_MAX 1024
#define REP_NAME_MAX 128
#define REP_MAX_TASKS CM_MAX_TASKS /* task numbers 0..REP_MAX_TASKS-1, as scenarios allow */
#define REP_MAX_CANDS 1024
#define REP_MAX_LINE (1u << 20) /* longest trace line accepted */

typedef enum rep_kind { REP_SEND, REP_RESPONSE, REP_WAIT, REP_DONE } rep_kind;

/* What a response was, for colours and counts. X-macro: enum + names agree. */
#define REP_CLASS_MAP(X)                                                                           \
    X(OK, "2xx")                                                                                   \
    X(AUTH, "401/403")                                                                             \
    X(LIMITED, "429")                                                                              \
    X(SERVER, "5xx")                                                                               \
    X(TIMEOUT, "timeout")                                                                          \
    X(RESET, "reset")                                                                              \
    X(OTHER, "other")
#define REP_CLASS_ENUM(id, name) REP_CLASS_##id,
typedef enum rep_class { REP_CLASS_MAP(REP_CLASS_ENUM) REP_CLASS_N } rep_class;
#undef REP_CLASS_ENUM
const char *rep_class_name(rep_class c);
/* Class of a response from its status and (status 0) its error name (may be NULL). */
rep_class rep_class_of(int status, const char *error);

/* How a streamed answer ended (the response's "stream" field). X-macro. */
#define REP_STREAM_MAP(X)                                                                          \
    X(NONE, "none")                                                                                \
    X(COMPLETE, "complete")                                                                        \
    X(ERROR, "error")                                                                              \
    X(MALFORMED, "malformed")                                                                      \
    X(CUT, "cut")                                                                                  \
    X(STALLED, "stalled")                                                                          \
    X(OTHER, "other")
#define REP_STREAM_ENUM(id, name) REP_STREAM_##id,
typedef enum rep_stream { REP_STREAM_MAP(REP_STREAM_ENUM) REP_STREAM_N } rep_stream;
#undef REP_STREAM_ENUM
const char *rep_stream_name(rep_stream s);

#define REP_KEY_ID_MAX 24 /* a key id ("k-" + 8 hex digits) and its NUL, with room */
#define REP_MAX_KEYS 4096 /* distinct key ids a run may name */

typedef struct rep_event {
    double t; /* scenario seconds */
    rep_kind kind;
    int64_t task;       /* the task's number */
    size_t ti;          /* its row in run->tasks */
    int64_t attempt;    /* 0 when the line has none */
    int cand;           /* index into run->cands, -1 when none */
    int status;         /* response */
    rep_class cls;      /* response */
    double latency;     /* response, seconds, -1 when absent */
    double limit;       /* response, request-window limit, -1 when absent */
    double retry_after; /* response, the Retry-After read, seconds, -1 when absent */
    double delay;       /* wait, planned seconds */
    double observed;    /* wait, seconds, -1 when absent */
    bool success;       /* done */
    char *message;      /* done: owned copy, or NULL */
    int key;            /* send, response: index into run->keys, -1 when none */
    rep_stream stream;  /* response: how a streamed answer ended (NONE: not streamed) */
    long tokens;        /* response: tokens a stream delivered, -1 when absent */
    double ttft;        /* response: seconds from the send to the first token, -1 absent */
} rep_event;

typedef struct rep_cand {
    char name[REP_NAME_MAX]; /* "provider/model" */
    char provider[REP_NAME_MAX];
    long requests;
    long by_class[REP_CLASS_N];
    double latency_sum;
    long latency_n;
} rep_cand;

/* A task of the trace (one that has at least one event). */
typedef struct rep_task {
    int64_t id; /* its number */
    long sends;
    long waits;
    double first_t;       /* first event of the task */
    double first_send_t;  /* its first send, -1 when none */
    double done_t;        /* -1 while not done */
    int outcome;          /* 0 not done, 1 success, 2 failure */
    const char *message;  /* points into the done event */
    double wait_planned;  /* sum of wait delays */
    double wait_observed; /* sum of observed waits (-1 when none observed) */
} rep_task;

typedef struct rep_summary {
    bool present, partial;
    double tasks, successes, success_rate, attempts, total_wait_s;
    /* which run it is ("" / has_seed false when the summary does not say):
     * compared with the trace's start event */
    char scenario[REP_PATH_MAX], scenario_name[REP_NAME_MAX];
    char policy[REP_PATH_MAX], policy_name[REP_NAME_MAX], mode[16];
    bool has_seed;
    double seed;
} rep_summary;

typedef struct rep_run {
    char dir[REP_PATH_MAX];
    char label[2 * REP_NAME_MAX + 16]; /* "scenario / policy" (+ mode) */
    char legend[REP_NAME_MAX + 48];    /* "#N policy" (+ mode): in pictures of one scenario */
    char scenario_path[REP_PATH_MAX];  /* from the start event ("" if none), as typed */
    char policy_path[REP_PATH_MAX];    /* from the start event ("" if none), as typed */
    char cwd[REP_PATH_MAX];            /* the folder the run ran in ("" when not recorded) */
    char scenario_digest[40], policy_digest[40]; /* recorded ("" when not) */
    char scenario_file[REP_PATH_MAX];            /* where the scenario was found ("" when not) */
    char policy_file[REP_PATH_MAX];              /* where the policy was found ("" when not) */
    bool scenario_changed, policy_changed; /* found, but their digest is not the recorded one */
    char scenario_name[REP_NAME_MAX], policy_name[REP_NAME_MAX], mode[16];
    double time_scale;
    double seed;
    bool has_seed;        /* the start event gave "seed" */
    bool has_start_tasks; /* the start event gave "tasks" */
    int64_t start_tasks;  /* ... this many: task ids run 0..start_tasks-1 */
    rep_event *ev;
    size_t n_ev, cap_ev;
    rep_cand *cands;
    size_t n_cands, cap_cands;
    char (*keys)[REP_KEY_ID_MAX]; /* key ids seen, first-seen order */
    size_t n_keys, cap_keys;
    long streams;    /* responses with a "stream" field */
    rep_task *tasks; /* the tasks the trace holds, by number (not indexed by it: a
                      * trace of task 9999999 alone has one row) */
    size_t n_tasks;
    double end_t; /* last event time */
    rep_summary summary;
    cm_json *scenario;                      /* the scenario file, or NULL when unreadable */
    char scenario_note[REP_PATH_MAX + 200]; /* why scenario is NULL ("" when loaded) */
    bool scenario_missing; /* the trace names a scenario file that does not exist (here) */
    long connect_errors;   /* responses with status 0, error "connect" */
    size_t cut_line;       /* the trace's last line, cut off without its newline and
                            * malformed (a run killed mid-write), was skipped: its number */
} rep_run;

/* Reads DIR/trace.jsonl (required) and DIR/summary.json (optional), then
 * tries the scenario named by the start event. On success fills *out (free
 * with rep_run_free) and returns 0. On bad input returns -1 with err, e.g.
 * "DIR/trace.jsonl:LINE: field \"t\" is missing", or "DIR: summary.json
 * (scenario a, seed 3, tasks 1) does not match trace.jsonl (...): the folder
 * mixes two runs" when the summary names another scenario, seed, task count,
 * mode or policy than the start event (what either omits is not compared);
 * *out is then empty. A
 * malformed last line without its newline is skipped, not bad input
 * (out->cut_line says which; the commands warn). */
int rep_run_load(const char *dir, rep_run *out, cm_err *err);
void rep_run_free(rep_run *run);
/* The same for trace text already in memory (no summary, no scenario);
 * `name` stands for the file in messages. For tests and the fuzz target. */
int rep_run_from_text(const char *name, const char *text, size_t len, rep_run *out, cm_err *err);

/* When run->cut_line is set, prints "retrylab CMD: warning: DIR/trace.jsonl:N:
 * last line cut off; ignored" on stderr. */
void rep_run_warn_cut(const rep_run *run, const char *cmd);

/* Finds the file a run's trace names (`recorded`, as typed to sim or run):
 * an absolute path as it is; a relative one against the folder the run ran
 * in (the start event's "cwd"), the current folder, then each folder above
 * the run folder, preferring a candidate whose digest is `digest` (the
 * start event's; "" or "none" when not recorded). 0 with the path in
 * out[size] and *changed (found, but its digest is not `digest`); -1 when no
 * candidate exists. */
int rep_run_locate(const rep_run *run, const char *recorded, const char *digest, char *out,
                   size_t size, bool *changed);
/* "fnv1a64:" + 16 hex digits of the FNV-1a 64 digest of the regular file
 * `path` (what sim and run record) into out[40]: 0, or -1 when unreadable. */
int rep_file_digest(const char *path, char out[40]);

/* Prints a warning on stderr for each of the run's scenario and policy files
 * that changed since the run ("retrylab CMD: warning: DIR: scenario file F
 * changed since the run (digest A then, B now)"). */
void rep_run_warn_changed(const rep_run *run, const char *cmd);

/* The scenario's "expect" object and "claims" array, or NULL. */
const cJSON *rep_run_expect_node(const rep_run *run);
const cJSON *rep_run_claims(const rep_run *run);

/* The task numbered `id`, or NULL when the trace holds none. */
const rep_task *rep_run_task(const rep_run *run, int64_t id);

/* Seconds run->tasks[k] took from its first send to its done (to the run's
 * last event when never done); -1 when the task sent nothing or k is out of
 * range. */
double rep_task_duration(const rep_run *run, size_t k);

/* Tasks counted for rates: the summary's "tasks" when present (else the start
 * event's), else the tasks the trace holds. */
double rep_run_task_count(const rep_run *run);

#endif
