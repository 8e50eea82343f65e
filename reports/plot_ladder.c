/* plot_ladder.c: the backoff ladder picture: the wait before each retry.
 * When the scenario's expect names ladder tasks, each run's waits of those
 * tasks are drawn beside the expected ladders (colour = run, point shape =
 * task); otherwise the mean wait per retry number over all tasks, with bars
 * from min to max. Observed waits of real-time runs are drawn dashed. The y
 * axis is logarithmic when the waits span more than a factor of 8, and the x
 * axis ends a little after the longest expected ladder (longer runs are cut,
 * with a note naming them). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/expect.h"
#include "reports/gnuplot.h"
#include "reports/plot.h"

#define MAX_RUNGS 64
#define MAX_LADDERS 4
#define MAX_SERIES 12 /* more runs x tasks than this: only the expect's first ladder */
#define CLIP_AFTER 2  /* retries drawn past the longest expected ladder */
#define LOG_RATIO 8.0 /* largest / smallest wait from which the y axis is logarithmic */

typedef struct rung {
    double sum, min, max, obs_sum;
    long n, obs_n;
} rung;

typedef struct ladder_info {
    size_t rungs[REP_MAX_RUNS];              /* retry numbers in each run's mean block */
    bool observed[REP_MAX_RUNS];             /* the run has observed waits */
    double lo, hi;                           /* smallest positive and largest wait shown */
    bool zero;                               /* a wait shown is 0 s */
    size_t top;                              /* the highest retry number shown */
    size_t clip;                             /* retries past this are not drawn (0: none) */
    long long tasks[MAX_LADDERS];            /* the expected ladders' tasks */
    size_t ntasks;                           /* expected ladders read */
    size_t ndraw;                            /* of them drawn (the first ndraw) */
    size_t waits[REP_MAX_RUNS][MAX_LADDERS]; /* waits of each such task per run */
} ladder_info;

/* Counts wait v at retry number `retry` into the axes, unless it is cut. */
static void widen(ladder_info *li, double v, size_t retry)
{
    if (li->clip && retry > li->clip)
        return;
    if (v > 0)
        li->lo = fmin(li->lo, v);
    else
        li->zero = true;
    li->hi = fmax(li->hi, v);
    li->top = retry > li->top ? retry : li->top;
}

static bool log_axis(const ladder_info *li)
{
    return li->lo > 0 && isfinite(li->lo) && li->hi / li->lo >= LOG_RATIO;
}

