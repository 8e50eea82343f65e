/* driver.h: what every driver shares. A driver (engine/sim: virtual time
 * against the provider model; engine/http: libcurl against real servers)
 * owns only its time source and its I/O; this layer owns the rest of a run:
 * the task table, each task's RNG stream, the engine calls, the concurrency
 * cap, the trace events, the progress line and the totals of the summary.
 *
 * A driver's life:
 *   rl_drv_init(&d, &cfg, &ops, io, extra, err)   -> ops.wake_at for every arrival
 *   when a wake-up is due:       rl_drv_due(&d, id, now)
 *   when an attempt has ended:   rl_drv_outcome(&d, id, &outcome, known, now)
 *   between events:              rl_drv_progress(&d, now, false)
 *   at the end:                  rl_drv_finish(&d, &result, err); rl_drv_free(&d)
 * The layer calls back ops.send when the engine says SEND and ops.wake_at
 * when it says WAIT; both may fail only when out of memory (the run then
 * stops with a runtime failure). */
#ifndef RL_DRIVER_H
#define RL_DRIVER_H
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/keyid.h"
#include "common/rng.h"
#include "common/timeu.h"
#include "engine/core/engine.h"
#include "engine/driver/trace.h"

/* Where a task is in its life, as the driver layer sees it. */
typedef enum rl_drv_phase {
    RL_DRV_ARRIVE,   /* not started: its arrival is due at its start time */
    RL_DRV_QUEUED,   /* arrived, waiting for a concurrency slot */
    RL_DRV_INFLIGHT, /* an attempt is out (ops.send was called) */
    RL_DRV_WAITING,  /* a WAIT is out (ops.wake_at was called) */
    RL_DRV_DONE,
} rl_drv_phase;

/* One task. The driver reads it (the attempt's candidate, key, attempt)
 * and never writes it; rl_drv_extra gives the driver its own bytes. Kept as
 * small as the simulator's hot loop wants: what only real-time drivers need
 * (the waits they observe) is kept apart. */
typedef struct rl_drv_task {
    rl_task t;
    cm_rng rng;
    uint8_t phase;  /* rl_drv_phase */
    uint8_t reason; /* rl_wait_reason while WAITING */
    uint32_t candidate, key, attempt;
    uint32_t sends;   /* attempts made */
    uint32_t actions; /* engine actions taken (a runaway guard) */
    cm_us sent_at;    /* scenario time of the SEND in flight */
    cm_us total_wait; /* planned waits so far */
} rl_drv_task;

/* How an attempt goes out, beside its candidate and key (rl_drv_task). */
typedef struct rl_drv_send {
    cm_us timeout;        /* ends the attempt (scenario time, > 0) */
    bool stream;          /* ask for a token stream */
    bool usage;           /* with the usage totals at its end (OpenAI include_usage) */
    cm_us idle_timeout;   /* a stream silent this long ends as stalled; 0 none */
    uint32_t resume_from; /* tokens the task already holds: ask for the rest */
} rl_drv_send;

/* What a driver does for the layer. `io` is the driver's own pointer. */
typedef struct rl_drv_ops {
    /* Puts task id's attempt on the wire: k->candidate, key and attempt are
     * set; `how` says the rest. 0, or -1 when out of memory. */
    int (*send)(void *io, uint32_t id, const rl_drv_task *k, const rl_drv_send *how, cm_us now);
    /* Calls rl_drv_due(id) at scenario time `at` (an arrival or the end of
     * a WAIT). 0, or -1 when out of memory. */
    int (*wake_at)(void *io, uint32_t id, cm_us at);
} rl_drv_ops;

/* One policy candidate as called: its key values (NULL entries send no key;
 * the layer keeps only their cm_keyid). */
typedef struct rl_drv_target {
    size_t nkeys;
    const char *const *key_values;
} rl_drv_target;

/* A task's end, as rl_drv_config.on_done hears of it. */
typedef struct rl_drv_done {
    uint32_t task;
    uint32_t attempts; /* sends the task made */
    bool success;
    cm_us started;    /* scenario time the task started (its arrival, or its slot) */
    cm_us ended;      /* scenario time of its done event */
    cm_us total_wait; /* its planned waits */
} rl_drv_done;
typedef void (*rl_drv_on_done)(void *ctx, const rl_drv_done *done);

typedef struct rl_drv_config {
    const char *name; /* "sim" or "run": the progress line's and messages' prefix */
    const rl_policy *policy;
    uint64_t seed;                /* the run seed: task i's RNG is rl_drv_task_rng(seed, i) */
    const rl_drv_target *targets; /* one per policy candidate, in the policy's order */
    size_t ntargets;
    const cm_us *start; /* start time of each task, non-decreasing */
    size_t ntasks;
    size_t concurrency;          /* tasks under way at once at most; 0 = no cap */
    int64_t epoch_unix_us;       /* what scenario time 0 stands for (rl_run_set_epoch) */
    rl_trace *trace;             /* NULL: no trace */
    bool progress;               /* a progress line on stderr now and then */
    bool observed_waits;         /* real time: a wait event is written when the wait ends,
                                    with the time actually waited */
    int64_t flush_every_us;      /* > 0: flush the trace after a done event at most this
                                    often (wall time), so `tail -f` follows; 0: never */
    volatile sig_atomic_t *stop; /* non-zero: the run stops; may be NULL */
    rl_drv_on_done on_done;      /* called at every task's done event, trace or not
                                    (per-task figures without a trace); NULL: none */
    void *on_done_ctx;
} rl_drv_config;

