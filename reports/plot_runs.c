/* plot_runs.c: the per-run picture: the attempt timeline of the tasks that
 * matter -- those that failed (or never finished), the longest, those that
 * made the most attempts, and a typical one for contrast -- each row
 * labelled with why it was chosen; each attempt a point at its send time,
 * shaped and coloured by outcome. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/plot.h"
#include "reports/stats.h"

/* A task chosen for the timeline, and why. */
typedef struct pick {
    size_t k;     /* its row in run->tasks */
    char why[64]; /* "failed", "longest", "most attempts", "typical", ... */
} pick;

static int by_duration_down(const void *a, const void *b, void *run)
{
    double x = rep_task_duration(run, *(const size_t *)a);
    double y = rep_task_duration(run, *(const size_t *)b);
    return (x < y) - (x > y);
}

static int by_sends_down(const void *a, const void *b, void *run)
{
    long x = ((const rep_run *)run)->tasks[*(const size_t *)a].sends;
    long y = ((const rep_run *)run)->tasks[*(const size_t *)b].sends;
    return (x < y) - (x > y);
}

/* Adds task row k with reason `why` unless chosen already (then the reason
 * is appended). */
static void choose(pick *p, size_t *n, size_t max, size_t k, const char *why)
{
    for (size_t i = 0; i < *n; i++)
        if (p[i].k == k) {
            size_t len = strlen(p[i].why);
            if (why[0] && !strstr(p[i].why, why))
                snprintf(p[i].why + len, sizeof p[i].why - len, "%s%s", len ? ", " : "", why);
            return;
        }
    if (*n < max) {
        p[*n].k = k;
        snprintf(p[*n].why, sizeof p[*n].why, "%s", why);
        (*n)++;
    }
}

static int by_row(const void *a, const void *b)
{
    size_t x = ((const pick *)a)->k, y = ((const pick *)b)->k;
    return (x > y) - (x < y);
}

/* Up to `max` tasks: the failed (a third), the longest, the most attempts
 * (a third each of what is left), then a typical one; every task, in
 * number order, when they all fit. Returns the count. */
static size_t pick_tasks(const rep_run *run, size_t max, pick *p)
{
    size_t n = 0, nt = run->n_tasks;
    size_t *order = malloc((nt ? nt : 1) * sizeof *order);
    if (!order)
        return 0;
    bool all = nt <= max;
    for (size_t k = 0; k < nt && (all || n < (max + 2) / 3); k++)
        if (run->tasks[k].outcome != 1 && run->tasks[k].sends > 0)
            choose(p, &n, max, k, run->tasks[k].outcome == 2 ? "failed" : "never done");
    for (size_t k = 0; k < nt; k++)
        order[k] = k;
    qsort_r(order, nt, sizeof *order, by_duration_down, (void *)run);
    size_t until = all ? max : n + (max - n + 1) / 2;
    for (size_t i = 0; i < nt && n < until && rep_task_duration(run, order[i]) >= 0; i++)
        choose(p, &n, max, order[i], i == 0 ? "longest" : all ? "" : "long");
    qsort_r(order, nt, sizeof *order, by_sends_down, (void *)run);
    for (size_t i = 0; i < nt && (all || n + 1 < max) && run->tasks[order[i]].sends > 1; i++)
        choose(p, &n, max, order[i], i == 0 ? "most attempts" : all ? "" : "many attempts");
    qsort_r(order, nt, sizeof *order, by_duration_down, (void *)run);
    if (nt && !all)
        choose(p, &n, max, order[nt / 2], "typical");
    for (size_t k = 0; all && k < nt; k++)
        choose(p, &n, max, k, "");
    if (all)
        qsort(p, n, sizeof *p, by_row);
    free(order);
    return n;
}

