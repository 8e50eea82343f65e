/* sim.c: the simulation driver. One pass per event: pop the earliest event
 * from the queue, advance the virtual clock to it, step that task's state
 * machine, push its next event. A task has at most one event in the queue:
 * its arrival, the end of its attempt, or the end of its wait. */
#include "engine/sim/sim.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/attempt_id.h"
#include "common/keyid.h"
#include "common/rng.h"
#include "engine/driver/workload.h"
#include "engine/sim/queue.h"
#include "engine/sim/signals.h"
#include "mockserver/model/model.h"

enum sim_phase { PH_ARRIVE, PH_INFLIGHT, PH_WAITING, PH_DONE };

typedef struct sim_key {
    const char *value; /* borrowed from the environment or the scenario */
    char id[CM_KEYID_LEN];
    mock_request names; /* provider, model and key resolved once (mock_model_resolve) */
} sim_key;

typedef struct sim_cand {
    rl_candidate_info info;
    mock_endpoint endpoint;
    sim_key *keys;
    mock_request names; /* the same without a key */
} sim_cand;

/* The headers of a response decided at send time, packed "name\0value\0..."
 * so that thousands of attempts in flight cost about 750 bytes each, not a whole
 * mock_plan. Headers that outgrow the inline buffer go to the heap. When the
 * model's values say exactly what the engine would read from them (most
 * answers: engine/sim_signals.h), only that reading is kept (known true). */
#define REPLY_INLINE 488
typedef struct sim_reply {
    bool known;
    uint64_t ticket; /* the model's concurrency hold, released when the attempt ends */
    rl_signals sig;
    uint32_t nheaders;
    uint16_t at[2 * MOCK_MAX_HEADERS]; /* offset of each name and value: unpacked without strlen */
    char *big;
    char small[REPLY_INLINE];
} sim_reply;

typedef struct sim_task {
    rl_task t;
    cm_rng rng;
    uint8_t phase;
    uint8_t error; /* rl_transport_error of the attempt in flight */
    int status;    /* status of the attempt in flight */
    uint32_t actions;
    uint32_t sends;
    uint32_t candidate, key, attempt;
    int32_t slot; /* reply slot while in flight */
    cm_us sent_at;
    cm_us total_wait;
} sim_task;

typedef struct sim {
    const rl_sim_config *cfg;
    rl_sim_result *res;
    rl_run *run;
    mock_model *model;
    rl_simq queue; /* each task's next event, earliest first */
    sim_task *tasks;
    size_t ntasks;
    sim_cand *cands;
    size_t ncands;
    mock_plan scratch;  /* the model writes each decision here */
    sim_reply *replies; /* headers decided at send time, kept until the attempt ends */
    int32_t *free_slots;
    size_t nreplies, nfree;
    int64_t tokens;
    cm_us now;
    uint64_t events;
    struct timespec last_progress;
} sim;

/* ---- reply slots ---- */

static int32_t slot_take(sim *s)
{
    if (s->nfree > 0)
        return s->free_slots[--s->nfree];
    size_t cap = s->nreplies ? s->nreplies * 2 : 64;
    sim_reply *r = realloc(s->replies, cap * sizeof *r);
    if (!r)
        return -1;
    s->replies = r;
    int32_t *f = realloc(s->free_slots, cap * sizeof *f);
    if (!f)
        return -1;
    s->free_slots = f;
    for (size_t i = s->nreplies; i < cap; i++)
        s->replies[i].big = NULL;
    for (size_t i = cap; i > s->nreplies + 1; i--)
        s->free_slots[s->nfree++] = (int32_t)(i - 1);
    int32_t got = (int32_t)s->nreplies;
    s->nreplies = cap;
    return got;
}

static void slot_give(sim *s, int32_t slot)
{
    free(s->replies[slot].big);
    s->replies[slot].big = NULL;
    s->free_slots[s->nfree++] = slot;
}

