/* compare.c: the measures of `retrylab compare` and their verdicts. */
#include "reports/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/stats.h"

int rep_cmp_measure(const rep_run *run, rep_cmp_run *m)
{
    rep_stats s;
    memset(m, 0, sizeof *m);
    rep_stats_compute(run, &s);
    m->tasks = s.tasks;
    m->success_rate = s.success_rate;
    m->attempts_per_task = s.tasks > 0 ? s.attempts / s.tasks : 0;
    m->calls_per_success = s.calls_per_success;
    m->waits = malloc((run->n_ev ? run->n_ev : 1) * sizeof *m->waits);
    m->durations = malloc((run->n_tasks ? run->n_tasks : 1) * sizeof *m->durations);
    if (!m->waits || !m->durations) {
        rep_cmp_run_free(m);
        return -1;
    }
    for (size_t i = 0; i < run->n_ev; i++)
        if (run->ev[i].kind == REP_WAIT)
            m->waits[m->n_waits++] = run->ev[i].delay;
    for (size_t k = 0; k < run->n_tasks; k++) {
        double d = rep_task_duration(run, k);
        if (d >= 0)
            m->durations[m->n_durations++] = d;
    }
    rep_sort(m->waits, m->n_waits);
    rep_sort(m->durations, m->n_durations);
    return 0;
}

void rep_cmp_run_free(rep_cmp_run *m)
{
    free(m->waits);
    free(m->durations);
    memset(m, 0, sizeof *m);
}

double rep_cmp_ks(const double *a, size_t na, const double *b, size_t nb)
{
    if (!na || !nb)
        return na == nb ? 0 : 1;
    size_t i = 0, j = 0;
    double d = 0;
    while (i < na && j < nb) {
        double x = a[i] < b[j] ? a[i] : b[j];
        while (i < na && a[i] <= x)
            i++;
        while (j < nb && b[j] <= x)
            j++;
        d = fmax(d, fabs((double)i / (double)na - (double)j / (double)nb));
    }
    return d;
}

/* Seconds as "12.3 s" or "4.2 min" (from 120 s). */
static void secs(char *buf, size_t size, double v)
{
    if (v < 0)
        snprintf(buf, size, "-");
    else if (v >= 120)
        snprintf(buf, size, "%.1f min", v / 60);
    else
        snprintf(buf, size, "%.2f s", v);
}

/* A "more is worse" measure, judged by its relative rise in percent. */
static void rise_row(rep_cmp_row *r, double a, double b, double pct, double floor_abs)
{
    r->va = a, r->vb = b;
    if (a < 0 || b < 0) { /* none on one side (no success, no task) */
        r->ok = b < 0 ? a < 0 : true;
        r->delta = 0;
        snprintf(r->change, sizeof r->change, "%s", a < 0 && b < 0 ? "none" : "-");
    } else {
        r->delta = a > 0 ? (b - a) / a * 100 : (b > 0 ? INFINITY : 0);
        r->ok = r->delta <= pct + 1e-9 || b - a <= floor_abs;
        if (isinf(r->delta))
            snprintf(r->change, sizeof r->change, "from 0");
        else
            snprintf(r->change, sizeof r->change, "%+.1f%%", r->delta);
    }
    snprintf(r->limit, sizeof r->limit, "+%g%%", pct);
}

static void rate_row(rep_cmp_row *r, const rep_cmp_run *a, const rep_cmp_run *b, double pts)
{
    r->name = "success_rate", r->label = "success rate";
    r->va = a->success_rate, r->vb = b->success_rate;
    r->delta = (b->success_rate - a->success_rate) * 100;
    r->ok = r->delta >= -pts - 1e-9;
    snprintf(r->a, sizeof r->a, "%.1f%%", a->success_rate * 100);
    snprintf(r->b, sizeof r->b, "%.1f%%", b->success_rate * 100);
    snprintf(r->change, sizeof r->change, "%+.1f pts", r->delta);
    snprintf(r->limit, sizeof r->limit, "-%g pts", pts);
}

