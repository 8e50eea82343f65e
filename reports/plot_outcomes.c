/* plot_outcomes.c: one outcomes picture per scenario: a horizontal bar per
 * run and candidate (or provider, when the scenario has many candidates),
 * named, stacked by outcome (2xx, 401/403, 429, 5xx, ...): the runs' names
 * head their bars when a run has several, else name the bar itself. */
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/plot.h"

#define MAX_BARS 64
#define MODEL_BARS 6 /* more candidates than this: one bar per provider */
#define ROW_PX 17    /* pixels per row */

typedef struct bars {
    char names[MAX_BARS][REP_NAME_MAX];
    size_t n;
    bool by_provider;
} bars;

static const char *bar_key(const rep_cand *c, bool by_provider)
{
    return by_provider ? c->provider : c->name;
}

/* The bars of a group: its candidates (or providers) in first-seen order. */
static void group_bars(const rep_group *g, bool by_provider, bars *b)
{
    b->n = 0;
    b->by_provider = by_provider;
    for (size_t r = 0; r < g->n; r++)
        for (size_t c = 0; c < g->runs[r]->n_cands; c++) {
            const char *k = bar_key(&g->runs[r]->cands[c], by_provider);
            size_t i = 0;
            while (i < b->n && strcmp(b->names[i], k) != 0)
                i++;
            if (i == b->n && b->n < MAX_BARS)
                snprintf(b->names[b->n++], REP_NAME_MAX, "%s", k);
        }
}

/* Responses of run `run` to bar i, by class, into sum[]; their total. */
static long bar_sums(const rep_run *run, const bars *b, size_t i, long *sum)
{
    long total = 0;
    for (int k = 0; k < REP_CLASS_N; k++)
        sum[k] = 0;
    for (size_t c = 0; c < run->n_cands; c++)
        if (strcmp(bar_key(&run->cands[c], b->by_provider), b->names[i]) == 0)
            for (int k = 0; k < REP_CLASS_N; k++) {
                sum[k] += run->cands[c].by_class[k];
                total += run->cands[c].by_class[k];
            }
    return total;
}

/* One row of the picture: a run's heading (bar < 0) or one of its bars. */
typedef struct row {
    size_t run; /* index in the group */
    int bar;    /* -1: the run's heading */
} row;

/* The rows, top to bottom: with one bar in all, a row per run; else per
 * run a heading and its bars that got responses. Returns their count. */
static size_t layout(const rep_group *g, const bars *b, row *rows, size_t cap)
{
    size_t n = 0;
    long sum[REP_CLASS_N];
    for (size_t r = 0; r < g->n && n < cap; r++) {
        if (b->n <= 1) {
            rows[n++] = (row){r, b->n ? 0 : -1};
            continue;
        }
        rows[n++] = (row){r, -1};
        for (size_t i = 0; i < b->n && n < cap; i++)
            if (bar_sums(g->runs[r], b, i, sum) > 0)
                rows[n++] = (row){r, (int)i};
    }
    return n;
}

/* NAME.dat: one block per outcome class: y, x centre, x half width, count
 * (boxxyerror), for every bar row. */
static int outcomes_data(const rep_group *g, const bars *b, const row *rows, size_t n,
                         const char *file, const rep_plot_opts *o, cm_err *err)
{
    FILE *f = rep_data_open(o, file, err);
    if (!f)
        return -1;
    fprintf(f, "# responses per %s and outcome; one block per outcome: y x_centre x_half count\n",
            b->by_provider ? "provider" : "candidate");
    for (int c = 0; c < REP_CLASS_N; c++) {
        fprintf(f, "# outcome %s\n", rep_class_name((rep_class)c));
        for (size_t k = 0; k < n; k++) {
            long sum[REP_CLASS_N];
            if (rows[k].bar < 0)
                continue;
            bar_sums(g->runs[rows[k].run], b, (size_t)rows[k].bar, sum);
            double before = 0;
            for (int j = 0; j < c; j++)
                before += (double)sum[j];
            fprintf(f, "%zu %.3f %.3f %ld\n", n - 1 - k, before + (double)sum[c] / 2,
                    (double)sum[c] / 2, sum[c]);
        }
        fputs("\n\n", f);
    }
    return rep_file_close(f, o, file, err);
}

/* Whether any run of g had a response of class c. */
static bool class_seen(const rep_group *g, rep_class c)
{
    for (size_t r = 0; r < g->n; r++)
        for (size_t k = 0; k < g->runs[r]->n_cands; k++)
            if (g->runs[r]->cands[k].by_class[c] > 0)
                return true;
    return false;
}

