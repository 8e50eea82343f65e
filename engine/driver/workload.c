/* workload.c: task start times, the task -> client mapping, key resolution. */
#include "engine/driver/workload.h"

#include <stdio.h>
#include <stdlib.h>

static int fail(cm_err *err, const char *msg)
{
    snprintf(err->msg, sizeof err->msg, "workload: %s", msg);
    return -1;
}

static void fill_uniform(cm_us *start, size_t n, cm_us over)
{
    /* i * over / n without overflow: over <= CM_US_MAX (~3.2e15) and
       n <= 1e7 could overflow int64, so go through long double. */
    for (size_t i = 0; i < n; i++)
        start[i] = (cm_us)((long double)over * (long double)i / (long double)n);
}

static void fill_poisson(cm_us *start, size_t n, double rate, cm_rng *rng)
{
    double mean = 1.0 / rate;
    cm_us t = 0;
    for (size_t i = 0; i < n; i++) {
        t = cm_us_add(t, cm_us_from_s(cm_rng_exponential(rng, mean)));
        start[i] = t;
    }
}

int rl_workload_schedule(const mock_workload *w, cm_rng *rng, rl_schedule *out, cm_err *err)
{
    out->n = 0;
    out->start = NULL;
    if (w->clients <= 0 || w->tasks_per_client <= 0)
        return fail(err, "no tasks (clients and tasks_per_client must be positive)");
    if (w->clients > RL_WORKLOAD_MAX_TASKS || w->tasks_per_client > RL_WORKLOAD_MAX_TASKS ||
        w->clients * w->tasks_per_client > RL_WORKLOAD_MAX_TASKS)
        return fail(err, "too many tasks (clients x tasks_per_client > 10000000)");
    if (w->arrival == MOCK_ARRIVAL_UNIFORM && (w->over < 0 || w->over > CM_US_MAX))
        return fail(err, "uniform arrival needs over_s >= 0");
    if (w->arrival == MOCK_ARRIVAL_POISSON && !(w->rate_per_s > 0 && w->rate_per_s < 1e12))
        return fail(err, "poisson arrival needs rate_per_s > 0");
    size_t n = (size_t)(w->clients * w->tasks_per_client);
    out->start = calloc(n, sizeof *out->start);
    if (!out->start)
        return fail(err, "out of memory");
    out->n = n;
    if (w->arrival == MOCK_ARRIVAL_UNIFORM)
        fill_uniform(out->start, n, w->over);
    else if (w->arrival == MOCK_ARRIVAL_POISSON)
        fill_poisson(out->start, n, w->rate_per_s, rng);
    for (size_t i = 0; w->start > 0 && i < n; i++)
        out->start[i] = cm_us_add(out->start[i], w->start);
    return 0;
}

int rl_workload_schedule_run(const mock_workload *w, uint64_t seed, rl_schedule *out, cm_err *err)
{
    cm_rng root, rng;
    cm_rng_seed(&root, seed);
    cm_rng_fork(&root, RL_WORKLOAD_RNG_STREAM, &rng);
    return rl_workload_schedule(w, &rng, out, err);
}

void rl_schedule_free(rl_schedule *s)
{
    free(s->start);
    s->start = NULL;
    s->n = 0;
}

uint32_t rl_workload_client(const mock_workload *w, uint32_t task)
{
    return w->clients > 0 ? (uint32_t)(task % (uint64_t)w->clients) : 0;
}

uint32_t rl_workload_client_task(const mock_workload *w, uint32_t task)
{
    return w->clients > 0 ? (uint32_t)(task / (uint64_t)w->clients) : task;
}

const char *rl_key_resolve(const mock_scenario *sc, const char *provider, const char *key_name)
{
    if (!key_name || !*key_name || !sc || !provider)
        return NULL;
    int p = mock_scenario_provider_find(sc, provider);
    if (p < 0)
        return NULL;
    return mock_scenario_key_value(sc, (size_t)p, key_name);
}
