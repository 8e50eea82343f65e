/* html.c: writes index.html: summary tables, claimed vs measured, the
 * expectations' verdicts and the pictures, on one self-contained page. */
#include "reports/html.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/gnuplot.h"
#include "reports/stats.h"

static const char css[] =
    "body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:0.92em}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;vertical-align:top}"
    "th{background:#f0f0f0}td.l,th.l{text-align:left}"
    ".fail{color:#b00000;font-weight:bold}.ok{color:#006400}"
    ".notice{background:#fff3cd;border:1px solid #e0c060;padding:0.6em 1em}"
    "figure{margin:2em 0}figcaption{color:#444;font-size:0.92em;max-width:900px}"
    "img{max-width:100%;border:1px solid #ddd}code{background:#f4f4f4;padding:0 3px}";

void rep_html_esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
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

static void summary_row(FILE *f, const rep_run *run)
{
    rep_stats s;
    rep_stats_compute(run, &s);
    fputs("<tr>", f);
    rep_html_td_text(f, run->label);
    rep_html_td_text(f, run->mode[0] ? run->mode : "?");
    rep_html_td_num(f, run->seed, 0, "");
    rep_html_td_num(f, s.tasks, 0, "");
    rep_html_td_num(f, s.success_rate * 100, 1, "%");
    rep_html_td_num(f, s.attempts, 0, "");
    rep_html_td_num(f, s.attempts_p50, 0, "");
    rep_html_td_num(f, s.attempts_p99, 0, "");
    rep_html_td_num(f, s.total_wait_s, 1, " s");
    rep_html_td_num(f, s.calls_per_success, 2, "");
    rep_html_td_num(f, s.success_time_p50, 1, " s");
    rep_html_td_text(f, run->summary.partial ? "yes (interrupted)" : "no");
    rep_html_check_cells(f, run);
    fputs("</tr>\n", f);
}

static void summary_table(FILE *f, const rep_run *runs, size_t n)
{
    fputs("<h2>Runs</h2>\n<table>\n<tr><th class=\"l\">run (scenario / policy)</th>"
          "<th class=\"l\">mode</th><th>seed</th><th>tasks</th><th>success rate</th>"
          "<th>attempts</th><th>attempts per task p50</th><th>attempts per task p99</th>"
          "<th>total wait</th><th>calls per success</th><th>time to success p50</th>"
          "<th class=\"l\">partial</th><th>claimed success rate</th>"
          "<th class=\"l\">check</th></tr>\n", f);
    for (size_t i = 0; i < n; i++)
        summary_row(f, &runs[i]);
    fputs("</table>\n<p>Run folders:", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s <code>", i ? "," : "");
        rep_html_esc(f, runs[i].dir);
        fputs("</code>", f);
    }
    fputs("</p>\n", f);
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

static void candidate_table(FILE *f, const rep_run *runs, size_t n)
{
    fputs("<h2>Candidates</h2>\n<table>\n<tr><th class=\"l\">run</th>"
          "<th class=\"l\">provider/model</th><th>requests</th>", f);
    for (int i = 0; i < REP_CLASS_N; i++)
        fprintf(f, "<th>%s</th>", rep_class_name((rep_class)i));
    fputs("<th>mean latency</th></tr>\n", f);
    for (size_t i = 0; i < n; i++)
        candidate_rows(f, &runs[i]);
    fputs("</table>\n", f);
}

static void picture(FILE *f, const rep_picture *p, const rep_html_opts *o)
{
    fputs("<figure>\n<h3>", f);
    rep_html_esc(f, p->title);
    fputs("</h3>\n", f);
    if (o->pictures && (o->formats & REP_FMT_PNG))
        fprintf(f, "<img src=\"%s.png\" width=\"%d\" alt=\"", p->name, REP_PNG_W);
    else if (o->pictures)
        fprintf(f, "<img src=\"%s.svg\" width=\"%d\" alt=\"", p->name, REP_PNG_W);
    if (o->pictures) {
        rep_html_esc(f, p->title);
        fputs("\">\n", f);
    }
    fputs("<figcaption>", f);
    rep_html_esc(f, p->caption);
    fprintf(f, " Files: <a href=\"%s.gp\">%s.gp</a>", p->name, p->name);
    if (o->pictures && (o->formats & REP_FMT_SVG))
        fprintf(f, ", <a href=\"%s.svg\">%s.svg</a>", p->name, p->name);
    fputs(".</figcaption>\n</figure>\n", f);
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
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<title>retrylab report</title>\n<style>%s</style>\n</head>\n<body>\n"
               "<h1>retrylab report</h1>\n", css);
    if (o->notice) {
        fputs("<p class=\"notice\">", f);
        rep_html_esc(f, o->notice);
        fputs("</p>\n", f);
    }
    summary_table(f, runs, n);
    rep_html_claims(f, runs, n);
    rep_html_checks(f, runs, n);
    candidate_table(f, runs, n);
    fputs("<h2>Pictures</h2>\n", f);
    for (size_t i = 0; i < ps->n; i++) {
        const char *g = ps->pics[i].group;
        if (g[0] && (i == 0 || strcmp(g, ps->pics[i - 1].group) != 0)) {
            fputs("<h2>Scenario ", f);
            rep_html_esc(f, g);
            fputs("</h2>\n", f);
        }
        picture(f, &ps->pics[i], o);
    }
    fputs("</body>\n</html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(err->msg, sizeof err->msg, "%.400s: write failed", path);
        return -1;
    }
    return 0;
}
