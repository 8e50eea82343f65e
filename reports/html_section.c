/* html_section.c: the page's scenario sections: which runs belong together,
 * in which order, the overview (a row per scenario), and one section per
 * scenario (its description and claims, its runs best first, its pictures,
 * its variants -- the same scenario under another name, such as the peers'
 * presets -- collapsed at its end). */
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

int rep_html_sections(rep_page *p)
{
    rep_section *tmp = calloc(REP_MAX_RUNS, sizeof *tmp);
    if (!tmp)
        return -1;
    size_t ng = group_runs(p, tmp);
    p->n_sec = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t s = 0; s < ng; s++)
            if (tmp[s].base < 0 && tmp[s].seed == (pass == 0))
                place(p, tmp, ng, s);
    free(tmp);
    return 0;
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

/* The best run of a section (highest success, fewest calls per success). */
static size_t best_run(const rep_page *p, const rep_section *s)
{
    run_rank rk[REP_MAX_RUNS];
    rank_runs(p, s, rk);
    return rk[0].r;
}

/* ---- the overview ---- */

/* The first run of the section that used the scenario's own policy (a sim
 * run before an HTTP one), or -1. */
static long own_run(const rep_page *p, const rep_section *s)
{
    long found = -1;
    for (size_t i = 0; i < s->n; i++) {
        size_t r = s->runs[i];
        if (!p->j[r].own_policy)
            continue;
        if (found < 0 ||
            (strcmp(p->runs[r].mode, "sim") == 0 && strcmp(p->runs[found].mode, "sim") != 0))
            found = (long)r;
    }
    return found;
}

static void overview_run_cell(FILE *f, const rep_page *p, long r)
{
    if (r < 0) {
        fputs("<td class=\"l muted\">&ndash;</td>", f);
        return;
    }
    const rep_stats *s = &p->j[r].s;
    fprintf(f, "<td class=\"l\"><a href=\"#r%ld\">", r + 1);
    rep_html_esc(f, p->runs[r].policy_name[0] ? p->runs[r].policy_name : "?");
    fprintf(f, "</a><br><small>%.1f%% success", s->success_rate * 100);
    if (s->calls_per_success >= 0)
        fprintf(f, ", %.2f calls per success", s->calls_per_success);
    fputs("</small></td>", f);
}

/* "2 pass, 1 FAIL" over the section's checked runs. */
static void overview_checks(FILE *f, const rep_page *p, const rep_section *s)
{
    size_t pass = 0, fail = 0;
    for (size_t i = 0; i < s->n; i++) {
        const rep_judged *j = &p->j[s->runs[i]];
        if (!j->checked || j->have != 1 || !j->vs.n)
            continue;
        pass += !j->vs.failed;
        fail += j->vs.failed > 0;
    }
    if (!pass && !fail)
        fputs("<td class=\"l muted\">&ndash;</td>", f);
    else if (fail)
        fprintf(f, "<td class=\"l fail\">%zu of %zu runs FAIL</td>", fail, pass + fail);
    else
        fprintf(f, "<td class=\"l ok\">%zu run%s pass</td>", pass, pass == 1 ? "" : "s");
}

static void overview_claims(FILE *f, const rep_section *s)
{
    if (s->base >= 0 || !s->n_rows) {
        fputs("<td class=\"l muted\">&ndash;</td>", f);
        return;
    }
    size_t eye = s->n_rows - s->holds - s->refuted;
    fprintf(f, "<td class=\"l %s\">", s->refuted ? "fail" : s->holds ? "ok" : "muted");
    if (s->refuted)
        fprintf(f, "%zu refuted", s->refuted);
    if (s->holds)
        fprintf(f, "%s%zu hold%s", s->refuted ? ", " : "", s->holds, s->holds == 1 ? "s" : "");
    if (eye)
        fprintf(f, "%s%zu by eye", s->refuted || s->holds ? ", " : "", eye);
    fputs("</td>", f);
}

static void overview_row(FILE *f, const rep_page *p, size_t si)
{
    const rep_section *s = &p->sec[si];
    size_t best = best_run(p, s);
    fprintf(f, "<tr%s><td class=\"l\">%s<a href=\"#s%zu\">",
            s->base >= 0 ? " class=\"variant\"" : "", s->base >= 0 ? "&#8627; " : "", si + 1);
    rep_html_esc(f, s->key[0] ? s->key : "(no scenario)");
    fprintf(f, "</a></td><td>%zu</td>", s->n);
    overview_run_cell(f, p, own_run(p, s));
    overview_run_cell(f, p, (long)best);
    overview_claims(f, s);
    overview_checks(f, p, s);
    fputs("</tr>\n", f);
}

void rep_html_overview(FILE *f, const rep_page *p)
{
    fputs("<h2 id=\"overview\">Overview</h2>\n<p class=\"lead\">One row per scenario (its "
          "variants, such as the peers' presets on a copy of it, below it): how its own policy "
          "did, which policy did best (highest success rate, then fewest calls per success), "
          "how its claims fare and whether its checked runs still meet their "
          "expectations.</p>\n<div class=\"wide\"><table class=\"overview\">\n<tr>"
          "<th class=\"l\">scenario</th><th>runs</th><th class=\"l\">its own policy</th>"
          "<th class=\"l\">best policy</th><th class=\"l\">claims</th>"
          "<th class=\"l\">checks</th></tr>\n",
          f);
    for (size_t s = 0; s < p->n_sec; s++)
        overview_row(f, p, s);
    fputs("</table></div>\n", f);
}

