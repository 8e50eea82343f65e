/* html_section.c: the page's scenario sections: which runs belong together,
 * in which order, the table of contents, and one section per scenario (its
 * description and claims, its runs best first, its pictures). */
#include <stdlib.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/html.h"

const char *rep_html_run_key(const rep_run *run)
{
    return run->scenario_name[0] ? run->scenario_name : run->scenario_path;
}

static bool has_claims(const rep_run *run)
{
    const cJSON *c = rep_run_claims(run);
    return c && cJSON_GetArraySize(c) > 0;
}

/* The scenario's first claim cites a seed document ("NNN_....txt"). */
static bool cites_seed(const rep_run *run)
{
    char buf[CM_EXPECT_TEXT_MAX];
    const cJSON *c = rep_run_claims(run);
    const cJSON *src = c ? cJSON_GetObjectItemCaseSensitive(c->child, "source") : NULL;
    return cJSON_IsString(src) &&
           strncmp(rep_claim_source(src->valuestring, buf, sizeof buf), "seed ", 5) == 0;
}

/* Groups runs by key, first seen first; variants point at their base. */
static size_t group_runs(const rep_page *p, rep_section *g)
{
    size_t ng = 0;
    for (size_t r = 0; r < p->n; r++) {
        const char *key = rep_html_run_key(&p->runs[r]);
        size_t s = 0;
        while (s < ng && strcmp(g[s].key, key) != 0)
            s++;
        if (s == ng) {
            memset(&g[ng], 0, sizeof g[0]);
            snprintf(g[ng].key, sizeof g[ng].key, "%s", key);
            g[ng].claims = has_claims(&p->runs[r]);
            g[ng].seed = g[ng].claims && cites_seed(&p->runs[r]);
            ng++;
        }
        g[s].runs[g[s].n++] = r;
    }
    for (size_t s = 0; s < ng; s++) {
        const char *plus = strstr(g[s].key, " + ");
        g[s].base = -1;
        for (size_t b = 0; plus && b < ng; b++)
            if (b != s && strlen(g[b].key) == (size_t)(plus - g[s].key) &&
                strncmp(g[b].key, g[s].key, (size_t)(plus - g[s].key)) == 0)
                g[s].base = (int)b;
    }
    return ng;
}

/* Appends base section b of tmp and its variants to p->sec. */
static void place(rep_page *p, const rep_section *tmp, size_t ng, size_t b)
{
    size_t at = p->n_sec;
    p->sec[p->n_sec++] = tmp[b];
    for (size_t v = 0; v < ng; v++)
        if (tmp[v].base == (int)b) {
            p->sec[p->n_sec] = tmp[v];
            p->sec[p->n_sec++].base = (int)at;
        }
}

void rep_html_sections(rep_page *p)
{
    static rep_section tmp[REP_MAX_RUNS];
    size_t ng = group_runs(p, tmp);
    p->n_sec = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t s = 0; s < ng; s++)
            if (tmp[s].base < 0 && tmp[s].seed == (pass == 0))
                place(p, tmp, ng, s);
}

/* Orders a section's runs: success rate down, then calls per success up,
 * then a run that fails its check after one that does not (so a failing run
 * is never "best" over a passing one it ties with). */
typedef struct run_rank {
    double rate, calls;
    bool failed;
    size_t r;
} run_rank;

static int rank_cmp(const void *a, const void *b)
{
    const run_rank *x = a, *y = b;
    if (x->rate != y->rate)
        return x->rate > y->rate ? -1 : 1;
    if (x->calls != y->calls)
        return x->calls < y->calls ? -1 : 1;
    if (x->failed != y->failed)
        return x->failed ? 1 : -1;
    return x->r < y->r ? -1 : x->r > y->r;
}

static void rank_runs(const rep_page *p, const rep_section *s, run_rank *out)
{
    for (size_t i = 0; i < s->n; i++) {
        const rep_judged *j = &p->j[s->runs[i]];
        const rep_stats *st = &j->s;
        out[i] =
            (run_rank){st->success_rate, st->calls_per_success < 0 ? 1e300 : st->calls_per_success,
                       j->checked && (j->have < 0 || j->vs.failed > 0), s->runs[i]};
    }
    qsort(out, s->n, sizeof *out, rank_cmp);
}

void rep_html_toc(FILE *f, const rep_page *p)
{
    static run_rank rk[REP_MAX_RUNS];
    fputs("<nav>\n<h2>Contents</h2>\n<ul>\n<li><a href=\"#claims\">Seed claims vs "
          "retrylab</a></li>\n",
          f);
    for (size_t s = 0; s < p->n_sec; s++) {
        const rep_section *sec = &p->sec[s];
        bool nested = sec->base >= 0;
        bool next_variant = s + 1 < p->n_sec && p->sec[s + 1].base >= 0;
        rank_runs(p, sec, rk);
        fprintf(f, "<li><a href=\"#s%zu\">", s + 1);
        rep_html_esc(f, sec->key[0] ? sec->key : "(no scenario)");
        fprintf(f, "</a>: %zu run%s, ", sec->n, sec->n == 1 ? "" : "s");
        if (rk[0].rate > 0) {
            fputs("best ", f);
            rep_html_esc(f, p->runs[rk[0].r].policy_name);
            fprintf(f, " (%.1f%% success)", rk[0].rate * 100);
        } else {
            fputs("no task succeeded", f);
        }
        if (!nested)
            fputs(next_variant ? "\n<ul>\n" : "</li>\n", f);
        else
            fputs(next_variant ? "</li>\n" : "</li>\n</ul></li>\n", f);
    }
    fputs("<li><a href=\"#details\">Details: per-candidate metrics, every verdict</a></li>\n"
          "</ul>\n</nav>\n",
          f);
}

