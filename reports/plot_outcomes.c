/* plot_outcomes.c: one outcomes picture per scenario: a cluster of bars per
 * run, one bar per candidate (or per provider when the scenario has many
 * candidates), each bar stacked by outcome (2xx, 401/403, 429, 5xx, ...). */
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/plot.h"

#define MAX_BARS 64
#define MODEL_BARS 6 /* more candidates than this: one bar per provider */

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

/* The rows of one run: one per bar ("N" and its count per class), then an
 * empty row that separates the clusters. */
static void run_rows(FILE *f, const rep_run *run, size_t id, const bars *b)
{
    fprintf(f, "# run #%zu: %s\n", id + 1, run->label);
    for (size_t i = 0; i < b->n; i++) {
        long sum[REP_CLASS_N] = {0};
        for (size_t c = 0; c < run->n_cands; c++)
            if (strcmp(bar_key(&run->cands[c], b->by_provider), b->names[i]) == 0)
                for (int k = 0; k < REP_CLASS_N; k++)
                    sum[k] += run->cands[c].by_class[k];
        fprintf(f, "\"%zu\"", i + 1);
        for (int k = 0; k < REP_CLASS_N; k++)
            fprintf(f, " %ld", sum[k]);
        fputc('\n', f);
    }
    fputs("\"\"", f);
    for (int k = 0; k < REP_CLASS_N; k++)
        fputs(" 0", f);
    fputc('\n', f);
}

/* NAME.dat: every run's rows, in the group's order. */
static int outcomes_data(const rep_group *g, const bars *b, const char *name,
                         const rep_plot_opts *o, cm_err *err)
{
    char file[64];
    snprintf(file, sizeof file, "%s.dat", name);
    FILE *f = rep_data_open(o, file, err);
    if (!f)
        return -1;
    fprintf(f, "# responses per %s and outcome, one block of rows per run\n\"bar\"",
            b->by_provider ? "provider" : "candidate");
    for (int c = 0; c < REP_CLASS_N; c++)
        fprintf(f, " \"%s\"", rep_class_name((rep_class)c));
    fputc('\n', f);
    for (size_t r = 0; r < g->n; r++)
        run_rows(f, g->runs[r], g->ids[r], b);
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

/* Row i of the data file sits at x = i: each cluster spans nbars rows and a
 * gap row, its label ("#N", the run's number) centred under it. */
static void outcomes_plot(FILE *f, const rep_group *g, size_t nbars, const char *name)
{
    for (size_t r = 0; r < g->n; r++)
        fprintf(f, "set label %zu '#%zu' at first %g, graph -0.09 center\n", r + 1, g->ids[r] + 1,
                (double)(r * (nbars + 1)) + (double)(nbars - 1) / 2);
    fprintf(f, "set xrange [-0.7:%g]\n", (double)(g->n * (nbars + 1)) - 1.3);
    for (int c = 0; c < REP_CLASS_N; c++) {
        /* the key names only the outcomes some run had; a series without a
         * title skips the header row itself (every ::1) */
        bool seen = class_seen(g, (rep_class)c);
        fprintf(f, "%s'%s.dat' %susing %d%s lc rgb '%s' ", c ? ", \\\n     " : "plot ", name,
                seen ? "" : "every ::1 ", c + 2, c == 0 ? ":xtic(1)" : "",
                rep_class_colour((rep_class)c));
        if (seen)
            fprintf(f, "title columnheader(%d)", c + 2);
        else
            fputs("notitle", f);
    }
    fputc('\n', f);
}

static void outcomes_settings(FILE *f, const rep_group *g, const bars *b)
{
    char t[300];
    snprintf(t, sizeof t,
             "Responses per %s (numbered bars) and outcome, one cluster per "
             "run (#N)",
             b->by_provider ? "provider" : "candidate");
    rep_gp_title(f, t, rep_group_name(g));
    fputs("set ylabel 'responses'\nunset xlabel\n"
          "set style data histograms\nset style histogram rowstacked\n"
          "set boxwidth 0.8\nset style fill solid 0.9 border rgb '#333333'\n"
          "set yrange [0:*]\nset key outside right top vertical maxrows 10\nset bmargin 4\n",
          f);
}

/* "1 = groq/a; 2 = openai/b" into buf (cut at its size). */
static void bar_legend(const bars *b, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < b->n && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%zu = %s", i ? "; " : "", i + 1, b->names[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}

int rep_plot_outcomes(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    static bars b;
    char name[40], title[300], caption[REP_CAPTION_MAX], legend[REP_CAPTION_MAX - 300];
    group_bars(g, false, &b);
    if (b.n > MODEL_BARS)
        group_bars(g, true, &b);
    snprintf(name, sizeof name, "outcomes%s", g->suffix);
    if (outcomes_data(g, &b, name, o, err))
        return -1;
    FILE *f = rep_script_open(o, name, "responses per candidate and run, stacked by outcome", err);
    if (!f)
        return -1;
    rep_gp_begin_plot(f, name, o->formats);
    outcomes_settings(f, g, &b);
    if (b.n == 0)
        fputs("set xrange [0:1]\nset label 1 'no requests' at 0.5,0.5 center\nplot 2 notitle\n", f);
    else
        outcomes_plot(f, g, b.n, name);
    bar_legend(&b, legend, sizeof legend);
    snprintf(title, sizeof title, "Outcomes by %s%s", b.by_provider ? "provider" : "candidate",
             g->title);
    snprintf(caption, sizeof caption,
             "One cluster of bars per run (its number in the runs "
             "table), one bar per %s, stacked by outcome: success (2xx), 401/403, 429 rate "
             "limited, 5xx, timeout, connection reset, other. Bars: %s.",
             b.by_provider ? "provider (the details table has every model)" : "candidate", legend);
    rep_pic_add(ps, name, title, caption);
    return rep_script_close(f, o, name, err);
}
