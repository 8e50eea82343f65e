/* plot.c: what every picture shares (time unit, colours, files) and the
 * order in which the report's pictures are written. */
#include "reports/plot.h"

#include <errno.h>
#include <string.h>

#include "reports/gnuplot.h"

rep_tunit rep_tunit_for(const rep_run *runs, size_t n)
{
    double end = 0;
    for (size_t i = 0; i < n; i++)
        if (runs[i].end_t > end)
            end = runs[i].end_t;
    return rep_tunit_span(end);
}

rep_tunit rep_tunit_span(double end)
{
    if (end > 4 * 3600.0)
        return (rep_tunit){3600.0, "h"};
    if (end > 1200.0)
        return (rep_tunit){60.0, "min"};
    return (rep_tunit){1.0, "s"};
}

const char *rep_class_colour(rep_class c)
{
    static const char *const colours[REP_CLASS_N] = {
        "#2ca02c", /* 2xx: green */
        "#9467bd", /* 401/403: purple */
        "#ff7f0e", /* 429: orange */
        "#d62728", /* 5xx: red */
        "#8c564b", /* timeout: brown */
        "#1f77b4", /* reset: blue */
        "#7f7f7f", /* other: grey */
    };
    return c < REP_CLASS_N ? colours[c] : "#000000";
}

int rep_class_point(rep_class c)
{
    static const int points[REP_CLASS_N] = {7, 5, 9, 13, 11, 3, 1};
    return c < REP_CLASS_N ? points[c] : 1;
}

const char *rep_series_colour(size_t i)
{
    static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                          "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                                          "#7f7f7f", "#bcbd22"};
    return colours[i % (sizeof colours / sizeof colours[0])];
}

FILE *rep_data_open(const rep_plot_opts *o, const char *name, cm_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", o->out, name);
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(err->msg, sizeof err->msg, "%.400s: cannot write: %.80s", path,
                 strerror(errno));
    return f;
}

int rep_file_close(FILE *f, const rep_plot_opts *o, const char *name, cm_err *err)
{
    int bad = ferror(f);
    if (fclose(f) == 0 && !bad)
        return 0;
    snprintf(err->msg, sizeof err->msg, "%.300s/%.100s: write failed", o->out, name);
    return -1;
}

FILE *rep_script_open(const rep_plot_opts *o, const char *name, const char *what, cm_err *err)
{
    FILE *f = rep_gp_open(o->out, name, what);
    if (!f)
        snprintf(err->msg, sizeof err->msg, "%.300s/%.100s.gp: cannot write: %.80s", o->out, name,
                 strerror(errno));
    return f;
}

int rep_script_close(FILE *f, const rep_plot_opts *o, const char *name, cm_err *err)
{
    if (rep_gp_finish(f, name, o->formats) == 0)
        return 0;
    snprintf(err->msg, sizeof err->msg, "%.300s/%.100s.gp: write failed", o->out, name);
    return -1;
}

void rep_pic_add(rep_plotset *ps, const char *name, const char *title, const char *caption)
{
    if (ps->n >= REP_MAX_PICS)
        return;
    rep_picture *p = &ps->pics[ps->n++];
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->title, sizeof p->title, "%s", title);
    snprintf(p->caption, sizeof p->caption, "%s", caption);
}

int rep_plot_write(const rep_run *runs, size_t n, const rep_plot_opts *o, rep_plotset *ps,
                   cm_err *err)
{
    ps->n = 0;
    if (rep_plot_success(runs, n, o, ps, err) || rep_plot_ladder(runs, n, o, ps, err))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (rep_plot_timeline(&runs[i], i, o, ps, err))
            return -1;
    for (size_t i = 0; i < n; i++)
        if (rep_plot_outcomes(&runs[i], i, o, ps, err))
            return -1;
    if (rep_plot_latency(runs, n, o, ps, err) || rep_plot_load(runs, n, o, ps, err))
        return -1;
    return 0;
}
