/* html_claims.c: how the page judges runs (only those checked against their
 * own claims) and claims: each claim that states a number (at least, at
 * most, about, a range, the best, a ladder of waits) against the same
 * measure of every run of the policy it is about, and the claims table (the
 * sources' numbers are claims, not truths). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- measures ---- */

/* A value of measure m as the page prints it: "91.0%", "61.0 min", "7 calls",
 * "2.14 calls per success". `unit_of` picks minutes from 120 s (the claim's
 * value, so that both sides of a verdict share a unit). */
static void fmt_value(char *buf, size_t size, cm_claim_measure m, double v, double unit_of)
{
    buf[0] = '\0';
    if (m == CM_CLAIM_SUCCESS_RATE)
        cat(buf, size, "%.1f%%", v * 100);
    else if (m == CM_CLAIM_MAX_ATTEMPTS)
        cat(buf, size, "%.0f call%s", v, v == 1 ? "" : "s");
    else if (m == CM_CLAIM_CALLS_PER_SUCCESS)
        cat(buf, size, v < 0 ? "no success" : "%.2f calls per success", v);
    else if (unit_of >= 120)
        cat(buf, size, "%.1f min", v / 60);
    else
        cat(buf, size, "%.1f s", v);
}

/* The same for a number the claim states ("85%", "51 min"): its digits. */
static void fmt_claim_value(char *buf, size_t size, cm_claim_measure m, double v)
{
    buf[0] = '\0';
    if (m == CM_CLAIM_SUCCESS_RATE)
        cat(buf, size, "%g%%", v * 100);
    else if (m == CM_CLAIM_MAX_ATTEMPTS)
        cat(buf, size, "%g call%s", v, v == 1 ? "" : "s");
    else if (m == CM_CLAIM_CALLS_PER_SUCCESS)
        cat(buf, size, "%g calls per success", v);
    else if (v >= 120)
        cat(buf, size, "%.4g min", v / 60);
    else
        cat(buf, size, "%g s", v);
}

/* The task that waited longest / ran longest, for "(task N)". */
static size_t worst_task(const rep_run *run, cm_claim_measure m)
{
    size_t w = 0;
    double best = -1;
    for (size_t k = 0; k < run->n_tasks; k++) {
        double v = m == CM_CLAIM_MAX_TOTAL_WAIT      ? run->tasks[k].wait_planned
                   : m == CM_CLAIM_MAX_TASK_DURATION ? rep_task_duration(run, k)
                                                     : (double)run->tasks[k].sends;
        if (v > best)
            best = v, w = k;
    }
    return w;
}

/* What the run measured for a measure other than ladder; -1 when nothing
 * (no task, no success for calls per success). */
static double measured_value(const rep_run *run, const rep_stats *s, cm_claim_measure m)
{
    double most = 0;
    switch (m) {
    case CM_CLAIM_MAX_TOTAL_WAIT:
        for (size_t k = 0; k < run->n_tasks; k++)
            most = fmax(most, run->tasks[k].wait_planned);
        return run->n_tasks ? most : -1;
    case CM_CLAIM_MAX_TASK_DURATION:
        return s->longest_task_s;
    case CM_CLAIM_MAX_ATTEMPTS:
        return run->n_tasks ? s->attempts_max : -1;
    case CM_CLAIM_SUCCESS_RATE:
        return s->success_rate;
    case CM_CLAIM_CALLS_PER_SUCCESS:
        return s->calls_per_success;
    default:
        return -1;
    }
}

/* "61.0 min (task 0)": the measure as the run gives it. */
static void measured_text(const rep_run *run, const rep_stats *s, const cm_claim *c, double v,
                          char *buf, size_t size)
{
    fmt_value(buf, size, c->measure, v, c->measure == CM_CLAIM_SUCCESS_RATE ? 0 : c->value);
    if (c->measure == CM_CLAIM_MAX_TOTAL_WAIT || c->measure == CM_CLAIM_MAX_TASK_DURATION ||
        c->measure == CM_CLAIM_MAX_ATTEMPTS)
        cat(buf, size, " (task %lld)", (long long)run->tasks[worst_task(run, c->measure)].id);
    (void)s;
}

/* ---- what a claim claims, in words ---- */

