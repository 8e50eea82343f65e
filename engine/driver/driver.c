/* driver.c: the run bookkeeping every driver shares: the task table, the
 * engine calls and what each action does to the totals and the trace. */
#include "engine/driver/driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A WAIT of a real-time driver, written when it ends (cfg.observed_waits). */
typedef struct drv_wait {
    cm_us from;  /* scenario time it began */
    cm_us delay; /* its planned delay */
    char *note;  /* its note, or NULL */
} drv_wait;

typedef struct drv_cand {
    rl_candidate_info info;
    char (*key_ids)[CM_KEYID_LEN]; /* one per key; one "k-none" when it has none */
} drv_cand;

struct rl_drv {
    rl_drv_config cfg;
    rl_drv_ops ops;
    void *io;
    rl_run *run;
    char *tasks; /* ntasks records of `stride` bytes: rl_drv_task, then the driver's */
    size_t stride, extra_at;
    drv_wait *waits; /* per task, when cfg.observed_waits; else NULL */
    drv_cand *cands;
    size_t ncands;
    uint32_t *queue; /* tasks waiting for a concurrency slot (FIFO ring) */
    size_t qhead, qlen, active;
    rl_drv_result res;
    cm_us last_event;
    int64_t last_progress, last_flush; /* wall microseconds */
};

int64_t rl_drv_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void rl_drv_task_rng(uint64_t seed, uint32_t task, cm_rng *out)
{
    cm_rng root;
    cm_rng_seed(&root, seed);
    cm_rng_fork(&root, task, out);
}

rl_drv_table rl_drv_tasks(const rl_drv *d)
{
    return (rl_drv_table){.base = d->tasks, .stride = d->stride, .extra_at = d->extra_at};
}

rl_drv_task *rl_drv_task_at(rl_drv *d, uint32_t id)
{
    return (rl_drv_task *)(d->tasks + (size_t)id * d->stride);
}

void *rl_drv_extra(rl_drv *d, uint32_t id)
{
    return d->tasks + (size_t)id * d->stride + d->extra_at;
}

const rl_drv_config *rl_drv_cfg(const rl_drv *d)
{
    return &d->cfg;
}

rl_run *rl_drv_run(rl_drv *d)
{
    return d->run;
}

/* ---- trace ---- */

static void note_event(rl_drv *d, cm_us t)
{
    if (t > d->last_event)
        d->last_event = t;
}

static rl_trace_who who_of(const rl_drv *d, uint32_t id, const rl_drv_task *k)
{
    rl_trace_who w = {.task = id, .attempt = k->attempt};
    if (k->candidate < d->ncands) {
        const drv_cand *c = &d->cands[k->candidate];
        w.provider = c->info.provider;
        w.model = c->info.model;
        w.key_id = k->key < c->info.nkeys ? c->key_ids[k->key] : "k-none";
        if (k->candidate < 0xffff && k->key < 0xffff) /* the same strings for a pair */
            w.names_id = (k->candidate << 16 | k->key) + 1;
    }
    return w;
}

/* The wait event of task id, which began at `from` and was planned for
 * `delay`: written at its start (virtual time, observed -1) or at its end
 * with what was observed (real time). */
static inline __attribute__((always_inline)) void trace_wait(rl_drv *d, uint32_t id,
                                                             const rl_drv_task *k, cm_us from,
                                                             cm_us delay, cm_us observed,
                                                             const char *note)
{
    if (d->cfg.trace) {
        rl_trace_who w = {.task = id, .attempt = k->attempt};
        rl_trace_wait(d->cfg.trace, from, &w, delay, observed,
                      rl_wait_reason_name((rl_wait_reason)k->reason), note);
    }
    note_event(d, from);
}

/* Task id's observed wait has ended (or the run stops) at `now`. */
static void end_observed_wait(rl_drv *d, uint32_t id, const rl_drv_task *k, cm_us now,
                              const char *note)
{
    drv_wait *w = &d->waits[id];
    trace_wait(d, id, k, w->from, w->delay, now - w->from, note ? note : w->note);
    free(w->note);
    w->note = NULL;
}

static void maybe_flush(rl_drv *d)
{
    if (d->cfg.flush_every_us <= 0 || !d->cfg.trace)
        return;
    int64_t wall = rl_drv_wall_us();
    if (wall - d->last_flush >= d->cfg.flush_every_us) {
        rl_trace_flush(d->cfg.trace);
        d->last_flush = wall;
    }
}