/* Copies p's headers into r. 0, or -1 when out of memory. */
static int reply_pack(sim_reply *r, const mock_plan *p)
{
    size_t n = p->nheaders < MOCK_MAX_HEADERS ? p->nheaders : MOCK_MAX_HEADERS, need = 0;
    size_t len[2 * MOCK_MAX_HEADERS];
    for (size_t i = 0; i < n; i++) {
        len[2 * i] = strnlen(p->headers[i].name, sizeof p->headers[i].name - 1) + 1;
        len[2 * i + 1] = strnlen(p->headers[i].value, sizeof p->headers[i].value - 1) + 1;
        need += len[2 * i] + len[2 * i + 1];
    }
    char *at = r->small;
    if (need > REPLY_INLINE && !(at = r->big = malloc(need)))
        return -1;
    const char *base = at;
    for (size_t i = 0; i < n; i++) {
        r->at[2 * i] = (uint16_t)(at - base);
        memcpy(at, p->headers[i].name, len[2 * i] - 1);
        at[len[2 * i] - 1] = '\0';
        at += len[2 * i];
        r->at[2 * i + 1] = (uint16_t)(at - base);
        memcpy(at, p->headers[i].value, len[2 * i + 1] - 1);
        at[len[2 * i + 1] - 1] = '\0';
        at += len[2 * i + 1];
    }
    r->nheaders = (uint32_t)n;
    return 0;
}

static size_t reply_unpack(const sim_reply *r, rl_header *out)
{
    const char *base = r->big ? r->big : r->small;
    for (uint32_t i = 0; i < r->nheaders; i++) {
        out[i].name = base + r->at[2 * i];
        out[i].value = base + r->at[2 * i + 1];
    }
    return r->nheaders;
}

/* ---- trace helpers ---- */

static rl_trace_who who_of(const sim *s, uint32_t id, const sim_task *k)
{
    rl_trace_who w = {.task = id, .attempt = k->attempt};
    if (k->candidate < s->ncands) {
        const sim_cand *c = &s->cands[k->candidate];
        w.provider = c->info.provider;
        w.model = c->info.model;
        w.key_id = k->key < c->info.nkeys ? c->keys[k->key].id : "k-none";
        if (k->candidate < 0xffff && k->key < 0xffff) /* the same strings for a pair */
            w.names_id = (k->candidate << 16 | k->key) + 1;
    }
    return w;
}

static void trace_reply(const sim *s, uint32_t id, const sim_task *k, const rl_outcome *o,
                        const rl_action *a)
{
    if (!s->cfg->trace)
        return;
    rl_trace_reply r;
    rl_trace_reply_of(&r, o, a);
    rl_trace_who w = who_of(s, id, k);
    rl_trace_response(s->cfg->trace, s->now, &w, &r);
}

/* ---- actions ---- */

/* How long the attempt takes in scenario time, and how it ends. */
static cm_us attempt_end(const mock_plan *p, cm_us timeout, int *status, uint8_t *error)
{
    cm_us dur = p->latency > 0 ? p->latency : 0;
    *status = p->status;
    *error = RL_TE_NONE;
    switch (p->fault) {
    case MOCK_FAULT_HANG:
        dur = timeout;
        break;
    case MOCK_FAULT_RESET:
        *error = RL_TE_RESET;
        break;
    case MOCK_FAULT_TRUNCATE:
        *error = RL_TE_TRUNCATED;
        break;
    case MOCK_FAULT_SLOW_BODY:
        dur = cm_us_add(dur, p->slow_body > 0 ? p->slow_body : 0);
        break;
    case MOCK_FAULT_NONE:
        break;
    }
    if (dur >= timeout) {
        dur = timeout;
        *error = RL_TE_TIMEOUT;
    }
    if (*error != RL_TE_NONE)
        *status = 0;
    return dur;
}

/* What the model is asked for task k's attempt: its candidate's names as
 * resolved at setup (a key past the list sends none). */
static mock_request request_of(const sim *s, uint32_t id, const sim_task *k)
{
    const sim_cand *c = k->candidate < s->ncands ? &s->cands[k->candidate] : NULL;
    mock_request req = {.provider = "", .endpoint = MOCK_EP_CHAT, .model = ""};
    if (c) {
        req = k->key < c->info.nkeys ? c->keys[k->key].names : c->names;
        req.endpoint = c->endpoint;
    }
    req.tokens = s->tokens;
    req.now = s->now;
    req.values_only = req.no_text = true; /* the sim reads values, never text */
    req.attempt_id = cm_attempt_id(id, k->attempt);
    return req;
}

