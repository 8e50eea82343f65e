/* html_claims.c: how the page judges runs (only those checked against their
 * own claims) and its top table: what each seed document claims beside what
 * retrylab measured, with a plain verdict (the seeds' numbers are claims, not
 * truths). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/html.h"

int rep_html_judge(const rep_run *runs, size_t n, rep_judged *j)
{
    for (size_t r = 0; r < n; r++) {
        rep_judged *k = &j[r];
        cm_err err = {{0}};
        rep_stats_compute(&runs[r], &k->s);
        k->own_policy = rep_run_own_policy(&runs[r]);
        k->checked = k->own_policy || rep_run_has_expect_file(&runs[r]);
        if (!k->checked)
            continue;
        k->have = rep_run_expect_load(&runs[r], NULL, &k->e, &k->from, &err);
        if (k->have < 0)
            snprintf(k->error, sizeof k->error, "%s", err.msg);
        if (k->have == 1 && rep_check_run(&runs[r], &k->e, &k->vs) < 0)
            return -1;
    }
    return 0;
}

void rep_html_judged_free(rep_judged *j, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        cm_expect_free(&j[r].e);
        rep_verdicts_free(&j[r].vs);
    }
}

double rep_html_claimed(const rep_page *p, size_t r)
{
    const rep_judged *j = &p->j[r];
    return j->checked && j->have == 1 && j->e.has_rate_claimed ? j->e.rate_claimed : -1;
}

/* The failed lines of a verdict list, for a tooltip (at most ~600 bytes). */
static void failed_lines(FILE *f, const rep_verdicts *vs)
{
    size_t used = 0;
    for (size_t i = 0; i < vs->n && used < 600; i++) {
        if (vs->v[i].ok)
            continue;
        if (used)
            fputs("&#10;", f);
        rep_html_esc(f, vs->v[i].text);
        used += strlen(vs->v[i].text) + 1;
    }
}

void rep_html_check_cell(FILE *f, const rep_page *p, size_t r)
{
    const rep_judged *j = &p->j[r];
    if (!j->checked) {
        fputs("<td class=\"l\" title=\"not checked: different policy\">-</td>", f);
        return;
    }
    if (j->have != 1 || !j->vs.n) {
        fprintf(f, "<td class=\"l\" title=\"%s\">%s</td>",
                j->have < 0 ? "its expectations are malformed (see the details)"
                            : "the run has no expectations",
                j->have < 0 ? "bad expect" : "no expect");
        return;
    }
    if (!j->vs.failed) {
        fprintf(f, "<td class=\"l ok\">pass (%zu of %zu)</td>", j->vs.n_expect, j->vs.n_expect);
        return;
    }
    fputs("<td class=\"l fail\" title=\"", f);
    failed_lines(f, &j->vs);
    if (j->vs.failed_expect)
        fprintf(f, "\">FAIL (%zu of %zu)</td>", j->vs.failed_expect, j->vs.n_expect);
    else
        fputs("\">FAIL (the run)</td>", f);
}

/* "seed 001" etc.: the document a scenario's claims come from. */
static const char *claim_document(const rep_run *run, const rep_judged *j, char *buf,
                                  size_t size)
{
    const cJSON *c = rep_run_claims(run);
    const cJSON *src = c ? cJSON_GetObjectItemCaseSensitive(c->child, "source") : NULL;
    if (cJSON_IsString(src))
        return rep_claim_source(src->valuestring, buf, size);
    return rep_claim_source(j->have == 1 ? j->e.rate_source : "", buf, size);
}

/* The plain verdict of one run against its claims; its CSS class. */
static const char *verdict_text(const rep_judged *j, double claimed, char *buf, size_t size)
{
    double got = j->s.success_rate * 100, want = claimed * 100;
    int used = 0;
    const char *cls = "ok";
    if (claimed >= 0 && fabs(got - want) <= 2.0)
        used = snprintf(buf, size, "matches: %.1f%% vs %.0f%% claimed", got, want);
    else if (claimed >= 0) {
        used = snprintf(buf, size, "%s than claimed: %.1f%% vs %.0f%%",
                        got < want ? "lower" : "higher", got, want);
        cls = "warn";
    }
    size_t u = used > 0 && (size_t)used < size ? (size_t)used : 0;
    const char *sep = u ? "; " : "";
    if (j->have != 1 || !j->vs.n)
        snprintf(buf + u, size - u, "%sno expectation encodes the claims: compare by eye", sep);
    else if (!j->vs.failed)
        snprintf(buf + u, size - u, "%sthe encoded claims hold (%zu of %zu checks)", sep,
                 j->vs.n_expect, j->vs.n_expect);
    else {
        snprintf(buf + u, size - u, "%s%zu of %zu checks FAIL", sep, j->vs.failed_expect,
                 j->vs.n_expect);
        cls = "fail";
    }
    return cls;
}

/* The claims' "says" texts as a list. */
void rep_html_claims_list(FILE *f, const rep_run *run)
{
    const cJSON *c, *claims = rep_run_claims(run);
    fputs("<ul class=\"claims\">", f);
    cJSON_ArrayForEach(c, claims)
    {
        const cJSON *says = cJSON_GetObjectItemCaseSensitive(c, "says");
        fputs("<li>", f);
        rep_html_esc(f, cJSON_IsString(says) ? says->valuestring : "?");
        fputs("</li>", f);
    }
    fputs("</ul>", f);
}