/* More engine actions than this in one task means the engine is looping:
 * the task ends as a failure and the result says runaway. */
#define RL_DRV_MAX_ACTIONS_PER_TASK 1000000u

typedef struct rl_drv_result {
    uint64_t tasks, tasks_done, successes, attempts;
    uint64_t transport_errors; /* attempts that ended without an HTTP status */
    cm_us total_wait;          /* planned waits over all tasks */
    cm_us end_time;            /* scenario time of the run's last event */
    bool interrupted;          /* stopped through cfg->stop */
    bool runaway;              /* a task hit RL_DRV_MAX_ACTIONS_PER_TASK */
    bool trace_failed;         /* a trace write failed: the run stopped there */
    cJSON *run_json;           /* rl_run_summary_json at end_time; the caller's (cJSON_Delete) */
} rl_drv_result;

typedef struct rl_drv rl_drv;

/* Sets up a run: the engine's shared state, one task per start time, the
 * candidates' key ids. Calls ops->wake_at(io, i, start[i]) for every task.
 * `extra` bytes per task are the driver's (rl_drv_extra, zeroed; aligned for
 * pointers and 64-bit numbers). Returns
 * the layer (free with rl_drv_free), or NULL with err when out of memory or
 * when targets do not match the policy's candidates. */
rl_drv *rl_drv_new(const rl_drv_config *cfg, const rl_drv_ops *ops, void *io, size_t extra,
                   cm_err *err);
void rl_drv_free(rl_drv *d);

/* Where the task table is: task id's rl_drv_task at base + id * stride, and
 * its driver bytes (`extra` of them, aligned for any type) `extra_at` bytes
 * further (aligned for pointers and 64-bit numbers). The table never moves
 * during a run, so a driver may keep this. */
typedef struct rl_drv_table {
    char *base;
    size_t stride, extra_at;
} rl_drv_table;
rl_drv_table rl_drv_tasks(const rl_drv *d);

static inline rl_drv_task *rl_drv_table_task(rl_drv_table t, uint32_t id)
{
    return (rl_drv_task *)(t.base + (size_t)id * t.stride);
}
static inline void *rl_drv_table_extra(rl_drv_table t, uint32_t id)
{
    return t.base + (size_t)id * t.stride + t.extra_at;
}
rl_drv_task *rl_drv_task_at(rl_drv *d, uint32_t id);
void *rl_drv_extra(rl_drv *d, uint32_t id);
const rl_drv_config *rl_drv_cfg(const rl_drv *d);
/* The engine's shared run state (for a driver that tells the model). */
rl_run *rl_drv_run(rl_drv *d);

/* Task id's wake-up has come at scenario time `now`: its arrival (it starts,
 * or queues for a slot) or the end of its WAIT. 0, or -1 (out of memory). */
int rl_drv_due(rl_drv *d, uint32_t id, cm_us now);
/* Task id's attempt has ended with `o` at `now`. `known`, when not NULL, is
 * what the engine would read from o's headers (rl_task_next_read). */
int rl_drv_outcome(rl_drv *d, uint32_t id, const rl_outcome *o, const rl_signals *known, cm_us now);
/* The same, with the response's raw evidence for its trace event (NULL:
 * none; borrowed for the call). */
int rl_drv_outcome_evidence(rl_drv *d, uint32_t id, const rl_outcome *o, const rl_signals *known,
                            const rl_trace_evidence *ev, cm_us now);

/* True when every task is done, or the run should stop (cfg->stop, a trace
 * write failed); rl_drv_finish then says which. A driver that steps millions
 * of events a second asks every few thousand. Also warns, once, when the
 * trace has passed the size it warns at (rl_trace_set_warn). */
bool rl_drv_over(rl_drv *d);
/* The progress line ("NAME: 12/100 tasks done, 91.0% success, t=60.0 s"),
 * at most four times a second (it reads the wall clock: a fast driver calls
 * it every few thousand events); `last` prints it once more, with a newline. */
void rl_drv_progress(rl_drv *d, cm_us now, bool last);

/* Ends the run: waits still under way are written as cut short at `now`,
 * and *out gets the totals (out->run_json is the caller's). 0, or -1 with
 * err when out of memory. */
int rl_drv_finish(rl_drv *d, cm_us now, rl_drv_result *out, cm_err *err);

/* The RNG streams of a run, one rule for every driver: task i draws from
 * cm_rng_fork(seed, i), the workload's arrivals from the stream
 * RL_WORKLOAD_RNG_STREAM (engine/driver/workload.h). */
void rl_drv_task_rng(uint64_t seed, uint32_t task, cm_rng *out);

/* "12.3 KiB", "4.0 MiB", "1.2 GiB". */
void rl_drv_size_text(uint64_t bytes, char *out, size_t size);

/* CLOCK_MONOTONIC now, microseconds (the drivers' wall clock). */
int64_t rl_drv_wall_us(void);

#endif
