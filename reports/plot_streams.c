/* plot_streams.c: the pictures of streamed answers, for scenarios whose runs
 * streamed: the time to first token as a CDF (one line per run) and the
 * share of streams by how they ended (complete, error, malformed, cut,
 * stalled), one bar per run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/plot.h"
#include "reports/stats.h"

/* Colours of the stream outcomes (REP_STREAM_COMPLETE ... OTHER). */
static const char *stream_colour(rep_stream s)
{
    static const char *const c[REP_STREAM_N] = {"#ffffff", "#2ca02c", "#d62728", "#9467bd",
                                                "#ff7f0e", "#8c564b", "#7f7f7f"};
    return s < REP_STREAM_N ? c[s] : "#000000";
}

/* ttft_R.dat: every time to first token of run r, sorted, with the share of
 * the run's streamed responses that had theirs by then. Returns how many. */
static long ttft_data(const rep_run *run, size_t r, const rep_plot_opts *o, double *lo, double *hi,
                      cm_err *err)
{
    char name[64];
    snprintf(name, sizeof name, "ttft_%zu.dat", r + 1);
    double *v = malloc((run->n_ev ? run->n_ev : 1) * sizeof *v);
    size_t n = 0;
    if (!v) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < run->n_ev; i++)
        if (run->ev[i].kind == REP_RESPONSE && run->ev[i].ttft >= 0)
            v[n++] = run->ev[i].ttft;
    rep_sort(v, n);
    FILE *f = rep_data_open(o, name, err);
    if (!f) {
        free(v);
        return -1;
    }
    fprintf(f, "# %s\n# ttft_s share_of_streamed_responses\n", run->label);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%.6f %.6f\n", v[i], run->streams ? (double)(i + 1) / (double)run->streams : 0);
        *lo = v[i] > 0 ? fmin(*lo, v[i]) : *lo;
        *hi = fmax(*hi, v[i]);
    }
    free(v);
    return rep_file_close(f, o, name, err) ? -1 : (long)n;
}

static int plot_ttft(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    char name[40], title[300];
    long counts[REP_MAX_RUNS];
    double lo = INFINITY, hi = 0;
    for (size_t r = 0; r < g->n; r++)
        if ((counts[r] = ttft_data(g->runs[r], g->ids[r], o, &lo, &hi, err)) < 0)
            return -1;
    snprintf(name, sizeof name, "ttft%s", g->suffix);
    FILE *f = rep_script_open(o, name, "CDF of the time to first token", err);
    if (!f)
        return -1;
    int height = rep_gp_key_height(g->n);
    rep_gp_begin_plot_sized(f, name, o->formats, height);
    rep_gp_title(f, "Time to first token of streamed answers (CDF, one line per run)",
                 rep_group_name(g));
    fputs("set xlabel 'seconds from the send to the first token'\n"
          "set ylabel 'streamed responses (%)'\nset yrange [0:105]\n",
          f);
    if (isfinite(lo) && hi / lo > 50)
        fputs("set logscale x\n", f);
    else
        fputs("set xrange [0:*]\nset offsets 0, graph 0.05, 0, 0\n", f);
    int shown = 0;
    for (size_t r = 0; r < g->n; r++) {
        if (counts[r] <= 0)
            continue;
        char key[REP_KEY_MAX + 1];
        rep_group_key(g, r, key, sizeof key);
        fprintf(f, "%s'ttft_%zu.dat' using 1:($2*100) with steps lw 2 lc rgb '%s' title ",
                shown++ ? ", \\\n     " : "plot ", g->ids[r] + 1, rep_series_colour(r));
        rep_gp_quote(f, key);
    }
    if (!shown)
        fputs("set label 1 'no stream received a first token' at graph 0.5, graph 0.5 center\n"
              "plot NaN notitle",
              f);
    fputc('\n', f);
    snprintf(title, sizeof title, "Time to first token (CDF)%s", g->title);
    rep_pic_add(ps, name, title,
                "For each run, the share of its streamed responses whose first token had "
                "arrived within x seconds of the send. A line that ends below 100% had "
                "streams that never delivered a token (errors, stalls).");
    rep_pic_height(ps, height);
    return rep_script_close(f, o, name, err);
}

