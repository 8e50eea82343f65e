/* stats.c: the figures of a variant from its runs: means, the 95%
 * confidence interval of the success rate, percentiles; the summary-level
 * expectations; the Pareto front; the objective. */
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sweep/sweep.h"

static const char *const metric_names[] = {
#define X(name, text) text,
    SW_METRICS(X)
#undef X
};

const char *sw_metric_name(sw_metric m)
{
    return (unsigned)m < SW_M_COUNT ? metric_names[m] : "";
}

int sw_metric_find(const char *name)
{
    for (int i = 0; i < SW_M_COUNT; i++)
        if (strcmp(metric_names[i], name) == 0)
            return i;
    return -1;
}

static const char *const expect_names[] = {
#define X(name, text) text,
    SW_EXPECTS(X)
#undef X
};

const char *sw_expect_name(sw_expect_kind k)
{
    return (unsigned)k < SW_E_COUNT ? expect_names[k] : "";
}

/* ---- percentiles and the confidence interval ---- */

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* Moves the k-th smallest of v[n] to v[k] (Hoare's selection, as in Wirth's
 * "Algorithms + Data Structures"). */
static void select_kth(double *v, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j)
                swap(&v[i++], &v[j--]);
        }
        if (kk <= j)
            hi = j;
        else if (kk >= i)
            lo = i;
        else
            return;
    }
}

double sw_quantile(double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double rank = ceil(q * (double)n); /* nearest rank: the smallest value with >= q below */
    size_t k = rank < 1 ? 0 : (size_t)rank - 1;
    if (k >= n)
        k = n - 1;
    select_kth(v, n, k);
    return v[k];
}

double sw_t95(uint64_t df)
{
    /* Student t, two-sided 95% (0.975 quantile), df 1..30; then the
     * Cornish-Fisher expansion around 1.959964. */
    static const double t[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                               2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                               2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                               2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    if (df == 0)
        return INFINITY;
    if (df <= 30)
        return t[df - 1];
    double z = 1.959964, d = (double)df;
    return z + (z * z * z + z) / (4 * d) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
}

/* Wilson's score interval for k successes of n (one seed: the tasks are the sample). */
static void wilson(double k, double n, double *lo, double *hi)
{
    double z = 1.959964, p = k / n, z2 = z * z;
    double mid = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
    *lo = mid - half < 0 ? 0 : mid - half;
    *hi = mid + half > 1 ? 1 : mid + half;
}

/* ---- expectations a run without a trace can be judged by ---- */

unsigned sw_expect_judged(const cm_expect *e, char *skipped, size_t size)
{
    unsigned k = 0;
    k |= (unsigned)(e->has_rate_min || e->has_rate_max) << SW_E_SUCCESS_RATE;
    k |= (unsigned)e->has_max_attempts << SW_E_MAX_ATTEMPTS;
    k |= (unsigned)e->has_max_total_wait << SW_E_MAX_TOTAL_WAIT;
    k |= (unsigned)e->has_max_task_duration << SW_E_MAX_DURATION;
    k |= (unsigned)e->has_max_calls_per_success << SW_E_MAX_CALLS;
    k |= (unsigned)(e->n_used > 0) << SW_E_USED;
    k |= (unsigned)(e->n_not_used > 0) << SW_E_NOT_USED;
    k |= (unsigned)(e->n_counts > 0) << SW_E_REQUESTS;
    snprintf(skipped, size, "%s%s%s%s%s", e->n_ladders ? "ladder" : "",
             e->n_ladders && (e->n_messages || e->n_rotations) ? "," : "",
             e->n_messages ? "final_message" : "", e->n_messages && e->n_rotations ? "," : "",
             e->n_rotations ? "rotation_order" : "");
    return k;
}

/* Requests that candidate "provider/model" received in the run; -1 if not listed. */
static double requests_of(const cJSON *cands, const char *name)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cands)
    {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(c, "provider");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(c, "model");
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(c, "requests");
        size_t pl = cJSON_IsString(p) ? strlen(p->valuestring) : 0;
        if (pl && cJSON_IsString(m) && cJSON_IsNumber(r) &&
            strncmp(name, p->valuestring, pl) == 0 && name[pl] == '/' &&
            strcmp(name + pl + 1, m->valuestring) == 0)
            return r->valuedouble;
    }
    return -1;
}

