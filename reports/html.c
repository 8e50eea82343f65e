/* html.c: writes index.html: the page frame, the order of its parts and its
 * collapsed end (per-candidate metrics, every expectation's verdict). */
#include "reports/html.h"

#include "reports/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/text.h"

static const char css[] =
    "body{font-family:sans-serif;max-width:1240px;margin:1.5em auto;padding:0 1em;color:#222;"
    "line-height:1.4}"
    "h1{margin-bottom:0.2em}h2{margin-top:2em;border-bottom:2px solid #ddd;padding-bottom:0.2em}"
    "h3{margin-top:1.5em}"
    "table{border-collapse:collapse;margin:0.8em 0;font-size:0.9em}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;vertical-align:top}"
    "th{background:#f0f0f0}td.l,th.l{text-align:left}"
    ".fail{color:#b00000;font-weight:bold}.ok{color:#006400}.warn{color:#a05a00;font-weight:bold}"
    ".muted{color:#777}"
    "td.fail{background:#fdecec}td.ok{background:#eef8ee}"
    "tr.best td{background:#eaf7ea}.tag{font-size:0.8em;padding:0 4px;border-radius:3px;"
    "margin-left:4px;white-space:nowrap}.tag.best{background:#2ca02c;color:#fff}"
    ".tag.own{background:#ddd;color:#222}"
    ".notice{background:#fff3cd;border:1px solid #e0c060;padding:0.6em 1em}"
    ".lead{color:#444;max-width:1000px}ul.claims{margin:0.4em 0 0.4em 1.2em;padding:0}"
    "ul.claims li.fail{font-weight:normal}ul.claims .mark{font-weight:bold}"
    ".wide{max-width:100%;overflow-x:auto}table.claims td{max-width:380px}"
    "tr.variant td{background:#fafafa;font-size:0.95em}"
    ".pics{display:flex;flex-wrap:wrap;gap:12px}"
    "figure{margin:0.5em 0;flex:0 1 600px;max-width:600px;min-width:0}"
    "figure.big{flex:1 1 100%;max-width:900px}"
    "figcaption{color:#444;font-size:0.85em;overflow-wrap:anywhere}"
    "figure h4{margin:0.2em 0;font-size:0.95em}"
    "img{width:100%;height:auto;border:1px solid #ddd}code{background:#f4f4f4;padding:0 3px;"
    "overflow-wrap:anywhere}"
    "details{margin:1em 0;border:1px solid #ddd;padding:0.3em 0.8em}"
    "details.variant>summary{font-size:1.05em}"
    "summary{cursor:pointer;font-weight:bold}nav ul{margin:0.3em 0}nav li{margin:0.1em 0}";

