/* plot_attempts.c: the pictures about attempts: the backoff ladder (planned
 * and observed waits per retry number, against the expected ladder), the
 * attempt timeline of the first tasks, and outcomes per candidate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/expect.h"
#include "reports/gnuplot.h"
#include "reports/plot.h"

#define MAX_RUNGS 64

typedef struct rung {
    double sum, min, max, obs_sum;
    long n, obs_n;
} rung;

/* Waits per retry number (k-th wait of a task) over all tasks of a run. */
static size_t ladder_rungs(const rep_run *run, rung *g)
{
    long *seen = calloc(run->n_tasks ? run->n_tasks : 1, sizeof *seen);
    size_t top = 0;
    for (size_t i = 0; seen && i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        if (e->kind != REP_WAIT || seen[e->task] >= MAX_RUNGS)
            continue;
        rung *r = &g[seen[e->task]++];
        r->min = r->n ? fmin(r->min, e->delay) : e->delay;
        r->max = r->n ? fmax(r->max, e->delay) : e->delay;
        r->sum += e->delay;
        r->n++;
        if (e->observed >= 0) {
            r->obs_sum += e->observed;
            r->obs_n++;
        }
        top = (size_t)seen[e->task] > top ? (size_t)seen[e->task] : top;
    }
    free(seen);
    return top;
}

typedef struct ladder_info {
    size_t rungs[REP_MAX_RUNS];
    bool observed[REP_MAX_RUNS];
    double lo, hi; /* smallest and largest wait */
    size_t top;    /* the highest retry number shown */
} ladder_info;

/* ladder_ID.dat for run number id (from 0), at slot r of the group's info. */
static int ladder_data(const rep_run *run, size_t id, size_t r, const rep_plot_opts *o,
                       ladder_info *li, cm_err *err)
{
    char name[64];
    rung g[MAX_RUNGS];
    memset(g, 0, sizeof g);
    size_t k = ladder_rungs(run, g);
    snprintf(name, sizeof name, "ladder_%zu.dat", id + 1);
    FILE *f = rep_data_open(o, name, err);
    if (!f)
        return -1;
    fprintf(f, "# %s\n# retry mean_planned_s min_planned_s max_planned_s mean_observed_s tasks\n",
            run->label);
    for (size_t i = 0; i < k; i++) {
        double mean = g[i].sum / (double)g[i].n;
        fprintf(f, "%zu %.6f %.6f %.6f ", i + 1, mean, g[i].min, g[i].max);
        if (g[i].obs_n)
            fprintf(f, "%.6f %ld\n", g[i].obs_sum / (double)g[i].obs_n, g[i].n);
        else
            fprintf(f, "NaN %ld\n", g[i].n);
        li->lo = fmin(li->lo, g[i].min);
        li->hi = fmax(li->hi, g[i].max);
        li->observed[r] = li->observed[r] || g[i].obs_n > 0;
    }
    li->rungs[r] = k;
    li->top = k > li->top ? k : li->top;
    return rep_file_close(f, o, name, err);
}

/* The expected ladder (first ladder of the first run of g whose scenario
 * expects one) into ladder_expectedSUFFIX.dat; returns its task number, -1
 * when no run has one, -2 on a write error. */
static long long expected_ladder(const rep_group *g, const rep_plot_opts *o, ladder_info *li,
                                 char *file, size_t size, cm_err *err)
{
    snprintf(file, size, "ladder_expected%s.dat", g->suffix);
    for (size_t r = 0; r < g->n; r++) {
        const cJSON *node = rep_run_expect_node(g->runs[r]);
        cm_expect e;
        cm_err ignored;
        if (!node || cm_expect_parse(g->runs[r]->scenario, node, "expect", &e, &ignored) != 0)
            continue;
        long long task = e.n_ladders ? (long long)e.ladders[0].task : -1;
        FILE *f = task >= 0 ? rep_data_open(o, file, err) : NULL;
        if (task >= 0 && f) {
            fprintf(f, "# expected ladder of task %lld (%s)\n# retry expected_s\n", task,
                    g->runs[r]->scenario_path);
            for (size_t i = 0; i < e.ladders[0].n_waits; i++) {
                fprintf(f, "%zu %.6f\n", i + 1, e.ladders[0].waits_s[i]);
                li->lo = fmin(li->lo, e.ladders[0].waits_s[i]);
                li->hi = fmax(li->hi, e.ladders[0].waits_s[i]);
            }
            li->top = e.ladders[0].n_waits > li->top ? e.ladders[0].n_waits : li->top;
        }
        cm_expect_free(&e);
        if (task >= 0)
            return f && rep_file_close(f, o, file, err) == 0 ? task : -2;
    }
    return -1;
}

