/* task.h: struct rl_task, one task's retry state. Fixed size, no pointers to
 * free, so drivers keep thousands of them in one array. Fields are the
 * engine's: drivers only call rl_task_start / rl_task_next (engine.h). */
#ifndef RL_TASK_H
#define RL_TASK_H
#include <stdbool.h>
#include <stdint.h>

#include "common/timeu.h"

/* The task's states, with printable names (rl_task_state_name). */
#define RL_TASK_STATES(X)                                                                          \
    X(NEW, "new")         /* started, no action given yet */                                       \
    X(SENT, "sent")       /* a SEND is out; the next call brings its outcome */                    \
    X(WAITING, "waiting") /* a WAIT is out; the next call comes at or after `until` */             \
    X(DONE, "done")       /* finished; further calls repeat DONE */
typedef enum rl_task_state {
#define X(name, text) RL_TASK_##name,
    RL_TASK_STATES(X)
#undef X
} rl_task_state;

/* What a WAIT leads to. */
typedef enum rl_task_then {
    RL_THEN_SEND,   /* send to `candidate` with `key` */
    RL_THEN_PICK,   /* pick a usable candidate again (after a cooldown/breaker wait) */
    RL_THEN_RERUN,  /* start a task-level re-run from the first candidate */
    RL_THEN_RESEND, /* the transport layer's retry: same candidate and key, no breaker check */
} rl_task_then;

#define RL_TASK_TRIED_BYTES 32 /* one bit per candidate: RL_MAX_CANDIDATES / 8 */

typedef struct rl_task {
    uint32_t id;
    uint8_t state;                      /* rl_task_state */
    uint8_t then;                       /* rl_task_then, while WAITING */
    bool done_ok;                       /* DONE: success */
    uint8_t last_error;                 /* rl_transport_error of the last outcome */
    uint8_t wait_reason;                /* rl_wait_reason, while WAITING */
    uint8_t fail_reason;                /* rl_fail_reason, when DONE without success */
    bool stream_failed;                 /* the last outcome was a 2xx stream that failed */
    int32_t last_status;                /* status of the last outcome (0 before any) */
    uint32_t candidate;                 /* current candidate */
    uint32_t key;                       /* current key index of that candidate */
    uint32_t attempt;                   /* sends so far */
    uint32_t cand_retries;              /* retries on the current candidate */
    uint32_t ladder_n;                  /* next ladder index for the backoff */
    uint32_t key_failures;              /* 401/403 on the current candidate */
    uint32_t reruns;                    /* task-level re-runs done */
    uint32_t tp_retries;                /* transport-layer retries in this application attempt */
    uint32_t charged;                   /* what the last allowed retry cost the budget */
    uint32_t stream_kept;               /* tokens of failed streams kept (policy stream.resume) */
    bool retry_approved;                /* the retry budget has allowed the next send */
    bool ladder_zeroed;                 /* retry_after.ladder_after "zero" has struck */
    cm_us started;                      /* scenario time of rl_task_start */
    cm_us until;                        /* WAITING: wake time */
    cm_us waited;                       /* sum of planned waits */
    cm_us ra_waited;                    /* sum of Retry-After waits */
    cm_us prev_delay;                   /* last backoff wait (decorrelated jitter) */
    cm_us tp_prev;                      /* last transport-layer ladder wait (same, for it) */
    uint8_t tried[RL_TASK_TRIED_BYTES]; /* candidates given up on in this pass */
} rl_task;

const char *rl_task_state_name(rl_task_state s);

#endif