/* The bars' names without "provider/" when every bar is of one provider. */
static size_t common_prefix(const bars *b)
{
    const char *slash = b->n && !b->by_provider ? strchr(b->names[0], '/') : NULL;
    size_t len = slash ? (size_t)(slash - b->names[0]) + 1 : 0;
    for (size_t i = 1; len && i < b->n; i++)
        if (strncmp(b->names[i], b->names[0], len) != 0)
            len = 0;
    return len;
}

/* The y tic of a row: the run's name, or the bar's (indented under it). */
static void tic(FILE *f, const rep_group *g, const bars *b, const row *rw, size_t y)
{
    char text[REP_NAME_MAX + 64], key[REP_KEY_MAX + 1];
    if (rw->bar < 0 || b->n <= 1) {
        rep_group_key(g, rw->run, key, sizeof key);
        snprintf(text, sizeof text, "%s", key);
    } else {
        rep_gp_key_text(key, sizeof key, b->names[rw->bar] + common_prefix(b));
        snprintf(text, sizeof text, "    %s", key);
    }
    rep_gp_quote(f, text);
    fprintf(f, " %zu", y);
}

static void outcomes_plot(FILE *f, const rep_group *g, const bars *b, const row *rows, size_t n,
                          const char *file)
{
    fprintf(f, "set yrange [-0.7:%g]\nset ytics scale 0 (", (double)n - 0.3);
    for (size_t k = 0; k < n; k++) {
        if (k)
            fputs(", ", f);
        tic(f, g, b, &rows[k], n - 1 - k);
    }
    fputs(")\n", f);
    int shown = 0;
    for (int c = 0; c < REP_CLASS_N; c++) {
        if (!class_seen(g, (rep_class)c))
            continue;
        fprintf(f,
                "%s'%s' index %d using 2:1:3:(0.36) with boxxyerror fs solid 0.9 border rgb "
                "'#555555' lc rgb '%s' title '%s'",
                shown++ ? ", \\\n     " : "plot ", file, c, rep_class_colour((rep_class)c),
                rep_class_name((rep_class)c));
    }
    if (!shown)
        fputs("set label 1 'no responses' at graph 0.5, graph 0.5 center\nplot NaN notitle", f);
    fputc('\n', f);
}

int rep_plot_outcomes(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    char name[40], file[64], title[300], t[300];
    bars *b = malloc(sizeof *b);
    size_t cap = g->n * (MAX_BARS + 1) + 1;
    row *rows = malloc(cap * sizeof *rows);
    int rc = -1;
    if (!b || !rows) {
        cm_err_set(err, "out of memory");
        goto out;
    }
    group_bars(g, false, b);
    if (b->n > MODEL_BARS)
        group_bars(g, true, b);
    size_t n = layout(g, b, rows, cap);
    snprintf(name, sizeof name, "outcomes%s", g->suffix);
    snprintf(file, sizeof file, "%s.dat", name);
    if (outcomes_data(g, b, rows, n, file, o, err))
        goto out;
    FILE *f = rep_script_open(o, name, "responses per run and candidate, stacked by outcome", err);
    if (!f)
        goto out;
    int height = rep_gp_height(130 + ROW_PX * (int)n);
    rep_gp_begin_plot_sized(f, name, o->formats, height);
    snprintf(t, sizeof t, "Responses per run and %s, by outcome",
             b->by_provider ? "provider" : "candidate");
    rep_gp_title(f, t, rep_group_name(g));
    fputs("set xlabel 'responses'\nset xrange [0:*]\nset lmargin 40\nset grid noytics\n"
          "set key outside right top\n",
          f);
    outcomes_plot(f, g, b, rows, n, file);
    snprintf(title, sizeof title, "Outcomes by %s%s", b->by_provider ? "provider" : "candidate",
             g->title);
    rep_pic_add(ps, name, title,
                b->n > 1 ? "Each run (its number and policy) with a bar per candidate it called "
                           "(per provider when there are many; the details table has every "
                           "model), stacked by outcome: success (2xx), 401/403, 429 rate "
                           "limited, 5xx, timeout, connection reset, other."
                         : "A bar per run (its number and policy), stacked by outcome: success "
                           "(2xx), 401/403, 429 rate limited, 5xx, timeout, connection reset, "
                           "other. Longer bars made more calls.");
    rep_pic_height(ps, height);
    rc = rep_script_close(f, o, name, err);
out:
    free(b);
    free(rows);
    return rc;
}