/* The runs of section s that the top table shows: checked ones. */
static size_t claim_runs(const rep_page *p, const rep_section *s, size_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (p->j[s->runs[i]].checked)
            out[k++] = s->runs[i];
    return k;
}

/* The measured success rate, and below it the longest task and the most
 * calls one task made (what time and call claims compare with). */
static void measured_cell(FILE *f, const rep_stats *s)
{
    double t = s->longest_task_s;
    fprintf(f, "<td>%.1f%%<br><small>", s->success_rate * 100);
    if (t < 0)
        fputs("no task sent a request", f);
    else
        fprintf(f, "longest task %.1f %s; up to %.0f call%s per task", t >= 120 ? t / 60 : t,
                t >= 120 ? "min" : "s", s->attempts_max, s->attempts_max == 1 ? "" : "s");
    fputs("</small></td>", f);
}

static void claim_row(FILE *f, const rep_page *p, size_t si, size_t r, size_t span, bool first)
{
    const rep_run *run = &p->runs[r];
    const rep_judged *j = &p->j[r];
    char doc[CM_EXPECT_TEXT_MAX], verdict[300], pol[REP_NAME_MAX + 40];
    fputs("<tr>", f);
    if (first) {
        fprintf(f, "<td class=\"l\" rowspan=\"%zu\"><a href=\"#s%zu\">", span, si + 1);
        rep_html_esc(f, p->sec[si].key);
        fputs("</a><br><small>claims from ", f);
        rep_html_esc(f, claim_document(run, j, doc, sizeof doc));
        fprintf(f, "</small></td><td class=\"l\" rowspan=\"%zu\">", span);
        rep_html_claims_list(f, run);
        fputs("</td>", f);
    }
    snprintf(pol, sizeof pol, "%s%s%s", run->policy_name[0] ? run->policy_name : "?",
             run->mode[0] && strcmp(run->mode, "sim") ? " over HTTP, " : "",
             run->mode[0] && strcmp(run->mode, "sim") ? run->mode : "");
    rep_html_td_text(f, pol);
    double claimed = rep_html_claimed(p, r);
    rep_html_td_num(f, claimed >= 0 ? claimed * 100 : -1, 0, "%");
    measured_cell(f, &j->s);
    const char *cls = verdict_text(j, claimed, verdict, sizeof verdict);
    fprintf(f, "<td class=\"l %s\">", cls);
    rep_html_esc(f, verdict);
    fputs("</td></tr>\n", f);
}

/* A seed scenario none of whose runs is checked: its claims, unmeasured. */
static void unmeasured_row(FILE *f, const rep_page *p, size_t si)
{
    const rep_run *run = &p->runs[p->sec[si].runs[0]];
    char doc[CM_EXPECT_TEXT_MAX];
    fprintf(f, "<tr><td class=\"l\"><a href=\"#s%zu\">", si + 1);
    rep_html_esc(f, p->sec[si].key);
    fputs("</a><br><small>claims from ", f);
    rep_html_esc(f, claim_document(run, &p->j[p->sec[si].runs[0]], doc, sizeof doc));
    fputs("</small></td><td class=\"l\">", f);
    rep_html_claims_list(f, run);
    fputs("</td><td class=\"l\">&ndash;</td><td>&ndash;</td><td>&ndash;</td><td class=\"l\">"
          "not measured: no run used the scenario's own policy or carries its own "
          "expect.json</td></tr>\n", f);
}

void rep_html_claims_table(FILE *f, const rep_page *p)
{
    size_t rows = 0, idx[REP_MAX_RUNS];
    fputs("<h2 id=\"claims\">Seed claims vs retrylab</h2>\n<p class=\"lead\">Each seed document "
          "describes a retry system and claims results. retrylab replays it: the claims are "
          "encoded as expectations (sequences of waits, rotation orders, messages) and the "
          "claimed success rate is set beside the measured one. Rows: the seed's own policy, "
          "and comparison policies that carry their own claims (an expect.json).</p>\n", f);
    fputs("<table>\n<tr><th class=\"l\">scenario (seed document)</th>"
          "<th class=\"l\">what it claims</th><th class=\"l\">policy run</th>"
          "<th>claimed success</th><th>measured</th><th class=\"l\">verdict</th></tr>\n",
          f);
    for (size_t s = 0; s < p->n_sec; s++) {
        if (!p->sec[s].seed || p->sec[s].base >= 0)
            continue;
        size_t k = claim_runs(p, &p->sec[s], idx);
        for (size_t i = 0; i < k; i++, rows++)
            claim_row(f, p, s, idx[i], k, i == 0);
        if (k == 0) {
            unmeasured_row(f, p, s);
            rows++;
        }
    }
    fputs("</table>\n", f);
    if (!rows)
        fputs("<p>No run's scenario states a claim (a scenario's <code>claims</code>), or no "
              "run used its scenario's own policy.</p>\n", f);
}
