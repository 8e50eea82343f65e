/* html_claims.c: how the page judges runs (only those checked against their
 * own claims) and its top table: what each seed document claims beside what
 * retrylab measured, with a plain verdict (the seeds' numbers are claims, not
 * truths). */
#include <math.h>
#include <stdarg.h>
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

/* The success rate a claim of the run's scenario states ("measure":
 * "success_rate"), or -1. */
static double claim_rate(const rep_run *run)
{
    const cJSON *c, *claims = rep_run_claims(run);
    cJSON_ArrayForEach(c, claims)
    {
        cm_claim cl;
        cm_err err;
        if (cm_claim_parse(run->scenario, c, "claim", &cl, &err) == 0 &&
            cl.measure == CM_CLAIM_SUCCESS_RATE)
            return cl.value;
    }
    return -1;
}

double rep_html_claimed(const rep_page *p, size_t r)
{
    const rep_judged *j = &p->j[r];
    double v = j->checked ? claim_rate(&p->runs[r]) : -1;
    if (v >= 0)
        return v;
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
    if (!j->checked && p->runs[r].scenario_missing) {
        fputs("<td class=\"l\" title=\"not checked: ", f);
        rep_html_esc(f, p->runs[r].scenario_note);
        fputs("\">-</td>", f);
        return;
    }
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
static const char *claim_document(const rep_run *run, const rep_judged *j, char *buf, size_t size)
{
    const cJSON *c = rep_run_claims(run);
    const cJSON *src = c ? cJSON_GetObjectItemCaseSensitive(c->child, "source") : NULL;
    if (cJSON_IsString(src))
        return rep_claim_source(src->valuestring, buf, size);
    return rep_claim_source(j->have == 1 ? j->e.rate_source : "", buf, size);
}

/* Appends printf text to buf (kept NUL-terminated, cut when full). */
static void cat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

/* What the run measured for a claim's measure. */
static double measured_value(const rep_run *run, const rep_judged *j, cm_claim_measure m)
{
    double most = 0;
    switch (m) {
    case CM_CLAIM_MAX_TOTAL_WAIT:
        for (size_t k = 0; k < run->n_tasks; k++)
            most = fmax(most, run->tasks[k].wait_planned);
        return most;
    case CM_CLAIM_MAX_TASK_DURATION:
        return fmax(j->s.longest_task_s, 0);
    case CM_CLAIM_MAX_ATTEMPTS:
        return j->s.attempts_max;
    case CM_CLAIM_SUCCESS_RATE:
        return j->s.success_rate;
    default:
        return -1;
    }
}

/* "matches: 31.5% vs 30% claimed" / "lower than claimed: 46.0% vs 95%". */
static bool rate_verdict(double got, double claimed, char *buf, size_t size)
{
    got *= 100, claimed *= 100;
    if (fabs(got - claimed) <= 2.0) {
        cat(buf, size, "matches: %.1f%% vs %.0f%% claimed", got, claimed);
        return true;
    }
    cat(buf, size, "%s than claimed: %.1f%% vs %.0f%%", got < claimed ? "lower" : "higher", got,
        claimed);
    return false;
}

/* An upper-bound claim (time, calls): "longer than claimed: 126.0 min vs 51 min". */
static bool bound_verdict(cm_claim_measure m, double got, double claimed, char *buf, size_t size)
{
    bool ok = got <= claimed * (1 + 1e-9) + 1e-9;
    if (m == CM_CLAIM_MAX_ATTEMPTS) {
        cat(buf, size, "%s: %.0f calls per task vs %g",
            ok ? "within the claim" : "more calls than claimed", got, claimed);
        return ok;
    }
    bool min = claimed >= 120;
    const char *unit = min ? "min" : "s";
    cat(buf, size, "%s: %.1f %s vs %.4g %s", ok ? "within the claim" : "longer than claimed",
        min ? got / 60 : got, unit, min ? claimed / 60 : claimed, unit);
    return ok;
}

/* One verdict per claim that carries a number, then the expect's claimed rate
 * when no claim gives the rate. Returns how many were given; *refuted counts
 * those the run contradicts. */
static int claim_verdicts(const rep_run *run, const rep_judged *j, char *buf, size_t size,
                          int *refuted)
{
    const cJSON *c, *claims = rep_run_claims(run);
    int n = 0;
    bool rate_done = false;
    cJSON_ArrayForEach(c, claims)
    {
        cm_claim cl;
        cm_err err;
        if (cm_claim_parse(run->scenario, c, "claim", &cl, &err) || cl.measure == CM_CLAIM_NONE)
            continue;
        if (n++)
            cat(buf, size, "; ");
        double got = measured_value(run, j, cl.measure);
        bool ok = cl.measure == CM_CLAIM_SUCCESS_RATE
                      ? rate_verdict(got, cl.value, buf, size)
                      : bound_verdict(cl.measure, got, cl.value, buf, size);
        rate_done = rate_done || cl.measure == CM_CLAIM_SUCCESS_RATE;
        *refuted += !ok;
    }
    if (!rate_done && j->have == 1 && j->e.has_rate_claimed) {
        if (n++)
            cat(buf, size, "; ");
        *refuted += !rate_verdict(j->s.success_rate, j->e.rate_claimed, buf, size);
    }
    return n;
}

/* The plain verdict of one run against its claims; its CSS class. The claims
 * (numbers a seed document states) and the expectations (retrylab's own
 * result, pinned: it may refute the claim) are judged apart. */
static const char *verdict_text(const rep_run *run, const rep_judged *j, char *buf, size_t size)
{
    int refuted = 0;
    buf[0] = '\0';
    int n = claim_verdicts(run, j, buf, size, &refuted);
    cat(buf, size, "%s", n ? "; " : "the claims carry no number: compare by eye; ");
    if (j->have != 1 || !j->vs.n) {
        cat(buf, size, "no expectation pins retrylab's result");
        return refuted ? "warn" : "ok";
    }
    if (j->vs.failed) {
        cat(buf, size, "retrylab's pinned result: %zu of %zu checks FAIL", j->vs.failed_expect,
            j->vs.n_expect);
        return "fail";
    }
    cat(buf, size, "retrylab's pinned result holds (%zu of %zu checks)", j->vs.n_expect,
        j->vs.n_expect);
    return refuted ? "warn" : "ok";
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
    char doc[CM_EXPECT_TEXT_MAX], verdict[1024], pol[REP_NAME_MAX + 40];
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
    const char *cls = verdict_text(run, j, verdict, sizeof verdict);
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
          "expect.json</td></tr>\n",
          f);
}

