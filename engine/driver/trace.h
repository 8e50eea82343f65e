/* trace.h: the trace writer (DIR/trace.jsonl), one JSON object per line in
 * scenario seconds, shared by the simulation and the HTTP runner. Field names
 * follow the trace table in DESIGN.md (a contract). Key values never reach it
 * in clear: the writer only prints key ids (cm_keyid), and hashes anything it
 * is given that does not look like one.
 *
 * Lines are built in a private buffer and written out only whole, so a file
 * cut short at any moment (even by SIGKILL) holds whole lines only; the buffer
 * goes to disk when full, on rl_trace_flush and on rl_trace_close. No call
 * allocates after open. */
#ifndef RL_TRACE_H
#define RL_TRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/keyid.h"
#include "common/timeu.h"
#include "engine/core/engine.h"

typedef struct rl_trace rl_trace;

/* Creates (truncates) `path`. 0 and *out (close with rl_trace_close), or -1
 * with err = "path: cannot create: reason". */
int rl_trace_open(const char *path, rl_trace **out, cm_err *err);
/* Writes what is buffered and frees the writer (NULL is a no-op). Returns 0,
 * or -1 when any write since open failed (the file is then incomplete). */
int rl_trace_close(rl_trace *tr);
/* Writes what is buffered now (whole lines only). 0, or -1 on a write error. */
int rl_trace_flush(rl_trace *tr);
/* 0 while every write has succeeded; else the errno of the first that
 * failed (the file is then incomplete, and stays so). */
int rl_trace_failed(const rl_trace *tr);
/* Lines written (or buffered) so far. */
uint64_t rl_trace_lines(const rl_trace *tr);
/* Bytes written (or buffered) so far. */
uint64_t rl_trace_bytes(const rl_trace *tr);
/* A size to warn at (0: none): rl_trace_warn_due returns it, once, when the
 * trace has reached it, and 0 before and after. */
void rl_trace_set_warn(rl_trace *tr, uint64_t bytes);
uint64_t rl_trace_warn_due(rl_trace *tr);

/* How much a trace holds: the start event only (none), also a done event
 * per task (summary), or every event (full, the default). The start event
 * says "trace": "none" or "summary" when it is not full. Set it before the
 * start event. */
typedef enum rl_trace_level { RL_TRACE_NONE, RL_TRACE_SUMMARY, RL_TRACE_FULL } rl_trace_level;
void rl_trace_set_level(rl_trace *tr, rl_trace_level level);
/* "none", "summary" or "full": 0 and *out, or -1. */
int rl_trace_level_parse(const char *name, rl_trace_level *out);

/* FNV-1a 64 of a file's bytes as "fnv1a64:16hexdigits" into out, for the start
 * event's digests. 0, or -1 when unreadable (out = "unreadable"). */
#define RL_DIGEST_LEN 25
int rl_trace_digest_file(const char *path, char out[RL_DIGEST_LEN]);

/* The start event. Strings may be NULL (then omitted); paths as given. */
typedef struct rl_trace_start_info {
    const char *scenario; /* path of the scenario file */
    const char *scenario_name;
    const char *policy; /* path of the policy file */
    const char *policy_name;
    uint64_t seed;
    const char *mode;  /* "sim", "mock" or "live" */
    double time_scale; /* 1 for sim */
    const char *scenario_digest;
    const char *policy_digest;
    uint64_t tasks;     /* tasks the run will start */
    const char *target; /* the HTTP runner's URL, or NULL */
    const char *cwd;    /* the folder relative paths start from, or NULL */
} rl_trace_start_info;

/* Who an event is about. key_id is a cm_keyid() result; anything else put
 * there (a key value by mistake) is hashed before it is written. */
typedef struct rl_trace_who {
    uint32_t task;
    uint32_t attempt;
    const char *provider;
    const char *model;
    const char *key_id;
    /* 0, or a number the caller gives this provider/model/key_id set: the
     * caller promises that every event with that number names the same three
     * strings, so the writer reuses their rendered text without comparing
     * them (the sim: one number per candidate and key). */
    uint32_t names_id;
} rl_trace_who;