static int do_send(sim *s, uint32_t id, sim_task *k, const rl_action *a)
{
    k->phase = PH_INFLIGHT;
    k->candidate = a->candidate;
    k->key = a->key;
    k->attempt = a->attempt;
    k->sent_at = s->now;
    k->sends++;
    s->res->attempts++;
    if (s->cfg->trace) {
        rl_trace_who w = who_of(s, id, k);
        rl_trace_send(s->cfg->trace, s->now, &w, a->timeout);
    }
    mock_request req = request_of(s, id, k);
    mock_plan *p = &s->scratch;
    mock_model_respond(s->model, &req, p);
    cm_us timeout = a->timeout > 0 ? a->timeout : RL_DEFAULT_ATTEMPT_TIMEOUT;
    cm_us dur = attempt_end(p, timeout, &k->status, &k->error);
    k->slot = slot_take(s);
    if (k->slot < 0)
        return -1;
    sim_reply *r = &s->replies[k->slot];
    r->nheaders = 0;
    r->known = false;
    r->ticket = p->ticket;
    if (k->error == RL_TE_NONE || k->error == RL_TE_TRUNCATED) {
        r->known = rl_sim_signals_of(&p->known, &r->sig);
        if (!r->known)
            mock_plan_render_known(p); /* the engine reads the text after all */
        if (!r->known && reply_pack(r, p) != 0)
            return -1;
    }
    return rl_simq_push(&s->queue, cm_us_add(s->now, dur), id) == 0 ? 0 : -1;
}

static void do_done(sim *s, uint32_t id, sim_task *k, bool ok, const char *message)
{
    k->phase = PH_DONE;
    s->res->tasks_done++;
    s->res->successes += ok;
    if (s->cfg->trace)
        rl_trace_done(s->cfg->trace, s->now, id, k->sends, ok, k->total_wait, message);
}

static int act(sim *s, uint32_t id, sim_task *k, const rl_action *a)
{
    if (++k->actions > RL_SIM_MAX_ACTIONS_PER_TASK) {
        s->res->runaway = true;
        do_done(s, id, k, false, "sim: the engine did not finish this task");
        return 0;
    }
    if (a->kind == RL_SEND)
        return do_send(s, id, k, a);
    if (a->kind == RL_DONE) {
        do_done(s, id, k, a->success, a->success ? NULL : a->message);
        return 0;
    }
    k->phase = PH_WAITING;
    cm_us until = a->until > s->now ? a->until : s->now;
    cm_us delay = until - s->now;
    k->total_wait = cm_us_add(k->total_wait, delay);
    s->res->total_wait = cm_us_add(s->res->total_wait, delay);
    if (s->cfg->trace) {
        rl_trace_who w = {.task = id, .attempt = k->attempt};
        rl_trace_wait(s->cfg->trace, s->now, &w, delay, -1, rl_wait_reason_name(a->reason),
                      a->message);
    }
    return rl_simq_push(&s->queue, until, id) == 0 ? 0 : -1;
}

/* The attempt in flight has ended: report it to the engine. */
static int finish_attempt(sim *s, uint32_t id, sim_task *k)
{
    rl_header hdr[MOCK_MAX_HEADERS];
    const sim_reply *r = &s->replies[k->slot];
    size_t n = reply_unpack(r, hdr);
    rl_outcome o = {.status = k->status,
                    .error = (rl_transport_error)k->error,
                    .headers = hdr,
                    .nheaders = n,
                    .latency = s->now - k->sent_at};
    rl_action a;
    mock_model_release(s->model, r->ticket, s->now); /* the attempt is over: slots free */
    rl_task_next_read(&k->t, s->run, &o, r->known ? &r->sig : NULL, s->now, &k->rng, &a);
    slot_give(s, k->slot);
    k->slot = -1;
    trace_reply(s, id, k, &o, &a);
    return act(s, id, k, &a);
}

