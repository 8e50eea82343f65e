/* plot_overview.c: the one-glance picture of a scenario run by two policies
 * or more: every run a point,
 * success rate (up) against calls per success (left is cheaper), coloured by
 * its p95 task duration, named by its policy; runs that land on the same
 * spot share one point and one label. Runs without a success stand in a
 * column of their own at the right edge. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/plot.h"
#include "reports/run_expect.h"
#include "reports/stats.h"

#define LABEL_MAX 30 /* characters of a point's label */

typedef struct ov_point {
    double calls, rate, p95; /* calls -1: no success */
    bool own;                /* the scenario's own policy */
    char label[REP_NAME_MAX + 48];
    size_t n; /* runs on this spot */
} ov_point;

/* The p95 of the durations of the run's tasks that sent (first send to done). */
static double p95_duration(const rep_run *run)
{
    double *v = malloc((run->n_tasks ? run->n_tasks : 1) * sizeof *v);
    size_t n = 0;
    if (!v)
        return 0;
    for (size_t k = 0; k < run->n_tasks; k++) {
        double d = rep_task_duration(run, k);
        if (d >= 0)
            v[n++] = d;
    }
    rep_sort(v, n);
    double q = n ? rep_quantile(v, n, 0.95) : 0;
    free(v);
    return q;
}

/* A policy name for a label: without "peer-" and "@base", cut to fit. */
static void short_name(char *out, size_t size, const rep_run *run)
{
    char key[REP_KEY_MAX + 1];
    const char *name = run->policy_name[0] ? run->policy_name : "default policy";
    if (strncmp(name, "peer-", 5) == 0)
        name += 5;
    rep_gp_key_text(key, sizeof key, name);
    snprintf(out, size, "%.*s%s", LABEL_MAX, key,
             run->mode[0] && strcmp(run->mode, "sim") != 0 ? " (mock)" : "");
}

/* The points of g, runs on one spot merged ("a +2"). Returns their count. */
static size_t ov_points(const rep_group *g, ov_point *pts)
{
    size_t n = 0;
    for (size_t r = 0; r < g->n; r++) {
        const rep_run *run = g->runs[r];
        rep_stats s;
        rep_stats_compute(run, &s);
        ov_point p = {
            s.calls_per_success, s.success_rate, p95_duration(run), rep_run_own_policy(run), "", 1};
        short_name(p.label, sizeof p.label, run);
        size_t k = 0;
        while (k < n && !(fabs(pts[k].rate - p.rate) < 0.0005 &&
                          fabs(pts[k].calls - p.calls) <= 0.005 * fmax(1, fabs(p.calls))))
            k++;
        if (k == n)
            pts[n++] = p;
        else {
            pts[k].n++;
            pts[k].own = pts[k].own || p.own;
        }
    }
    for (size_t k = 0; k < n; k++)
        if (pts[k].n > 1) {
            size_t len = strlen(pts[k].label);
            snprintf(pts[k].label + len, sizeof pts[k].label - len, " +%zu", pts[k].n - 1);
        }
    return n;
}

/* overview_S.dat: block 0 every point, block 1 the scenario's own policy. */
static int ov_data(const ov_point *pts, size_t n, const char *file, const rep_plot_opts *o,
                   cm_err *err)
{
    FILE *f = rep_data_open(o, file, err);
    if (!f)
        return -1;
    fputs("# calls_per_success (-1: no success) success_rate p95_task_duration_s \"label\"\n", f);
    for (int block = 0; block < 2; block++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (block == 1 && !pts[i].own)
                continue;
            fprintf(f, "%.6g %.6g %.6g ", pts[i].calls, pts[i].rate, pts[i].p95);
            rep_gp_data_string(f, pts[i].label);
            fputc('\n', f);
            k++;
        }
        fputs(k ? "\n\n" : "0 -1 0 \"\"\n\n\n", f);
    }
    return rep_file_close(f, o, file, err);
}