static bool candidates_fail(const cm_expect *e, const cJSON *cands, sw_expect_kind k)
{
    switch (k) {
    case SW_E_USED:
        for (size_t i = 0; i < e->n_used; i++)
            if (requests_of(cands, e->used[i]) < 1)
                return true;
        return false;
    case SW_E_NOT_USED:
        for (size_t i = 0; i < e->n_not_used; i++)
            if (requests_of(cands, e->not_used[i]) > 0)
                return true;
        return false;
    default:
        for (size_t i = 0; i < e->n_counts; i++) {
            const cm_expect_count *c = &e->counts[i];
            double n = requests_of(cands, c->candidate);
            n = n < 0 ? 0 : n;
            if ((c->has_min && n < (double)c->min) || (c->has_max && n > (double)c->max))
                return true;
        }
        return false;
    }
}

unsigned sw_expect_run(const cm_expect *e, const sw_run *r)
{
    unsigned f = 0;
    double rate = r->tasks ? (double)r->successes / (double)r->tasks : 0;
    const double slack = 1e-9;
    if ((e->has_rate_min && rate < e->rate_min - slack) ||
        (e->has_rate_max && rate > e->rate_max + slack))
        f |= 1u << SW_E_SUCCESS_RATE;
    if (e->has_max_attempts && (int64_t)r->max_attempts > e->max_attempts)
        f |= 1u << SW_E_MAX_ATTEMPTS;
    if (e->has_max_total_wait && r->max_wait_s > e->max_total_wait_s + 1e-6)
        f |= 1u << SW_E_MAX_TOTAL_WAIT;
    if (e->has_max_task_duration && r->max_duration_s > e->max_task_duration_s + 1e-6)
        f |= 1u << SW_E_MAX_DURATION;
    if (e->has_max_calls_per_success &&
        (r->successes == 0 ||
         (double)r->attempts / (double)r->successes > e->max_calls_per_success + slack))
        f |= 1u << SW_E_MAX_CALLS;
    for (sw_expect_kind k = SW_E_USED; k <= SW_E_REQUESTS; k++)
        if (((k == SW_E_USED && e->n_used) || (k == SW_E_NOT_USED && e->n_not_used) ||
             (k == SW_E_REQUESTS && e->n_counts)) &&
            candidates_fail(e, r->candidates, k))
            f |= 1u << k;
    return f;
}

/* ---- the accumulator of one variant ---- */

void sw_acc_reset(sw_acc *a)
{
    a->n_rates = a->n_tasks = 0;
    a->tasks = a->successes = a->attempts = a->rate_limited = 0;
    a->wait_s = a->minutes = 0;
    memset(a->expect_fail, 0, sizeof a->expect_fail);
    a->judged = 0;
}

void sw_acc_free(sw_acc *a)
{
    free(a->rates);
    free(a->durations);
    free(a->waits);
    memset(a, 0, sizeof *a);
}

static int grow(double **v, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 1024;
    while (c < need)
        c *= 2;
    double *n = realloc(*v, c * sizeof *n);
    if (!n)
        return -1;
    *v = n;
    *cap = c;
    return 0;
}

int sw_acc_task(sw_acc *a, double duration_s, double wait_s)
{
    size_t cap = a->cap_tasks;
    if (grow(&a->durations, &cap, a->n_tasks + 1) != 0)
        return -1;
    size_t cap2 = a->cap_tasks;
    if (grow(&a->waits, &cap2, a->n_tasks + 1) != 0)
        return -1;
    a->cap_tasks = cap < cap2 ? cap : cap2;
    a->durations[a->n_tasks] = duration_s;
    a->waits[a->n_tasks++] = wait_s;
    return 0;
}

int sw_acc_run(sw_acc *a, const sw_run *r, const cm_expect *e)
{
    if (grow(&a->rates, &a->cap_rates, a->n_rates + 1) != 0)
        return -1;
    a->rates[a->n_rates++] = r->tasks ? (double)r->successes / (double)r->tasks : 0;
    a->tasks += r->tasks;
    a->successes += r->successes;
    a->attempts += r->attempts;
    a->rate_limited += r->rate_limited;
    a->wait_s += r->wait_s;
    a->minutes += r->scenario_s / 60;
    if (e) {
        unsigned f = sw_expect_run(e, r);
        for (int k = 0; k < SW_E_COUNT; k++)
            a->expect_fail[k] += (f >> k) & 1;
    }
    return 0;
}

