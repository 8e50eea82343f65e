/* run.c: the variants of a sweep on worker threads. Each worker owns
 * copies of the policy and scenario trees, sets a variant's values in
 * them, loads the policy once, and runs it for every seed through
 * rl_sim_run (no trace; per-task figures through the driver's on_done).
 * The engine, the driver layer, the simulation and the provider model keep
 * no mutable global state, so runs on several threads do not meet; what the
 * workers share (the plan, the loaded scenario) they only read. Rows come
 * back to the calling thread in variant order through a ring of slots. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/driver/driver.h"
#include "engine/sim/sim.h"
#include "engine/sweep/sweep.h"

/* ---- trees to policies and scenarios ---- */

static char *print_tree(const cJSON *root)
{
    return cJSON_PrintUnformatted(root);
}

int sw_policy_from_tree(const cJSON *root, const char *name, cm_json **doc, rl_policy **out,
                        cm_err *err)
{
    char *text = print_tree(root);
    *doc = NULL;
    if (!text) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    *doc = cm_json_parse(name, text, strlen(text), err);
    free(text);
    if (!*doc)
        return -1;
    if (rl_policy_from_json(*doc, out, err) != 0) {
        cm_json_free(*doc);
        *doc = NULL;
        return -1;
    }
    return 0;
}

int sw_scenario_from_tree(const cJSON *root, const char *name, mock_scenario **out, cm_err *err)
{
    char *text = print_tree(root);
    if (!text) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    int rc = mock_scenario_parse(name, text, strlen(text), out, err);
    free(text);
    return rc;
}

const char *sw_unplaced(const char *msg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(msg, name, n) != 0 || msg[n] != ':')
        return msg;
    const char *p = msg + n + 1;
    size_t d1 = strspn(p, "0123456789");
    if (d1 == 0 || p[d1] != ':')
        return msg;
    size_t d2 = strspn(p + d1 + 1, "0123456789");
    if (d2 == 0 || p[d1 + 1 + d2] != ':')
        return msg;
    p += d1 + 1 + d2 + 1;
    return *p == ' ' ? p + 1 : p;
}

/* ---- one variant ---- */

typedef struct collect {
    sw_acc *acc;
    uint32_t max_attempts;
    double max_wait, max_duration;
    bool oom;
} collect;

static void on_done(void *ctx, const rl_drv_done *d)
{
    collect *c = ctx;
    double dur = cm_s_from_us(d->ended - d->started), wait = cm_s_from_us(d->total_wait);
    if (d->attempts > c->max_attempts)
        c->max_attempts = d->attempts;
    if (wait > c->max_wait)
        c->max_wait = wait;
    if (dur > c->max_duration)
        c->max_duration = dur;
    if (sw_acc_task(c->acc, dur, wait) != 0)
        c->oom = true;
}

/* 429s over the run's candidates (summary.json "rate_limited"). */
static uint64_t rate_limited(const cJSON *cands)
{
    uint64_t n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cands)
    {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(c, "rate_limited");
        n += cJSON_IsNumber(r) && r->valuedouble > 0 ? (uint64_t)r->valuedouble : 0;
    }
    return n;
}

/* One seed: 0; 1 stopped; -1 out of memory (err); -2 refused (err). */
static int run_seed(const sw_plan *p, const mock_scenario *sc, const rl_policy *pol, uint64_t seed,
                    sw_acc *acc, cm_err *err)
{
    collect c = {.acc = acc};
    rl_sim_config cfg = {.scenario = sc,
                         .policy = pol,
                         .seed = seed,
                         .stop = p->stop,
                         .on_done = on_done,
                         .on_done_ctx = &c};
    rl_drv_result r;
    int rc = rl_sim_run(&cfg, &r, err);
    if (rc != 0)
        return rc == CM_ERR_INPUT ? -2 : -1;
    int out = 0;
    if (r.interrupted)
        out = 1;
    else if (c.oom) {
        cm_err_set(err, "out of memory");
        out = -1;
    } else {
        const cJSON *cands = cJSON_GetObjectItemCaseSensitive(r.run_json, "candidates");
        sw_run run = {.tasks = r.tasks,
                      .successes = r.successes,
                      .attempts = r.attempts,
                      .rate_limited = rate_limited(cands),
                      .wait_s = cm_s_from_us(r.total_wait),
                      .scenario_s = cm_s_from_us(r.end_time),
                      .max_attempts = c.max_attempts,
                      .max_wait_s = c.max_wait,
                      .max_duration_s = c.max_duration,
                      .candidates = cands};
        if (r.runaway) {
            cm_err_set(err, "a task never finished (engine loop)");
            out = -2;
        } else if (sw_acc_run(acc, &run, p->expect) != 0) {
            cm_err_set(err, "out of memory");
            out = -1;
        }
    }
    cJSON_Delete(r.run_json);
    return out;
}