static void claimed_text(const cm_claim *c, char *buf, size_t size)
{
    char v[64], w[64];
    buf[0] = '\0';
    fmt_claim_value(v, sizeof v, c->measure, c->value);
    const char *what = c->measure == CM_CLAIM_SUCCESS_RATE        ? "success rate"
                       : c->measure == CM_CLAIM_MAX_TOTAL_WAIT    ? "most wait of a task"
                       : c->measure == CM_CLAIM_MAX_TASK_DURATION ? "longest task"
                       : c->measure == CM_CLAIM_MAX_ATTEMPTS      ? "most calls of a task"
                                                                  : "calls per success";
    switch (c->dir) {
    case CM_CLAIM_AT_LEAST:
        cat(buf, size, "%s at least %s", what, v);
        break;
    case CM_CLAIM_AT_MOST:
        cat(buf, size, "%s at most %s", what, v);
        break;
    case CM_CLAIM_ABOUT:
        cat(buf, size, "%s about %s (\u00b1 %g%%)", what, v, c->tolerance * 100);
        break;
    case CM_CLAIM_RANGE:
        fmt_claim_value(w, sizeof w, c->measure, c->hi);
        fmt_claim_value(v, sizeof v, c->measure, c->lo);
        cat(buf, size, "%s from %s to %s", what, v, w);
        break;
    case CM_CLAIM_BEST:
        cat(buf, size, "the %s %s of the policies run",
            cm_claim_more_is_better(c->measure) ? "highest" : "lowest", what);
        break;
    case CM_CLAIM_WAITS:
        cat(buf, size, "task %lld waits ", (long long)c->ladder.task);
        for (size_t i = 0; i < c->ladder.n_waits; i++)
            cat(buf, size, "%s%g", i ? ", " : "", c->ladder.waits_s[i]);
        cat(buf, size, " s (\u00b1 %g%%)", c->tolerance * 100);
        break;
    default:
        break;
    }
}

/* ---- judging one run ---- */

/* A ladder claim: the task's first waits, in order, within tolerance. */
static bool judge_ladder(const rep_run *run, const cm_claim *c, rep_claim_run *out)
{
    const cm_expect_ladder *l = &c->ladder;
    size_t n = 0, bad = 0;
    double first_got = 0, first_want = 0;
    out->measured[0] = '\0';
    cat(out->measured, sizeof out->measured, "task %lld waited ", (long long)l->task);
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        if (e->kind != REP_WAIT || e->task != l->task)
            continue;
        if (n < 8)
            cat(out->measured, sizeof out->measured, "%s%g", n ? ", " : "", e->delay);
        else if (n == 8)
            cat(out->measured, sizeof out->measured, ", ...");
        if (n < l->n_waits &&
            fabs(e->delay - l->waits_s[n]) >
                fmax(l->tolerance * l->waits_s[n], l->abs_tolerance_s) + 1e-9 &&
            bad++ == 0) {
            first_got = e->delay;
            first_want = l->waits_s[n];
        }
        n++;
    }
    cat(out->measured, sizeof out->measured, n ? " s" : "nothing (no wait)");
    if (!rep_run_task(run, l->task)) {
        snprintf(out->measured, sizeof out->measured, "task %lld is not in the trace",
                 (long long)l->task);
        snprintf(out->verdict, sizeof out->verdict, "not measured: no task %lld",
                 (long long)l->task);
        return false;
    }
    if (n < l->n_waits)
        snprintf(out->verdict, sizeof out->verdict, "refuted: %zu wait%s, the claim has %zu", n,
                 n == 1 ? "" : "s", l->n_waits);
    else if (bad)
        snprintf(out->verdict, sizeof out->verdict,
                 "refuted: %zu of %zu waits off, the first %g s where the claim says %g s", bad,
                 l->n_waits, first_got, first_want);
    else
        snprintf(out->verdict, sizeof out->verdict, "holds: the first %zu waits as claimed",
                 l->n_waits);
    return n >= l->n_waits && !bad;
}

/* The verdict words of a number against its claim. */
static void number_verdict(const cm_claim *c, double got, bool holds, char *buf, size_t size)
{
    char g[64], v[64], h[64];
    fmt_value(g, sizeof g, c->measure, got, c->measure == CM_CLAIM_SUCCESS_RATE ? 0 : c->value);
    fmt_claim_value(v, sizeof v, c->measure, c->value);
    buf[0] = '\0';
    cat(buf, size, "%s: %s", holds ? "holds" : "refuted", g);
    switch (c->dir) {
    case CM_CLAIM_AT_LEAST:
        cat(buf, size, " %s %s", holds ? "\u2265" : "<", v);
        break;
    case CM_CLAIM_AT_MOST:
        cat(buf, size, " %s %s", holds ? "\u2264" : ">", v);
        break;
    case CM_CLAIM_ABOUT:
        cat(buf, size, ", %s about %s (\u00b1 %g%%)", holds ? "within" : "not", v,
            c->tolerance * 100);
        break;
    case CM_CLAIM_RANGE:
        fmt_claim_value(v, sizeof v, c->measure, c->lo);
        fmt_claim_value(h, sizeof h, c->measure, c->hi);
        cat(buf, size, ", %s %s to %s", holds ? "within" : "outside", v, h);
        break;
    default:
        break;
    }
}