/* ---- actions ---- */

static int task_begin(rl_drv *d, uint32_t id, cm_us now);

static int do_done(rl_drv *d, uint32_t id, rl_drv_task *k, bool ok, const char *message, cm_us now)
{
    k->phase = RL_DRV_DONE;
    d->res.tasks_done++;
    d->res.successes += ok;
    if (d->cfg.trace) {
        rl_trace_done(d->cfg.trace, now, id, k->sends, ok, k->total_wait, ok ? NULL : message);
        maybe_flush(d);
    }
    note_event(d, now);
    if (d->cfg.on_done) {
        rl_drv_done e = {.task = id,
                         .attempts = k->sends,
                         .success = ok,
                         .started = k->t.started,
                         .ended = now,
                         .total_wait = k->total_wait};
        d->cfg.on_done(d->cfg.on_done_ctx, &e);
    }
    d->active--;
    if (d->qlen == 0)
        return 0;
    uint32_t next = d->queue[d->qhead]; /* the freed slot goes to the longest waiting task */
    d->qhead = (d->qhead + 1) % d->cfg.ntasks;
    d->qlen--;
    return task_begin(d, next, now);
}

static inline __attribute__((always_inline)) int do_send(rl_drv *d, uint32_t id, rl_drv_task *k,
                                                         const rl_action *a, cm_us now)
{
    k->phase = RL_DRV_INFLIGHT;
    k->candidate = a->candidate < d->ncands ? a->candidate : 0;
    k->key = a->key < d->cands[k->candidate].info.nkeys ? a->key : 0;
    k->attempt = a->attempt;
    k->sent_at = now;
    k->sends++;
    d->res.attempts++;
    if (d->cfg.trace) {
        rl_trace_who w = who_of(d, id, k);
        rl_trace_send(d->cfg.trace, now, &w, a->timeout);
    }
    note_event(d, now);
    rl_drv_send how = {.timeout = a->timeout > 0 ? a->timeout : RL_DEFAULT_ATTEMPT_TIMEOUT,
                       .stream = a->stream,
                       .usage = a->stream_usage,
                       .idle_timeout = a->idle_timeout,
                       .resume_from = a->resume_from};
    return d->ops.send(d->io, id, k, &how, now);
}

static inline __attribute__((always_inline)) int do_wait(rl_drv *d, uint32_t id, rl_drv_task *k,
                                                         const rl_action *a, cm_us now)
{
    cm_us until = a->until > now ? a->until : now;
    k->phase = RL_DRV_WAITING;
    k->reason = (uint8_t)a->reason;
    k->total_wait = cm_us_add(k->total_wait, until - now);
    d->res.total_wait = cm_us_add(d->res.total_wait, until - now);
    if (!d->waits)
        trace_wait(d, id, k, now, until - now, -1, a->message);
    else {
        drv_wait *w = &d->waits[id];
        *w = (drv_wait){.from = now, .delay = until - now};
        if (a->message[0] && !(w->note = strdup(a->message)))
            return -1;
    }
    return d->ops.wake_at(d->io, id, until);
}

static int act(rl_drv *d, uint32_t id, rl_drv_task *k, const rl_action *a, cm_us now)
{
    if (++k->actions > RL_DRV_MAX_ACTIONS_PER_TASK) {
        d->res.runaway = true;
        char msg[96];
        snprintf(msg, sizeof msg, "%s: the engine did not finish this task", d->cfg.name);
        return do_done(d, id, k, false, msg, now);
    }
    switch (a->kind) {
    case RL_SEND:
        return do_send(d, id, k, a, now);
    case RL_WAIT:
        return do_wait(d, id, k, a, now);
    case RL_DONE:
        return do_done(d, id, k, a->success, a->message, now);
    }
    return -1;
}

/* A task gets its concurrency slot: it starts and takes its first action. */
static int task_begin(rl_drv *d, uint32_t id, cm_us now)
{
    rl_drv_task *k = rl_drv_task_at(d, id);
    rl_action a;
    d->active++;
    rl_task_start(&k->t, d->run, id, now);
    rl_task_next(&k->t, d->run, NULL, now, &k->rng, &a);
    return act(d, id, k, &a, now);
}