void rep_html_esc(FILE *f, const char *s)
{
    for (size_t k; s && *s; s += k ? k : 1) {
        if ((k = rep_text_char(s)) != 1) { /* a character past ASCII, or no valid one */
            fwrite(k ? s : REP_REPLACEMENT, 1, k ? k : sizeof REP_REPLACEMENT - 1, f);
            continue;
        }
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

void rep_html_td_text(FILE *f, const char *s)
{
    fputs("<td class=\"l\">", f);
    rep_html_esc(f, s);
    fputs("</td>", f);
}

void rep_html_td_num(FILE *f, double v, int decimals, const char *suffix)
{
    fputs("<td>", f);
    if (v < 0 || !isfinite(v))
        fputs("&ndash;", f);
    else
        fprintf(f, "%.*f%s", decimals, v, suffix);
    fputs("</td>", f);
}

static void candidate_rows(FILE *f, const rep_run *run)
{
    for (size_t c = 0; c < run->n_cands; c++) {
        const rep_cand *k = &run->cands[c];
        fputs("<tr>", f);
        rep_html_td_text(f, run->label);
        rep_html_td_text(f, k->name);
        rep_html_td_num(f, (double)k->requests, 0, "");
        for (int i = 0; i < REP_CLASS_N; i++)
            rep_html_td_num(f, (double)k->by_class[i], 0, "");
        rep_html_td_num(f, k->latency_n ? k->latency_sum / (double)k->latency_n : -1, 3, " s");
        fputs("</tr>\n", f);
    }
}

static void candidate_table(FILE *f, const rep_page *p)
{
    fprintf(f,
            "<details>\n<summary>Per-candidate metrics (%zu runs): requests and responses "
            "per provider/model</summary>\n<table>\n<tr><th class=\"l\">run</th>"
            "<th class=\"l\">provider/model</th><th>requests</th>",
            p->n);
    for (int i = 0; i < REP_CLASS_N; i++)
        fprintf(f, "<th>%s</th>", rep_class_name((rep_class)i));
    fputs("<th>mean latency</th></tr>\n", f);
    for (size_t i = 0; i < p->n; i++)
        candidate_rows(f, &p->runs[i]);
    fputs("</table>\n</details>\n", f);
}

static const char *from_text(rep_expect_from from)
{
    switch (from) {
    case REP_EXPECT_RUN_DIR:
        return "the run folder's expect.json";
    case REP_EXPECT_GIVEN:
        return "the given expect file";
    case REP_EXPECT_SCENARIO:
        return "the scenario's expect";
    default:
        return "nothing";
    }
}

static void verdict_list(FILE *f, const rep_page *p, size_t r)
{
    const rep_judged *j = &p->j[r];
    fprintf(f, "<h4 id=\"v%zu\">#%zu ", r + 1, r + 1);
    rep_html_esc(f, p->runs[r].label);
    fputs("</h4>\n<p>", f);
    if (!j->checked && p->runs[r].scenario_missing) {
        rep_html_esc(f, p->runs[r].scenario_note);
        fputs(": its claims and checks are left out.", f);
    } else if (!j->checked)
        fputs("Not checked: the run used another policy than its scenario's and has no "
              "expect.json of its own, so the scenario's claims are not its claims.",
              f);
    else if (j->have == 0)
        rep_html_esc(f, p->runs[r].scenario ? "No expectations: the scenario has no expect."
                                            : p->runs[r].scenario_note);
    else if (j->have < 0)
        rep_html_esc(f, j->error);
    else
        fprintf(f, "Judged by %s: %zu of %zu expectations hold%s.", from_text(j->from),
                j->vs.n_expect - j->vs.failed_expect, j->vs.n_expect,
                j->vs.run_failed ? "; the run itself fails" : "");
    fputs("</p>\n", f);
    if (!j->checked || j->have != 1 || !j->vs.n)
        return;
    fputs("<ul>\n", f);
    for (size_t i = 0; i < j->vs.n; i++) {
        fprintf(f, "<li><span class=\"%s\">%s</span> ", j->vs.v[i].ok ? "ok" : "fail",
                j->vs.v[i].ok ? "PASS" : "FAIL");
        rep_html_esc(f, j->vs.v[i].text);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

void rep_html_details(FILE *f, const rep_page *p)
{
    fputs("<h2 id=\"details\">Details</h2>\n", f);
    candidate_table(f, p);
    fputs("<details>\n<summary>Expectation verdicts, run by run (what <code>retrylab "
          "check</code> prints)</summary>\n",
          f);
    for (size_t r = 0; r < p->n; r++)
        verdict_list(f, p, r);
    fputs("</details>\n<details>\n<summary>Run folders</summary>\n<ol>\n", f);
    for (size_t r = 0; r < p->n; r++) {
        fputs("<li><code>", f);
        rep_html_esc(f, p->runs[r].dir);
        fputs("</code></li>\n", f);
    }
    fputs("</ol>\n</details>\n", f);
}

static void page_head(FILE *f, const rep_page *p)
{
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>retrylab report</title>\n<style>%s</style>\n</head>\n<body>\n"
            "<h1>retrylab report</h1>\n<p class=\"lead\">%zu runs of %zu scenarios. Each run "
            "is one retry policy played against one scenario (simulated providers that "
            "answer 429s, 5xx, timeouts...). The overview says how each scenario went; ",
            css, p->n, p->n_sec);
    if (rep_html_any_claims(p))
        fprintf(f, "the next table sets what the %s claim beside what retrylab measured; ",
                rep_html_any_seed(p) ? "seed documents" : "scenarios' sources");
    fputs("each scenario section compares every policy that ran on it (best first) and shows "
          "its pictures; the full numbers are at the end.</p>\n",
          f);
    if (p->o->notice) {
        fputs("<p class=\"notice\">", f);
        rep_html_esc(f, p->o->notice);
        fputs("</p>\n", f);
    }
}

/* Links to the parts after the scenarios. */
static void more_links(FILE *f, const rep_page *p)
{
    fputs("<nav><ul>\n", f);
    if (rep_html_any_claims(p))
        fputs("<li><a href=\"#claims\">Claims vs retrylab</a></li>\n", f);
    rep_sweep_toc(f, p->o->sweeps, p->o->n_sweeps);
    if (p->o->conformance)
        fputs("<li><a href=\"#conformance\">Do the presets behave like the real clients? "
              "(conformance)</a></li>\n",
              f);
    fputs("<li><a href=\"#details\">Details: per-candidate metrics, every verdict</a></li>\n"
          "</ul></nav>\n",
          f);
}

static int write_page(FILE *f, const rep_run *runs, size_t n, const rep_plotset *ps,
                      const rep_html_opts *o)
{
    rep_section *sec = calloc(REP_MAX_RUNS, sizeof *sec);
    rep_judged *j = calloc(n ? n : 1, sizeof *j);
    rep_page p = {runs, n, j, sec, 0, ps, o};
    int rc = -1;
    if (sec && j && rep_html_judge(runs, n, j) == 0 && rep_html_sections(&p) == 0 &&
        rep_html_judge_claims(&p) == 0) {
        page_head(f, &p);
        rep_html_overview(f, &p);
        more_links(f, &p);
        rep_html_claims_table(f, &p);
        for (size_t s = 0; s < p.n_sec; s++)
            rep_html_section(f, &p, s);
        rep_sweep_sections(f, o->sweeps, o->n_sweeps, ps, o->formats, o->pictures);
        rep_html_conformance(f, &p);
        rep_html_details(f, &p);
        fputs("</body>\n</html>\n", f);
        rc = 0;
    }
    if (sec)
        rep_html_sections_free(&p);
    if (j)
        rep_html_judged_free(j, n);
    free(j);
    free(sec);
    return rc;
}

int rep_html_write(const rep_run *runs, size_t n, const rep_plotset *ps, const rep_html_opts *o,
                   cm_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/index.html", o->out);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err->msg, sizeof err->msg, "%.400s: cannot write: %.80s", path, strerror(errno));
        return -1;
    }
    int rc = write_page(f, runs, n > REP_MAX_RUNS ? REP_MAX_RUNS : n, ps, o);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rc != 0) {
        snprintf(err->msg, sizeof err->msg, "%.400s: %s", path,
                 rc ? "out of memory" : "write failed");
        return -1;
    }
    return 0;
}
