/* plot_load.c: provider load against the provider's own limit. For each
 * provider whose scenario declares a request window, the requests counted
 * over that window's own length (a sliding window of period_s, per key for a
 * per-key window, per model for a per-model one: the busiest), as a share of
 * its limit: 100% is the limit, each provider in its own colour. Providers
 * without a request window are drawn as requests per second when no
 * provider has one. Up to PANEL_RUNS runs share one plot (dash type per
 * run); more get one panel each, stacked, on the same axes. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/plot.h"
#include "reports/stats.h"

#define MAX_BINS 200
#define MAX_PROVIDERS 16
#define PANEL_RUNS 3   /* more runs than this: one panel per run */
#define PANEL_H 130    /* pixels per panel */
#define LOG_SPAN 100.0 /* highest / lowest value shown from which the y axis is logarithmic */

typedef enum unit_scope { BY_PROVIDER, BY_KEY, BY_MODEL } unit_scope;

/* A provider of the group and its tightest request window. */
typedef struct prov {
    char name[REP_NAME_MAX];
    double limit, period_s; /* limit < 0: no request window declared */
    unit_scope scope;
    char model[REP_NAME_MAX]; /* the window counts this model only ("" all) */
    char scope_word[32];      /* "per key", "per model", "" */
} prov;

typedef struct load_axes {
    double w;    /* bin width, s */
    size_t bins; /* bins */
    double span; /* x end, s */
    double ymax; /* highest value drawn */
    double ymin; /* lowest positive value drawn */
    bool util;   /* y is % of the limit (else requests per second) */
} load_axes;

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

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* The tightest request window among a provider's "windows" (limit per
 * second), into *p; p->limit stays -1 when none counts requests. */
static void tightest_window(const cJSON *provider, prov *p)
{
    const cJSON *w;
    p->limit = -1;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(provider, "windows"))
    {
        const char *unit = jstr(w, "unit"), *scope = jstr(w, "scope"), *model = jstr(w, "model");
        const cJSON *lim = cJSON_GetObjectItemCaseSensitive(w, "limit");
        const cJSON *per = cJSON_GetObjectItemCaseSensitive(w, "period_s");
        if ((unit && strcmp(unit, "requests") != 0) || !cJSON_IsNumber(lim) ||
            !cJSON_IsNumber(per) || per->valuedouble <= 0 || lim->valuedouble <= 0)
            continue;
        if (p->limit >= 0 && lim->valuedouble / per->valuedouble >= p->limit / p->period_s)
            continue;
        p->limit = lim->valuedouble;
        p->period_s = per->valuedouble;
        scope = scope ? scope : "key";
        p->scope = strcmp(scope, "key") == 0 ? BY_KEY
                   : strcmp(scope, "model") == 0 || strcmp(scope, "organisation_model") == 0
                       ? BY_MODEL
                       : BY_PROVIDER;
        snprintf(p->scope_word, sizeof p->scope_word, "%s",
                 p->scope == BY_KEY     ? " per key"
                 : p->scope == BY_MODEL ? " per model"
                                        : "");
        snprintf(p->model, sizeof p->model, "%s", model ? model : "");
    }
}

/* The providers the group's runs sent to, with the windows their scenario
 * declares. Returns their count. */
static size_t group_providers(const rep_group *g, prov *out)
{
    size_t n = 0;
    for (size_t r = 0; r < g->n; r++)
        for (size_t c = 0; c < g->runs[r]->n_cands; c++) {
            const char *name = g->runs[r]->cands[c].provider;
            size_t k = 0;
            while (k < n && strcmp(out[k].name, name) != 0)
                k++;
            if (k < n || n == MAX_PROVIDERS)
                continue;
            memset(&out[n], 0, sizeof out[n]);
            snprintf(out[n].name, sizeof out[n].name, "%s", name);
            out[n].limit = -1;
            n++;
        }
    for (size_t r = 0; r < g->n; r++) {
        const cJSON *root = g->runs[r]->scenario ? cm_json_root(g->runs[r]->scenario) : NULL;
        const cJSON *pv;
        cJSON_ArrayForEach(pv, cJSON_GetObjectItemCaseSensitive(root, "providers"))
        {
            const char *name = jstr(pv, "name");
            for (size_t k = 0; name && k < n; k++)
                if (out[k].limit < 0 && strcmp(out[k].name, name) == 0)
                    tightest_window(pv, &out[k]);
        }
    }
    return n;
}

/* The scope unit of a send (a key, a model), or 0 for the whole provider. */
static long unit_of(const rep_event *e, unit_scope s)
{
    return s == BY_KEY ? e->key + 1 : s == BY_MODEL ? e->cand + 1 : 0;
}

typedef struct send_at {
    long unit;
    double t;
} send_at;