/* The raw evidence of one response, kept beside the numbers the engine read
 * (a live run, a graded journal, an imported HAR): the error body's type and
 * code, the request id the provider gave, every rate-limit-like header the
 * engine does not read (rl_header_known), and for attempts grouped from
 * outside data the rule that grouped the task. Every member may be NULL /
 * 0; strings are cut at the writer's string limit. */
#define RL_EVIDENCE_MAX_HEADERS 16
typedef struct rl_trace_evidence {
    const char *error_type, *error_code;
    const char *request_id;
    const char *group; /* "task_header", "attempt_header", "idempotency_key", ... */
    size_t nheaders;
    const rl_header *headers; /* written as "headers": {name: value, ...} */
} rl_trace_evidence;

/* From a response's headers in[0..n): the request id (the first of
 * x-request-id, request-id, x-amzn-requestid, x-generation-id, cf-ray;
 * NULL when none) into *request_id, and into out[0..max) the headers that
 * look like rate-limit or retry signals (a name holding "ratelimit",
 * "rate-limit", "retry", "quota" or "throttl") that rl_headers_parse does
 * not read. Returns how many went to out; pointers stay in's. */
size_t rl_trace_evidence_headers(const rl_header *in, size_t n, rl_header *out, size_t max,
                                 const char **request_id);

/* What a response event says besides who and when. -1 in a cm_us / int64_t
 * field means "absent" (the field is then left out). */
typedef struct rl_trace_reply {
    int status;        /* HTTP status; 0 with error for transport errors */
    const char *error; /* rl_transport_error_name(); NULL or "none" when status > 0 */
    cm_us latency;
    cm_us retry_after;
    const char *retry_after_note;
    int64_t limit, remaining; /* request window */
    cm_us reset;
    int64_t limit_tokens, remaining_tokens;
    cm_us reset_tokens;
    const char *tier;         /* detected tier name or NULL */
    const char *stream;       /* a stream's end (rl_stream_end_name), or NULL: not a stream */
    int64_t tokens;           /* stream: tokens received */
    cm_us ttft;               /* stream: send to first token, -1 when none came */
    const char *stream_error; /* stream: the error event's type, or NULL */
    const rl_trace_evidence *evidence; /* NULL: none */
} rl_trace_reply;

/* Initialises every optional field of r to "absent". */
void rl_trace_reply_init(rl_trace_reply *r);
/* The response event of an attempt: its status, transport error and latency,
 * and what the engine read from it (a->signals, a->tier: the action that
 * rl_task_next returned for this outcome). Pointers stay a's and o's. */
void rl_trace_reply_of(rl_trace_reply *r, const rl_outcome *o, const rl_action *a);

/* Each writer below appends one line; none fails (write errors are sticky and
 * reported by rl_trace_flush / rl_trace_close). `t` is scenario time. */
void rl_trace_start(rl_trace *tr, const rl_trace_start_info *info);
void rl_trace_send(rl_trace *tr, cm_us t, const rl_trace_who *who, cm_us timeout);
void rl_trace_response(rl_trace *tr, cm_us t, const rl_trace_who *who, const rl_trace_reply *r);
/* delay: planned; observed: actually waited (real-time runs) or -1; reason:
 * rl_wait_reason_name(); note: "" or NULL for none. who->provider/model/key_id
 * may be NULL (omitted). */
void rl_trace_wait(rl_trace *tr, cm_us t, const rl_trace_who *who, cm_us delay, cm_us observed,
                   const char *reason, const char *note);
/* attempts: attempts the task made; message: user-facing text on failure. */
void rl_trace_done(rl_trace *tr, cm_us t, uint32_t task, uint32_t attempts, bool success,
                   cm_us total_wait, const char *message);

#endif
