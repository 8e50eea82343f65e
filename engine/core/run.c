/* run.c: creating a run and writing its summary members. */
#include "engine/core/run.h"

#include <stdlib.h>
#include <string.h>

rl_run *rl_run_new(const rl_policy *p, uint64_t seed)
{
    rl_run *run = calloc(1, sizeof *run);
    if (!run)
        return NULL;
    run->p = p;
    run->seed = seed;
    run->epoch_us = CM_SCENARIO_EPOCH * CM_US_PER_S;
    run->cool_until = calloc(p->ncand, sizeof *run->cool_until);
    run->breakers = calloc(p->ncand, sizeof *run->breakers);
    run->metrics = calloc(p->ncand, sizeof *run->metrics);
    if (!run->cool_until || !run->breakers || !run->metrics) {
        rl_run_free(run);
        return NULL;
    }
    for (size_t i = 0; i < p->ncand; i++) {
        run->cool_until[i] = -CM_US_MAX;
        rl_breaker_init(&run->breakers[i]);
        rl_metrics_init(&run->metrics[i]);
    }
    for (size_t i = 0; i < RL_MAX_PROVIDERS; i++)
        run->tier[i] = -1;
    rl_budget_init(&run->budget, &p->budget);
    return run;
}

void rl_run_free(rl_run *run)
{
    if (!run)
        return;
    free(run->cool_until);
    free(run->breakers);
    free(run->metrics);
    free(run);
}

void rl_run_set_epoch(rl_run *run, int64_t unix_us_at_zero)
{
    run->epoch_us = unix_us_at_zero;
}

static cJSON *candidates_json(const rl_run *run)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < run->p->ncand; i++) {
        const rl_cand *c = &run->p->cands[i];
        cJSON *m = rl_metrics_json(&run->metrics[i], c->provider, c->model);
        if (!m || !cJSON_AddItemToArray(arr, m)) {
            cJSON_Delete(m);
            cJSON_Delete(arr);
            return NULL;
        }
        const char *tier = run->tier[c->provider_idx] >= 0
                               ? run->p->tiers.t[run->tier[c->provider_idx]].name
                               : NULL;
        if (tier && !cJSON_AddStringToObject(m, "tier", tier)) {
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

static cJSON *breakers_json(const rl_run *run, cm_us now)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < run->p->ncand; i++) {
        const rl_cand *c = &run->p->cands[i];
        cJSON *b = rl_breaker_json(&run->breakers[i], &run->p->breaker, now);
        if (b && !cJSON_AddItemToArray(arr, b)) {
            cJSON_Delete(b);
            b = NULL;
        }
        if (!b || !cJSON_AddStringToObject(b, "provider", c->provider) ||
            !cJSON_AddStringToObject(b, "model", c->model)) {
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

static int add(cJSON *o, const char *name, cJSON *item)
{
    if (!item)
        return -1;
    if (!cJSON_AddItemToObject(o, name, item)) {
        cJSON_Delete(item);
        return -1;
    }
    return 0;
}

cJSON *rl_run_summary_json(const rl_run *run, cm_us now)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (add(o, "candidates", candidates_json(run)) ||
        add(o, "cooldowns", rl_cooldown_snapshot(run->p, run->cool_until, now)) ||
        add(o, "breakers", breakers_json(run, now)) ||
        add(o, "budget", rl_budget_json(&run->budget, now))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
