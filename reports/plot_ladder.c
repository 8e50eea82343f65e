/* plot_ladder.c: the backoff ladder picture: the wait before each retry.
 * When the scenario's expect names ladder tasks, each run's waits of those
 * tasks are drawn beside the expected ladders; otherwise the mean wait per
 * retry number over all tasks, with bars from min to max. Observed waits of
 * real-time runs are drawn dashed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/expect.h"
#include "reports/gnuplot.h"
#include "reports/plot.h"

#define MAX_RUNGS 64
#define MAX_LADDERS 4

typedef struct rung {
    double sum, min, max, obs_sum;
    long n, obs_n;
} rung;

typedef struct ladder_info {
    size_t rungs[REP_MAX_RUNS];  /* retry numbers in each run's mean block */
    bool observed[REP_MAX_RUNS]; /* the run has observed waits */
    double lo, hi;               /* smallest and largest wait shown */
    size_t top;                  /* the highest retry number shown */
    long long tasks[MAX_LADDERS]; /* the expected ladders' tasks */
    size_t ntasks;
    size_t waits[REP_MAX_RUNS][MAX_LADDERS]; /* waits of each such task per run */
} ladder_info;

static void widen(ladder_info *li, double v, size_t retry)
{
    li->lo = fmin(li->lo, v);
    li->hi = fmax(li->hi, v);
    li->top = retry > li->top ? retry : li->top;
}

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

/* Block 0: retry, mean, min, max planned, mean observed (NaN), tasks. */
static void mean_block(FILE *f, const rep_run *run, size_t r, ladder_info *li)
{
    rung g[MAX_RUNGS];
    memset(g, 0, sizeof g);
    size_t k = ladder_rungs(run, g);
    fputs("# block 0: retry mean_planned_s min_planned_s max_planned_s mean_observed_s tasks\n",
          f);
    for (size_t i = 0; i < k; i++) {
        fprintf(f, "%zu %.6f %.6f %.6f ", i + 1, g[i].sum / (double)g[i].n, g[i].min, g[i].max);
        if (g[i].obs_n)
            fprintf(f, "%.6f %ld\n", g[i].obs_sum / (double)g[i].obs_n, g[i].n);
        else
            fprintf(f, "NaN %ld\n", g[i].n);
        if (li->ntasks == 0) {
            widen(li, g[i].min, i + 1);
            widen(li, g[i].max, i + 1);
        }
        li->observed[r] = li->observed[r] || g[i].obs_n > 0;
    }
    li->rungs[r] = k;
    fputs("\n\n", f);
}

/* Block 1 + j: the waits of the j-th expected ladder's task, in order. */
static void task_block(FILE *f, const rep_run *run, size_t r, size_t j, ladder_info *li)
{
    size_t k = 0;
    fprintf(f, "# block %zu: task %lld: retry planned_s observed_s\n", j + 1, li->tasks[j]);
    for (size_t i = 0; i < run->n_ev && k < MAX_RUNGS; i++) {
        const rep_event *e = &run->ev[i];
        if (e->kind != REP_WAIT || e->task != li->tasks[j])
            continue;
        k++;
        if (e->observed >= 0)
            fprintf(f, "%zu %.6f %.6f\n", k, e->delay, e->observed);
        else
            fprintf(f, "%zu %.6f NaN\n", k, e->delay);
        widen(li, e->delay, k);
    }
    fputs(k ? "\n\n" : "NaN NaN NaN\n\n\n", f);
    li->waits[r][j] = k;
}

/* ladder_ID.dat for run number id (from 0), at slot r of the group's info. */
static int ladder_data(const rep_run *run, size_t id, size_t r, const rep_plot_opts *o,
                       ladder_info *li, cm_err *err)
{
    char name[64];
    snprintf(name, sizeof name, "ladder_%zu.dat", id + 1);
    FILE *f = rep_data_open(o, name, err);
    if (!f)
        return -1;
    fprintf(f, "# %s\n", run->label);
    mean_block(f, run, r, li);
    for (size_t j = 0; j < li->ntasks; j++)
        task_block(f, run, r, j, li);
    return rep_file_close(f, o, name, err);
}

/* ladder_expectedSUFFIX.dat: one block per ladder (at most MAX_LADDERS) of
 * the first run of g whose scenario expects ladders. 0, or -1 on error. */
static int expected_ladders(const rep_group *g, const rep_plot_opts *o, ladder_info *li,
                            const char *file, cm_err *err)
{
    for (size_t r = 0; r < g->n && li->ntasks == 0; r++) {
        const cJSON *node = rep_run_expect_node(g->runs[r]);
        cm_expect e;
        cm_err ignored;
        if (!node || cm_expect_parse(g->runs[r]->scenario, node, "expect", &e, &ignored) != 0)
            continue;
        FILE *f = e.n_ladders ? rep_data_open(o, file, err) : NULL;
        for (size_t j = 0; f && j < e.n_ladders && j < MAX_LADDERS; j++) {
            const cm_expect_ladder *l = &e.ladders[j];
            li->tasks[li->ntasks++] = (long long)l->task;
            fprintf(f, "# block %zu: expected ladder of task %lld (%s): retry expected_s\n", j,
                    (long long)l->task, g->runs[r]->scenario_path);
            for (size_t i = 0; i < l->n_waits; i++) {
                fprintf(f, "%zu %.6f\n", i + 1, l->waits_s[i]);
                widen(li, l->waits_s[i], i + 1);
            }
            fputs("\n\n", f);
        }
        bool want = e.n_ladders > 0;
        cm_expect_free(&e);
        if (want && (!f || rep_file_close(f, o, file, err) != 0))
            return -1;
    }
    return 0;
}

