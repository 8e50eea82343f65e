/* plot_load.c: provider load -- requests per second of scenario time per run
 * and provider, against the provider's request limit when the scenario's rate
 * windows state it. Synchronised retry waves show up as spikes. Up to
 * PANEL_RUNS runs share one plot; more get one panel each, stacked, on the
 * same axes, so a dozen policies do not draw over each other. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/plot.h"

#define MAX_BINS 200
#define MAX_LIMITS 16
#define PANEL_RUNS 3   /* more runs than this: one panel per run */
#define PANEL_H 130    /* pixels per panel */
#define LOG_SPAN 100.0 /* highest / lowest rate shown from which the y axis is logarithmic */

typedef struct limit_line {
    char provider[REP_NAME_MAX];
    double limit, period_s; /* requests per period */
} limit_line;

/* A bin width from a 1-2-5 ladder so that `span` seconds fit in MAX_BINS. */
static double bin_width(double span)
{
    static const double widths[] = {0.1, 0.2, 0.5, 1,   2,    5,    10,   15,    30,    60,
                                    120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
        if (span / widths[i] <= MAX_BINS)
            return widths[i];
    return ceil(span / MAX_BINS);
}

/* Distinct providers of a run, in first-seen order; count returned. */
static size_t providers_of(const rep_run *run, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t c = 0; c < run->n_cands; c++) {
        size_t k = 0;
        while (k < n && strcmp(out[k], run->cands[c].provider) != 0)
            k++;
        if (k == n && n < max)
            out[n++] = run->cands[c].provider;
    }
    return n;
}

/* One block per provider: bin start (s), requests per second; steps-ready.
 * Returns the highest rate written. */
static double load_block(FILE *f, const rep_run *run, const char *provider, double w, size_t bins)
{
    long *count = calloc(bins, sizeof *count), most = 0;
    if (!count)
        return 0;
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        if (e->kind != REP_SEND || strcmp(run->cands[e->cand].provider, provider) != 0)
            continue;
        size_t b = e->t <= 0 ? 0 : (size_t)(e->t / w);
        count[b < bins ? b : bins - 1]++;
    }
    fprintf(f, "# provider %s: bin_start_s requests_per_s\n", provider);
    for (size_t b = 0; b < bins; b++) {
        fprintf(f, "%.3f %.6f\n", (double)b * w, (double)count[b] / w);
        most = count[b] > most ? count[b] : most;
    }
    fprintf(f, "%.3f %.6f\n\n\n", (double)bins * w, (double)count[bins - 1] / w);
    free(count);
    return (double)most / w;
}

static int load_data(const rep_run *run, size_t r, double w, size_t bins, const rep_plot_opts *o,
                     double *ymax, cm_err *err)
{
    char name[64];
    const char *prov[16];
    snprintf(name, sizeof name, "load_%zu.dat", r + 1);
    FILE *f = rep_data_open(o, name, err);
    if (!f)
        return -1;
    fprintf(f, "# %s\n# one block per provider (gnuplot index 0, 1, ...)\n", run->label);
    size_t np = providers_of(run, prov, 16);
    for (size_t p = 0; p < np; p++)
        *ymax = fmax(*ymax, load_block(f, run, prov[p], w, bins));
    return rep_file_close(f, o, name, err);
}

/* The tightest request window (requests per second) among a provider's
 * "windows" in the scenario; best->limit stays -1 when none counts requests. */
static void tightest_window(const cJSON *provider, limit_line *best)
{
    const cJSON *w;
    best->limit = -1;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(provider, "windows"))
    {
        const cJSON *unit = cJSON_GetObjectItemCaseSensitive(w, "unit");
        const cJSON *lim = cJSON_GetObjectItemCaseSensitive(w, "limit");
        const cJSON *per = cJSON_GetObjectItemCaseSensitive(w, "period_s");
        if ((unit && !(cJSON_IsString(unit) && strcmp(unit->valuestring, "requests") == 0)) ||
            !cJSON_IsNumber(lim) || !cJSON_IsNumber(per) || per->valuedouble <= 0)
            continue;
        if (best->limit < 0 || lim->valuedouble / per->valuedouble < best->limit / best->period_s) {
            best->limit = lim->valuedouble;
            best->period_s = per->valuedouble;
        }
    }
}

/* Each provider's tightest window in a run's scenario, added to lines[]
 * unless already there (runs of one scenario share them). */
static void scenario_limits(const rep_run *run, limit_line *lines, size_t *n)
{
    const cJSON *root = run->scenario ? cm_json_root(run->scenario) : NULL;
    const cJSON *provs = cJSON_GetObjectItemCaseSensitive(root, "providers"), *p;
    if (!cJSON_IsArray(provs))
        return;
    cJSON_ArrayForEach(p, provs)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
        limit_line best;
        tightest_window(p, &best);
        if (best.limit < 0 || !cJSON_IsString(name) || *n >= MAX_LIMITS)
            continue;
        snprintf(best.provider, sizeof best.provider, "%.100s", name->valuestring);
        bool dup = false;
        for (size_t i = 0; i < *n && !dup; i++)
            dup = strcmp(lines[i].provider, best.provider) == 0 && lines[i].limit == best.limit &&
                  lines[i].period_s == best.period_s;
        if (!dup)
            lines[(*n)++] = best;
    }
}