static int by_unit_time(const void *a, const void *b)
{
    const send_at *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

/* For the sends t[0..m) of one unit (sorted), the most requests its window
 * held in each bin: at each send, and at each bin's end. */
static void unit_counts(const double *t, size_t m, double period, const load_axes *ax, double *most)
{
    for (size_t i = 0, lo = 0; i < m; i++) {
        while (t[lo] <= t[i] - period)
            lo++;
        size_t b = t[i] <= 0 ? 0 : (size_t)(t[i] / ax->w);
        b = b < ax->bins ? b : ax->bins - 1;
        most[b] = fmax(most[b], (double)(i - lo + 1));
    }
    for (size_t b = 0, lo = 0, hi = 0; b < ax->bins; b++) {
        double end = (double)(b + 1) * ax->w;
        while (hi < m && t[hi] <= end)
            hi++;
        while (lo < hi && t[lo] <= end - period)
            lo++;
        most[b] = fmax(most[b], (double)(hi - lo));
    }
}

/* The utilisation (% of the limit) of provider p in run `run`, per bin,
 * into out[bins]: the busiest unit's count over the window. -1 out of memory. */
static int utilisation(const rep_run *run, const prov *p, const load_axes *ax, double *out)
{
    send_at *s = malloc((run->n_ev ? run->n_ev : 1) * sizeof *s);
    double *t = malloc((run->n_ev ? run->n_ev : 1) * sizeof *t);
    size_t n = 0;
    if (!s || !t) {
        free(s);
        free(t);
        return -1;
    }
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        const rep_cand *c = e->kind == REP_SEND ? &run->cands[e->cand] : NULL;
        if (!c || strcmp(c->provider, p->name) != 0 ||
            (p->model[0] && strcmp(c->name + strlen(c->provider) + 1, p->model) != 0))
            continue;
        s[n++] = (send_at){unit_of(e, p->scope), e->t};
    }
    qsort(s, n, sizeof *s, by_unit_time);
    for (size_t b = 0; b < ax->bins; b++)
        out[b] = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && s[j].unit == s[i].unit; j++)
            t[j - i] = s[j].t;
        unit_counts(t, j - i, p->period_s, ax, out);
    }
    for (size_t b = 0; b < ax->bins; b++)
        out[b] = out[b] / p->limit * 100;
    free(s);
    free(t);
    return 0;
}

/* Requests per second of provider p in run `run`, per bin (mean over the bin). */
static void rate(const rep_run *run, const prov *p, const load_axes *ax, double *out)
{
    for (size_t b = 0; b < ax->bins; b++)
        out[b] = 0;
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        if (e->kind != REP_SEND || strcmp(run->cands[e->cand].provider, p->name) != 0)
            continue;
        size_t b = e->t <= 0 ? 0 : (size_t)(e->t / ax->w);
        out[b < ax->bins ? b : ax->bins - 1] += 1 / ax->w;
    }
}

/* load_R.dat: one block per provider drawn (steps-ready). */
static int load_data(const rep_run *run, size_t id, const prov *pv, size_t np, load_axes *ax,
                     const rep_plot_opts *o, cm_err *err)
{
    char name[64];
    double *v = malloc(ax->bins * sizeof *v);
    snprintf(name, sizeof name, "load_%zu.dat", id + 1);
    FILE *f = v ? rep_data_open(o, name, err) : NULL;
    if (!f) {
        if (!v)
            cm_err_set(err, "out of memory");
        free(v);
        return -1;
    }
    fprintf(f, "# %s\n# one block per provider (gnuplot index 0, 1, ...): bin_start_s %s\n",
            run->label, ax->util ? "percent_of_limit" : "requests_per_s");
    for (size_t p = 0; p < np; p++) {
        if (ax->util && utilisation(run, &pv[p], ax, v) != 0) {
            fclose(f);
            free(v);
            cm_err_set(err, "out of memory");
            return -1;
        }
        if (!ax->util)
            rate(run, &pv[p], ax, v);
        fprintf(f, "# provider %s\n", pv[p].name);
        for (size_t b = 0; b < ax->bins; b++) {
            fprintf(f, "%.3f %.6f\n", (double)b * ax->w, v[b]);
            ax->ymax = fmax(ax->ymax, v[b]);
            ax->ymin = v[b] > 0 ? fmin(ax->ymin, v[b]) : ax->ymin;
        }
        fprintf(f, "%.3f %.6f\n\n\n", (double)ax->bins * ax->w, v[ax->bins - 1]);
    }
    free(v);
    return rep_file_close(f, o, name, err);
}

/* Keeps the providers with a request window (when any has one). */
static size_t drawn_providers(prov *pv, size_t n, bool *util)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (pv[i].limit > 0)
            pv[k++] = pv[i];
    *util = k > 0;
    return k ? k : n;
}

