/* sim.c: the simulation driver. One pass per event: pop the earliest event
 * from the queue, advance the virtual clock to it, step that task's state
 * machine, push its next event. A task has at most one event in the queue:
 * its arrival, the end of its attempt, or the end of its wait. */
#include "engine/sim/sim.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/attempt_id.h"
#include "engine/driver/driver.h"
#include "engine/driver/workload.h"
#include "engine/sim/queue.h"
#include "mockserver/model/model.h"
#include "mockserver/model/plan.h"

typedef struct sim_key {
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
    bool has_body;   /* an error body, read as the HTTP runner reads it (body_of) */
    uint8_t error;   /* rl_transport_error of the attempt */
    int status;      /* its status (0 with an error) */
    uint64_t ticket; /* the model's concurrency hold, released when the attempt ends */
    uint8_t stream;  /* rl_stream_end of a streamed answer, NONE otherwise */
    uint32_t tokens; /* stream: tokens the client received */
    cm_us ttft;      /* stream: send to first token, -1 none */
    char stream_error[48];
    rl_signals sig;
    uint32_t nheaders;
    uint16_t at[2 * MOCK_MAX_HEADERS]; /* offset of each name and value: unpacked without strlen */
    char *big;
    char small[REPLY_INLINE];
    /* The error body (when has_body): type, code ("" none), message delay. */
    char etype[sizeof((mock_plan *)0)->error_type];
    char ecode[sizeof((mock_plan *)0)->error_code];
    cm_us message_delay;
    cm_us retry_delay; /* Gemini's RetryInfo; -1 none */
} sim_reply;

/* What the driver keeps per task beside the layer's rl_drv_task: the reply
 * slot of the attempt in flight, which holds how it ends. */
typedef struct sim_attempt {
    int32_t slot;
} sim_attempt;

