/* plot_curves.c: the overlay pictures over scenario time: success curve,
 * time-to-success CDF and provider load (one line per run, or per run and
 * provider, so runs with different policies compare on one picture). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/plot.h"
#include "reports/stats.h"

/* "plot" or ", \" before series i; then the data file name. */
static void series_start(FILE *f, int i, const char *file)
{
    fprintf(f, "%s'%s'", i ? ", \\\n     " : "plot ", file);
}

/* Colour and key entry of run r of g; a run in real time (not sim) is
 * dashed, so it stays visible over a sim run it matches exactly. */
static void series_end(FILE *f, const rep_group *g, size_t r)
{
    char key[REP_KEY_MAX + 1];
    rep_group_key(g, r, key, sizeof key);
    bool sim = g->runs[r]->mode[0] == '\0' || strcmp(g->runs[r]->mode, "sim") == 0;
    fprintf(f, " lw 2 %slc rgb '%s' title ", sim ? "" : "dt 2 ", rep_series_colour(r));
    rep_gp_quote(f, key);
}

/* Plots nothing but a note, when no run has data for a picture. */
static void empty_plot(FILE *f, const char *note)
{
    fputs("set xrange [0:1]\nset yrange [0:1]\nunset key\nset label 1 ", f);
    rep_gp_quote(f, note);
    fputs(" at 0.5,0.5 center\nplot 2 notitle\n", f);
}

/* success_R.dat: done time of each success, share of all tasks succeeded. */
static int success_data(const rep_run *run, size_t r, const rep_plot_opts *o, double *last,
                        cm_err *err)
{
    char name[64];
    snprintf(name, sizeof name, "success_%zu.dat", r + 1);
    FILE *f = rep_data_open(o, name, err);
    if (!f)
        return -1;
    double *t = malloc((run->n_tasks ? run->n_tasks : 1) * sizeof *t);
    size_t n = 0;
    for (size_t i = 0; t && i < run->n_tasks; i++)
        if (run->tasks[i].outcome == 1)
            t[n++] = run->tasks[i].done_t;
    rep_sort(t, n);
    double tasks = rep_run_task_count(run);
    fprintf(f, "# %s\n# scenario_time_s share_of_all_tasks_succeeded\n0 0\n", run->label);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.6f %.6f\n", t[i], tasks > 0 ? (double)(i + 1) / tasks : 0);
    fprintf(f, "%.6f %.6f\n", run->end_t, tasks > 0 ? (double)n / tasks : 0);
    *last = n ? fmax(*last, t[n - 1]) : *last;
    free(t);
    return rep_file_close(f, o, name, err);
}

/* The x axis of the success curve: up to the runs' end, or, when every
 * curve is flat for the last half of it, up to a little after the last
 * success with a note saying when the runs end. */
static void success_axis(FILE *f, const rep_group *g, double last)
{
    double end = 0;
    for (size_t r = 0; r < g->n; r++)
        end = fmax(end, g->runs[r]->end_t);
    double shown = last > 0 && last < end / 2 ? fmax(last * 1.25, end / 20) : end;
    rep_tunit u = rep_tunit_span(shown);
    fprintf(f, "set xlabel 'scenario time (%s)'\nset xrange [0:%g]\n", u.name,
            shown > 0 ? shown / u.div : 1);
    if (shown < end) {
        rep_tunit e = rep_tunit_span(end);
        fprintf(f,
                "set label 2 'no success after %.3g %s: the curves stay flat until the runs "
                "end (%.3g %s)' at character 1, character 0.8 left font ',8' tc rgb '#555555'\n"
                "set bmargin 4.5\n",
                last / u.div, u.name, end / e.div, e.name);
    }
    if (last <= 0)
        fputs("set label 3 'no task succeeded in any run: every line lies on 0' at graph 0.5, "
              "graph 0.5 center\n",
              f);
    fprintf(f, "rl_u = %g\n", u.div);
}

