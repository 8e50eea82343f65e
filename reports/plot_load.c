/* plot_load.c: provider load -- requests per second of scenario time per run
 * and provider, against the provider's request limit when the scenario's rate
 * windows state it. Synchronised retry waves show up as spikes. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/plot.h"

#define MAX_BINS 200
#define MAX_LIMITS 16

typedef struct limit_line {
    char provider[REP_NAME_MAX];
    double limit, period_s; /* requests per period */
} limit_line;

/* A bin width from a 1-2-5 ladder so that `span` seconds fit in MAX_BINS. */
static double bin_width(double span)
{
    static const double widths[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600,
                                    900, 1800, 3600, 7200, 14400, 43200, 86400};
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

/* One block per provider: bin start (s), requests per second; steps-ready. */
static void load_block(FILE *f, const rep_run *run, const char *provider, double w, size_t bins)
{
    long *count = calloc(bins, sizeof *count);
    if (!count)
        return;
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        if (e->kind != REP_SEND || strcmp(run->cands[e->cand].provider, provider) != 0)
            continue;
        size_t b = e->t <= 0 ? 0 : (size_t)(e->t / w);
        count[b < bins ? b : bins - 1]++;
    }
    fprintf(f, "# provider %s: bin_start_s requests_per_s\n", provider);
    for (size_t b = 0; b < bins; b++)
        fprintf(f, "%.3f %.6f\n", (double)b * w, (double)count[b] / w);
    fprintf(f, "%.3f %.6f\n\n\n", (double)bins * w, (double)count[bins - 1] / w);
    free(count);
}

static int load_data(const rep_run *run, size_t r, double w, size_t bins,
                     const rep_plot_opts *o, cm_err *err)
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
        load_block(f, run, prov[p], w, bins);
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

static void load_plot(FILE *f, const rep_group *g, rep_tunit u, const limit_line *lim,
                      size_t nlim)
{
    int s = 0;
    for (size_t r = 0; r < g->n; r++) {
        const char *prov[16];
        size_t np = providers_of(g->runs[r], prov, 16);
        for (size_t p = 0; p < np; p++, s++) {
            char file[64], title[400];
            snprintf(file, sizeof file, "load_%zu.dat", g->ids[r] + 1);
            fprintf(f, "%s'%s' index %zu using ($1/%g):2 with steps lw 2 lc rgb '%s' title ",
                    s ? ", \\\n     " : "plot ", file, p, u.div, rep_series_colour((size_t)s));
            snprintf(title, sizeof title, "%s: %s", g->runs[r]->legend, prov[p]);
            rep_gp_quote(f, title);
        }
    }
    for (size_t i = 0; i < nlim; i++, s++) {
        char title[300];
        snprintf(title, sizeof title, "%.100s limit: %g requests / %g s", lim[i].provider,
                 lim[i].limit, lim[i].period_s);
        fprintf(f, "%s%g with lines dt 2 lw 2 lc rgb '#000000' title ", s ? ", \\\n     " : "plot ",
                lim[i].limit / lim[i].period_s);
        rep_gp_quote(f, title);
    }
    if (s == 0)
        fputs("set label 1 'no requests in any run' at graph 0.5,0.5 center\nplot 0 notitle", f);
    fputc('\n', f);
}

static void load_settings(FILE *f, const rep_group *g, double w, rep_tunit u)
{
    char title[300];
    snprintf(title, sizeof title, "Provider load%s: requests per second of scenario time "
             "(mean over %g s)", g->title, w);
    fputs("set title ", f);
    rep_gp_quote(f, title);
    fprintf(f, "\nset xlabel 'scenario time (%s)'\nset ylabel 'requests per second'\n"
               "set yrange [0:*]\nset xrange [0:*]\nset offsets 0, 0, graph 0.08, 0\n", u.name);
}

int rep_plot_load(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    double span = 1;
    for (size_t r = 0; r < g->n; r++)
        span = fmax(span, g->runs[r]->end_t);
    double w = bin_width(span);
    size_t bins = (size_t)ceil(span / w) + 1, nlim = 0;
    limit_line lim[MAX_LIMITS];
    char name[40], title[300];
    for (size_t r = 0; r < g->n; r++)
        if (load_data(g->runs[r], g->ids[r], w, bins, o, err))
            return -1;
    for (size_t r = 0; r < g->n; r++)
        scenario_limits(g->runs[r], lim, &nlim);
    snprintf(name, sizeof name, "load%s", g->suffix);
    FILE *f = rep_script_open(o, name, "requests per second per provider over scenario time", err);
    if (!f)
        return -1;
    rep_gp_begin_plot(f, name, o->formats);
    load_settings(f, g, w, rep_tunit_for(g));
    load_plot(f, g, rep_tunit_for(g), lim, nlim);
    snprintf(title, sizeof title, "Provider load against the provider's limit%s", g->title);
    rep_pic_add(ps, name, title,
                "Requests sent per second of scenario time, per run and provider; the dashed "
                "line is the tightest request window the scenario declares for that provider "
                "(a per-key window allows that rate per key). Spikes at the same moments are "
                "synchronised retry waves; jitter spreads them.");
    return rep_script_close(f, o, name, err);
}