/* A provider's key entry: "groq: 10 requests / 60 s per model". */
static void prov_title(const prov *p, bool util, char *buf, size_t size)
{
    if (util)
        snprintf(buf, size, "%.60s: %g req / %g s%s", p->name, p->limit, p->period_s,
                 p->scope_word);
    else
        snprintf(buf, size, "%.60s", p->name);
}

static bool log_y(const load_axes *ax)
{
    double lo = ax->util ? fmin(ax->ymin, 100) : ax->ymin;
    return ax->ymax > 0 && isfinite(lo) && ax->ymax / lo > LOG_SPAN;
}

static void y_axis(FILE *f, const load_axes *ax, bool small)
{
    const char *label = ax->util ? "requests in the window (% of the limit)" : "requests / s";
    if (!log_y(ax)) {
        double top = ax->util ? fmax(ax->ymax, 100) * 1.12 : (ax->ymax > 0 ? ax->ymax * 1.15 : 1);
        fprintf(f, "set yrange [0:%g]\nrl_z(y) = y\n", top);
    } else {
        double bottom = (ax->util ? fmin(ax->ymin, 100) : ax->ymin) / 2;
        fprintf(f,
                "set logscale y\nset format y '%%g'\nset yrange [%g:%g]\n"
                "rl_z(y) = y > 0 ? y : %g\n",
                bottom, ax->ymax * 2, bottom);
    }
    fprintf(f, "set ylabel '%s%s'%s\n", small && ax->util ? "% of limit" : label,
            log_y(ax) ? " (log)" : "", small ? " font ',8'" : "");
}

/* The series of run r: one per provider, in the provider's colour, dash
 * type `dt`; titled by provider when `titled`. *s counts series written. */
static void run_lines(FILE *f, const rep_group *g, size_t r, const prov *pv, size_t np,
                      const load_axes *ax, rep_tunit u, int dt, bool titled, int *s)
{
    for (size_t p = 0; p < np; p++, (*s)++) {
        char pt[200];
        prov_title(&pv[p], ax->util, pt, sizeof pt);
        fprintf(f,
                "%s'load_%zu.dat' index %zu using ($1/%g):(rl_z($2)) with steps lw 2 dt %d "
                "lc rgb '%s' ",
                *s ? ", \\\n     " : "plot ", g->ids[r] + 1, p, u.div, dt, rep_series_colour(p));
        if (titled) {
            fputs("title ", f);
            rep_gp_quote(f, pt);
        } else {
            fputs("notitle", f);
        }
    }
}

/* Key entries only: each provider in its colour (with its limit), then
 * each run by its dash type. */
static void key_entries(FILE *f, const rep_group *g, const prov *pv, size_t np, const load_axes *ax,
                        int *s)
{
    for (size_t p = 0; p < np; p++, (*s)++) {
        char pt[200];
        prov_title(&pv[p], ax->util, pt, sizeof pt);
        fprintf(f, "%sNaN with lines lw 2 lc rgb '%s' title ", *s ? ", \\\n     " : "plot ",
                rep_series_colour(p));
        rep_gp_quote(f, pt);
    }
    for (size_t r = 0; r < g->n; r++, (*s)++) {
        char key[REP_KEY_MAX + 1];
        rep_group_key(g, r, key, sizeof key);
        fprintf(f, ", \\\n     NaN with lines lw 2 dt %zu lc rgb '#555555' title ", r + 1);
        rep_gp_quote(f, key);
    }
}

static void limit_line(FILE *f, const load_axes *ax, int *s)
{
    if (!ax->util)
        return;
    fprintf(f, "%s100 with lines dt 2 lw 2 lc rgb '#000000' title 'the limit (100%%)'",
            *s ? ", \\\n     " : "plot ");
    (*s)++;
}

static void overlay(FILE *f, const rep_group *g, const prov *pv, size_t np, const load_axes *ax,
                    rep_tunit u)
{
    int s = 0;
    if (g->n > 1)
        key_entries(f, g, pv, np, ax, &s);
    for (size_t r = 0; r < g->n; r++)
        run_lines(f, g, r, pv, np, ax, u, (int)r + 1, g->n == 1, &s);
    limit_line(f, ax, &s);
    if (s == 0)
        fputs("set label 1 'no requests in any run' at graph 0.5,graph 0.5 center\nplot NaN "
              "notitle",
              f);
    fputc('\n', f);
}

