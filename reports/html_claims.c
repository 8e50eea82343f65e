/* html_claims.c: the page sections that judge runs: claimed vs measured
 * (the seeds' numbers are claims, said plainly when the run differs) and the
 * verdict of every expectation, as `retrylab check` would print it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/expect.h"
#include "reports/check.h"
#include "reports/html.h"
#include "reports/stats.h"

int rep_html_verdicts(const rep_run *run, cm_expect *e, rep_verdicts *vs, cm_err *err)
{
    memset(vs, 0, sizeof *vs);
    memset(e, 0, sizeof *e);
    const cJSON *node = rep_run_expect_node(run);
    if (!node)
        return 0;
    if (cm_expect_parse(run->scenario, node, "expect", e, err) != 0)
        return -1;
    if (rep_check_run(run, e, vs) < 0) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        cm_expect_free(e);
        return -1;
    }
    return 1;
}

/* The planned waits of one task as "20, 40, 80 s" (at most 16). */
static void measured_waits(const rep_run *run, long long task, char *buf, size_t size)
{
    size_t used = 0, k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < run->n_ev && k < 16 && used < size; i++) {
        const rep_event *e = &run->ev[i];
        if (e->kind == REP_WAIT && e->task == task)
            used += (size_t)snprintf(buf + used, size - used, "%s%g", k++ ? ", " : "", e->delay);
    }
    if (k && used < size)
        snprintf(buf + used, size - used, " s");
}

static void rate_claim_row(FILE *f, const rep_run *run, const cm_expect *e, double measured)
{
    char src[CM_EXPECT_TEXT_MAX], claim[64], meas[64], verdict[200];
    rep_claim_source(e->rate_source, src, sizeof src);
    snprintf(claim, sizeof claim, "success rate %g%%", e->rate_claimed * 100);
    snprintf(meas, sizeof meas, "success rate %.1f%%", measured * 100);
    double diff = (measured - e->rate_claimed) * 100;
    bool same = fabs(diff) <= 2.0;
    if (same)
        snprintf(verdict, sizeof verdict, "matches the claim (within 2 points)");
    else
        snprintf(verdict, sizeof verdict, "DIFFERS: measured %.1f%% is %.1f points %s the "
                 "claimed %g%%", measured * 100, fabs(diff), diff < 0 ? "below" : "above",
                 e->rate_claimed * 100);
    fputs("<tr>", f);
    rep_html_td_text(f, run->label);
    rep_html_td_text(f, src);
    rep_html_td_text(f, claim);
    rep_html_td_text(f, meas);
    fprintf(f, "<td class=\"l %s\">", same ? "ok" : "fail");
    rep_html_esc(f, verdict);
    fputs("</td></tr>\n", f);
}

/* "success rate ...; calls per success ...; waits of task T: ..." for each
 * ladder the expect names (at most 4; task 0 when it names none). */
static void measured_text(const rep_run *run, const rep_stats *s, const cm_expect *e, char *buf,
                          size_t size)
{
    char waits[200];
    int used = s->calls_per_success < 0
                   ? snprintf(buf, size, "success rate %.1f%%; no task succeeded",
                              s->success_rate * 100)
                   : snprintf(buf, size, "success rate %.1f%%; %.2f calls per success",
                              s->success_rate * 100, s->calls_per_success);
    size_t n = e->n_ladders ? (e->n_ladders < 4 ? e->n_ladders : 4) : 1;
    for (size_t i = 0; i < n && used > 0 && (size_t)used < size; i++) {
        long long task = e->n_ladders ? (long long)e->ladders[i].task : 0;
        measured_waits(run, task, waits, sizeof waits);
        if (waits[0])
            used += snprintf(buf + used, size - (size_t)used, "; waits of task %lld: %s", task,
                             waits);
    }
}