static void rate_interval(const sw_acc *a, double mean, double *lo, double *hi)
{
    size_t n = a->n_rates;
    if (n == 1) {
        wilson((double)a->successes, (double)(a->tasks ? a->tasks : 1), lo, hi);
        return;
    }
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (a->rates[i] - mean) * (a->rates[i] - mean);
    double half = sw_t95(n - 1) * sqrt(ss / (double)(n - 1)) / sqrt((double)n);
    *lo = mean - half < 0 ? 0 : mean - half;
    *hi = mean + half > 1 ? 1 : mean + half;
}

void sw_acc_row(sw_acc *a, sw_row *row)
{
    double runs = a->n_rates ? (double)a->n_rates : 1, mean = 0;
    for (size_t i = 0; i < a->n_rates; i++)
        mean += a->rates[i];
    mean /= runs;
    row->seeds = (uint32_t)a->n_rates;
    row->tasks = a->n_rates ? a->tasks / a->n_rates : 0;
    row->m[SW_M_SUCCESS_RATE] = mean;
    rate_interval(a, mean, &row->m[SW_M_SUCCESS_CI_LOW], &row->m[SW_M_SUCCESS_CI_HIGH]);
    row->m[SW_M_CALLS_PER_SUCCESS] =
        a->successes ? (double)a->attempts / (double)a->successes : INFINITY;
    row->m[SW_M_ATTEMPTS_PER_RUN] = (double)a->attempts / runs;
    row->m[SW_M_WAIT_PER_RUN] = a->wait_s / runs;
    row->m[SW_M_P95_WAIT] = sw_quantile(a->waits, a->n_tasks, 0.95);
    row->m[SW_M_P50_DURATION] = sw_quantile(a->durations, a->n_tasks, 0.50);
    row->m[SW_M_P95_DURATION] = sw_quantile(a->durations, a->n_tasks, 0.95);
    row->m[SW_M_P99_DURATION] = sw_quantile(a->durations, a->n_tasks, 0.99);
    row->m[SW_M_RATE_LIMITED_PER_MIN] = a->minutes > 0 ? (double)a->rate_limited / a->minutes : 0;
    row->m[SW_M_RATE_LIMITED_SHARE] =
        a->attempts ? (double)a->rate_limited / (double)a->attempts : 0;
    for (int m = 0; m < SW_M_COUNT; m++) /* the figures as the files hold them (%.6g), so a
                                            merge of slices judges the same numbers */
        if (isfinite(row->m[m])) {
            char t[32];
            snprintf(t, sizeof t, "%.6g", row->m[m]);
            row->m[m] = strtod(t, NULL);
        }
    row->expect = a->judged ? 1 : -1;
    for (int k = 0; k < SW_E_COUNT; k++) {
        row->expect_fail[k] = a->expect_fail[k];
        if (((a->judged >> k) & 1) && a->expect_fail[k])
            row->expect = 0;
    }
}

/* ---- the Pareto front ---- */

/* a is at least as good as b everywhere and better somewhere. */
static bool dominates(const sw_front_item *a, const sw_front_item *b)
{
    bool ge = a->rate >= b->rate && a->calls <= b->calls && a->p95 <= b->p95;
    bool gt = a->rate > b->rate || a->calls < b->calls || a->p95 < b->p95;
    return ge && gt;
}

int sw_front_offer(sw_front *f, const sw_front_item *it)
{
    for (size_t i = 0; i < f->n; i++)
        if (dominates(&f->items[i], it))
            return 0;
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++)
        if (!dominates(it, &f->items[i]))
            f->items[k++] = f->items[i];
    f->n = k;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        sw_front_item *n = realloc(f->items, cap * sizeof *n);
        if (!n)
            return -1;
        f->items = n;
        f->cap = cap;
    }
    f->items[f->n++] = *it;
    return 0;
}

void sw_front_free(sw_front *f)
{
    free(f->items);
    memset(f, 0, sizeof *f);
}

/* ---- the objective ---- */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* "max NAME" / "min NAME": 1 parsed, 0 not this form, -1 bad. */
static int parse_goal(char *c, sw_objective *o, cm_err *err)
{
    bool max = strncmp(c, "max", 3) == 0, min = strncmp(c, "min", 3) == 0;
    if ((!max && !min) || !isspace((unsigned char)c[3]))
        return 0;
    char *name = trim(c + 3);
    int m = sw_metric_find(name);
    if (m < 0) {
        cm_err_set(err,
                   "--objective '%s': '%s' is no column to %s (success_rate, "
                   "calls_per_success, p95_duration_s, ...)",
                   o->text, name, max ? "maximise" : "minimise");
        return -1;
    }
    if (o->goal >= 0) {
        cm_err_set(err, "--objective '%s': one max or min clause only", o->text);
        return -1;
    }
    o->goal = m;
    o->maximise = max;
    return 1;
}