static int step(sim *s, uint32_t id)
{
    sim_task *k = &s->tasks[id];
    rl_action a;
    switch (k->phase) {
    case PH_ARRIVE:
        rl_task_start(&k->t, s->run, id, s->now);
        rl_task_next(&k->t, s->run, NULL, s->now, &k->rng, &a);
        return act(s, id, k, &a);
    case PH_INFLIGHT:
        return finish_attempt(s, id, k);
    case PH_WAITING:
        rl_task_next(&k->t, s->run, NULL, s->now, &k->rng, &a);
        return act(s, id, k, &a);
    default:
        return 0;
    }
}

/* ---- progress ---- */

static void progress(sim *s, bool last)
{
    if (!s->cfg->progress || (!last && (++s->events & 4095) != 0))
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double since = (double)(ts.tv_sec - s->last_progress.tv_sec) +
                   (double)(ts.tv_nsec - s->last_progress.tv_nsec) / 1e9;
    if (!last && since < 0.25)
        return;
    s->last_progress = ts;
    const rl_sim_result *r = s->res;
    double rate = r->tasks_done ? 100.0 * (double)r->successes / (double)r->tasks_done : 0.0;
    fprintf(stderr, "\rsim: %llu/%llu tasks done, %.1f%% success, t=%.1f s%s",
            (unsigned long long)r->tasks_done, (unsigned long long)r->tasks, rate,
            cm_s_from_us(s->now), last ? "\n" : "");
}

/* ---- setup ---- */

/* The model's indices for candidate c's provider and model and `key`. */
static void resolve(const sim *s, const sim_cand *c, const char *key, mock_request *out)
{
    *out = (mock_request){.provider = c->info.provider, .model = c->info.model, .key = key};
    mock_model_resolve(s->model, out);
}

static int setup_candidates(sim *s)
{
    const rl_policy *p = s->cfg->policy;
    s->ncands = rl_policy_candidate_count(p);
    s->cands = calloc(s->ncands ? s->ncands : 1, sizeof *s->cands);
    if (!s->cands)
        return -1;
    for (size_t i = 0; i < s->ncands; i++) {
        sim_cand *c = &s->cands[i];
        rl_policy_candidate(p, i, &c->info);
        int pi = mock_scenario_provider_find(s->cfg->scenario, c->info.provider);
        if (pi < 0)
            fprintf(stderr,
                    "retrylab sim: warning: provider %s of the policy is not in the "
                    "scenario; its calls get 404\n",
                    c->info.provider);
        c->endpoint = pi >= 0 && mock_scenario_provider_shape(s->cfg->scenario, (size_t)pi) ==
                                     MOCK_SHAPE_ANTHROPIC
                          ? MOCK_EP_MESSAGES
                          : MOCK_EP_CHAT;
        resolve(s, c, NULL, &c->names);
        if (pi >= 0 && !c->names.model_ix)
            fprintf(stderr,
                    "retrylab sim: warning: model %s of provider %s (the policy's) is "
                    "not in the scenario; its calls get 404\n",
                    c->info.model, c->info.provider);
        c->keys = calloc(c->info.nkeys ? c->info.nkeys : 1, sizeof *c->keys);
        if (!c->keys)
            return -1;
        for (size_t j = 0; j < c->info.nkeys; j++) {
            const char *name = c->info.keys[j];
            c->keys[j].value = rl_key_resolve(s->cfg->scenario, c->info.provider, name);
            cm_keyid(c->keys[j].value, c->keys[j].id);
            resolve(s, c, c->keys[j].value, &c->keys[j].names);
            if (!c->keys[j].value)
                fprintf(stderr,
                        "retrylab sim: warning: key %s (%s/%s) is not among the "
                        "scenario's test keys; sending none\n",
                        name, c->info.provider, c->info.model);
        }
    }
    return 0;
}