/* ---- a section ---- */

static void run_row(FILE *f, const rep_page *p, size_t r, bool best)
{
    const rep_run *run = &p->runs[r];
    const rep_stats *s = &p->j[r].s;
    fprintf(f, "<tr id=\"r%zu\"%s><td>%zu</td><td class=\"l\">", r + 1,
            best ? " class=\"best\"" : "", r + 1);
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
    run_rank rk[REP_MAX_RUNS];
    rank_runs(p, sec, rk);
    fputs("<div class=\"wide\"><table>\n<tr><th title=\"the run's number in this report (and "
          "in the pictures' file names)\">#</th><th class=\"l\">policy</th>"
          "<th class=\"l\">mode</th><th>tasks</th><th>success rate</th><th>claimed</th>"
          "<th>calls per success</th><th>time to success p50</th><th>total wait</th>"
          "<th class=\"l\">check</th></tr>\n",
          f);
    for (size_t i = 0; i < sec->n; i++)
        run_row(f, p, rk[i].r, i == 0 && sec->n > 1 && rk[i].rate > 0);
    fputs("</table></div>\n", f);
}

static void picture(FILE *f, const rep_picture *pic, const rep_html_opts *o, bool big)
{
    const char *ext = (o->formats & REP_FMT_PNG) ? "png" : "svg";
    fprintf(f, "<figure%s>\n<h4>", big ? " class=\"big\"" : "");
    rep_html_esc(f, pic->title);
    fputs("</h4>\n", f);
    if (o->pictures) {
        fprintf(f,
                "<a href=\"%s.%s\"><img src=\"%s.%s\" width=\"%d\" height=\"%d\" "
                "loading=\"lazy\" alt=\"",
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

/* The picture's kind: its name up to the group suffix or run number. */
static bool pic_is(const rep_picture *pic, const char *kind)
{
    size_t n = strlen(kind);
    return strncmp(pic->name, kind, n) == 0 && (pic->name[n] == '\0' || pic->name[n] == '_');
}

/* The section's pictures: the overview (full width), the success curve and
 * the ladder; the others collapsed under "More pictures" (the page stays
 * short; each opens where it is). */
static void pictures(FILE *f, const rep_page *p, const rep_section *sec)
{
    static const char *const order[] = {"overview", "success", "ladder",  "latency", "load",
                                        "outcomes", "ttft",    "streams", "timeline"};
    const size_t shown = 3; /* overview, success, ladder */
    size_t more = 0;
    fputs("<div class=\"pics\">\n", f);
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        for (size_t i = 0; i < p->ps->n; i++) {
            const rep_picture *pic = &p->ps->pics[i];
            if (strcmp(pic->group, sec->key) != 0 || !pic_is(pic, order[k]))
                continue;
            if (k < shown) {
                picture(f, pic, p->o, k == 0);
                continue;
            }
            if (more++ == 0)
                fputs("</div>\n<details class=\"more\">\n<summary>More pictures: the latency CDF, "
                      "the load against each provider's limit, the outcomes per candidate, the "
                      "attempt timelines (and the streams, when the runs streamed)</summary>\n"
                      "<div class=\"pics\">\n",
                      f);
            picture(f, pic, p->o, false);
        }
    fputs(more ? "</div>\n</details>\n" : "</div>\n", f);
}

static void section_intro(FILE *f, const rep_page *p, size_t s)
{
    const rep_section *sec = &p->sec[s];
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
    if (sec->base < 0 && sec->n_rows) {
        fputs("<p><b>Claims</b> (what the source says, marked with what the runs of the "
              "policy each is about measured):</p>\n",
              f);
        rep_html_claims_list(f, p, s);
    }
}

static void section_body(FILE *f, const rep_page *p, size_t s)
{
    section_intro(f, p, s);
    runs_table(f, p, &p->sec[s]);
    pictures(f, p, &p->sec[s]);
}

/* A variant collapsed: its summary names it, its runs and its best policy. */
static void variant(FILE *f, const rep_page *p, size_t s)
{
    const rep_section *sec = &p->sec[s];
    size_t best = best_run(p, sec);
    fprintf(f, "<details class=\"variant\" id=\"s%zu\">\n<summary>", s + 1);
    rep_html_esc(f, sec->key);
    fprintf(f, ": %zu runs, best ", sec->n);
    rep_html_esc(f, p->runs[best].policy_name);
    fprintf(f, " (%.1f%% success)</summary>\n", p->j[best].s.success_rate * 100);
    section_body(f, p, s);
    fputs("</details>\n", f);
}

void rep_html_section(FILE *f, const rep_page *p, size_t s)
{
    const rep_section *sec = &p->sec[s];
    if (sec->base >= 0)
        return; /* drawn inside its base */
    fprintf(f, "<section id=\"s%zu\">\n<h2>", s + 1);
    rep_html_esc(f, sec->key[0] ? sec->key : "(no scenario)");
    fputs("</h2>\n", f);
    section_body(f, p, s);
    for (size_t v = s + 1; v < p->n_sec && p->sec[v].base == (int)s; v++)
        variant(f, p, v);
    fputs("</section>\n", f);
}