/* Whether every run of g sends to one and the same provider. */
static bool one_provider(const rep_group *g)
{
    const char *first = NULL;
    for (size_t r = 0; r < g->n; r++) {
        const char *prov[16];
        size_t np = providers_of(g->runs[r], prov, 16);
        if (np > 1 || (np == 1 && first && strcmp(first, prov[0]) != 0))
            return false;
        first = np ? prov[0] : first;
    }
    return true;
}

/* The series of run r (providers p of it); *s counts series written. */
static void run_lines(FILE *f, const rep_group *g, size_t r, rep_tunit u, bool solo, int *s)
{
    const char *prov[16];
    size_t np = providers_of(g->runs[r], prov, 16);
    for (size_t p = 0; p < np; p++, (*s)++) {
        char file[64], title[400], key[REP_KEY_MAX + 1];
        snprintf(file, sizeof file, "load_%zu.dat", g->ids[r] + 1);
        fprintf(f, "%s'%s' index %zu using ($1/%g):(rl_z($2)) with steps lw 2 lc rgb '%s' title ",
                *s ? ", \\\n     " : "plot ", file, p, u.div,
                rep_series_colour(g->n > PANEL_RUNS ? p : (size_t)*s));
        if (g->n > PANEL_RUNS)
            snprintf(title, sizeof title, "%s", prov[p]);
        else if (solo)
            snprintf(title, sizeof title, "%s", g->runs[r]->legend);
        else
            snprintf(title, sizeof title, "%s: %s", g->runs[r]->legend, prov[p]);
        rep_gp_key_text(key, sizeof key, title);
        rep_gp_quote(f, key);
    }
}

static void limit_lines(FILE *f, const limit_line *lim, size_t nlim, int *s)
{
    for (size_t i = 0; i < nlim; i++, (*s)++) {
        char title[300];
        snprintf(title, sizeof title, "%.100s limit: %g requests / %g s", lim[i].provider,
                 lim[i].limit, lim[i].period_s);
        fprintf(f, "%s%g with lines dt 2 lw 2 lc rgb '#000000' title ",
                *s ? ", \\\n     " : "plot ", lim[i].limit / lim[i].period_s);
        rep_gp_quote(f, title);
    }
}

static void load_plot(FILE *f, const rep_group *g, rep_tunit u, const limit_line *lim, size_t nlim)
{
    int s = 0;
    bool solo = one_provider(g);
    for (size_t r = 0; r < g->n; r++)
        run_lines(f, g, r, u, solo, &s);
    limit_lines(f, lim, nlim, &s);
    if (s == 0)
        fputs("set label 1 'no requests in any run' at graph 0.5,0.5 center\nplot 0 notitle", f);
    fputc('\n', f);
}

/* One panel per run, same axes, the run's name as the panel's title; the
 * x label on the last panel only. Written to body (run twice: PNG, SVG). */
/* The y axis from 0 to ymax, or logarithmic when ymax is more than LOG_SPAN
 * times the lowest rate drawn (one request in a bin of w seconds, or a
 * limit line); then a bin without requests sits on the bottom line. */
static double lowest_rate(double w, const limit_line *lim, size_t nlim)
{
    double lo = 1 / w;
    for (size_t i = 0; i < nlim; i++)
        lo = fmin(lo, lim[i].limit / lim[i].period_s);
    return lo;
}

static bool log_y(double w, double ymax, const limit_line *lim, size_t nlim)
{
    return ymax > 0 && ymax / lowest_rate(w, lim, nlim) > LOG_SPAN;
}

static void y_axis(FILE *f, double w, double ymax, const limit_line *lim, size_t nlim,
                   const char *label)
{
    double lo = lowest_rate(w, lim, nlim);
    if (!log_y(w, ymax, lim, nlim)) {
        fprintf(f, "set yrange [0:%g]\nrl_z(y) = y\nset ylabel ", ymax > 0 ? ymax * 1.15 : 1);
        rep_gp_quote(f, label);
        fputc('\n', f);
        return;
    }
    double bottom = lo / 2;
    char text[200];
    snprintf(text, sizeof text, "%s (log scale%s)", label,
             strlen(label) > 10 ? "; 0 on the bottom line" : "");
    fprintf(f,
            "set logscale y\nset format y '%%g'\nset yrange [%g:%g]\nrl_z(y) = y > 0 ? y : %g\n"
            "set ylabel ",
            bottom, ymax * 2, bottom);
    rep_gp_quote(f, text);
    fputc('\n', f);
}