/* "task 3 (longest): 61 min, 24 attempts, failed" into buf. */
static void task_label(const rep_run *run, const pick *p, char *buf, size_t size)
{
    const rep_task *t = &run->tasks[p->k];
    double d = rep_task_duration(run, p->k);
    int n = snprintf(buf, size, "task %lld%s%s%s: ", (long long)t->id, p->why[0] ? " (" : "",
                     p->why, p->why[0] ? ")" : "");
    if (n < 0 || (size_t)n >= size)
        return;
    if (d >= 120)
        n += snprintf(buf + n, size - (size_t)n, "%.0f min", d / 60);
    else if (d >= 0)
        n += snprintf(buf + n, size - (size_t)n, "%.1f s", d);
    if (n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ", %ld attempt%s", t->sends, t->sends == 1 ? "" : "s");
}

/* Block 0 of timeline_R.dat: one segment per chosen task (its row y),
 * first event to done. */
static void timeline_spans(FILE *f, const rep_run *run, const pick *p, size_t n)
{
    fputs("# block 0: task spans (scenario_time_s row)\n", f);
    for (size_t i = 0; i < n; i++) {
        const rep_task *k = &run->tasks[p[i].k];
        fprintf(f, "%.6f %zu\n%.6f %zu\n\n", k->first_t, n - 1 - i,
                k->done_t >= 0 ? k->done_t : run->end_t, n - 1 - i);
    }
    fputs("\n", f);
}

/* Writes the attempts of class c of the chosen tasks (at their send times)
 * as one block; how many points it wrote (0: nothing written). `row` maps a
 * task row to its picture row + 1 (0: not chosen). */
static size_t timeline_class(FILE *f, const rep_run *run, const size_t *row, size_t n, rep_class c,
                             double *send_t)
{
    size_t points = 0;
    for (size_t i = 0; i < run->n_tasks; i++)
        send_t[i] = -1;
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        if (!row[e->ti])
            continue;
        if (e->kind == REP_SEND)
            send_t[e->ti] = e->t;
        if (e->kind != REP_RESPONSE || e->cls != c)
            continue;
        if (!points++)
            fprintf(f, "# block: outcome %s (send_time_s row task attempt)\n", rep_class_name(c));
        fprintf(f, "%.6f %zu %lld %lld\n", send_t[e->ti] >= 0 ? send_t[e->ti] : e->t,
                n - row[e->ti], (long long)e->task, (long long)e->attempt);
    }
    if (points)
        fputs("\n\n", f);
    return points;
}

/* The time axis: linear, or log (of time + 1 s) when one task outlasts the
 * others so much that a linear axis would pile their attempts at 0. */
static void timeline_axis(FILE *f, const rep_run *run, const pick *p, size_t n)
{
    double *ends = malloc((n ? n : 1) * sizeof *ends), max = 0;
    size_t k = 0;
    for (size_t i = 0; ends && i < n; i++) {
        const rep_task *t = &run->tasks[p[i].k];
        double e = t->done_t >= 0 ? t->done_t : run->end_t;
        ends[k++] = e;
        max = e > max ? e : max;
    }
    rep_sort(ends, k);
    double median = k ? ends[k / 2] : 0;
    free(ends);
    if (k >= 3 && max > 60 && max > 20 * (median + 1)) {
        fputs("set logscale x\nset format x '%g'\nset xlabel 'scenario time + 1 s (s, log "
              "scale: most tasks end long before the last)'\nrl_x(t) = t + 1\n",
              f);
        fprintf(f, "set xrange [0.9:%g]\n", (max + 1) * 1.3);
        return;
    }
    rep_tunit u = rep_tunit_span(max);
    fprintf(f, "set xlabel 'scenario time (%s)'\nrl_x(t) = t / %g\nset xrange [0:*]\n", u.name,
            u.div);
}

