/* plot.c: what every picture shares (time unit, colours, files) and the
 * order in which the report's pictures are written. */
#include "reports/plot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/run_expect.h"

rep_tunit rep_tunit_for(const rep_group *g)
{
    double end = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->runs[i]->end_t > end)
            end = g->runs[i]->end_t;
    return rep_tunit_span(end);
}

const char *rep_group_name(const rep_group *g)
{
    return strncmp(g->title, ": ", 2) == 0 ? g->title + 2 : g->title;
}

void rep_group_key(const rep_group *g, size_t r, char *out, size_t size)
{
    rep_gp_key_text(out, size, g->runs[r]->legend);
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
    static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                          "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                                          "#000080", "#808000", "#00a080", "#ff00ff"};
    return colours[i % (sizeof colours / sizeof colours[0])];
}

FILE *rep_data_open(const rep_plot_opts *o, const char *name, cm_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", o->out, name);
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(err->msg, sizeof err->msg, "%.400s: cannot write: %.80s", path, strerror(errno));
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
    snprintf(p->group, sizeof p->group, "%s", ps->group);
    p->height = REP_PNG_H;
}

void rep_pic_height(rep_plotset *ps, int height)
{
    if (ps->n > 0)
        ps->pics[ps->n - 1].height = rep_gp_height(height);
}

/* Puts runs into groups by scenario (name, else path), in first-seen order. */
static size_t make_groups(const rep_run *runs, size_t n, rep_group *groups)
{
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        const char *key = runs[i].scenario_name[0] ? runs[i].scenario_name : runs[i].scenario_path;
        size_t g = 0;
        while (g < ng && strcmp(key, groups[g].runs[0]->scenario_name[0]
                                         ? groups[g].runs[0]->scenario_name
                                         : groups[g].runs[0]->scenario_path) != 0)
            g++;
        if (g == ng)
            memset(&groups[ng++], 0, sizeof groups[0]);
        groups[g].runs[groups[g].n] = &runs[i];
        groups[g].ids[groups[g].n++] = i;
    }
    for (size_t g = 0; ng > 1 && g < ng; g++) {
        if (g > 0)
            snprintf(groups[g].suffix, sizeof groups[g].suffix, "_s%u",
                     (unsigned)(g + 1) & 0xffffu);
        snprintf(groups[g].title, sizeof groups[g].title, ": %.100s",
                 groups[g].runs[0]->scenario_name[0] ? groups[g].runs[0]->scenario_name
                                                     : groups[g].runs[0]->dir);
    }
    return ng;
}

/* Timelines of the group's checked runs (at most REP_TIMELINES_PER_GROUP),
 * else of its first run: one per policy compared would drown the page. */
static int plot_timelines(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    size_t drawn = 0;
    for (size_t i = 0; i < g->n && drawn < REP_TIMELINES_PER_GROUP; i++)
        if (rep_run_checked(g->runs[i])) {
            if (rep_plot_timeline(g->runs[i], g->ids[i], o, ps, err))
                return -1;
            drawn++;
        }
    return drawn || !g->n ? 0 : rep_plot_timeline(g->runs[0], g->ids[0], o, ps, err);
}

static int plot_group(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    if (rep_plot_overview(g, o, ps, err) || rep_plot_success(g, o, ps, err) ||
        rep_plot_ladder(g, o, ps, err) || plot_timelines(g, o, ps, err) ||
        rep_plot_outcomes(g, o, ps, err) || rep_plot_streams(g, o, ps, err))
        return -1;
    return rep_plot_latency(g, o, ps, err) || rep_plot_load(g, o, ps, err) ? -1 : 0;
}

int rep_plot_write(const rep_run *runs, size_t n, const rep_plot_opts *o, rep_plotset *ps,
                   cm_err *err)
{
    rep_group *groups = calloc(REP_MAX_RUNS, sizeof *groups);
    if (!groups) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    ps->n = 0;
    size_t ng = make_groups(runs, n > REP_MAX_RUNS ? REP_MAX_RUNS : n, groups);
    int rc = 0;
    for (size_t g = 0; rc == 0 && g < ng; g++) {
        const rep_run *first = groups[g].runs[0];
        snprintf(ps->group, sizeof ps->group, "%s",
                 first->scenario_name[0] ? first->scenario_name : first->scenario_path);
        rc = plot_group(&groups[g], o, ps, err);
    }
    free(groups);
    return rc;
}
