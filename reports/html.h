/* html.h: the report's index.html, one self-contained page (inline CSS, no
 * JavaScript, pictures by relative path) in the order a newcomer asks: the
 * seeds' claims beside what retrylab measured, then one section per
 * scenario (its claims, its runs best first, its pictures), then the full
 * per-candidate metrics and expectation verdicts, collapsed. Everything taken
 * from files is HTML-escaped. */
#ifndef REP_HTML_H
#define REP_HTML_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/expect.h"
#include "common/jsonpos.h"
#include "reports/check.h"
#include "reports/plot.h"
#include "reports/run_expect.h"
#include "reports/run_load.h"
#include "reports/stats.h"

typedef struct rep_html_opts {
    const char *out;    /* report folder */
    int formats;        /* REP_FMT_* written */
    bool pictures;      /* false: gnuplot did not run (notice instead of images) */
    const char *notice; /* shown at the top when not NULL (e.g. why pictures are missing) */
    const struct rep_sweep *sweeps; /* sweep folders: a section each, after the scenarios' */
    size_t n_sweeps;
} rep_html_opts;

/* Writes OUT/index.html. 0, or -1 with err. */
int rep_html_write(const rep_run *runs, size_t n, const rep_plotset *ps, const rep_html_opts *o,
                   cm_err *err);

/* ---- shared by the html*.c files ---- */

/* A run as the page judges it, computed once per run. */
typedef struct rep_judged {
    rep_stats s;
    bool checked;         /* the page shows a verdict (own policy or own expect.json) */
    bool own_policy;      /* the scenario's own policy */
    int have;             /* 1 expectations evaluated, 0 none found, -1 malformed */
    rep_expect_from from; /* where they came from */
    cm_expect e;          /* owned; empty unless have == 1 */
    rep_verdicts vs;      /* owned; empty unless have == 1 */
    char error[512];      /* have == -1: why */
} rep_judged;

/* Judges runs[n] into j[n] (unchecked runs are not evaluated). 0, or -1 out of memory. */
int rep_html_judge(const rep_run *runs, size_t n, rep_judged *j);
void rep_html_judged_free(rep_judged *j, size_t n);

/* The page's scenario sections: runs grouped by scenario, scenarios that
 * cite a seed document first, each followed by its variants ("NAME + something" is a
 * variant of NAME: the same scenario under another name, e.g. with other
 * policies). */
typedef struct rep_section {
    char key[REP_PATH_MAX]; /* rep_html_run_key of its runs */
    size_t runs[REP_MAX_RUNS];
    size_t n;
    int base;    /* index of the section this one is a variant of, else -1 */
    bool claims; /* the scenario states claims */
    bool seed;   /* ... and the first cites a seed document (a seed experiment) */
} rep_section;

typedef struct rep_page {
    const rep_run *runs;
    size_t n;
    rep_judged *j;
    rep_section *sec;
    size_t n_sec;
    const rep_plotset *ps;
    const rep_html_opts *o;
} rep_page;

/* Fills p->sec (REP_MAX_RUNS entries) and p->n_sec from p->runs. */
void rep_html_sections(rep_page *p);
/* The group key of a run (same rule as the pictures' groups). */
const char *rep_html_run_key(const rep_run *run);

/* Writes s HTML-escaped (& < > " '), each byte that starts no valid UTF-8
 * character as U+FFFD (the page is declared utf-8). */
void rep_html_esc(FILE *f, const char *s);
/* <td class="l">escaped s</td> */
void rep_html_td_text(FILE *f, const char *s);
/* <td>v with `decimals` decimals and suffix</td>, or a dash when v < 0 or not finite. */
void rep_html_td_num(FILE *f, double v, int decimals, const char *suffix);
/* The check cell of run r: pass/FAIL (N of M) for checked runs, "-" with a
 * tooltip for the others. */
void rep_html_check_cell(FILE *f, const rep_page *p, size_t r);
/* The claimed success rate of run r (from its expectations), or -1. */
double rep_html_claimed(const rep_page *p, size_t r);

/* The top table: per seed scenario, its claims beside what its own policy
 * (and each run with its own expect.json) measured, with a plain verdict. */
void rep_html_claims_table(FILE *f, const rep_page *p);
/* The scenario's claims ("says" texts) as a list. */
void rep_html_claims_list(FILE *f, const rep_run *run);
/* The table of contents and every scenario section. */
void rep_html_toc(FILE *f, const rep_page *p);
void rep_html_section(FILE *f, const rep_page *p, size_t s);
/* The collapsed end of the page: per-candidate metrics, every verdict, run folders. */
void rep_html_details(FILE *f, const rep_page *p);

#endif