static void timeline_script(FILE *f, const rep_run *run, const pick *p, size_t n, const bool *has,
                            const char *data)
{
    char t[400];
    snprintf(t, sizeof t, "Attempt timeline: the %zu tasks that matter of %zu", n, run->n_tasks);
    rep_gp_title(f, t, run->label);
    if (n == 0) {
        fputs("set xrange [0:1]\nset yrange [0:1]\nset label 1 'no tasks in the trace' at 0.5,0.5 "
              "center\nplot 2 notitle\n",
              f);
        return;
    }
    fprintf(f,
            "set yrange [-0.8:%g]\nset lmargin 44\nset key below\n"
            "set ytics scale 0 font ',8' (",
            (double)n - 0.2);
    for (size_t i = 0; i < n; i++) {
        char label[160];
        task_label(run, &p[i], label, sizeof label);
        if (i)
            fputs(", ", f);
        rep_gp_quote(f, label);
        fprintf(f, " %zu", n - 1 - i);
    }
    fputs(")\nset grid noytics\n", f);
    timeline_axis(f, run, p, n);
    fprintf(f,
            "plot '%s' index 0 using (rl_x($1)):2 with lines lw 1 lc rgb '#bbbbbb' "
            "title 'task alive (first attempt to done)'",
            data);
    int index = 1;
    for (int c = 0; c < REP_CLASS_N; c++) {
        if (!has[c])
            continue;
        fprintf(f,
                ", \\\n     '%s' index %d using (rl_x($1)):2 with points pt %d ps 1.4 "
                "lc rgb '%s' title '%s'",
                data, index++, rep_class_point((rep_class)c), rep_class_colour((rep_class)c),
                rep_class_name((rep_class)c));
    }
    fputc('\n', f);
}

static int timeline_data(const rep_run *run, const pick *p, size_t n, const rep_plot_opts *o,
                         const char *name, bool *has, cm_err *err)
{
    FILE *f = rep_data_open(o, name, err);
    if (!f)
        return -1;
    size_t nt = run->n_tasks ? run->n_tasks : 1;
    double *send_t = malloc(nt * sizeof *send_t);
    size_t *row = calloc(nt, sizeof *row);
    for (size_t i = 0; row && i < n; i++)
        row[p[i].k] = i + 1;
    fprintf(f, "# %s\n", run->label);
    timeline_spans(f, run, p, n);
    for (int c = 0; c < REP_CLASS_N && send_t && row; c++)
        has[c] = timeline_class(f, run, row, n, (rep_class)c, send_t) > 0;
    free(send_t);
    free(row);
    return rep_file_close(f, o, name, err);
}

int rep_plot_timeline(const rep_run *run, size_t index, const rep_plot_opts *o, rep_plotset *ps,
                      cm_err *err)
{
    char name[64], data[80], title[400];
    bool has[REP_CLASS_N] = {false};
    size_t max = (size_t)o->tasks;
    pick *p = calloc(max ? max : 1, sizeof *p);
    if (!p) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    size_t n = pick_tasks(run, max, p);
    snprintf(name, sizeof name, "timeline_%zu", index + 1);
    snprintf(data, sizeof data, "%s.dat", name);
    FILE *f = NULL;
    if (timeline_data(run, p, n, o, data, has, err) == 0)
        f = rep_script_open(o, name, "attempt timeline of the tasks that matter", err);
    if (!f) {
        free(p);
        return -1;
    }
    int height = rep_gp_height(170 + 22 * (int)n);
    rep_gp_begin_plot_sized(f, name, o->formats, height);
    timeline_script(f, run, p, n, has, data);
    free(p);
    snprintf(title, sizeof title, "Attempt timeline of run #%zu: %s", index + 1, run->label);
    rep_pic_add(ps, name, title,
                "The tasks that matter, each row labelled with why it was chosen: the tasks "
                "that failed or never finished, the longest (first attempt to done), those "
                "that made the most attempts, and a typical one for contrast. Each point is an "
                "attempt at its send time, coloured and shaped by its outcome; the grey line "
                "spans the task. Gaps between points are waits.");
    rep_pic_height(ps, height);
    return rep_script_close(f, o, name, err);
}