/* "best": run r's value against every other run of the section. */
static bool judge_best(const rep_page *p, const rep_section *sec, size_t r, const cm_claim *c,
                       double got, rep_claim_run *out)
{
    bool more = cm_claim_more_is_better(c->measure);
    double other = NAN;
    size_t who = r, policies = 1;
    for (size_t i = 0; i < sec->n; i++) {
        size_t k = sec->runs[i];
        if (k == r || rep_run_same_file(p->runs[k].policy_path, p->runs[r].policy_path))
            continue;
        policies++;
        double v = measured_value(&p->runs[k], &p->j[k].s, c->measure);
        if (v < 0)
            continue;
        if (isnan(other) || (more ? v > other : v < other))
            other = v, who = k;
    }
    char g[64], o[64];
    fmt_value(g, sizeof g, c->measure, got, got);
    if (isnan(other)) {
        snprintf(out->verdict, sizeof out->verdict,
                 "not measured: no other policy ran on the scenario");
        return false;
    }
    fmt_value(o, sizeof o, c->measure, other, other);
    bool holds = got >= 0 && (more ? got >= other - 1e-12 : got <= other + 1e-12);
    if (holds)
        snprintf(out->verdict, sizeof out->verdict, "holds: %s, the best of %zu policies", g,
                 policies);
    else
        snprintf(out->verdict, sizeof out->verdict, "refuted: %s, %s %s's %s", g,
                 more ? "below" : "above", p->runs[who].policy_name, o);
    return holds;
}

/* Judges claim c on run r of section sec into *out; true when it holds. */
static bool judge_run(const rep_page *p, const rep_section *sec, size_t r, const cm_claim *c,
                      rep_claim_run *out)
{
    const rep_run *run = &p->runs[r];
    const rep_stats *s = &p->j[r].s;
    out->run = r;
    if (c->measure == CM_CLAIM_LADDER)
        return out->holds = judge_ladder(run, c, out);
    double got = measured_value(run, s, c->measure);
    measured_text(run, s, c, got, out->measured, sizeof out->measured);
    if (c->dir == CM_CLAIM_BEST)
        return out->holds = judge_best(p, sec, r, c, got, out);
    if (got < 0 && c->measure != CM_CLAIM_CALLS_PER_SUCCESS) {
        snprintf(out->verdict, sizeof out->verdict, "not measured: the run has no task");
        return out->holds = false;
    }
    /* no success: calls per success is unbounded, above any claim */
    out->holds = got >= 0 && cm_claim_holds(c, got);
    number_verdict(c, got < 0 ? INFINITY : got, out->holds, out->verdict, sizeof out->verdict);
    return out->holds;
}

/* ---- which runs a claim is about ---- */

/* The claim is about run r: its "policy" (relative to the scenario file)
 * is the run's, else the run used the scenario's own policy. */
static bool claim_about(const rep_page *p, size_t r, const cm_claim *c)
{
    const rep_run *run = &p->runs[r];
    char want[2 * REP_PATH_MAX];
    if (!c->policy)
        return p->j[r].own_policy;
    if (!rep_run_scenario_relative(run, c->policy, want, sizeof want))
        return false;
    return rep_run_same_file(want, run->policy_file[0] ? run->policy_file : run->policy_path);
}