static void text_claim_row(FILE *f, const rep_run *run, const cJSON *claim, const rep_stats *s,
                           const cm_expect *e, int have, const rep_verdicts *vs)
{
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(claim, "source");
    const cJSON *says = cJSON_GetObjectItemCaseSensitive(claim, "says");
    char meas[600], verdict[200];
    measured_text(run, s, e, meas, sizeof meas);
    bool ok = have == 1 && vs->failed == 0;
    if (have != 1)
        snprintf(verdict, sizeof verdict, "no expectation encodes this claim: compare by eye");
    else if (ok && e->has_rate_claimed && fabs(s->success_rate - e->rate_claimed) > 0.02)
        snprintf(verdict, sizeof verdict, "the scenario's %zu expectations hold, but the "
                 "claimed success rate differs (see its row)", vs->n);
    else if (ok)
        snprintf(verdict, sizeof verdict, "the run meets the scenario's %zu expectations", vs->n);
    else
        snprintf(verdict, sizeof verdict, "DIFFERS: %zu of %zu expectations fail (see below)",
                 vs->failed, vs->n);
    fputs("<tr>", f);
    rep_html_td_text(f, run->label);
    rep_html_td_text(f, cJSON_IsString(src) ? src->valuestring : "?");
    rep_html_td_text(f, cJSON_IsString(says) ? says->valuestring : "?");
    rep_html_td_text(f, meas);
    fprintf(f, "<td class=\"l %s\">", have != 1 ? "" : ok ? "ok" : "fail");
    rep_html_esc(f, verdict);
    fputs("</td></tr>\n", f);
}

/* Rows of one run; returns how many it wrote. */
static int claim_rows(FILE *f, const rep_run *run)
{
    cm_expect e;
    rep_verdicts vs;
    cm_err err;
    int have = rep_html_verdicts(run, &e, &vs, &err), rows = 0;
    rep_stats s;
    rep_stats_compute(run, &s);
    if (have == 1 && e.has_rate_claimed) {
        rate_claim_row(f, run, &e, s.success_rate);
        rows++;
    }
    const cJSON *c, *claims = rep_run_claims(run);
    cJSON_ArrayForEach(c, claims)
    {
        text_claim_row(f, run, c, &s, &e, have, &vs);
        rows++;
    }
    rep_verdicts_free(&vs);
    cm_expect_free(&e);
    return rows;
}

void rep_html_claims(FILE *f, const rep_run *runs, size_t n)
{
    fputs("<h2>Claimed vs measured</h2>\n<p>The seed documents' figures are claims, not "
          "truths: each is shown beside what this run measured.</p>\n<table>\n"
          "<tr><th class=\"l\">run</th><th class=\"l\">source</th><th class=\"l\">claim</th>"
          "<th class=\"l\">measured</th><th class=\"l\">verdict</th></tr>\n", f);
    int rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += claim_rows(f, &runs[i]);
    fputs("</table>\n", f);
    if (!rows)
        fputs("<p>No run's scenario states a claim.</p>\n", f);
}

static void check_list(FILE *f, const rep_run *run)
{
    cm_expect e;
    rep_verdicts vs;
    cm_err err = {{0}};
    int have = rep_html_verdicts(run, &e, &vs, &err);
    fputs("<h3>", f);
    rep_html_esc(f, run->label);
    fputs("</h3>\n", f);
    if (have == 0)
        rep_html_esc(f, run->scenario ? "The scenario has no expect." : run->scenario_note);
    else if (have < 0)
        rep_html_esc(f, err.msg);
    else if (vs.n == 0)
        fputs("The expect asserts nothing.", f);
    fputs(have == 1 && vs.n ? "<ul>\n" : "\n", f);
    for (size_t i = 0; have == 1 && i < vs.n; i++) {
        fprintf(f, "<li><span class=\"%s\">%s</span> ", vs.v[i].ok ? "ok" : "fail",
                vs.v[i].ok ? "PASS" : "FAIL");
        rep_html_esc(f, vs.v[i].text);
        fputs("</li>\n", f);
    }
    if (have == 1 && vs.n)
        fputs("</ul>\n", f);
    rep_verdicts_free(&vs);
    cm_expect_free(&e);
}

void rep_html_checks(FILE *f, const rep_run *runs, size_t n)
{
    fputs("<h2>Expectations (retrylab check)</h2>\n", f);
    for (size_t i = 0; i < n; i++)
        check_list(f, &runs[i]);
}

void rep_html_check_cells(FILE *f, const rep_run *run)
{
    cm_expect e;
    rep_verdicts vs;
    cm_err err = {{0}};
    char text[64];
    int have = rep_html_verdicts(run, &e, &vs, &err);
    rep_html_td_num(f, have == 1 && e.has_rate_claimed ? e.rate_claimed * 100 : -1, 0, "%");
    if (have == 1 && vs.n)
        snprintf(text, sizeof text, vs.failed ? "FAIL (%zu of %zu)" : "pass (%zu of %zu)",
                 vs.failed ? vs.failed : vs.n, vs.n);
    else
        snprintf(text, sizeof text, have < 0 ? "bad expect" : "no expect");
    fprintf(f, "<td class=\"l %s\">%s</td>", have == 1 && vs.failed ? "fail" : "", text);
    rep_verdicts_free(&vs);
    cm_expect_free(&e);
}