/* streams_S.dat: per run (a row, at y = its place), the share of its
 * streams by outcome, as cumulative x ends. */
static int streams_data(const rep_group *g, const char *file, const rep_plot_opts *o, cm_err *err)
{
    FILE *f = rep_data_open(o, file, err);
    if (!f)
        return -1;
    fputs("# one block per outcome: y x_center x_half_width (share, %) count\n", f);
    for (int s = REP_STREAM_COMPLETE; s < REP_STREAM_N; s++) {
        fprintf(f, "# outcome %s\n", rep_stream_name((rep_stream)s));
        for (size_t r = 0; r < g->n; r++) {
            const rep_run *run = g->runs[r];
            long by[REP_STREAM_N] = {0};
            for (size_t i = 0; i < run->n_ev; i++)
                if (run->ev[i].kind == REP_RESPONSE)
                    by[run->ev[i].stream]++;
            double total = (double)run->streams, before = 0;
            for (int k = REP_STREAM_COMPLETE; k < s; k++)
                before += (double)by[k];
            double share = total > 0 ? (double)by[s] / total * 100 : 0;
            before = total > 0 ? before / total * 100 : 0;
            fprintf(f, "%zu %.4f %.4f %ld\n", g->n - 1 - r, before + share / 2, share / 2, by[s]);
        }
        fputs("\n\n", f);
    }
    return rep_file_close(f, o, file, err);
}

static int plot_outcomes_of_streams(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps,
                                    cm_err *err)
{
    char name[40], file[64], title[300];
    snprintf(name, sizeof name, "streams%s", g->suffix);
    snprintf(file, sizeof file, "%s.dat", name);
    if (streams_data(g, file, o, err))
        return -1;
    FILE *f = rep_script_open(o, name, "streams by how they ended, per run", err);
    if (!f)
        return -1;
    int height = rep_gp_height(140 + 28 * (int)g->n);
    rep_gp_begin_plot_sized(f, name, o->formats, height);
    rep_gp_title(f, "How the streamed answers ended (share of each run's streams)",
                 rep_group_name(g));
    fprintf(f,
            "set xlabel 'streamed responses (%%)'\nset xrange [0:100]\nset yrange [-0.7:%g]\n"
            "set lmargin 34\nset ytics (",
            (double)g->n - 0.3);
    for (size_t r = 0; r < g->n; r++) {
        char key[REP_KEY_MAX + 1];
        rep_group_key(g, r, key, sizeof key);
        if (r)
            fputs(", ", f);
        rep_gp_quote(f, key);
        fprintf(f, " %zu", g->n - 1 - r);
    }
    fputs(")\nset grid noytics\n", f);
    for (int s = REP_STREAM_COMPLETE; s < REP_STREAM_N; s++)
        fprintf(f,
                "%s'%s' index %d using 2:1:3:(0.35) with boxxyerror fs solid 0.9 "
                "lc rgb '%s' title '%s'",
                s == REP_STREAM_COMPLETE ? "plot " : ", \\\n     ", file, s - REP_STREAM_COMPLETE,
                stream_colour((rep_stream)s), rep_stream_name((rep_stream)s));
    fputc('\n', f);
    snprintf(title, sizeof title, "Streams by outcome%s", g->title);
    rep_pic_add(ps, name, title,
                "One bar per run: of its streamed responses, the share that completed, ended "
                "in an error event, sent malformed data, were cut off mid-stream or stalled "
                "(no chunk within the stall timeout).");
    rep_pic_height(ps, height);
    return rep_script_close(f, o, name, err);
}

int rep_plot_streams(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    bool any = false;
    for (size_t r = 0; r < g->n; r++)
        any = any || g->runs[r]->streams > 0;
    if (!any)
        return 0;
    return plot_ttft(g, o, ps, err) || plot_outcomes_of_streams(g, o, ps, err) ? -1 : 0;
}