/* Adds the runs of sec that claim `row` is about, judged. -1 out of memory. */
static int judge_row(const rep_page *p, const rep_section *sec, rep_claim_row *row,
                     const size_t *only, size_t n_only)
{
    row->runs = calloc(sec->n ? sec->n : 1, sizeof *row->runs);
    if (!row->runs)
        return -1;
    bool any_refuted = false, any_holds = false;
    for (size_t i = 0; i < sec->n; i++) {
        size_t r = sec->runs[i];
        bool listed = false;
        for (size_t k = 0; k < n_only; k++)
            listed = listed || only[k] == r;
        if (n_only ? !listed : !claim_about(p, r, &row->c))
            continue;
        rep_claim_run *cr = &row->runs[row->n_runs++];
        bool holds = judge_run(p, sec, r, &row->c, cr);
        bool unmeasured = strncmp(cr->verdict, "not measured", 12) == 0;
        any_refuted = any_refuted || (!holds && !unmeasured);
        any_holds = any_holds || holds;
    }
    row->state = any_refuted ? REP_CLAIM_REFUTED
                 : any_holds ? REP_CLAIM_HOLDS
                             : REP_CLAIM_UNMEASURED;
    return 0;
}

/* The success rate claims of the section's scenario cover run r. */
static bool rate_claimed_for(const rep_page *p, const rep_section *sec, size_t r)
{
    for (size_t i = 0; i < sec->n_rows; i++)
        if (sec->rows[i].c.measure == CM_CLAIM_SUCCESS_RATE && claim_about(p, r, &sec->rows[i].c))
            return true;
    return false;
}

/* Each checked run whose expectations carry success_rate.claimed and no
 * scenario claim covers: an "at least" claim of its own. -1 out of memory. */
static int implicit_rows(const rep_page *p, rep_section *sec, size_t cap)
{
    size_t n = sec->n_rows;
    for (size_t i = 0; i < sec->n && sec->n_rows < cap; i++) {
        size_t r = sec->runs[i];
        const rep_judged *j = &p->j[r];
        if (!j->checked || j->have != 1 || !j->e.has_rate_claimed || rate_claimed_for(p, sec, r))
            continue;
        rep_claim_row *row = &sec->rows[sec->n_rows];
        memset(row, 0, sizeof *row);
        row->c.measure = CM_CLAIM_SUCCESS_RATE;
        row->c.dir = CM_CLAIM_AT_LEAST;
        row->c.value = row->c.lo = j->e.rate_claimed;
        row->c.hi = INFINITY;
        rep_claim_source(j->e.rate_source, row->source, sizeof row->source);
        snprintf(row->says, sizeof row->says, "%g%% success with %s (its %s: success_rate.claimed)",
                 j->e.rate_claimed * 100, p->runs[r].policy_name,
                 j->from == REP_EXPECT_RUN_DIR ? "expect.json" : "expect");
        claimed_text(&row->c, row->claimed, sizeof row->claimed);
        if (judge_row(p, sec, row, &r, 1) != 0)
            return -1;
        sec->n_rows++;
    }
    (void)n;
    return 0;
}

/* Judges the claims of base section s. -1 out of memory. */
static int judge_section(rep_page *p, rep_section *sec)
{
    const rep_run *first = &p->runs[sec->runs[0]];
    const cJSON *c, *claims = rep_run_claims(first);
    size_t cap = (size_t)cJSON_GetArraySize(claims) + sec->n + 1;
    sec->rows = calloc(cap, sizeof *sec->rows);
    if (!sec->rows)
        return -1;
    cJSON_ArrayForEach(c, claims)
    {
        rep_claim_row *row = &sec->rows[sec->n_rows];
        cm_err err;
        if (cm_claim_parse(first->scenario, c, "claim", &row->c, &err) != 0)
            continue; /* the scenario loader refuses it; a report still shows the rest */
        snprintf(row->says, sizeof row->says, "%s", row->c.says);
        rep_claim_source(row->c.source, row->source, sizeof row->source);
        claimed_text(&row->c, row->claimed, sizeof row->claimed);
        sec->n_rows++;
        if (row->c.measure != CM_CLAIM_NONE && judge_row(p, sec, row, NULL, 0) != 0)
            return -1;
    }
    if (implicit_rows(p, sec, cap) != 0)
        return -1;
    for (size_t i = 0; i < sec->n_rows; i++) {
        sec->holds += sec->rows[i].state == REP_CLAIM_HOLDS;
        sec->refuted += sec->rows[i].state == REP_CLAIM_REFUTED;
    }
    return 0;
}

int rep_html_judge_claims(rep_page *p)
{
    for (size_t s = 0; s < p->n_sec; s++)
        if (p->sec[s].base < 0 && judge_section(p, &p->sec[s]) != 0)
            return -1;
    return 0;
}

void rep_html_sections_free(rep_page *p)
{
    for (size_t s = 0; p->sec && s < p->n_sec; s++) {
        for (size_t i = 0; i < p->sec[s].n_rows; i++)
            free(p->sec[s].rows[i].runs);
        free(p->sec[s].rows);
        p->sec[s].rows = NULL;
        p->sec[s].n_rows = 0;
    }
}