int sw_eval(const sw_plan *p, const mock_scenario *sc, const rl_policy *pol, sw_acc *acc,
            sw_row *row, cm_err *err)
{
    sw_acc_reset(acc);
    if (p->expect) {
        char skipped[128];
        acc->judged = sw_expect_judged(p->expect, skipped, sizeof skipped);
    }
    for (uint32_t s = 0; s < p->seeds; s++) {
        cm_err why;
        int rc = run_seed(p, sc, pol, p->first_seed + s, acc, &why);
        if (rc == 1)
            return 1;
        if (rc == -1) {
            *err = why;
            return -1;
        }
        if (rc == -2) {
            row->ok = false;
            snprintf(row->error, sizeof row->error, "seed %llu: %.220s",
                     (unsigned long long)(p->first_seed + s), why.msg);
            return 0;
        }
    }
    row->ok = true;
    sw_acc_row(acc, row);
    return 0;
}

/* ---- workers ---- */

typedef struct worker {
    const sw_plan *plan;
    cJSON *policy, *scenario; /* own copies of the plan's trees */
    mock_scenario *sc;        /* the variant's scenario when the scenario varies */
    uint64_t sc_variant;
    bool has_sc;
    sw_acc acc;
} worker;

/* Sets variant i's values of `target` in `root`. 0, or -1 with err. */
static int set_values(const sw_grid *g, const size_t *idx, sw_target target, cJSON *root,
                      cm_err *err)
{
    for (size_t k = 0; k < g->n; k++)
        if (g->axes[k].target == target &&
            sw_path_set(root, &g->axes[k].path, &g->axes[k].values[idx[k]], err) != 0)
            return -1;
    return 0;
}

/* The scenario of variant i (loaded again only when its values change).
 * NULL with err when the scenario loader refuses it. */
static const mock_scenario *scenario_for(worker *w, uint64_t i, const size_t *idx, cm_err *err)
{
    const sw_plan *p = w->plan;
    if (!w->scenario)
        return p->scenario;
    if (w->has_sc && sw_grid_same_scenario(p->g, w->sc_variant, i))
        return w->sc;
    mock_scenario_free(w->sc);
    w->sc = NULL;
    w->has_sc = false;
    if (set_values(p->g, idx, SW_SCENARIO, w->scenario, err) != 0 ||
        sw_scenario_from_tree(w->scenario, p->scenario_path, &w->sc, err) != 0)
        return NULL;
    w->has_sc = true;
    w->sc_variant = i;
    return w->sc;
}

/* Variant i into *row: 0; 1 stopped; -1 runtime failure (err). */
static int variant(worker *w, uint64_t i, sw_row *row, cm_err *err)
{
    const sw_plan *p = w->plan;
    size_t idx[SW_MAX_AXES];
    memset(row, 0, sizeof *row);
    row->variant = i;
    sw_grid_index(p->g, i, idx);
    cm_err why;
    const mock_scenario *sc = scenario_for(w, i, idx, &why);
    cm_json *doc = NULL;
    rl_policy *pol = NULL;
    if (!sc) {
        snprintf(row->error, sizeof row->error, "scenario: %s",
                 sw_unplaced(why.msg, p->scenario_path));
        return 0;
    }
    if (set_values(p->g, idx, SW_POLICY, w->policy, &why) != 0 ||
        sw_policy_from_tree(w->policy, p->policy_path, &doc, &pol, &why) != 0) {
        snprintf(row->error, sizeof row->error, "policy: %s", sw_unplaced(why.msg, p->policy_path));
        return 0;
    }
    int rc = sw_eval(p, sc, pol, &w->acc, row, err);
    rl_policy_free(pol);
    cm_json_free(doc);
    return rc;
}

/* ---- the pool ---- */

#define RING 1024 /* rows that may wait for an earlier, slower one */

typedef struct pool {
    const sw_plan *plan;
    uint64_t next, end, taken; /* next to hand out; rows [first, taken) went to the sink */
    sw_row *ring;
    bool *ready;
    int active;
    bool stopping;
    int failed; /* a worker's runtime failure */
    cm_err err;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
} pool;

static void worker_free(worker *w)
{
    cJSON_Delete(w->policy);
    cJSON_Delete(w->scenario);
    mock_scenario_free(w->sc);
    sw_acc_free(&w->acc);
}

/* Takes the next variant to run, or returns false when there is none. */
static bool take(pool *po, uint64_t *i)
{
    for (;;) {
        if (po->stopping || po->next >= po->end || (po->plan->stop && *po->plan->stop))
            return false;
        if (po->next - po->taken < RING) {
            *i = po->next++;
            return true;
        }
        pthread_cond_wait(&po->work, &po->mu);
    }
}