static void ladder_series(FILE *f, const rep_group *g, size_t r, const ladder_info *li, int *s)
{
    char t[400];
    double off = ((double)r - (double)(g->n - 1) / 2) * 0.06;
    size_t id = g->ids[r] + 1;
    fprintf(f, "%s'ladder_%zu.dat' using ($1%+g):2:3:4 with yerrorlines pt 7 lw 2 lc rgb '%s' "
            "title ", (*s)++ ? ", \\\n     " : "plot ", id, off, rep_series_colour(r));
    snprintf(t, sizeof t, "%s: planned (mean, min-max over tasks)", g->runs[r]->label);
    rep_gp_quote(f, t);
    if (!li->observed[r])
        return;
    fprintf(f, ", \\\n     'ladder_%zu.dat' using ($1%+g):5 with linespoints dt 2 pt 6 lw 2 "
            "lc rgb '%s' title ", id, off, rep_series_colour(r));
    snprintf(t, sizeof t, "%s: observed (mean)", g->runs[r]->label);
    rep_gp_quote(f, t);
}

static void ladder_plot(FILE *f, const rep_group *g, const ladder_info *li, long long task,
                        const char *expected)
{
    int s = 0;
    for (size_t r = 0; r < g->n; r++)
        if (li->rungs[r])
            ladder_series(f, g, r, li, &s);
    if (task >= 0)
        fprintf(f, "%s'%s' using 1:2 with points pt 4 ps 2.5 lw 2 lc rgb '#000000' "
                "title 'expected (scenario expect, task %lld)'", s++ ? ", \\\n     " : "plot ",
                expected, task);
    if (s == 0)
        fputs("set xrange [0:1]\nset yrange [0:1]\nset label 1 'no run waited' at 0.5,0.5 "
              "center\nplot 2 notitle", f);
    fputc('\n', f);
}

static void ladder_settings(FILE *f, const rep_group *g, const ladder_info *li)
{
    char title[300];
    snprintf(title, sizeof title, "Backoff ladder%s: wait before each retry", g->title);
    fputs("set title ", f);
    rep_gp_quote(f, title);
    fputs("\nset xlabel 'retry number (the wait after attempt N)'\nset ylabel 'wait (s)'\n"
          "set xtics 1\n", f);
    fprintf(f, "set xrange [0.5:%zu.5]\n", li->top ? li->top : 1);
    if (li->lo > 0 && isfinite(li->lo) && li->hi / li->lo >= 8)
        fprintf(f, "set logscale y\nset format y '%%g'\nset ylabel 'wait (s, log scale)'\n"
                   "set yrange [%g:%g]\n", li->lo / 1.6, li->hi * 1.6);
    else if (li->hi > 0)
        fprintf(f, "set yrange [0:%g]\n", li->hi * 1.15);
}

int rep_plot_ladder(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    ladder_info li = {.lo = INFINITY, .hi = 0};
    char name[40], expected[64], title[300];
    for (size_t r = 0; r < g->n; r++)
        if (ladder_data(g->runs[r], g->ids[r], r, o, &li, err))
            return -1;
    long long task = expected_ladder(g, o, &li, expected, sizeof expected, err);
    if (task == -2)
        return -1;
    snprintf(name, sizeof name, "ladder%s", g->suffix);
    FILE *f = rep_script_open(o, name, "backoff ladder: wait per retry number", err);
    if (!f)
        return -1;
    rep_gp_begin_plot(f, name, o->formats);
    ladder_settings(f, g, &li);
    ladder_plot(f, g, &li, task, expected);
    snprintf(title, sizeof title, "Backoff ladder: planned and observed waits%s", g->title);
    rep_pic_add(ps, name, title,
                "For each retry number, the planned wait (mean over the tasks that got that far, "
                "bars from min to max), the observed wait for real-time runs (dashed), and the "
                "ladder the scenario expects (black squares).");
    return rep_script_close(f, o, name, err);
}