static const char *sep(int *s)
{
    return (*s)++ ? ", \\\n     " : "plot ";
}

/* Series of run r: its tasks' waits when the expect names tasks, else the
 * mean per retry with min-max bars; observed waits dashed. */
static void run_series(FILE *f, const rep_group *g, size_t r, const ladder_info *li, int *s)
{
    char t[400];
    double off = ((double)r - (double)(g->n - 1) / 2) * 0.06;
    size_t id = g->ids[r] + 1;
    for (size_t j = 0; j < li->ntasks; j++) {
        if (!li->waits[r][j])
            continue;
        const char *c = rep_series_colour(r * li->ntasks + j);
        fprintf(f, "%s'ladder_%zu.dat' index %zu using ($1%+g):2 with linespoints pt 7 lw 2 "
                "lc rgb '%s' title ", sep(s), id, j + 1, off, c);
        snprintf(t, sizeof t, "%s: task %lld planned", g->runs[r]->legend, li->tasks[j]);
        rep_gp_quote(f, t);
        if (!li->observed[r])
            continue;
        fprintf(f, "%s'ladder_%zu.dat' index %zu using ($1%+g):3 with linespoints dt 2 pt 6 "
                "lw 2 lc rgb '%s' title ", sep(s), id, j + 1, off, c);
        snprintf(t, sizeof t, "%s: task %lld observed", g->runs[r]->legend, li->tasks[j]);
        rep_gp_quote(f, t);
    }
    if (li->ntasks || !li->rungs[r])
        return;
    const char *c = rep_series_colour(r);
    fprintf(f, "%s'ladder_%zu.dat' index 0 using ($1%+g):2:3:4 with yerrorlines pt 7 lw 2 "
            "lc rgb '%s' title ", sep(s), id, off, c);
    snprintf(t, sizeof t, "%s: planned (mean, min-max over tasks)", g->runs[r]->legend);
    rep_gp_quote(f, t);
    if (!li->observed[r])
        return;
    fprintf(f, "%s'ladder_%zu.dat' index 0 using ($1%+g):5 with linespoints dt 2 pt 6 lw 2 "
            "lc rgb '%s' title ", sep(s), id, off, c);
    snprintf(t, sizeof t, "%s: observed (mean)", g->runs[r]->legend);
    rep_gp_quote(f, t);
}

static void ladder_plot(FILE *f, const rep_group *g, const ladder_info *li, const char *expected)
{
    int s = 0;
    for (size_t r = 0; r < g->n; r++)
        run_series(f, g, r, li, &s);
    for (size_t j = 0; j < li->ntasks; j++)
        fprintf(f, "%s'%s' index %zu using 1:2 with points pt %zu ps 2.5 lw 2 lc rgb '#000000' "
                "title 'expected, task %lld (scenario expect)'", sep(&s), expected, j,
                4 + 2 * j, li->tasks[j]);
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
    fputs("\nset xlabel 'retry number (the wait after attempt N)'\nset ylabel 'wait (s)'\n", f);
    fprintf(f, "set xtics 1\nset xrange [0.5:%zu.5]\n", li->top ? li->top : 1);
    if (li->lo > 0 && isfinite(li->lo) && li->hi / li->lo >= 8)
        fprintf(f, "set logscale y\nset format y '%%g'\nset ylabel 'wait (s, log scale)'\n"
                   "set yrange [%g:%g]\n", li->lo / 1.6, li->hi * 1.6);
    else if (li->hi > 0)
        fprintf(f, "set yrange [0:%g]\n", li->hi * 1.15);
}

int rep_plot_ladder(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    static ladder_info li;
    char name[40], expected[64], title[300];
    memset(&li, 0, sizeof li);
    li.lo = INFINITY;
    snprintf(expected, sizeof expected, "ladder_expected%s.dat", g->suffix);
    if (expected_ladders(g, o, &li, expected, err) != 0)
        return -1;
    for (size_t r = 0; r < g->n; r++)
        if (ladder_data(g->runs[r], g->ids[r], r, o, &li, err))
            return -1;
    snprintf(name, sizeof name, "ladder%s", g->suffix);
    FILE *f = rep_script_open(o, name, "backoff ladder: wait per retry number", err);
    if (!f)
        return -1;
    rep_gp_begin_plot(f, name, o->formats);
    ladder_settings(f, g, &li);
    ladder_plot(f, g, &li, expected);
    snprintf(title, sizeof title, "Backoff ladder: planned and observed waits%s", g->title);
    rep_pic_add(ps, name, title,
                "The wait before each retry. When the scenario's expect states ladders, each "
                "run's waits for those tasks are drawn beside the expected ladder (black "
                "markers); otherwise the mean wait per retry number over all tasks, with bars "
                "from min to max. Observed waits of real-time runs are dashed.");
    return rep_script_close(f, o, name, err);
}
