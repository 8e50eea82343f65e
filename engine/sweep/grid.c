/* grid.c: the grid of a sweep: one axis per --vary, its values from
 * a list or a range, and the variants numbered in mixed radix. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sweep/sweep.h"

static const char *flag_of(sw_target t)
{
    return t == SW_SCENARIO ? "--vary-scenario" : "--vary";
}

/* V1,V2,...: 0, or -1 with err. */
static int parse_list(sw_axis *a, const char *s, cm_err *err)
{
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    if (!(a->values = calloc(n, sizeof *a->values))) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    for (const char *p = s;; p++) {
        size_t len = strcspn(p, ",");
        if (sw_value_parse(p, len, &a->values[a->n]) != 0) {
            cm_err_set(err, "%s '%s': value %zu is %s", flag_of(a->target), a->spec, a->n + 1,
                       len == 0 ? "empty" : "not a number, true/false or a plain word");
            return -1;
        }
        a->n++;
        p += len;
        if (*p == '\0')
            return 0;
    }
}

static bool parse_num(const char *s, size_t len, double *out)
{
    sw_value v;
    if (sw_value_parse(s, len, &v) != 0 || v.type != SW_NUM)
        return false;
    *out = v.num;
    return true;
}

/* How many values LO..HI:STEP (or :*F) holds; 0 when none. */
static double range_count(double lo, double hi, double step, bool geometric)
{
    if (hi < lo)
        return 0;
    if (!geometric)
        return step > 0 ? floor((hi - lo) / step * (1 + 1e-12) + 1e-9) + 1 : 0;
    if (step <= 1 || lo <= 0)
        return 0;
    return floor(log(hi / lo) / log(step) * (1 + 1e-12) + 1e-9) + 1;
}

/* LO..HI:STEP or LO..HI:*F: 0, 1 when s is no range, or -1 with err. */
static int parse_range(sw_axis *a, const char *s, cm_err *err)
{
    const char *dots = strstr(s, ".."), *colon = dots ? strchr(dots, ':') : NULL;
    if (!dots || !colon)
        return 1;
    bool geometric = colon[1] == '*';
    const char *st = colon + 1 + geometric;
    double lo, hi, step;
    if (!parse_num(s, (size_t)(dots - s), &lo) ||
        !parse_num(dots + 2, (size_t)(colon - dots - 2), &hi) ||
        !parse_num(st, strlen(st), &step)) {
        cm_err_set(err, "%s '%s': a range is LO..HI:STEP or LO..HI:*FACTOR, all numbers",
                   flag_of(a->target), a->spec);
        return -1;
    }
    double n = range_count(lo, hi, step, geometric);
    if (n < 1) {
        cm_err_set(err, "%s '%s': the range holds no values (%s)", flag_of(a->target), a->spec,
                   hi < lo     ? "HI is below LO"
                   : geometric ? "the factor must be above 1 and LO above 0"
                               : "the step must be above 0");
        return -1;
    }
    if (n > (double)SW_MAX_VARIANTS) {
        cm_err_set(err, "%s '%s': the range holds %.0f values, over the grid's limit of %llu",
                   flag_of(a->target), a->spec, n, SW_MAX_VARIANTS);
        return -1;
    }
    if (!(a->values = calloc((size_t)n, sizeof *a->values))) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < (size_t)n; i++) {
        double v = geometric ? lo * pow(step, (double)i) : lo + step * (double)i;
        char text[32];
        snprintf(text, sizeof text, "%.12g", v); /* 0.1 + 2 x 0.1 is 0.3, not 0.30000000000000004 */
        sw_value_parse(text, strlen(text), &a->values[a->n++]);
    }
    return 0;
}