static int setup_tasks(sim *s, cm_err *err)
{
    cm_rng root, wrng;
    cm_rng_seed(&root, s->cfg->seed);
    cm_rng_fork(&root, RL_WORKLOAD_RNG_STREAM, &wrng);
    rl_schedule sched;
    if (rl_workload_schedule(mock_scenario_workload(s->cfg->scenario), &wrng, &sched, err) != 0)
        return -2;
    s->ntasks = sched.n;
    s->res->tasks = sched.n;
    s->tasks = calloc(sched.n, sizeof *s->tasks);
    if (!s->tasks) {
        rl_schedule_free(&sched);
        snprintf(err->msg, sizeof err->msg, "sim: out of memory for %zu tasks", sched.n);
        return -1;
    }
    for (size_t i = 0; i < sched.n; i++) {
        sim_task *k = &s->tasks[i];
        cm_rng_fork(&root, i, &k->rng);
        k->phase = PH_ARRIVE;
        k->slot = -1;
        k->candidate = UINT32_MAX;
        if (rl_simq_push(&s->queue, sched.start[i], i) != 0) {
            rl_schedule_free(&sched);
            snprintf(err->msg, sizeof err->msg, "sim: out of memory for %zu tasks", sched.n);
            return -1;
        }
    }
    rl_schedule_free(&sched);
    return 0;
}

static void teardown(sim *s)
{
    for (size_t i = 0; s->cands && i < s->ncands; i++)
        free(s->cands[i].keys);
    free(s->cands);
    free(s->tasks);
    for (size_t i = 0; s->replies && i < s->nreplies; i++)
        free(s->replies[i].big);
    free(s->replies);
    free(s->free_slots);
    rl_simq_free(&s->queue);
    mock_model_free(s->model);
    rl_run_free(s->run);
}

/* Tasks are touched in time order, all over a large array: ask for the next
 * one's memory while this one is stepped (a third fewer cycles at 10,000
 * tasks in flight). */
static void prefetch_next(const sim *s)
{
    int64_t at;
    uint64_t next;
    if (rl_simq_front(&s->queue, &at, &next) != 1)
        return;
    const sim_task *k = &s->tasks[next];
    __builtin_prefetch(k);
    if (k->phase == PH_INFLIGHT && k->slot >= 0)
        __builtin_prefetch(&s->replies[k->slot]);
}

static int loop(sim *s, cm_err *err)
{
    int64_t at;
    uint64_t id, n = 0;
    int got;
    while ((got = rl_simq_pop(&s->queue, &at, &id)) > 0) {
        if (s->cfg->raise_after && ++n == s->cfg->raise_after)
            raise(SIGTERM); /* the real handler path, for the interruption test */
        if (s->cfg->stop && *s->cfg->stop) {
            s->res->interrupted = true;
            break;
        }
        s->now = at;
        prefetch_next(s);
        if (step(s, (uint32_t)id) != 0)
            break;
        progress(s, false);
    }
    if (got < 0 || (got > 0 && !s->res->interrupted)) {
        snprintf(err->msg, sizeof err->msg, "sim: out of memory at t=%.6f s", cm_s_from_us(s->now));
        return -1;
    }
    progress(s, true);
    return 0;
}

int rl_sim_run(const rl_sim_config *cfg, rl_sim_result *out, cm_err *err)
{
    memset(out, 0, sizeof *out);
    sim s = {.cfg = cfg, .res = out};
    rl_simq_init(&s.queue);
    clock_gettime(CLOCK_MONOTONIC, &s.last_progress);
    s.tokens = mock_scenario_workload(cfg->scenario)->tokens;
    s.run = rl_run_new(cfg->policy, cfg->seed);
    s.model = mock_model_new(cfg->scenario);
    int rc = -1;
    if (!s.run || !s.model || setup_candidates(&s) != 0)
        snprintf(err->msg, sizeof err->msg, "sim: out of memory");
    else if ((rc = setup_tasks(&s, err)) == 0)
        rc = loop(&s, err);
    out->end_time = s.now;
    if (rc == 0) {
        out->run_json = rl_run_summary_json(s.run, s.now);
        if (!out->run_json) {
            snprintf(err->msg, sizeof err->msg, "sim: out of memory");
            rc = -1;
        }
    }
    teardown(&s);
    return rc;
}
