/* meta.c: DIR/sweep.json, what a sweep folder holds: the scenario
 * and policy, the grid, the slice, the Pareto front, the best variant, the
 * points drawn beside the grid (the policy as it is, the peers' presets). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sweep/sweep.h"

static cJSON *num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void add_figures(cJSON *o, const sw_row *r)
{
    if (!r->ok) {
        cJSON_AddStringToObject(o, "error", r->error);
        return;
    }
    cJSON_AddNumberToObject(o, "seeds", r->seeds);
    cJSON_AddNumberToObject(o, "tasks", (double)r->tasks);
    for (int m = 0; m < SW_M_COUNT; m++)
        cJSON_AddItemToObject(o, sw_metric_name((sw_metric)m), num_or_null(r->m[m]));
    if (r->expect < 0)
        cJSON_AddNullToObject(o, "expect");
    else
        cJSON_AddStringToObject(o, "expect", r->expect ? "holds" : "fails");
}

cJSON *sw_point_json(const char *label, const char *policy, const char *policy_name,
                     const sw_row *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "label", label);
    cJSON_AddStringToObject(o, "policy", policy);
    cJSON_AddStringToObject(o, "policy_name", policy_name);
    add_figures(o, r);
    return o;
}

static cJSON *value_json(const sw_value *v)
{
    return sw_value_json(v);
}

static cJSON *axes_json(const sw_grid *g)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < g->n; i++) {
        const sw_axis *a = &g->axes[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "column", a->column);
        cJSON_AddStringToObject(o, "path", a->path_text);
        cJSON_AddStringToObject(o, "target", a->target == SW_SCENARIO ? "scenario" : "policy");
        cJSON_AddStringToObject(o, "spec", a->spec);
        cJSON_AddNumberToObject(o, "count", (double)a->n);
        if (a->current >= 0)
            cJSON_AddItemToObject(o, "current", value_json(&a->values[a->current]));
        else
            cJSON_AddNullToObject(o, "current");
        if (a->n <= 1000) {
            cJSON *vals = cJSON_AddArrayToObject(o, "values");
            for (size_t k = 0; vals && k < a->n; k++)
                cJSON_AddItemToArray(vals, value_json(&a->values[k]));
        }
    }
    return arr;
}

static cJSON *values_of(const sw_grid *g, uint64_t variant)
{
    size_t idx[SW_MAX_AXES];
    sw_grid_index(g, variant, idx);
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o && i < g->n; i++)
        cJSON_AddItemToObject(o, g->axes[i].column, value_json(&g->axes[i].values[idx[i]]));
    return o;
}

static cJSON *front_json(const sw_meta *m)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && m->front && i < m->front->n; i++) {
        const sw_front_item *it = &m->front->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddNumberToObject(o, "variant", (double)it->variant);
        cJSON_AddItemToObject(o, "values", values_of(m->g, it->variant));
        cJSON_AddItemToObject(o, "success_rate", num_or_null(it->rate));
        cJSON_AddItemToObject(o, "calls_per_success", num_or_null(it->calls));
        cJSON_AddItemToObject(o, "p95_duration_s", num_or_null(it->p95));
    }
    return arr;
}

static cJSON *best_json(const sw_meta *m)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "objective", m->objective);
    if (!m->best) {
        cJSON_AddNullToObject(o, "variant");
        cJSON_AddStringToObject(o, "note", m->best_note ? m->best_note : "");
        return o;
    }
    cJSON_AddNumberToObject(o, "variant", (double)m->best->variant);
    cJSON_AddItemToObject(o, "values", values_of(m->g, m->best->variant));
    add_figures(o, m->best);
    if (m->best_file)
        cJSON_AddStringToObject(o, "policy_file", m->best_file);
    return o;
}

static void add_expect(cJSON *root, const sw_meta *m)
{
    cJSON *e = cJSON_AddObjectToObject(root, "expect");
    if (!e)
        return;
    cJSON_AddStringToObject(e, "source", m->expect_source ? m->expect_source : "none");
    cJSON *j = cJSON_AddArrayToObject(e, "judged");
    for (int k = 0; j && k < SW_E_COUNT; k++)
        if ((m->judged >> k) & 1)
            cJSON_AddItemToArray(j, cJSON_CreateString(sw_expect_name((sw_expect_kind)k)));
    cJSON *s = cJSON_AddArrayToObject(e, "skipped_need_trace");
    char buf[128];
    snprintf(buf, sizeof buf, "%s", m->skipped ? m->skipped : "");
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); s && t; t = strtok_r(NULL, ",", &save))
        cJSON_AddItemToArray(s, cJSON_CreateString(t));
}

static void add_run(cJSON *root, const sw_meta *m)
{
    cJSON_AddStringToObject(root, "scenario", m->scenario);
    cJSON_AddStringToObject(root, "scenario_name", m->scenario_name);
    cJSON_AddStringToObject(root, "scenario_digest", m->scenario_digest);
    cJSON_AddStringToObject(root, "policy", m->policy);
    cJSON_AddStringToObject(root, "policy_name", m->policy_name);
    cJSON_AddStringToObject(root, "policy_digest", m->policy_digest);
    cJSON_AddNumberToObject(root, "seeds", m->seeds);
    cJSON_AddNumberToObject(root, "first_seed", (double)m->first_seed);
    cJSON_AddItemToObject(root, "axes", axes_json(m->g));
    cJSON_AddNumberToObject(root, "variants", (double)m->g->total);
    cJSON *sh = cJSON_AddObjectToObject(root, "shard");
    cJSON_AddNumberToObject(sh, "index", (double)m->shard);
    cJSON_AddNumberToObject(sh, "count", (double)m->shards);
    cJSON_AddNumberToObject(sh, "first", (double)m->first);
    cJSON_AddNumberToObject(sh, "end", (double)m->end);
}

int sw_meta_write(const char *dir, const sw_meta *m, cm_err *err)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    cJSON_AddStringToObject(root, "kind", "sweep");
    cJSON_AddStringToObject(root, "state", m->state);
    cJSON_AddBoolToObject(root, "partial", m->partial);
    add_run(root, m);
    cJSON_AddNumberToObject(root, "rows", (double)m->rows);
    cJSON_AddNumberToObject(root, "errors", (double)m->errors);
    cJSON *files = cJSON_AddObjectToObject(root, "files");
    cJSON_AddStringToObject(files, "csv", "sweep.csv");
    cJSON_AddStringToObject(files, "rows", "rows.jsonl");
    if (m->has_current)
        cJSON_AddNumberToObject(root, "current_variant", (double)m->current);
    else
        cJSON_AddNullToObject(root, "current_variant");
    cJSON_AddItemToObject(root, "front", front_json(m));
    if (m->objective)
        cJSON_AddItemToObject(root, "best", best_json(m));
    cJSON_AddItemToObject(root, "points",
                          m->points ? cJSON_Duplicate(m->points, true) : cJSON_CreateArray());
    add_expect(root, m);
    cJSON_AddNumberToObject(root, "wall_s", m->wall_s);
    cJSON_AddNumberToObject(root, "runs_per_s", m->runs_per_s);
    cJSON_AddNumberToObject(root, "max_rss_kib", (double)m->max_rss_kib);
    cJSON_AddStringToObject(root, "policy_text", m->policy_text ? m->policy_text : "");
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    size_t n = strlen(text);
    text[n] = '\0';
    int rc = sw_write_file(path, text, n, err);
    free(text);
    return rc;
}