typedef struct sim {
    const rl_sim_config *cfg;
    rl_drv *drv;
    rl_drv_table table; /* the layer's task table (it never moves) */
    mock_model *model;
    rl_simq queue; /* each task's next event, earliest first */
    sim_cand *cands;
    size_t ncands;
    mock_plan scratch;  /* the model writes each decision here */
    sim_reply *replies; /* headers decided at send time, kept until the attempt ends */
    int32_t *free_slots;
    size_t nreplies, nfree;
    int64_t tokens;
    cm_us now;
    uint64_t events;
    bool read_bodies; /* error bodies go to the engine; the model writes their text */
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

/* ---- the driver's two operations ---- */

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

/* How a client reading a planned stream sees it end, at most `timeout` after
 * the send: its idle timeout fires in the first gap between bytes longer
 * than it (the opening events go with the headers, at the plan's latency);
 * a total timeout after the headers ends the stream as stalled (the client
 * gave up waiting), before them as a transport timeout. Returns the
 * attempt's duration; fills r's stream fields. Mirrors what the HTTP runner
 * reads from the mockserver's bytes (engine/http/runner.c). */
static cm_us stream_end(const mock_plan *p, const rl_drv_send *how, sim_reply *r)
{
    const mock_stream *st = &p->stream;
    cm_us at0 = p->latency > 0 ? p->latency : 0; /* the headers and the opening */
    uint32_t n = mock_stream_delivered(st);
    bool broken =
        st->fault != MOCK_STREAM_NONE && !(st->fault == MOCK_STREAM_STALL && st->stall >= 0);
    cm_us end = broken ? mock_stream_end_at(st) : mock_stream_token_at(st, st->tokens - 1);
    r->stream = broken ? (st->fault == MOCK_STREAM_ERROR       ? RL_STREAM_ERROR
                          : st->fault == MOCK_STREAM_MALFORMED ? RL_STREAM_MALFORMED
                          : st->fault == MOCK_STREAM_CUT       ? RL_STREAM_CUT
                                                               : RL_STREAM_STALLED)
                       : RL_STREAM_COMPLETE;
    r->tokens = n;
    /* the first gap longer than the idle timeout, if any */
    cm_us last = 0;
    for (uint32_t i = 0; how->idle_timeout > 0 && i < n; i++) {
        cm_us t = mock_stream_token_at(st, i);
        if (t - last > how->idle_timeout) {
            r->stream = RL_STREAM_STALLED;
            r->tokens = i;
            end = cm_us_add(last, how->idle_timeout);
            break;
        }
        last = t;
    }
    bool silent = st->fault == MOCK_STREAM_STALL && st->stall < 0; /* until the client leaves */
    if (how->idle_timeout > 0 && r->tokens == n &&
        (silent || (broken && end - last > how->idle_timeout))) {
        r->stream = RL_STREAM_STALLED; /* the silence before the fault outlasted the timeout */
        end = cm_us_add(last, how->idle_timeout);
    } else if (st->fault == MOCK_STREAM_STALL && st->stall < 0 && how->idle_timeout <= 0)
        end = CM_US_MAX; /* only the total timeout ends it */
    end = cm_us_add(at0, end);
    if (end >= how->timeout && how->timeout > at0) { /* the client's patience ran out */
        r->stream = RL_STREAM_STALLED;
        uint32_t got = 0;
        while (got < r->tokens && cm_us_add(at0, mock_stream_token_at(st, got)) < how->timeout)
            got++;
        r->tokens = got;
        end = how->timeout;
    }
    r->ttft = r->tokens ? cm_us_add(at0, st->first) : -1;
    snprintf(r->stream_error, sizeof r->stream_error, "%s", st->error_type);
    return end;
}

/* What the model is asked for task id's attempt: its candidate's names as
 * resolved at setup (a key past the list sends none). */
static mock_request request_of(const sim *s, uint32_t id, const rl_drv_task *k,
                               const rl_drv_send *how)
{
    const sim_cand *c = k->candidate < s->ncands ? &s->cands[k->candidate] : NULL;
    mock_request req = {.provider = "", .endpoint = MOCK_EP_CHAT, .model = ""};
    if (c) {
        req = k->key < c->info.nkeys ? c->keys[k->key].names : c->names;
        req.endpoint = c->endpoint;
    }
    req.tokens = s->tokens;
    req.now = s->now;
    req.values_only = true; /* the sim reads values; text only for the error bodies */
    req.no_text = !s->read_bodies;
    req.attempt_id = cm_attempt_id(id, k->attempt);
    req.stream = how->stream;
    req.stream_usage = how->usage;
    req.resume_from = how->resume_from;
    return req;
}

/* The error body of plan p into r, as the HTTP front renders it in p's
 * error style (mockserver/front/body.c, render_error: the style's default
 * type when none is set, "mock error" as the message) and as the runner
 * reads it back (engine/http/request.c, read_error): only for a status >=
 * 400 answered whole with an error body. test_run_http's
 * equivalence_error_bodies holds the two to the same readings. */
static void body_of(const mock_plan *p, sim_reply *r)
{
    r->has_body = r->error == RL_TE_NONE && p->status >= 400 && p->body == MOCK_BODY_ERROR;
    if (!r->has_body)
        return;
    mock_error_style style = mock_plan_style(p);
    const char *type = p->error_type[0] ? p->error_type : mock_plan_default_error_type(p);
    /* OpenRouter sends its type in metadata only when there is one */
    snprintf(r->etype, sizeof r->etype, "%s", type);
    /* a string code: OpenAI's "code", Gemini's ErrorInfo reason; the others
     * send none, or a number (OpenRouter) */
    bool coded =
        style == MOCK_ERRORS_OPENAI || style == MOCK_ERRORS_BY_SHAPE || style == MOCK_ERRORS_GEMINI;
    snprintf(r->ecode, sizeof r->ecode, "%s", coded ? p->error_code : "");
    r->retry_delay = style == MOCK_ERRORS_GEMINI ? p->retry_delay : -1;
    const char *msg = p->error_message[0] ? p->error_message : "mock error";
    r->message_delay = rl_message_delay(msg, sizeof p->error_message);
}

/* ops.send: the model decides the answer now; the attempt ends when its
 * latency (or the timeout) has passed. */
static int sim_send(void *io, uint32_t id, const rl_drv_task *k, const rl_drv_send *how, cm_us now)
{
    sim *s = io;
    sim_attempt *x = rl_drv_table_extra(s->table, id);
    mock_request req = request_of(s, id, k, how);
    mock_plan *p = &s->scratch;
    mock_model_respond(s->model, &req, p);
    if ((x->slot = slot_take(s)) < 0)
        return -1;
    sim_reply *r = &s->replies[x->slot];
    r->stream = RL_STREAM_NONE;
    cm_us dur = attempt_end(p, how->timeout, &r->status, &r->error);
    if (p->stream.on && r->error == RL_TE_NONE)
        dur = stream_end(p, how, r);
    r->nheaders = 0;
    r->known = false;
    r->ticket = p->ticket;
    r->has_body = false;
    if (s->read_bodies)
        body_of(p, r);
    if (r->error == RL_TE_NONE || r->error == RL_TE_TRUNCATED) {
        r->known = !s->cfg->parse_text && rl_headers_known(&p->known, &r->sig);
        if (!r->known)
            mock_plan_render_known(p); /* the engine reads the text after all */
        if (!r->known && reply_pack(r, p) != 0)
            return -1;
    }
    return rl_simq_push(&s->queue, cm_us_add(now, dur), id) == 0 ? 0 : -1;
}

static int sim_wake_at(void *io, uint32_t id, cm_us at)
{
    return rl_simq_push(&((sim *)io)->queue, at, id) == 0 ? 0 : -1;
}

/* The attempt in flight has ended: its outcome goes to the layer. */
static int finish_attempt(sim *s, uint32_t id, const rl_drv_task *k)
{
    sim_attempt *x = rl_drv_table_extra(s->table, id);
    rl_header hdr[MOCK_MAX_HEADERS];
    const sim_reply *r = &s->replies[x->slot];
    size_t n = reply_unpack(r, hdr);
    rl_error_body b;
    rl_outcome o = {.status = r->status,
                    .error = (rl_transport_error)r->error,
                    .headers = hdr,
                    .nheaders = n,
                    .latency = s->now - k->sent_at};
    mock_model_release(s->model, r->ticket, s->now); /* the attempt is over: slots free */
    if (r->stream != RL_STREAM_NONE) {
        o.stream = (rl_stream_end)r->stream;
        o.tokens = r->tokens;
        o.ttft = r->ttft;
        o.stream_error = r->stream == RL_STREAM_ERROR ? r->stream_error : NULL;
    }
    if (r->has_body) {
        rl_error_body_clear(&b);
        b.type = r->etype[0] ? r->etype : NULL;
        b.code = r->ecode[0] ? r->ecode : NULL;
        b.message_delay = r->message_delay;
        b.retry_delay = r->retry_delay;
        o.body = &b;
    }
    /* The engine reads the slot's headers before the layer acts on its
     * answer, which may send again and take a slot: this one is given back
     * after, under the number it had. */
    int32_t slot = x->slot;
    x->slot = -1;
    int rc = rl_drv_outcome(s->drv, id, &o, r->known ? &r->sig : NULL, s->now);
    slot_give(s, slot);
    return rc;
}

/* ---- setup ---- */

/* The model's indices for candidate c's provider and model and `key`. */
static void resolve(const sim *s, const sim_cand *c, const char *key, mock_request *out)
{
    *out = (mock_request){.provider = c->info.provider, .model = c->info.model, .key = key};
    mock_model_resolve(s->model, out);
}

static void setup_candidate(sim *s, sim_cand *c, const char **values)
{
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
    for (size_t j = 0; j < c->info.nkeys; j++) {
        const char *name = c->info.keys[j];
        values[j] = rl_key_resolve(s->cfg->scenario, c->info.provider, name);
        resolve(s, c, values[j], &c->keys[j].names);
        if (!values[j])
            fprintf(stderr,
                    "retrylab sim: warning: key %s (%s/%s) is not among the "
                    "scenario's test keys; sending none\n",
                    name, c->info.provider, c->info.model);
    }
}

/* The candidates as the model knows them, and their key values (the
 * scenario's test keys) as the layer's targets. */
static int setup_candidates(sim *s, rl_drv_target **targets, const char ***values)
{
    const rl_policy *p = s->cfg->policy;
    size_t nkeys = 0;
    s->ncands = rl_policy_candidate_count(p);
    s->cands = calloc(s->ncands ? s->ncands : 1, sizeof *s->cands);
    *targets = calloc(s->ncands ? s->ncands : 1, sizeof **targets);
    for (size_t i = 0; s->cands && i < s->ncands; i++) {
        rl_policy_candidate(p, i, &s->cands[i].info);
        nkeys += s->cands[i].info.nkeys;
    }
    *values = calloc(nkeys ? nkeys : 1, sizeof **values);
    if (!s->cands || !*targets || !*values)
        return -1;
    const char **v = *values;
    for (size_t i = 0; i < s->ncands; i++) {
        sim_cand *c = &s->cands[i];
        if (!(c->keys = calloc(c->info.nkeys ? c->info.nkeys : 1, sizeof *c->keys)))
            return -1;
        setup_candidate(s, c, v);
        (*targets)[i] = (rl_drv_target){.nkeys = c->info.nkeys, .key_values = v};
        v += c->info.nkeys;
    }
    return 0;
}

/* The layer over this driver: tasks arrive as the workload says. 0,
 * CM_ERR_RUNTIME (out of memory) or CM_ERR_INPUT (an unusable workload),
 * with err. */
static int setup_layer(sim *s, cm_err *err)
{
    rl_drv_target *targets = NULL;
    const char **values = NULL;
    rl_schedule sched = {0};
    int rc = CM_ERR_RUNTIME;
    if (setup_candidates(s, &targets, &values) != 0)
        cm_err_set(err, "sim: out of memory");
    else if (rl_workload_schedule_run(mock_scenario_workload(s->cfg->scenario), s->cfg->seed,
                                      &sched, err) != 0)
        rc = CM_ERR_INPUT;
    else {
        rl_drv_config dc = {.name = "sim",
                            .policy = s->cfg->policy,
                            .seed = s->cfg->seed,
                            .targets = targets,
                            .ntargets = s->ncands,
                            .start = sched.start,
                            .ntasks = sched.n,
                            .epoch_unix_us = CM_SCENARIO_EPOCH * CM_US_PER_S,
                            .trace = s->cfg->trace,
                            .progress = s->cfg->progress,
                            .stop = s->cfg->stop,
                            .on_done = s->cfg->on_done,
                            .on_done_ctx = s->cfg->on_done_ctx};
        rl_drv_ops ops = {.send = sim_send, .wake_at = sim_wake_at};
        s->drv = rl_drv_new(&dc, &ops, s, sizeof(sim_attempt), err);
        rc = s->drv ? 0 : CM_ERR_RUNTIME;
        if (s->drv)
            s->table = rl_drv_tasks(s->drv);
    }
    rl_schedule_free(&sched);
    free(targets);
    free(values);
    return rc;
}

static void teardown(sim *s)
{
    for (size_t i = 0; s->cands && i < s->ncands; i++)
        free(s->cands[i].keys);
    free(s->cands);
    for (size_t i = 0; s->replies && i < s->nreplies; i++)
        free(s->replies[i].big);
    free(s->replies);
    free(s->free_slots);
    rl_simq_free(&s->queue);
    mock_model_free(s->model);
    rl_drv_free(s->drv);
}

/* ---- the loop ---- */

/* Tasks are touched in time order, all over a large array: ask for the next
 * one's memory while this one is stepped (a third fewer cycles at 10,000
 * tasks in flight). */
static void prefetch_next(sim *s)
{
    int64_t at;
    uint64_t next;
    if (rl_simq_front(&s->queue, &at, &next) != 1)
        return;
    const rl_drv_task *k = rl_drv_table_task(s->table, (uint32_t)next);
    __builtin_prefetch(k);
    if (k->phase == RL_DRV_INFLIGHT) {
        const sim_attempt *x = rl_drv_table_extra(s->table, (uint32_t)next);
        __builtin_prefetch(x);
        if (x->slot >= 0)
            __builtin_prefetch(&s->replies[x->slot]);
    }
}

static int step(sim *s, uint32_t id)
{
    const rl_drv_task *k = rl_drv_table_task(s->table, id);
    if (k->phase == RL_DRV_INFLIGHT)
        return finish_attempt(s, id, k);
    return rl_drv_due(s->drv, id, s->now);
}

static int loop(sim *s, cm_err *err)
{
    int64_t at;
    uint64_t id, n = 0;
    int got = 0;
    while ((got = rl_simq_pop(&s->queue, &at, &id)) > 0) {
        if (s->cfg->raise_after && ++n == s->cfg->raise_after)
            raise(SIGTERM); /* the real handler path, for the interruption test */
        if (s->cfg->stop && *s->cfg->stop)
            break;
        s->now = at;
        prefetch_next(s);
        if (step(s, (uint32_t)id) != 0) {
            got = -1;
            break;
        }
        if ((++s->events & 4095) == 0) {
            if (rl_drv_over(s->drv))
                break;
            rl_drv_progress(s->drv, s->now, false);
        }
    }
    if (got < 0) {
        cm_err_set(err, "sim: out of memory at t=%.6f s", cm_s_from_us(s->now));
        return -1;
    }
    rl_drv_progress(s->drv, s->now, true);
    return 0;
}

/* A string anywhere in the JSON tree equal to one of rl_quota_names. */
static bool names_quota(const cJSON *n, int depth)
{
    for (; n && depth < 64; n = n->next) {
        for (int i = 0; cJSON_IsString(n) && rl_quota_names[i]; i++)
            if (strcmp(n->valuestring, rl_quota_names[i]) == 0)
                return true;
        if (names_quota(n->child, depth + 1))
            return true;
    }
    return false;
}

/* Whether the engine gets the error bodies, which makes the model write
 * their texts (no_text false: about a quarter more work per 429 on
 * bench/data/sim-10k.json). Always when the policy reads a body beyond the
 * built-in quota rule (type:/code: rules, delays from the body). For that
 * rule alone, only when the scenario names a quota type or code somewhere:
 * the model's own bodies never do (tests/unit/test_headers_known.c checks
 * every answer of every scenario), so without such a name no body could
 * trip it. */
static bool reads_bodies(const rl_sim_config *cfg)
{
    unsigned r = rl_policy_body_reads(cfg->policy);
    if (r & ~RL_BODY_QUOTA)
        return true;
    const cm_json *doc = mock_scenario_doc(cfg->scenario);
    return r && doc && names_quota(cm_json_root(doc), 0);
}

int rl_sim_run(const rl_sim_config *cfg, rl_drv_result *out, cm_err *err)
{
    memset(out, 0, sizeof *out);
    sim s = {.cfg = cfg, .read_bodies = reads_bodies(cfg)};
    rl_simq_init(&s.queue);
    s.tokens = mock_scenario_workload(cfg->scenario)->tokens;
    int rc = -1;
    if (!(s.model = mock_model_new(cfg->scenario)))
        cm_err_set(err, "sim: out of memory");
    else if ((rc = setup_layer(&s, err)) == 0 && (rc = loop(&s, err)) == 0)
        rc = rl_drv_finish(s.drv, s.now, out, err);
    teardown(&s);
    return rc;
}