static void load_panels(FILE *f, const rep_group *g, const double axes[3], const limit_line *lim,
                        size_t nlim)
{
    double w = axes[0], xmax = axes[1], ymax = axes[2];
    rep_tunit u = rep_tunit_span(xmax);
    char title[300];
    snprintf(title, sizeof title,
             "Provider load: requests per second of scenario time, one "
             "panel per run%s",
             log_y(w, ymax, lim, nlim) ? " (log y: 0 on the bottom line)" : "");
    fprintf(f, "set multiplot layout %zu,1 title ", g->n);
    rep_gp_quote(f, title);
    if (rep_group_name(g)[0]) {
        fputs(" . \"\\n\" . ", f);
        rep_gp_quote(f, rep_group_name(g));
    }
    fprintf(f,
            "\nset lmargin at screen 0.08\nset rmargin at screen 0.72\nset tmargin 1.5\n"
            "set bmargin 1\nset xrange [0:%g]\nset ytics font ',8'\nset ylabel font ',8'\n"
            "unset xlabel\n"
            /* the key outside, right of each panel's data, top-aligned with it (with
             * margins fixed at screen, "outside" alone lets it overlap the data) */
            "set key at screen 0.73, graph 1 left top\n",
            xmax / u.div);
    y_axis(f, w, ymax, lim, nlim, "req/s");
    for (size_t r = 0; r < g->n; r++) {
        int s = 0;
        if (r + 1 == g->n)
            fprintf(f, "set bmargin 3\nset xlabel 'scenario time (%s)'\n", u.name);
        fputs("set title ", f);
        rep_gp_quote(f, g->runs[r]->legend);
        fputs(" font ',9' offset 0,-0.6\n", f);
        run_lines(f, g, r, u, false, &s);
        limit_lines(f, lim, nlim, &s);
        if (s == 0)
            fputs("plot NaN notitle", f);
        fputc('\n', f);
    }
    fputs("unset multiplot\n", f);
}

static void load_settings(FILE *f, const rep_group *g, double w, rep_tunit u, double ymax,
                          const limit_line *lim, size_t nlim)
{
    char title[300];
    snprintf(title, sizeof title,
             "Provider load: requests per second of scenario time "
             "(mean over %g s)",
             w);
    rep_gp_title(f, title, rep_group_name(g));
    fprintf(f, "set xlabel 'scenario time (%s)'\nset xrange [0:*]\n", u.name);
    char label[200] = "requests per second";
    if (one_provider(g) && g->n && g->runs[0]->n_cands)
        snprintf(label, sizeof label, "requests per second to %.100s",
                 g->runs[0]->cands[0].provider);
    y_axis(f, w, ymax, lim, nlim, label);
}

/* The panels' script: body built in memory, written once per format. */
static int panel_script(FILE *f, const rep_group *g, const rep_plot_opts *o, const char *name,
                        double span, double w, double ymax, const limit_line *lim, size_t nlim,
                        cm_err *err)
{
    char *body = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&body, &len);
    if (m) {
        const double axes[3] = {w, span, ymax}; /* bin width, x end (s), highest rate */
        load_panels(m, g, axes, lim, nlim);
        fclose(m);
    }
    int rc = body ? rep_gp_finish_body(f, name, o->formats, body, len) : (fclose(f), -1);
    free(body);
    if (rc != 0)
        snprintf(err->msg, sizeof err->msg, "%.300s/%.100s.gp: write failed", o->out, name);
    return rc;
}

int rep_plot_load(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    double span = 1, ymax = 0;
    for (size_t r = 0; r < g->n; r++)
        span = fmax(span, g->runs[r]->end_t);
    double w = bin_width(span);
    size_t bins = (size_t)ceil(span / w) + 1, nlim = 0;
    limit_line lim[MAX_LIMITS];
    char name[40], title[300];
    for (size_t r = 0; r < g->n; r++)
        if (load_data(g->runs[r], g->ids[r], w, bins, o, &ymax, err))
            return -1;
    for (size_t r = 0; r < g->n; r++)
        scenario_limits(g->runs[r], lim, &nlim);
    for (size_t i = 0; i < nlim; i++)
        ymax = fmax(ymax, lim[i].limit / lim[i].period_s);
    snprintf(name, sizeof name, "load%s", g->suffix);
    FILE *f = rep_script_open(o, name, "requests per second per provider over scenario time", err);
    if (!f)
        return -1;
    bool panels = g->n > PANEL_RUNS;
    int height = panels ? rep_gp_height(90 + PANEL_H * (int)g->n) : rep_gp_key_height(g->n + nlim);
    rep_gp_begin_plot_sized(f, name, o->formats, height);
    snprintf(title, sizeof title, "Provider load against the provider's limit%s", g->title);
    rep_pic_add(ps, name, title,
                "Requests sent per second of scenario time, per run and provider (more than "
                "3 runs: one panel per run, same axes); the dashed line is the tightest request "
                "window the scenario declares for that provider (a per-key window allows that "
                "rate per key). Spikes at the same moments are synchronised retry waves; jitter "
                "spreads them.");
    rep_pic_height(ps, height);
    if (panels)
        return panel_script(f, g, o, name, span, w, ymax, lim, nlim, err);
    load_settings(f, g, w, rep_tunit_for(g), ymax, lim, nlim);
    load_plot(f, g, rep_tunit_for(g), lim, nlim);
    return rep_script_close(f, o, name, err);
}