static int parse_constraint(char *c, sw_objective *o, cm_err *err)
{
    static const char *const ops[] = {"<=", ">=", "==", "<", ">"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char *at = strstr(c, ops[i]);
        if (!at)
            continue;
        char *rest = at + strlen(ops[i]), *end = NULL;
        *at = '\0';
        char *name = trim(c);
        int m = sw_metric_find(name);
        double v = strtod(trim(rest), &end);
        if (m < 0 || !end || *trim(end) != '\0' || end == trim(rest) || !isfinite(v)) {
            cm_err_set(err,
                       "--objective '%s': '%s%s%s' is not COLUMN%sNUMBER with a column "
                       "of the table",
                       o->text, name, ops[i], rest, ops[i]);
            return -1;
        }
        if (o->n == sizeof o->c / sizeof o->c[0]) {
            cm_err_set(err, "--objective '%s': at most 16 constraints", o->text);
            return -1;
        }
        sw_clause *cl = &o->c[o->n++];
        cl->metric = m;
        snprintf(cl->op, sizeof cl->op, "%s", ops[i]);
        cl->value = v;
        return 0;
    }
    cm_err_set(err,
               "--objective '%s': '%s' is neither 'max COLUMN', 'min COLUMN', "
               "'COLUMN<=NUMBER' (or >=, <, >, ==) nor 'expect'",
               o->text, c);
    return -1;
}

int sw_objective_parse(const char *text, sw_objective *o, cm_err *err)
{
    memset(o, 0, sizeof *o);
    o->text = text;
    o->goal = -1;
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", text) >= (int)sizeof buf) {
        cm_err_set(err, "--objective: longer than %zu characters", sizeof buf - 1);
        return -1;
    }
    for (char *save = NULL, *c = strtok_r(buf, ";", &save); c; c = strtok_r(NULL, ";", &save)) {
        c = trim(c);
        if (*c == '\0')
            continue;
        if (strcmp(c, "expect") == 0) {
            o->need_expect = true;
            continue;
        }
        int g = parse_goal(c, o, err);
        if (g < 0 || (g == 0 && parse_constraint(c, o, err) != 0))
            return -1;
    }
    if (o->goal < 0) {
        cm_err_set(err, "--objective '%s': say what to optimise: 'max COLUMN' or 'min COLUMN'",
                   text);
        return -1;
    }
    return 0;
}

static bool holds(const sw_clause *c, double v)
{
    if (isnan(v))
        return false;
    switch (c->op[0]) {
    case '<':
        return c->op[1] == '=' ? v <= c->value : v < c->value;
    case '>':
        return c->op[1] == '=' ? v >= c->value : v > c->value;
    default:
        return v == c->value;
    }
}

bool sw_objective_feasible(const sw_objective *o, const sw_row *r)
{
    if (!r->ok || (o->need_expect && r->expect == 0))
        return false;
    for (size_t i = 0; i < o->n; i++)
        if (!holds(&o->c[i], r->m[o->c[i].metric]))
            return false;
    return !isnan(r->m[o->goal]);
}

bool sw_objective_better(const sw_objective *o, const sw_row *a, const sw_row *b)
{
    double x = a->m[o->goal], y = b->m[o->goal];
    if (x != y)
        return o->maximise ? x > y : x < y;
    const double *p = a->m, *q = b->m;
    if (p[SW_M_SUCCESS_RATE] != q[SW_M_SUCCESS_RATE])
        return p[SW_M_SUCCESS_RATE] > q[SW_M_SUCCESS_RATE];
    if (p[SW_M_CALLS_PER_SUCCESS] != q[SW_M_CALLS_PER_SUCCESS])
        return p[SW_M_CALLS_PER_SUCCESS] < q[SW_M_CALLS_PER_SUCCESS];
    if (p[SW_M_P95_DURATION] != q[SW_M_P95_DURATION])
        return p[SW_M_P95_DURATION] < q[SW_M_P95_DURATION];
    return a->variant < b->variant;
}