/* ---- the page's cells ---- */

double rep_html_claimed(const rep_page *p, size_t r)
{
    const rep_judged *j = &p->j[r];
    for (size_t s = 0; s < p->n_sec; s++) {
        const rep_section *sec = &p->sec[s];
        for (size_t i = 0; i < sec->n_rows; i++) {
            const rep_claim_row *row = &sec->rows[i];
            if (row->c.measure != CM_CLAIM_SUCCESS_RATE || row->c.dir == CM_CLAIM_BEST)
                continue;
            for (size_t k = 0; k < row->n_runs; k++)
                if (row->runs[k].run == r)
                    return row->c.dir == CM_CLAIM_RANGE ? row->c.lo : row->c.value;
        }
    }
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

static const char *state_class(rep_claim_state s)
{
    return s == REP_CLAIM_HOLDS ? "ok" : s == REP_CLAIM_REFUTED ? "fail" : "muted";
}

void rep_html_claims_list(FILE *f, const rep_page *p, size_t s)
{
    const rep_section *sec = &p->sec[s];
    fputs("<ul class=\"claims\">", f);
    for (size_t i = 0; i < sec->n_rows; i++) {
        const rep_claim_row *row = &sec->rows[i];
        fprintf(f, "<li class=\"%s\">", state_class(row->state));
        if (row->state == REP_CLAIM_HOLDS || row->state == REP_CLAIM_REFUTED)
            fprintf(f, "<span class=\"mark\">%s</span> ",
                    row->state == REP_CLAIM_HOLDS ? "&#10003; holds" : "&#10007; refuted");
        rep_html_esc(f, row->says);
        if (row->claimed[0]) {
            fputs(" <small>(", f);
            rep_html_esc(f, row->claimed);
            fputs(")</small>", f);
        }
        fputs("</li>", f);
    }
    fputs("</ul>\n", f);
}

/* "policy (mode)" of run r. */
static void run_name(FILE *f, const rep_page *p, size_t r)
{
    const rep_run *run = &p->runs[r];
    fprintf(f, "<a href=\"#r%zu\">#%zu</a> ", r + 1, r + 1);
    rep_html_esc(f, run->policy_name[0] ? run->policy_name : "?");
    if (run->mode[0] && strcmp(run->mode, "sim") != 0) {
        fputs(" (", f);
        rep_html_esc(f, run->mode);
        fputs(")", f);
    }
}

/* The runs of a section that the pinned-result row shows: checked ones. */
static size_t checked_runs(const rep_page *p, const rep_section *s, size_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (p->j[s->runs[i]].checked)
            out[k++] = s->runs[i];
    return k;
}

/* The rows a claim takes: one per run it is about, at least one. */
static size_t row_span(const rep_claim_row *row)
{
    return row->n_runs ? row->n_runs : 1;
}

static void claim_cells(FILE *f, const rep_page *p, const rep_claim_row *row, size_t k)
{
    if (row->c.measure == CM_CLAIM_NONE) {
        fputs("<td class=\"l muted\">&ndash;</td><td class=\"l muted\">&ndash;</td>"
              "<td class=\"l muted\">compare by eye (the claim states no number)</td>",
              f);
        return;
    }
    if (!row->n_runs) {
        fputs("<td class=\"l muted\">&ndash;</td><td class=\"l muted\">&ndash;</td>"
              "<td class=\"l muted\">not measured: no run of the policy it is about</td>",
              f);
        return;
    }
    const rep_claim_run *cr = &row->runs[k];
    bool unmeasured = strncmp(cr->verdict, "not measured", 12) == 0;
    fputs("<td class=\"l\">", f);
    run_name(f, p, cr->run);
    fputs("</td><td class=\"l\">", f);
    rep_html_esc(f, cr->measured);
    fprintf(f, "</td><td class=\"l %s\">", unmeasured ? "muted" : cr->holds ? "ok" : "fail");
    rep_html_esc(f, cr->verdict);
    fputs("</td>", f);
}

/* The pinned-result rows of a section: one per checked run. */
static size_t pinned_rows(FILE *f, const rep_page *p, const rep_section *sec)
{
    size_t idx[REP_MAX_RUNS], k = checked_runs(p, sec, idx);
    for (size_t i = 0; i < k; i++) {
        const rep_judged *j = &p->j[idx[i]];
        fputs("<tr>", f);
        if (i == 0)
            fprintf(f,
                    "<td class=\"l\" rowspan=\"%zu\">retrylab's pinned result (the scenario's "
                    "expectations: they record what retrylab measured, and may refute a "
                    "claim)</td><td class=\"l\" rowspan=\"%zu\">&ndash;</td>",
                    k, k);
        fputs("<td class=\"l\">", f);
        run_name(f, p, idx[i]);
        fputs("</td><td class=\"l\">&ndash;</td>", f);
        if (j->have != 1 || !j->vs.n)
            fputs("<td class=\"l muted\">no expectation pins the result</td>", f);
        else if (j->vs.failed)
            fprintf(f, "<td class=\"l fail\">%zu of %zu checks FAIL</td>", j->vs.failed_expect,
                    j->vs.n_expect);
        else
            fprintf(f, "<td class=\"l ok\">holds (%zu of %zu checks)</td>", j->vs.n_expect,
                    j->vs.n_expect);
        fputs("</tr>\n", f);
    }
    return k;
}

static void section_rows(FILE *f, const rep_page *p, size_t s)
{
    const rep_section *sec = &p->sec[s];
    size_t span = 0, idx[REP_MAX_RUNS];
    for (size_t i = 0; i < sec->n_rows; i++)
        span += row_span(&sec->rows[i]);
    span += checked_runs(p, sec, idx);
    for (size_t i = 0; i < sec->n_rows; i++) {
        const rep_claim_row *row = &sec->rows[i];
        for (size_t k = 0; k < row_span(row); k++) {
            fputs("<tr>", f);
            if (i == 0 && k == 0) {
                fprintf(f, "<td class=\"l\" rowspan=\"%zu\"><a href=\"#s%zu\">", span, s + 1);
                rep_html_esc(f, sec->key);
                fputs("</a></td>", f);
            }
            if (k == 0) {
                fprintf(f, "<td class=\"l %s\" rowspan=\"%zu\">", state_class(row->state),
                        row_span(row));
                rep_html_esc(f, row->says);
                fputs("<br><small>", f);
                rep_html_esc(f, row->source);
                fprintf(f, "</small></td><td class=\"l\" rowspan=\"%zu\">", row_span(row));
                rep_html_esc(f, row->claimed[0] ? row->claimed : "\u2013");
                fputs("</td>", f);
            }
            claim_cells(f, p, row, k);
            fputs("</tr>\n", f);
        }
    }
    if (!sec->n_rows)
        return;
    /* the scenario cell already spans these rows */
    pinned_rows(f, p, sec);
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

bool rep_html_any_seed(const rep_page *p)
{
    for (size_t s = 0; s < p->n_sec; s++)
        if (p->sec[s].seed)
            return true;
    return false;
}

bool rep_html_any_claims(const rep_page *p)
{
    for (size_t s = 0; s < p->n_sec; s++)
        if (p->sec[s].base < 0 && p->sec[s].n_rows)
            return true;
    return false;
}

void rep_html_claims_table(FILE *f, const rep_page *p)
{
    bool seed = rep_html_any_seed(p);
    if (!rep_html_any_claims(p)) {
        missing_note(f, p);
        return;
    }
    fprintf(f,
            "<h2 id=\"claims\">%s</h2>\n<p class=\"lead\">%s A claim that states a number says "
            "which way it points (at least, at most, about, a range, the best of the policies "
            "run, a ladder of waits); it is set beside the same measure of every run of the "
            "policy it is about: green holds, red is refuted. Claims without a number are "
            "compared by eye. The last rows of a scenario say whether retrylab's pinned result "
            "(its expectations) still holds.</p>\n",
            seed ? "Seed claims vs retrylab" : "Claims vs retrylab",
            seed ? "Each seed document describes a retry system and claims results; retrylab "
                   "replays it."
                 : "What the scenarios' sources claim, and what retrylab measured.");
    fputs("<div class=\"wide\"><table class=\"claims\">\n<tr><th class=\"l\">scenario</th>"
          "<th class=\"l\">what the source says</th><th class=\"l\">as a number</th>"
          "<th class=\"l\">run</th><th class=\"l\">measured</th>"
          "<th class=\"l\">verdict</th></tr>\n",
          f);
    for (size_t s = 0; s < p->n_sec; s++)
        if (p->sec[s].base < 0 && p->sec[s].n_rows)
            section_rows(f, p, s);
    fputs("</table></div>\n", f);
    missing_note(f, p);
}