int sw_grid_add(sw_grid *g, const char *spec, sw_target target, cm_err *err)
{
    if (g->n == SW_MAX_AXES) {
        cm_err_set(err, "%s '%s': at most %d varied fields", flag_of(target), spec, SW_MAX_AXES);
        return -1;
    }
    sw_axis *a = &g->axes[g->n];
    memset(a, 0, sizeof *a);
    a->spec = spec;
    a->target = target;
    a->current = -1;
    const char *eq = strchr(spec, '=');
    size_t plen = eq ? (size_t)(eq - spec) : 0;
    if (!eq || plen == 0 || plen >= sizeof a->path_text || eq[1] == '\0') {
        cm_err_set(err, "%s '%s': write PATH=V1,V2,... or PATH=LO..HI:STEP", flag_of(target), spec);
        return -1;
    }
    memcpy(a->path_text, spec, plen);
    cm_err perr;
    if (sw_path_parse(a->path_text, &a->path, &perr) != 0) {
        cm_err_set(err, "%s '%s': %s", flag_of(target), spec, perr.msg);
        return -1;
    }
    snprintf(a->column, sizeof a->column, "%s%.*s", target == SW_SCENARIO ? "scenario:" : "",
             (int)plen, spec);
    int rc = parse_range(a, eq + 1, err);
    if (rc == 1)
        rc = parse_list(a, eq + 1, err);
    if (rc != 0) {
        free(a->values);
        a->values = NULL;
        return -1;
    }
    g->n++;
    return 0;
}

static int order_axes(sw_grid *g)
{
    sw_axis sorted[SW_MAX_AXES];
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < g->n; i++)
            if ((g->axes[i].target == SW_SCENARIO) == (pass == 0))
                sorted[k++] = g->axes[i];
    memcpy(g->axes, sorted, g->n * sizeof *sorted);
    return 0;
}

int sw_grid_finish(sw_grid *g, cm_err *err)
{
    order_axes(g);
    for (size_t i = 0; i < g->n; i++)
        for (size_t j = 0; j < i; j++)
            if (g->axes[i].target == g->axes[j].target &&
                strcmp(g->axes[i].path_text, g->axes[j].path_text) == 0) {
                cm_err_set(err, "%s '%s': %s is varied twice (also '%s')",
                           flag_of(g->axes[i].target), g->axes[i].spec, g->axes[i].path_text,
                           g->axes[j].spec);
                return -1;
            }
    double total = 1;
    for (size_t i = 0; i < g->n; i++)
        total *= (double)g->axes[i].n;
    if (total > (double)SW_MAX_VARIANTS) {
        char list[400] = "";
        size_t at = 0;
        for (size_t i = 0; i < g->n && at < sizeof list; i++) {
            int w = snprintf(list + at, sizeof list - at, "%s'%s' (%zu)", i ? " x " : "",
                             g->axes[i].spec, g->axes[i].n);
            at += w > 0 ? (size_t)w : 0;
        }
        cm_err_set(err, "the grid holds %.0f variants, over the limit of %llu: %s", total,
                   SW_MAX_VARIANTS, list);
        return -1;
    }
    g->total = (uint64_t)total;
    return 0;
}

void sw_grid_free(sw_grid *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->axes[i].values);
    memset(g, 0, sizeof *g);
}

void sw_grid_index(const sw_grid *g, uint64_t i, size_t *idx)
{
    for (size_t k = g->n; k-- > 0;) {
        idx[k] = (size_t)(i % g->axes[k].n);
        i /= g->axes[k].n;
    }
}

bool sw_grid_same_scenario(const sw_grid *g, uint64_t i, uint64_t j)
{
    uint64_t policy_span = 1;
    for (size_t k = 0; k < g->n; k++)
        if (g->axes[k].target == SW_POLICY)
            policy_span *= g->axes[k].n;
    return i / policy_span == j / policy_span;
}

void sw_shard_range(uint64_t total, uint64_t k, uint64_t n, uint64_t *first, uint64_t *end)
{
    /* k * total / n without overflow: total <= 10^7 and n <= 10^6 */
    *first = total * k / n;
    *end = total * (k + 1) / n;
}

static bool same_value(const cJSON *node, const sw_value *v)
{
    switch (v->type) {
    case SW_NUM:
        return cJSON_IsNumber(node) && node->valuedouble == v->num;
    case SW_BOOL:
        return cJSON_IsBool(node) && cJSON_IsTrue(node) == v->b;
    case SW_STR:
        return cJSON_IsString(node) && strcmp(node->valuestring, v->text) == 0;
    }
    return false;
}

void sw_axis_locate(sw_axis *a, const cm_json *doc)
{
    const cJSON *node = sw_path_find((cJSON *)cm_json_root(doc), &a->path);
    a->existed = false;
    a->current = -1;
    a->line = a->col = 0;
    if (!node)
        return;
    a->existed = !cJSON_IsObject(node) && !cJSON_IsArray(node);
    cm_json_pos(doc, node, &a->line, &a->col);
    for (size_t k = 0; k < a->n && a->current < 0; k++)
        if (same_value(node, &a->values[k]))
            a->current = (long)k;
}