int rl_drv_due(rl_drv *d, uint32_t id, cm_us now)
{
    rl_drv_task *k = rl_drv_task_at(d, id);
    if (k->phase == RL_DRV_ARRIVE) {
        if (d->cfg.concurrency == 0 || d->active < d->cfg.concurrency)
            return task_begin(d, id, now);
        k->phase = RL_DRV_QUEUED;
        d->queue[(d->qhead + d->qlen++) % d->cfg.ntasks] = id;
        return 0;
    }
    if (k->phase != RL_DRV_WAITING)
        return 0;
    if (d->waits)
        end_observed_wait(d, id, k, now, NULL);
    rl_action a;
    rl_task_next(&k->t, d->run, NULL, now, &k->rng, &a);
    return act(d, id, k, &a, now);
}

int rl_drv_outcome(rl_drv *d, uint32_t id, const rl_outcome *o, const rl_signals *known, cm_us now)
{
    return rl_drv_outcome_evidence(d, id, o, known, NULL, now);
}

int rl_drv_outcome_evidence(rl_drv *d, uint32_t id, const rl_outcome *o, const rl_signals *known,
                            const rl_trace_evidence *ev, cm_us now)
{
    rl_drv_task *k = rl_drv_task_at(d, id);
    rl_action a;
    d->res.transport_errors += o->error != RL_TE_NONE;
    rl_task_next_read(&k->t, d->run, o, known, now, &k->rng, &a);
    if (d->cfg.trace) {
        rl_trace_reply r;
        rl_trace_reply_of(&r, o, &a);
        r.evidence = ev;
        rl_trace_who w = who_of(d, id, k);
        rl_trace_response(d->cfg.trace, now, &w, &r);
    }
    note_event(d, now);
    return act(d, id, k, &a, now);
}

void rl_drv_size_text(uint64_t bytes, char *out, size_t size)
{
    if (bytes >= UINT64_C(1) << 30)
        snprintf(out, size, "%.1f GiB", (double)bytes / (double)(UINT64_C(1) << 30));
    else if (bytes >= 1 << 20)
        snprintf(out, size, "%.1f MiB", (double)bytes / (1 << 20));
    else
        snprintf(out, size, "%.1f KiB", (double)bytes / 1024);
}

/* Says once that the trace has grown past its warning size (job.c: 1 GiB),
 * and what keeps it small. */
static void warn_big_trace(rl_drv *d)
{
    uint64_t at = d->cfg.trace ? rl_trace_warn_due(d->cfg.trace) : 0;
    if (!at)
        return;
    char size[32];
    rl_drv_size_text(at, size, sizeof size);
    fprintf(stderr,
            "%s%s: warning: trace.jsonl passed %s with %llu of %llu tasks done; --trace "
            "summary writes one line per task, --trace none only the start\n",
            d->cfg.progress ? "\n" : "", d->cfg.name, size, (unsigned long long)d->res.tasks_done,
            (unsigned long long)d->cfg.ntasks);
}

bool rl_drv_over(rl_drv *d)
{
    warn_big_trace(d);
    return d->res.tasks_done >= d->cfg.ntasks || (d->cfg.stop && *d->cfg.stop) ||
           (d->cfg.trace && rl_trace_failed(d->cfg.trace));
}

void rl_drv_progress(rl_drv *d, cm_us now, bool last)
{
    if (!d->cfg.progress)
        return;
    int64_t wall = rl_drv_wall_us();
    if (!last && wall - d->last_progress < 250000)
        return;
    d->last_progress = wall;
    const rl_drv_result *r = &d->res;
    double rate = r->tasks_done ? 100.0 * (double)r->successes / (double)r->tasks_done : 0.0;
    fprintf(stderr, "\r%s: %llu/%llu tasks done, %.1f%% success, t=%.1f s%s", d->cfg.name,
            (unsigned long long)r->tasks_done, (unsigned long long)r->tasks, rate,
            cm_s_from_us(now), last ? "\n" : "");
}

/* ---- setup and end ---- */