int rep_plot_success(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    double last = 0;
    char name[40], title[300];
    for (size_t r = 0; r < g->n; r++)
        if (success_data(g->runs[r], g->ids[r], o, &last, err))
            return -1;
    snprintf(name, sizeof name, "success%s", g->suffix);
    FILE *f = rep_script_open(o, name, "share of tasks succeeded over scenario time", err);
    if (!f)
        return -1;
    int height = rep_gp_key_height(g->n);
    rep_gp_begin_plot_sized(f, name, o->formats, height);
    rep_gp_title(f, "Tasks succeeded over scenario time (cumulative, one line per run)",
                 rep_group_name(g));
    fputs("set ylabel 'tasks succeeded (% of all tasks)'\nset yrange [0:105]\n", f);
    success_axis(f, g, last);
    for (size_t r = 0; r < g->n; r++) {
        char file[64];
        snprintf(file, sizeof file, "success_%zu.dat", g->ids[r] + 1);
        series_start(f, (int)r, file);
        fputs(" using ($1/rl_u):($2*100) with steps", f);
        series_end(f, g, r);
    }
    fputc('\n', f);
    snprintf(title, sizeof title, "Success curve: tasks succeeded over scenario time%s", g->title);
    rep_pic_add(ps, name, title,
                "Cumulative share of all tasks that have succeeded by each moment of scenario "
                "time. A line that rises earlier and higher is the better policy. When no task "
                "succeeds in the second half of the runs, the axis ends soon after the last "
                "success (a note gives the runs' end).");
    rep_pic_height(ps, height);
    return rep_script_close(f, o, name, err);
}

/* latency_R.dat: seconds from a task's first event to its success, sorted. */
static int latency_data(const rep_run *run, size_t r, const rep_plot_opts *o, double *lo,
                        double *hi, size_t *count, cm_err *err)
{
    char name[64];
    snprintf(name, sizeof name, "latency_%zu.dat", r + 1);
    FILE *f = rep_data_open(o, name, err);
    if (!f)
        return -1;
    size_t n;
    double *t = rep_success_times(run, &n);
    double tasks = rep_run_task_count(run);
    fprintf(f, "# %s\n# seconds_from_first_attempt_to_success share_of_all_tasks\n", run->label);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%.6f %.6f\n", t[i], tasks > 0 ? (double)(i + 1) / tasks : 0);
        *lo = fmin(*lo, t[i]);
        *hi = fmax(*hi, t[i]);
    }
    free(t);
    *count = n;
    return rep_file_close(f, o, name, err);
}

static void latency_plot(FILE *f, const rep_group *g, const size_t *counts)
{
    int shown = 0;
    for (size_t r = 0; r < g->n; r++) {
        if (!counts[r])
            continue;
        char file[64];
        snprintf(file, sizeof file, "latency_%zu.dat", g->ids[r] + 1);
        series_start(f, shown++, file);
        fputs(" using 1:($2*100) with steps", f);
        series_end(f, g, r);
    }
    if (!shown)
        empty_plot(f, "no task succeeded in any run");
    else
        fputc('\n', f);
}

int rep_plot_latency(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    double lo = INFINITY, hi = 0;
    size_t counts[REP_MAX_RUNS] = {0};
    char name[40], title[300];
    for (size_t r = 0; r < g->n; r++)
        if (latency_data(g->runs[r], g->ids[r], o, &lo, &hi, &counts[r], err))
            return -1;
    snprintf(name, sizeof name, "latency%s", g->suffix);
    FILE *f = rep_script_open(o, name, "CDF of the time from first attempt to success", err);
    if (!f)
        return -1;
    int height = rep_gp_key_height(g->n);
    rep_gp_begin_plot_sized(f, name, o->formats, height);
    rep_gp_title(f, "Time to success per task (CDF, one line per run)", rep_group_name(g));
    fputs("set xlabel 'seconds from a task''s first attempt to its success'\n"
          "set ylabel 'tasks succeeded within x (% of all tasks)'\nset yrange [0:105]\n",
          f);
    if (lo > 0 && isfinite(lo) && hi / lo > 50)
        fputs("set logscale x\nset xlabel 'seconds from a task''s first attempt to its success "
              "(log scale)'\n",
              f);
    latency_plot(f, g, counts);
    snprintf(title, sizeof title, "Latency to success (CDF)%s", g->title);
    rep_pic_add(ps, name, title,
                "For each run, the share of all tasks that succeeded within x seconds of their "
                "first attempt (waits and retries included). The line ends at the run's "
                "success rate.");
    rep_pic_height(ps, height);
    return rep_script_close(f, o, name, err);
}