static void *worker_main(void *arg)
{
    pool *po = arg;
    worker w = {.plan = po->plan};
    w.policy = cJSON_Duplicate(po->plan->policy_root, true);
    w.scenario = po->plan->scenario_root ? cJSON_Duplicate(po->plan->scenario_root, true) : NULL;
    bool ok = w.policy && (!po->plan->scenario_root || w.scenario);
    sw_row row;
    uint64_t i;
    pthread_mutex_lock(&po->mu);
    if (!ok) {
        po->failed = 1;
        cm_err_set(&po->err, "out of memory");
        po->stopping = true;
    }
    while (ok && take(po, &i)) {
        pthread_mutex_unlock(&po->mu);
        cm_err err;
        int rc = variant(&w, i, &row, &err);
        pthread_mutex_lock(&po->mu);
        if (rc != 0) {
            po->stopping = true;
            if (rc < 0 && !po->failed) {
                po->failed = 1;
                po->err = err;
            }
            break;
        }
        po->ring[i % RING] = row;
        po->ready[i % RING] = true;
        pthread_cond_broadcast(&po->done);
    }
    po->active--;
    pthread_cond_broadcast(&po->done);
    pthread_cond_broadcast(&po->work);
    pthread_mutex_unlock(&po->mu);
    worker_free(&w);
    return NULL;
}

static void deadline_in(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_nsec += ms * 1000000L;
    ts->tv_sec += ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

/* The calling thread: hands ready rows to the sink in order until the end
 * or until every worker has stopped. */
static void drain(pool *po, const sw_sink *sink)
{
    uint64_t handed = 0;
    int64_t last_tick = rl_drv_wall_us();
    pthread_mutex_lock(&po->mu);
    while (po->taken < po->end) {
        if (po->ready[po->taken % RING]) {
            sw_row row = po->ring[po->taken % RING];
            po->ready[po->taken % RING] = false;
            po->taken++;
            pthread_cond_broadcast(&po->work);
            pthread_mutex_unlock(&po->mu);
            int rc = sink->row(sink->ctx, &row);
            handed++;
            if (sink->tick && rl_drv_wall_us() - last_tick >= 250000) {
                sink->tick(sink->ctx, handed); /* rows keep coming: still tell, and flush */
                last_tick = rl_drv_wall_us();
            }
            pthread_mutex_lock(&po->mu);
            if (rc != 0) {
                po->stopping = true;
                pthread_cond_broadcast(&po->work);
                break;
            }
            continue;
        }
        if (po->active == 0)
            break;
        struct timespec ts;
        deadline_in(&ts, 250);
        pthread_cond_timedwait(&po->done, &po->mu, &ts);
        if (po->plan->stop && *po->plan->stop) {
            po->stopping = true;
            pthread_cond_broadcast(&po->work);
        }
        pthread_mutex_unlock(&po->mu);
        if (sink->tick) {
            sink->tick(sink->ctx, handed);
            last_tick = rl_drv_wall_us();
        }
        pthread_mutex_lock(&po->mu);
    }
    pthread_mutex_unlock(&po->mu);
}

int sw_pool_run(const sw_plan *p, uint64_t first, uint64_t end, int jobs, const sw_sink *sink,
                cm_err *err)
{
    pool po = {.plan = p, .next = first, .end = end, .taken = first};
    po.ring = calloc(RING, sizeof *po.ring);
    po.ready = calloc(RING, sizeof *po.ready);
    pthread_t *t = calloc((size_t)jobs, sizeof *t);
    if (!po.ring || !po.ready || !t) {
        free(po.ring);
        free(po.ready);
        free(t);
        cm_err_set(err, "out of memory");
        return -1;
    }
    pthread_mutex_init(&po.mu, NULL);
    pthread_cond_init(&po.work, NULL);
    pthread_cond_init(&po.done, NULL);
    int started = 0;
    pthread_mutex_lock(&po.mu);
    for (; started < jobs; started++) {
        po.active++;
        if (pthread_create(&t[started], NULL, worker_main, &po) != 0) {
            po.active--;
            break;
        }
    }
    pthread_mutex_unlock(&po.mu);
    if (started == 0) {
        po.failed = 1;
        cm_err_set(&po.err, "cannot start a worker thread: %s", strerror(errno));
    } else
        drain(&po, sink);
    pthread_mutex_lock(&po.mu);
    po.stopping = true;
    pthread_cond_broadcast(&po.work);
    pthread_mutex_unlock(&po.mu);
    for (int k = 0; k < started; k++)
        pthread_join(t[k], NULL);
    int rc = po.failed ? -1 : po.taken < po.end ? 1 : 0;
    if (po.failed)
        *err = po.err;
    pthread_cond_destroy(&po.work);
    pthread_cond_destroy(&po.done);
    pthread_mutex_destroy(&po.mu);
    free(po.ring);
    free(po.ready);
    free(t);
    return rc;
}