/* Waits per retry number (k-th wait of a task) over all tasks of a run. */
static size_t ladder_rungs(const rep_run *run, rung *g)
{
    long *seen = calloc(run->n_tasks ? run->n_tasks : 1, sizeof *seen);
    size_t top = 0;
    for (size_t i = 0; seen && i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        if (e->kind != REP_WAIT || seen[e->ti] >= MAX_RUNGS)
            continue;
        rung *r = &g[seen[e->ti]++];
        r->min = r->n ? fmin(r->min, e->delay) : e->delay;
        r->max = r->n ? fmax(r->max, e->delay) : e->delay;
        r->sum += e->delay;
        r->n++;
        if (e->observed >= 0) {
            r->obs_sum += e->observed;
            r->obs_n++;
        }
        top = (size_t)seen[e->ti] > top ? (size_t)seen[e->ti] : top;
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
    fputs("# block 0: retry mean_planned_s min_planned_s max_planned_s mean_observed_s tasks\n", f);
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
        if (li->ntasks == 0 && g[i].obs_n)
            widen(li, g[i].obs_sum / (double)g[i].obs_n, i + 1);
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
        if (j < li->ndraw) {
            widen(li, e->delay, k);
            if (e->observed >= 0)
                widen(li, e->observed, k);
        }
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

/* Which ladders are drawn (all, or the first when runs x ladders would be
 * too many series) and where the x axis is cut: CLIP_AFTER retries after
 * the longest drawn expected ladder. */
static void choose_drawn(const rep_group *g, const cm_expect *e, ladder_info *li)
{
    size_t n = e->n_ladders < MAX_LADDERS ? e->n_ladders : MAX_LADDERS, longest = 0;
    li->ndraw = g->n * n > MAX_SERIES ? 1 : n;
    for (size_t j = 0; j < li->ndraw; j++)
        longest = e->ladders[j].n_waits > longest ? e->ladders[j].n_waits : longest;
    li->clip = longest ? longest + CLIP_AFTER : 0;
}

/* Writes the expected ladders of e into f, one block each. */
static void expected_blocks(FILE *f, const cm_expect *e, const char *scenario, ladder_info *li)
{
    for (size_t j = 0; j < e->n_ladders && j < MAX_LADDERS; j++) {
        const cm_expect_ladder *l = &e->ladders[j];
        li->tasks[li->ntasks++] = (long long)l->task;
        fprintf(f, "# block %zu: expected ladder of task %lld (%s): retry expected_s\n", j,
                (long long)l->task, scenario);
        for (size_t i = 0; i < l->n_waits; i++) {
            fprintf(f, "%zu %.6f\n", i + 1, l->waits_s[i]);
            if (j < li->ndraw)
                widen(li, l->waits_s[i], i + 1);
        }
        fputs("\n\n", f);
    }
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
        if (f) {
            choose_drawn(g, &e, li);
            expected_blocks(f, &e, g->runs[r]->scenario_path, li);
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

/* A key entry with no data: how a run's colour (or a line style) reads. */
static void key_entry(FILE *f, int *s, const char *style, const char *colour, const char *text)
{
    fprintf(f, "%sNaN with %s lc rgb '%s' title ", sep(s), style, colour);
    rep_gp_quote(f, text);
}

/* The colour of run r's waits of ladder j: the run's, or the task's when
 * the picture holds one run. */
static const char *wait_colour(const rep_group *g, size_t r, size_t j)
{
    return rep_series_colour(g->n == 1 ? j : r);
}

/* Series of run r (one key entry: its colour, unless it is the only run): its tasks' waits when the
 * expect names tasks (point shape = task), else the mean per retry with
 * min-max bars; observed waits dashed. Zero waits go through z(). */
static void run_series(FILE *f, const rep_group *g, size_t r, const ladder_info *li, int *s)
{
    double off = ((double)r - (double)(g->n - 1) / 2) * (g->n > 6 ? 0.3 / (double)g->n : 0.06);
    size_t id = g->ids[r] + 1;
    const char *c = rep_series_colour(r);
    char key[REP_KEY_MAX + 1];
    rep_group_key(g, r, key, sizeof key);
    if (g->n > 1 || !li->ntasks)
        key_entry(f, s, "linespoints pt 7 lw 2", c, key);
    for (size_t j = 0; j < li->ndraw; j++) {
        if (!li->waits[r][j])
            continue;
        c = wait_colour(g, r, j);
        fprintf(f,
                "%s'ladder_%zu.dat' index %zu using ($1%+g):(z($2)) with linespoints pt %zu "
                "lw 2 lc rgb '%s' notitle",
                sep(s), id, j + 1, off, 5 + 2 * j, c);
        if (li->observed[r])
            fprintf(f,
                    "%s'ladder_%zu.dat' index %zu using ($1%+g):(z($3)) with linespoints dt 2 "
                    "pt %zu lw 2 lc rgb '%s' notitle",
                    sep(s), id, j + 1, off, 4 + 2 * j, c);
    }
    if (li->ntasks || !li->rungs[r])
        return;
    fprintf(f,
            "%s'ladder_%zu.dat' index 0 using ($1%+g):(z($2)):(z($3)):(z($4)) with "
            "yerrorlines pt 7 lw 2 lc rgb '%s' notitle",
            sep(s), id, off, c);
    if (li->observed[r])
        fprintf(f,
                "%s'ladder_%zu.dat' index 0 using ($1%+g):(z($5)) with linespoints dt 2 pt 6 "
                "lw 2 lc rgb '%s' notitle",
                sep(s), id, off, c);
}

/* Whether any run has observed waits. */
static bool any_observed(const rep_group *g, const ladder_info *li)
{
    for (size_t r = 0; r < g->n; r++)
        if (li->observed[r])
            return true;
    return false;
}

static void ladder_plot(FILE *f, const rep_group *g, const ladder_info *li, const char *expected)
{
    int s = 0;
    char t[120];
    if (li->top == 0) {
        fputs("set xrange [0:1]\nset yrange [0:1]\nset label 1 'no run waited' at 0.5,0.5 "
              "center\nplot 2 notitle\n",
              f);
        return;
    }
    for (size_t r = 0; r < g->n; r++)
        run_series(f, g, r, li, &s);
    for (size_t j = 0; j < li->ndraw; j++) {
        fprintf(f,
                "%s'%s' index %zu using 1:(z($2)) with points pt %zu ps 2.5 lw 2 "
                "lc rgb '#000000' notitle",
                sep(&s), expected, j, 4 + 2 * j);
        char text[80];
        if (g->n == 1) {
            snprintf(t, sizeof t, "linespoints pt %zu lw 2", 5 + 2 * j);
            snprintf(text, sizeof text, "task %lld (hollow black: expected)", li->tasks[j]);
        } else {
            snprintf(t, sizeof t, "points pt %zu ps 1.3 lw 1.5", 4 + 2 * j);
            snprintf(text, sizeof text, "task %lld: hollow expected, filled waits", li->tasks[j]);
        }
        key_entry(f, &s, t, g->n == 1 ? wait_colour(g, 0, j) : "#000000", text);
    }
    if (any_observed(g, li))
        key_entry(f, &s, "lines dt 2 lw 2", "#000000", "dashed: observed (real time)");
    if (!li->ntasks)
        key_entry(f, &s, "linespoints pt 7 lw 1", "#000000", "mean per retry; bars: min to max");
    fputc('\n', f);
}
/* "tasks 5, 0 and 1" (the drawn ladders' tasks) into buf. */
static void task_list(const ladder_info *li, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < li->ndraw && used < size; j++) {
        const char *before = j == 0               ? (li->ndraw > 1 ? "tasks " : "task ")
                             : j + 1 == li->ndraw ? " and "
                                                  : ", ";
        int w = snprintf(buf + used, size - used, "%s%lld", before, li->tasks[j]);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* The note under the picture naming the ladders cut at li->clip. */
static void clip_note(FILE *f, const rep_group *g, const ladder_info *li)
{
    char note[400];
    size_t used = 0, cut = 0;
    for (size_t r = 0; r < g->n; r++)
        for (size_t j = 0; j < li->ndraw; j++) {
            if (li->waits[r][j] <= li->clip)
                continue;
            if (cut++ < 2 && used < sizeof note) {
                int w =
                    snprintf(note + used, sizeof note - used,
                             "%s%.60s: task %lld has %zu waits (ladder_%zu.dat)", used ? "; " : "",
                             g->runs[r]->legend, li->tasks[j], li->waits[r][j], g->ids[r] + 1);
                used += w > 0 ? (size_t)w : 0;
            }
        }
    if (!cut)
        return;
    char text[600];
    snprintf(text, sizeof text, "cut after retry %zu: %s%s", li->clip, note,
             cut > 2 ? " and more" : "");
    fputs("set label 2 ", f);
    rep_gp_quote(f, text);
    fputs(" at character 1, character 0.8 left font ',8' tc rgb '#555555'\nset bmargin 4.5\n", f);
}

static void ladder_settings(FILE *f, const rep_group *g, const ladder_info *li)
{
    char title[400], tasks[120];
    task_list(li, tasks, sizeof tasks);
    if (li->ntasks)
        snprintf(title, sizeof title, "Backoff ladder: waits of %s beside the expected ladder%s",
                 tasks, li->ndraw < li->ntasks ? " (the expect's first)" : "");
    else
        snprintf(title, sizeof title,
                 "Backoff ladder: mean wait before each retry, over all "
                 "tasks");
    rep_gp_title(f, title, rep_group_name(g));
    fputs("set xlabel 'retry number (the wait after attempt N)'\nset ylabel 'wait (s)'\n", f);
    size_t top = li->top ? li->top : 1;
    fprintf(f, "set xtics %zu\nset xrange [0.5:%zu.5]\n", top > 30 ? (size_t)5 : 1, top);
    clip_note(f, g, li);
    if (!log_axis(li)) {
        fprintf(f, "z(y) = y\nset yrange [0:%g]\n", li->hi > 0 ? li->hi * 1.15 : 1);
        return;
    }
    /* a 0 s wait cannot sit on a log axis: it is drawn on the bottom line */
    double bottom = li->lo / (li->zero ? 2.5 : 1.6);
    fprintf(f, "set logscale y\nset format y '%%g'\nset yrange [%g:%g]\nz(y) = y > 0 ? y : %g\n",
            bottom, li->hi * 1.6, bottom);
    fprintf(f, "set ylabel 'wait (s, log scale%s)'\n", li->zero ? "; 0 s on the bottom line" : "");
}

/* Rows the key needs: runs, drawn ladders, the observed and mean styles. */
static size_t key_rows(const rep_group *g, const ladder_info *li)
{
    return g->n + li->ndraw + (any_observed(g, li) ? 1 : 0) + (li->ntasks ? 0 : 1);
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
    int height = rep_gp_key_height(key_rows(g, &li));
    rep_gp_begin_plot_sized(f, name, o->formats, height);
    ladder_settings(f, g, &li);
    ladder_plot(f, g, &li, expected);
    snprintf(title, sizeof title, "Backoff ladder: planned and observed waits%s", g->title);
    rep_pic_add(ps, name, title,
                "The wait before each retry. When the scenario's expect states ladders, each "
                "run's waits for those tasks (colour: run, filled shape: task) are drawn beside "
                "the expected ladder (hollow black markers); with many runs only the expect's "
                "first ladder. Otherwise the mean wait per retry number over all tasks, with "
                "bars from min to max. Observed waits of real-time runs are dashed. Waits "
                "spanning more than a factor of 8 are on a log scale; ladders much longer "
                "than the expected one are cut (noted under the picture).");
    rep_pic_height(ps, height);
    return rep_script_close(f, o, name, err);
}