static int setup_cands(rl_drv *d)
{
    d->ncands = rl_policy_candidate_count(d->cfg.policy);
    if (d->ncands != d->cfg.ntargets)
        return CM_ERR_INPUT;
    d->cands = calloc(d->ncands ? d->ncands : 1, sizeof *d->cands);
    if (!d->cands)
        return -1;
    for (size_t i = 0; i < d->ncands; i++) {
        drv_cand *c = &d->cands[i];
        rl_policy_candidate(d->cfg.policy, i, &c->info);
        size_t nk = c->info.nkeys ? c->info.nkeys : 1;
        if (!(c->key_ids = calloc(nk, sizeof *c->key_ids)))
            return -1;
        const rl_drv_target *t = &d->cfg.targets[i];
        for (size_t j = 0; j < nk; j++)
            cm_keyid(j < t->nkeys ? t->key_values[j] : NULL, c->key_ids[j]);
    }
    return 0;
}

static int setup_tasks(rl_drv *d, size_t extra)
{
    const size_t align = 8; /* pointers and 64-bit numbers */
    d->extra_at = (sizeof(rl_drv_task) + align - 1) / align * align;
    d->stride = (d->extra_at + extra + align - 1) / align * align;
    size_t n = d->cfg.ntasks;
    d->tasks = calloc(n ? n : 1, d->stride);
    d->queue = calloc(n ? n : 1, sizeof *d->queue);
    if (!d->tasks || !d->queue)
        return -1;
    if (d->cfg.observed_waits && !(d->waits = calloc(n ? n : 1, sizeof *d->waits)))
        return -1;
    cm_rng root;
    cm_rng_seed(&root, d->cfg.seed);
    for (size_t i = 0; i < n; i++) {
        rl_drv_task *k = rl_drv_task_at(d, (uint32_t)i);
        cm_rng_fork(&root, i, &k->rng); /* rl_drv_task_rng, without reseeding per task */
        k->phase = RL_DRV_ARRIVE;
        k->candidate = UINT32_MAX;
    }
    for (size_t i = 0; i < n; i++)
        if (d->ops.wake_at(d->io, (uint32_t)i, d->cfg.start[i]) != 0)
            return -1;
    return 0;
}

rl_drv *rl_drv_new(const rl_drv_config *cfg, const rl_drv_ops *ops, void *io, size_t extra,
                   cm_err *err)
{
    rl_drv *d = calloc(1, sizeof *d);
    if (!d) {
        cm_err_set(err, "%s: out of memory", cfg->name);
        return NULL;
    }
    d->cfg = *cfg;
    d->ops = *ops;
    d->io = io;
    d->res.tasks = cfg->ntasks;
    d->last_progress = d->last_flush = rl_drv_wall_us();
    int rc = (d->run = rl_run_new(cfg->policy, cfg->seed)) ? setup_cands(d) : -1;
    if (rc == 0)
        rc = setup_tasks(d, extra);
    if (rc != 0) {
        if (rc == CM_ERR_INPUT)
            cm_err_set(err, "%s: %zu targets for the policy's %zu candidates", cfg->name,
                       cfg->ntargets, d->ncands);
        else
            cm_err_set(err, "%s: out of memory for %zu tasks", cfg->name, cfg->ntasks);
        rl_drv_free(d);
        return NULL;
    }
    rl_run_set_epoch(d->run, cfg->epoch_unix_us);
    return d;
}

int rl_drv_finish(rl_drv *d, cm_us now, rl_drv_result *out, cm_err *err)
{
    warn_big_trace(d);
    for (size_t i = 0; d->waits && i < d->cfg.ntasks; i++) {
        rl_drv_task *k = rl_drv_task_at(d, (uint32_t)i);
        if (k->phase == RL_DRV_WAITING)
            end_observed_wait(d, (uint32_t)i, k, now, "interrupted before the wait ended");
    }
    *out = d->res;
    out->interrupted = d->cfg.stop && *d->cfg.stop && d->res.tasks_done < d->cfg.ntasks;
    out->trace_failed = d->cfg.trace && rl_trace_failed(d->cfg.trace);
    out->end_time = d->last_event;
    if (!(out->run_json = rl_run_summary_json(d->run, out->end_time))) {
        cm_err_set(err, "%s: out of memory", d->cfg.name);
        return -1;
    }
    return 0;
}

void rl_drv_free(rl_drv *d)
{
    if (!d)
        return;
    for (size_t i = 0; d->waits && i < d->cfg.ntasks; i++)
        free(d->waits[i].note);
    free(d->waits);
    for (size_t i = 0; d->cands && i < d->ncands; i++)
        free(d->cands[i].key_ids);
    free(d->cands);
    free(d->tasks);
    free(d->queue);
    rl_run_free(d->run);
    free(d);
}