/* Runs whose scenario file was not found: their claims are not in the table. */
static void missing_note(FILE *f, const rep_page *p)
{
    for (size_t r = 0; r < p->n; r++) {
        if (!p->runs[r].scenario_missing)
            continue;
        fprintf(f, "<p class=\"warn\">Run #%zu: ", r + 1);
        rep_html_esc(f, p->runs[r].scenario_note);
        fprintf(f, ": its claims%s are left out.</p>\n", p->j[r].checked ? "" : " and checks");
    }
}

void rep_html_claims_table(FILE *f, const rep_page *p)
{
    size_t rows = 0, idx[REP_MAX_RUNS];
    fputs("<h2 id=\"claims\">Seed claims vs retrylab</h2>\n<p class=\"lead\">Each seed document "
          "describes a retry system and claims results. retrylab replays it. A claim that "
          "carries a number (a success rate, a longest wait or task, a most calls per task) is "
          "set beside what retrylab measured, with a plain verdict; the others are compared by "
          "eye. Separately, the scenario's expectations pin retrylab's own result (waits, "
          "rotation orders, messages): \"retrylab's pinned result holds\" says the run "
          "behaved as recorded, which may refute the claim. Rows: the seed's own policy, "
          "and comparison policies that carry their own claims (an expect.json).</p>\n",
          f);
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
    missing_note(f, p);
    if (!rows)
        fputs("<p>No run's scenario states a claim (a scenario's <code>claims</code>), or no "
              "run used its scenario's own policy.</p>\n",
              f);
}