static void waits_row(rep_cmp_row *r, const rep_cmp_run *a, const rep_cmp_run *b, double ks)
{
    r->name = "waits", r->label = "waits (KS distance)";
    r->delta = rep_cmp_ks(a->waits, a->n_waits, b->waits, b->n_waits);
    r->va = (double)a->n_waits, r->vb = (double)b->n_waits;
    r->ok = r->delta <= ks + 1e-9;
    char ma[16], mb[16];
    secs(ma, sizeof ma, a->n_waits ? rep_quantile(a->waits, a->n_waits, 0.5) : -1);
    secs(mb, sizeof mb, b->n_waits ? rep_quantile(b->waits, b->n_waits, 0.5) : -1);
    snprintf(r->a, sizeof r->a, "%zu, p50 %s", a->n_waits, ma);
    snprintf(r->b, sizeof r->b, "%zu, p50 %s", b->n_waits, mb);
    snprintf(r->change, sizeof r->change, "D = %.2f", r->delta);
    snprintf(r->limit, sizeof r->limit, "D <= %g", ks);
}

static void duration_row(rep_cmp_row *r, const rep_cmp_run *a, const rep_cmp_run *b, double q,
                         const rep_cmp_limits *lim)
{
    static const char *const names[] = {"task_duration_p50", "task_duration_p95",
                                        "task_duration_p99"};
    static const char *const labels[] = {"task duration p50", "task duration p95",
                                         "task duration p99"};
    int k = q < 0.9 ? 0 : q < 0.98 ? 1 : 2;
    r->name = names[k], r->label = labels[k];
    double va = a->n_durations ? rep_quantile(a->durations, a->n_durations, q) : -1;
    double vb = b->n_durations ? rep_quantile(b->durations, b->n_durations, q) : -1;
    rise_row(r, va, vb, lim->rise_duration_pct, lim->duration_floor_s);
    secs(r->a, sizeof r->a, va);
    secs(r->b, sizeof r->b, vb);
}

static void row_text(rep_cmp_row *r)
{
    snprintf(r->text, sizeof r->text, "%s %s -> %s (%s; allowed %s)%s", r->label, r->a, r->b,
             r->change, r->limit, r->ok ? "" : ": worse than allowed");
}

size_t rep_cmp_judge(const rep_cmp_run *a, const rep_cmp_run *b, const rep_cmp_limits *lim,
                     rep_cmp_row *rows)
{
    memset(rows, 0, REP_CMP_ROWS * sizeof *rows);
    rate_row(&rows[0], a, b, lim->drop_success_pts);
    rows[1].name = "attempts_per_task", rows[1].label = "attempts per task";
    rise_row(&rows[1], a->attempts_per_task, b->attempts_per_task, lim->rise_attempts_pct, 0);
    snprintf(rows[1].a, sizeof rows[1].a, "%.2f", a->attempts_per_task);
    snprintf(rows[1].b, sizeof rows[1].b, "%.2f", b->attempts_per_task);
    rows[2].name = "calls_per_success", rows[2].label = "calls per success";
    rise_row(&rows[2], a->calls_per_success, b->calls_per_success, lim->rise_calls_pct, 0);
    snprintf(rows[2].a, sizeof rows[2].a, "%.2f", a->calls_per_success);
    snprintf(rows[2].b, sizeof rows[2].b, "%.2f", b->calls_per_success);
    if (a->calls_per_success < 0)
        snprintf(rows[2].a, sizeof rows[2].a, "no success");
    if (b->calls_per_success < 0)
        snprintf(rows[2].b, sizeof rows[2].b, "no success");
    waits_row(&rows[3], a, b, lim->waits_ks);
    duration_row(&rows[4], a, b, 0.5, lim);
    duration_row(&rows[5], a, b, 0.95, lim);
    duration_row(&rows[6], a, b, 0.99, lim);
    size_t bad = 0;
    for (size_t i = 0; i < REP_CMP_ROWS; i++) {
        row_text(&rows[i]);
        bad += !rows[i].ok;
    }
    return bad;
}