static void run_row(FILE *f, const rep_page *p, size_t r, bool best)
{
    const rep_run *run = &p->runs[r];
    const rep_stats *s = &p->j[r].s;
    fprintf(f, "<tr%s><td>%zu</td><td class=\"l\">", best ? " class=\"best\"" : "", r + 1);
    rep_html_esc(f, run->policy_name[0] ? run->policy_name : "default policy");
    if (p->j[r].own_policy)
        fputs("<span class=\"tag own\" title=\"the policy the scenario names\">scenario's "
              "policy</span>",
              f);
    if (best)
        fputs("<span class=\"tag best\" title=\"highest success rate, then fewest calls per "
              "success\">best</span>",
              f);
    fputs("</td>", f);
    rep_html_td_text(f, run->mode[0] ? run->mode : "?");
    rep_html_td_num(f, s->tasks, 0, "");
    rep_html_td_num(f, s->success_rate * 100, 1, "%");
    double claimed = rep_html_claimed(p, r);
    rep_html_td_num(f, claimed >= 0 ? claimed * 100 : -1, 0, "%");
    rep_html_td_num(f, s->calls_per_success, 2, "");
    rep_html_td_num(f, s->success_time_p50, 1, " s");
    rep_html_td_num(f, s->total_wait_s, 1, " s");
    rep_html_check_cell(f, p, r);
    fputs("</tr>\n", f);
}

static void runs_table(FILE *f, const rep_page *p, const rep_section *sec)
{
    static run_rank rk[REP_MAX_RUNS];
    rank_runs(p, sec, rk);
    fputs("<table>\n<tr><th title=\"the run's number in this report (and in the pictures' "
          "file names)\">#</th><th class=\"l\">policy</th><th class=\"l\">mode</th>"
          "<th>tasks</th><th>success rate</th><th>claimed</th><th>calls per success</th>"
          "<th>time to success p50</th><th>total wait</th><th class=\"l\">check</th></tr>\n",
          f);
    for (size_t i = 0; i < sec->n; i++)
        run_row(f, p, rk[i].r, i == 0 && sec->n > 1 && rk[i].rate > 0);
    fputs("</table>\n", f);
}

static void picture(FILE *f, const rep_picture *pic, const rep_html_opts *o)
{
    const char *ext = (o->formats & REP_FMT_PNG) ? "png" : "svg";
    fputs("<figure>\n<h4>", f);
    rep_html_esc(f, pic->title);
    fputs("</h4>\n", f);
    if (o->pictures) {
        fprintf(f, "<a href=\"%s.%s\"><img src=\"%s.%s\" width=\"%d\" height=\"%d\" alt=\"",
                pic->name, ext, pic->name, ext, REP_PNG_W,
                pic->height > 0 ? pic->height : REP_PNG_H);
        rep_html_esc(f, pic->title);
        fputs("\"></a>\n", f);
    }
    fputs("<figcaption>", f);
    rep_html_esc(f, pic->caption);
    fprintf(f, " Files: <a href=\"%s.gp\">%s.gp</a>", pic->name, pic->name);
    if (o->pictures && (o->formats & REP_FMT_SVG))
        fprintf(f, ", <a href=\"%s.svg\">%s.svg</a>", pic->name, pic->name);
    fputs(".</figcaption>\n</figure>\n", f);
}

/* The section's pictures, overlays first, then per-run ones. */
static void pictures(FILE *f, const rep_page *p, const rep_section *sec)
{
    static const char *const order[] = {"success", "ladder",   "latency",
                                        "load",    "outcomes", "timeline"};
    fputs("<div class=\"pics\">\n", f);
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        for (size_t i = 0; i < p->ps->n; i++) {
            const rep_picture *pic = &p->ps->pics[i];
            if (strcmp(pic->group, sec->key) == 0 &&
                strncmp(pic->name, order[k], strlen(order[k])) == 0)
                picture(f, pic, p->o);
        }
    fputs("</div>\n", f);
}

static void section_intro(FILE *f, const rep_page *p, const rep_section *sec)
{
    const rep_run *first = &p->runs[sec->runs[0]];
    const cJSON *root = first->scenario ? cm_json_root(first->scenario) : NULL;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "description");
    if (sec->base >= 0) {
        fputs("<p class=\"lead\">The same scenario as <a href=\"#", f);
        fprintf(f, "s%d\">", sec->base + 1);
        rep_html_esc(f, p->sec[sec->base].key);
        fputs("</a>, under another name, with other policies.</p>\n", f);
    } else if (cJSON_IsString(d)) {
        fputs("<p class=\"lead\">", f);
        rep_html_esc(f, d->valuestring);
        fputs("</p>\n", f);
    }
    if (sec->claims && sec->base < 0) {
        fputs("<p><b>Claims</b> (what the source says; the check column says whether "
              "the run bears them out):</p>\n",
              f);
        rep_html_claims_list(f, first);
    }
}

void rep_html_section(FILE *f, const rep_page *p, size_t s)
{
    const rep_section *sec = &p->sec[s];
    fprintf(f, "<section id=\"s%zu\">\n<h%c>", s + 1, sec->base >= 0 ? '3' : '2');
    rep_html_esc(f, sec->key[0] ? sec->key : "(no scenario)");
    fprintf(f, "</h%c>\n", sec->base >= 0 ? '3' : '2');
    section_intro(f, p, sec);
    runs_table(f, p, sec);
    pictures(f, p, sec);
    fputs("</section>\n", f);
}
