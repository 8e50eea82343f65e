/* fuzz_reports.c: libFuzzer target over what `retrylab check` reads: an
 * expect object (common/expect) and a trace (reports/run_load), then the
 * check and the metrics on the pair. The input is "EXPECT-JSON\n---\nTRACE-
 * LINES"; with no separator the whole input is a trace checked against an
 * empty expect. Invariants: no crash, no leak, failed verdicts <= verdicts,
 * failed expectations <= expectations <= verdicts, successes <= tasks; the
 * task table sorted by number, one row per number, each event pointing at
 * its task's row; names, messages and their HTML and gnuplot escapes valid
 * UTF-8, and so is the JUnit XML of the verdicts; a run compared with itself
 * is worse by no measure. Built and run by `make fuzz`
 * (build-fuzz/fuzz/fuzz_reports); not part of `make test`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/expect.h"
#include "common/utf8.h"
#include "reports/check.h"
#include "reports/compare.h"
#include "reports/gnuplot.h"
#include "reports/html.h"
#include "reports/results.h"
#include "reports/run_load.h"
#include "reports/stats.h"

static void valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k)
        if (!(k = cm_utf8_len(s + i, n - i)))
            abort();
}

/* s, and s as the page and the gnuplot scripts escape it, are valid UTF-8. */
static void valid_everywhere(const char *s)
{
    if (!s)
        return;
    valid_utf8(s, strlen(s));
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return;
    rep_html_esc(f, s);
    rep_gp_quote(f, s);
    fclose(f);
    valid_utf8(buf, n);
    free(buf);
}

static void check_tables(const rep_run *run)
{
    for (size_t i = 1; i < run->n_tasks; i++)
        if (run->tasks[i - 1].id >= run->tasks[i].id)
            abort();
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *ev = &run->ev[i];
        if (ev->ti >= run->n_tasks || run->tasks[ev->ti].id != ev->task ||
            rep_run_task(run, ev->task) != &run->tasks[ev->ti])
            abort();
        valid_everywhere(ev->message);
    }
    valid_everywhere(run->label);
    valid_everywhere(run->legend);
    for (size_t i = 0; i < run->n_cands; i++)
        valid_everywhere(run->cands[i].name);
}

/* The verdicts as JUnit XML: valid UTF-8. */
static void junit_ok(const rep_verdicts *vs)
{
    rep_tsuite s = {0};
    for (size_t i = 0; i < vs->n; i++)
        if (rep_tsuite_add(&s, vs->v[i].name, vs->v[i].ok ? REP_T_PASS : REP_T_FAIL, vs->v[i].text,
                           vs->v[i].text, "f.json", 1) != 0)
            break;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (f) {
        rep_junit_write(f, "fuzz", &s, 1);
        rep_gh_annotate(f, &s, 1);
        fclose(f);
        valid_utf8(buf, n);
    }
    free(buf);
    rep_tsuite_free(&s);
}

/* A run against itself is worse by no measure. */
static void compare_self(const rep_run *run)
{
    rep_cmp_run m;
    rep_cmp_limits lim = REP_CMP_LIMITS_DEFAULT;
    rep_cmp_row rows[REP_CMP_ROWS];
    if (rep_cmp_measure(run, &m) != 0)
        return;
    if (rep_cmp_judge(&m, &m, &lim, rows) != 0)
        abort();
    rep_cmp_run_free(&m);
}

static void check_pair(const rep_run *run, const cm_expect *e)
{
    check_tables(run);
    rep_verdicts vs = {0};
    int failed = rep_check_run(run, e, &vs);
    if (failed >= 0 &&
        ((size_t)failed > vs.n || vs.failed_expect > vs.n_expect || vs.n_expect > vs.n))
        abort();
    junit_ok(&vs);
    rep_verdicts_free(&vs);
    compare_self(run);
    rep_stats s;
    rep_stats_compute(run, &s);
    if (s.success_rate < 0 ||
        (s.tasks > 0 && s.successes > s.tasks + 1e-9 && !run->summary.present))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *sep = size >= 5 ? memmem(text, size, "\n---\n", 5) : NULL;
    size_t elen = sep ? (size_t)(sep - text) : 0;
    const char *trace = sep ? sep + 5 : text;
    size_t tlen = size - (size_t)(trace - text);
    cm_err err;
    cm_expect e;
    memset(&e, 0, sizeof e);
    cm_json *doc = sep ? cm_json_parse("fuzz.json", text, elen, &err) : NULL;
    if (sep && (!doc || cm_expect_parse(doc, cm_json_root(doc), NULL, &e, &err) != 0)) {
        cm_json_free(doc);
        return 0;
    }
    rep_run run;
    if (rep_run_from_text("fuzz/trace.jsonl", trace, tlen, &run, &err) == 0) {
        check_pair(&run, &e);
        rep_run_free(&run);
    }
    cm_expect_free(&e);
    cm_json_free(doc);
    return 0;
}