static void panels(FILE *f, const rep_group *g, const prov *pv, size_t np, const load_axes *ax)
{
    rep_tunit u = rep_tunit_span(ax->span);
    char title[300];
    snprintf(title, sizeof title, "%s, one panel per run",
             ax->util ? "Requests in each provider's limit window, as a share of the limit"
                      : "Requests per second per provider");
    fputs("set multiplot layout ", f);
    fprintf(f, "%zu,1 title ", g->n);
    rep_gp_quote(f, title);
    if (rep_group_name(g)[0]) {
        fputs(" . \"\\n\" . ", f);
        rep_gp_quote(f, rep_group_name(g));
    }
    fprintf(f,
            "\nset lmargin at screen 0.08\nset rmargin at screen 0.70\nset tmargin 1.5\n"
            "set bmargin 1\nset xrange [0:%g]\nset ytics font ',8'\nunset xlabel\n"
            /* the key outside, right of each panel's data, top-aligned with it */
            "set key at screen 0.71, graph 1 left top\n",
            ax->span / u.div);
    y_axis(f, ax, true);
    for (size_t r = 0; r < g->n; r++) {
        int s = 0;
        if (r + 1 == g->n)
            fprintf(f, "set bmargin 3\nset xlabel 'scenario time (%s)'\n", u.name);
        fputs("set title ", f);
        rep_gp_quote(f, g->runs[r]->legend);
        fputs(" font ',9' offset 0,-0.6\n", f);
        if (r > 0)
            fputs("unset key\n", f);
        run_lines(f, g, r, pv, np, ax, u, 1, r == 0, &s);
        limit_line(f, ax, &s);
        fputc('\n', f);
    }
    fputs("unset multiplot\n", f);
}

/* The panels' script: body built in memory, written once per format. */
static int panel_script(FILE *f, const rep_group *g, const rep_plot_opts *o, const char *name,
                        const prov *pv, size_t np, const load_axes *ax, cm_err *err)
{
    char *body = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&body, &len);
    if (m) {
        panels(m, g, pv, np, ax);
        fclose(m);
    }
    int rc = body ? rep_gp_finish_body(f, name, o->formats, body, len) : (fclose(f), -1);
    free(body);
    if (rc != 0)
        cm_err_set(err, "%.300s/%.100s.gp: write failed", o->out, name);
    return rc;
}

static void caption(rep_plotset *ps, const char *name, const rep_group *g, const load_axes *ax)
{
    char title[300];
    snprintf(title, sizeof title, "Provider load against each provider's limit%s", g->title);
    rep_pic_add(ps, name, title,
                ax->util
                    ? "For each provider with a request window in the scenario (its tightest), "
                      "the requests that window held over time, counted over the window's own "
                      "length (60 s for a per-minute limit), as a share of its limit: 100% "
                      "(dashed) is the limit, above it the provider answers 429. A per-key "
                      "window is counted per key, a per-model one per model: the line is the "
                      "busiest. Each provider has its colour (its limit in the key); runs are "
                      "told apart by dash type, or one panel each past 3 runs."
                    : "Requests sent per second of scenario time, per provider (each its "
                      "colour; the scenario declares no request window to set them against). "
                      "Spikes at the same moments are synchronised retry waves; jitter spreads "
                      "them.");
}

int rep_plot_load(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    prov pv[MAX_PROVIDERS];
    load_axes ax = {.ymin = INFINITY, .span = 1};
    for (size_t r = 0; r < g->n; r++)
        ax.span = fmax(ax.span, g->runs[r]->end_t);
    ax.w = bin_width(ax.span);
    ax.bins = (size_t)ceil(ax.span / ax.w) + 1;
    size_t np = drawn_providers(pv, group_providers(g, pv), &ax.util);
    for (size_t r = 0; r < g->n; r++)
        if (load_data(g->runs[r], g->ids[r], pv, np, &ax, o, err))
            return -1;
    char name[40];
    snprintf(name, sizeof name, "load%s", g->suffix);
    FILE *f = rep_script_open(o, name, "provider load against each provider's limit", err);
    if (!f)
        return -1;
    bool many = g->n > PANEL_RUNS;
    int height = many ? rep_gp_height(90 + PANEL_H * (int)g->n)
                      : rep_gp_key_height(np + (g->n > 1 ? g->n : 0) + (ax.util ? 1 : 0));
    rep_gp_begin_plot_sized(f, name, o->formats, height);
    caption(ps, name, g, &ax);
    rep_pic_height(ps, height);
    if (many)
        return panel_script(f, g, o, name, pv, np, &ax, err);
    rep_tunit u = rep_tunit_span(ax.span);
    rep_gp_title(f,
                 ax.util ? "Requests in each provider's limit window, as a share of the limit"
                         : "Requests per second per provider",
                 rep_group_name(g));
    fprintf(f, "set xlabel 'scenario time (%s)'\nset xrange [0:%g]\n", u.name, ax.span / u.div);
    y_axis(f, &ax, false);
    overlay(f, g, pv, np, &ax, u);
    return rep_script_close(f, o, name, err);
}
