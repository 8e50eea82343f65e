/* plot_runs.c: the per-run picture: the attempt timeline of the first N
 * tasks (each attempt a point at its send time, shaped and coloured by
 * outcome). */
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/plot.h"
#include "reports/stats.h"

/* Block 0 of timeline_R.dat: one segment per task (the first n in number
 * order), first event to done, at the task's number. */
static void timeline_spans(FILE *f, const rep_run *run, size_t n)
{
    fputs("# block 0: task spans (scenario_time_s task)\n", f);
    for (size_t i = 0; i < n; i++) {
        const rep_task *k = &run->tasks[i];
        fprintf(f, "%.6f %lld\n%.6f %lld\n\n", k->first_t, (long long)k->id,
                k->done_t >= 0 ? k->done_t : run->end_t, (long long)k->id);
    }
    fputs("\n", f);
}

/* Writes the attempts of class c (at their send times) as one block; returns
 * how many points it wrote (0: nothing written). */
static size_t timeline_class(FILE *f, const rep_run *run, size_t n, rep_class c, double *send_t)
{
    size_t points = 0;
    for (size_t i = 0; i < n; i++)
        send_t[i] = -1;
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        if (e->ti >= n)
            continue;
        if (e->kind == REP_SEND)
            send_t[e->ti] = e->t;
        if (e->kind != REP_RESPONSE || e->cls != c)
            continue;
        if (!points++)
            fprintf(f, "# block: outcome %s (send_time_s task attempt)\n", rep_class_name(c));
        fprintf(f, "%.6f %lld %lld\n", send_t[e->ti] >= 0 ? send_t[e->ti] : e->t,
                (long long)e->task, (long long)e->attempt);
    }
    if (points)
        fputs("\n\n", f);
    return points;
}

/* The time axis: linear, or log (of time + 1 s) when one task outlasts the
 * others so much that a linear axis would pile their attempts at 0. */
static void timeline_axis(FILE *f, const rep_run *run, size_t n, rep_tunit u)
{
    double *ends = malloc((n ? n : 1) * sizeof *ends), max = 0;
    size_t k = 0;
    for (size_t i = 0; ends && i < n; i++) {
        double e = run->tasks[i].done_t >= 0 ? run->tasks[i].done_t : run->end_t;
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
    fprintf(f, "set xlabel 'scenario time (%s)'\nrl_x(t) = t / %g\nset xrange [0:*]\n", u.name,
            u.div);
}

static void timeline_script(FILE *f, const rep_run *run, size_t n, rep_tunit u, const bool *has,
                            const char *data)
{
    char t[400];
    snprintf(t, sizeof t, "Attempt timeline of the first %zu task%s", n, n == 1 ? "" : "s");
    rep_gp_title(f, t, run->label);
    if (n == 0) {
        fputs("set xrange [0:1]\nset yrange [0:1]\nset label 1 'no tasks in the trace' at 0.5,0.5 "
              "center\nplot 2 notitle\n",
              f);
        return;
    }
    long long top = (long long)run->tasks[n - 1].id; /* the highest number shown */
    fprintf(f, "set ylabel 'task number'\nset yrange [%lld:%lld]\n", top + 1,
            (long long)run->tasks[0].id - 1);
    timeline_axis(f, run, n, u);
    if (top - (long long)run->tasks[0].id < 25)
        fprintf(f, "set ytics %lld,1,%lld\n", (long long)run->tasks[0].id, top);
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

static int timeline_data(const rep_run *run, size_t n, const rep_plot_opts *o, const char *name,
                         bool *has, cm_err *err)
{
    FILE *f = rep_data_open(o, name, err);
    if (!f)
        return -1;
    double *send_t = malloc((n ? n : 1) * sizeof *send_t);
    fprintf(f, "# %s\n", run->label);
    timeline_spans(f, run, n);
    for (int c = 0; c < REP_CLASS_N && send_t; c++)
        has[c] = timeline_class(f, run, n, (rep_class)c, send_t) > 0;
    free(send_t);
    return rep_file_close(f, o, name, err);
}

int rep_plot_timeline(const rep_run *run, size_t index, const rep_plot_opts *o, rep_plotset *ps,
                      cm_err *err)
{
    char name[64], data[80], title[400];
    bool has[REP_CLASS_N] = {false};
    size_t n = run->n_tasks < (size_t)o->tasks ? run->n_tasks : (size_t)o->tasks;
    snprintf(name, sizeof name, "timeline_%zu", index + 1);
    snprintf(data, sizeof data, "%s.dat", name);
    if (timeline_data(run, n, o, data, has, err))
        return -1;
    FILE *f = rep_script_open(o, name, "attempt timeline of the first tasks", err);
    if (!f)
        return -1;
    rep_gp_begin_plot(f, name, o->formats);
    double end = 0;
    for (size_t i = 0; i < n; i++)
        end = run->tasks[i].done_t > end ? run->tasks[i].done_t : end;
    timeline_script(f, run, n, rep_tunit_span(end), has, data);
    snprintf(title, sizeof title, "Attempt timeline of run #%zu: %s", index + 1, run->label);
    rep_pic_add(ps, name, title,
                "Each row is a task (the first tasks of the run); each point an attempt at its "
                "send time, coloured and shaped by its outcome; the grey line spans the task "
                "from its first attempt to its end. Gaps between points are waits.");
    return rep_script_close(f, o, name, err);
}