static void ov_axes(FILE *f, const ov_point *pts, size_t n)
{
    double lo = INFINITY, hi = 0, dmin = INFINITY, dmax = 0;
    for (size_t i = 0; i < n; i++) {
        if (pts[i].calls > 0)
            lo = fmin(lo, pts[i].calls), hi = fmax(hi, pts[i].calls);
        if (pts[i].p95 > 0)
            dmin = fmin(dmin, pts[i].p95), dmax = fmax(dmax, pts[i].p95);
    }
    bool logx = isfinite(lo) && hi > 8 * lo;
    hi = hi > 0 ? hi : 1;
    double edge = logx ? hi * 2.2 : hi * 1.2 + 0.3;
    if (logx)
        fputs("set logscale x\nset xlabel 'calls per success (log scale; left is cheaper)'\n", f);
    else
        fputs("set xlabel 'calls per success (left is cheaper)'\n", f);
    fprintf(f, "rl_none = %g\nrl_x(c) = c < 0 ? rl_none : c\nset xrange [%g:%g]\n", edge,
            logx ? lo / 1.6 : 0.0, logx ? edge * 1.7 : edge * 1.1);
    fputs("set label 2 'no success' at rl_none, graph 0.97 center font ',8'\n", f);
    if (dmin > 0 && isfinite(dmin) && dmax > 20 * dmin)
        fprintf(f, "set logscale cb\nset cbrange [%g:%g]\n", dmin / 1.5, dmax * 1.5);
    else /* from 0: durations close to each other share a colour */
        fprintf(f, "set cbrange [0:%g]\n", dmax > 0 ? dmax * 1.05 : 1);
}

static void ov_script(FILE *f, const rep_group *g, const ov_point *pts, size_t n, const char *data)
{
    rep_gp_title(f, "Every policy at a glance: success against cost", rep_group_name(g));
    fputs("set ylabel 'tasks succeeded (%)'\nset yrange [-4:108]\nset ytics 0,20,100\n"
          "set key outside right top\nset cblabel 'p95 task duration (s)'\n"
          "set palette defined (0 '#1a9850', 0.5 '#fee08b', 1 '#d73027')\n"
          "set colorbox user origin graph 1.04, graph 0 size character 1.5, graph 0.55\n",
          f);
    ov_axes(f, pts, n);
    fprintf(f,
            "plot '%s' index 0 using (rl_x($1)):($2*100):3 with points pt 7 ps 2.2 lc palette "
            "title 'a policy (colour: p95 task duration)', \\\n"
            "     '%s' index 1 using (rl_x($1)):($2*100) with points pt 6 ps 3.4 lw 2 "
            "lc rgb '#000000' title 'the scenario''s own policy', \\\n"
            "     '%s' index 0 using (rl_x($1)):($2*100):4 with labels left offset 1.2,0.35 "
            "font ',8' notitle\n",
            data, data, data);
}

int rep_plot_overview(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    char name[40], file[64], title[300];
    if (g->n < 2)
        return 0; /* one point: the runs table says it all */
    ov_point *pts = calloc(g->n ? g->n : 1, sizeof *pts);
    if (!pts) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    size_t n = ov_points(g, pts);
    snprintf(name, sizeof name, "overview%s", g->suffix);
    snprintf(file, sizeof file, "%s.dat", name);
    int rc = ov_data(pts, n, file, o, err);
    FILE *f = rc == 0 ? rep_script_open(o, name, "every run: success against calls", err) : NULL;
    if (f) {
        rep_gp_begin_plot(f, name, o->formats);
        ov_script(f, g, pts, n, file);
        snprintf(title, sizeof title, "Overview: every policy as a point%s", g->title);
        rep_pic_add(ps, name, title,
                    "Each point is a policy run on this scenario: how many tasks succeeded "
                    "(up is better) against how many calls each success cost (left is "
                    "cheaper); its colour is the p95 task duration, from first send to done "
                    "(green short, red long). Policies that land on the same spot share a "
                    "point and a label (\"+N\" more). A black ring marks the scenario's own "
                    "policy; runs without any success stand in the column 'no success' at the "
                    "right edge.");
        rc = rep_script_close(f, o, name, err);
    } else {
        rc = -1;
    }
    free(pts);
    return rc;
}
