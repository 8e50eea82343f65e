/* html.h: the report's index.html, one self-contained page (inline CSS, no
 * JavaScript, pictures by relative path) in the order a newcomer asks: an
 * overview of every scenario, the claims beside what retrylab measured,
 * then one section per scenario (its claims, its runs best first, its
 * pictures; variants such as the peers' presets collapsed), the sweeps, the
 * conformance table, and the full per-candidate metrics and expectation
 * verdicts, collapsed. Everything taken from files is HTML-escaped. */
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
    const cm_json *conformance;   /* make conformance's table.json, or NULL */
    const char *conformance_path; /* ... its path, for the page */
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

/* How a claim fares over the runs it is about. */
typedef enum rep_claim_state {
    REP_CLAIM_BY_EYE,     /* it states no number */
    REP_CLAIM_UNMEASURED, /* no run of its policy in the report */
    REP_CLAIM_HOLDS,      /* every run of its policy bears it out */
    REP_CLAIM_REFUTED,    /* a run of its policy refutes it */
} rep_claim_state;

/* One run measured for a claim. */
typedef struct rep_claim_run {
    size_t run; /* index into the page's runs */
    bool holds;
    char measured[200]; /* the claim's own measure: "61.0 min (task 0)" */
    char verdict[300];  /* "refuted: 61.0 min > 51 min" */
} rep_claim_run;

/* A claim judged: the scenario's, or the expect's claimed success rate. */
typedef struct rep_claim_row {
    cm_claim c;     /* strings point into the scenario of the section's first run */
    char says[600]; /* what the source says */
    char source[CM_EXPECT_TEXT_MAX]; /* "seed 001", a URL... */
    char claimed[200];               /* the claim as a number: "at least 85%" ("" by eye) */
    rep_claim_run *runs;             /* owned, n_runs */
    size_t n_runs;
    rep_claim_state state;
} rep_claim_row;

/* The page's scenario sections: runs grouped by scenario, scenarios that
 * cite a seed document first, each followed by its variants ("NAME + something" is a
 * variant of NAME: the same scenario under another name, e.g. with other
 * policies). */
typedef struct rep_section {
    char key[REP_PATH_MAX]; /* rep_html_run_key of its runs */
    size_t runs[REP_MAX_RUNS];
    size_t n;
    int base;            /* index of the section this one is a variant of, else -1 */
    bool claims;         /* the scenario states claims */
    bool seed;           /* ... and the first cites a seed document (a seed experiment) */
    rep_claim_row *rows; /* its claims judged (base sections; owned) */
    size_t n_rows;
    size_t holds, refuted; /* rows in those states */
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

/* Fills p->sec (REP_MAX_RUNS entries) and p->n_sec from p->runs. 0, or -1
 * when out of memory. */
int rep_html_sections(rep_page *p);
/* Judges the claims of every base section (p->sec[s].rows). 0, or -1 out
 * of memory. Free with rep_html_sections_free. */
int rep_html_judge_claims(rep_page *p);
void rep_html_sections_free(rep_page *p);
/* Whether any section cites a seed document; any section states claims. */
bool rep_html_any_seed(const rep_page *p);
bool rep_html_any_claims(const rep_page *p);
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

/* The claims table: per scenario that states claims, each claim beside what
 * the runs of its policy measured on the claim's own measure, with a plain
 * verdict coloured by it (holds green, refuted red), and retrylab's pinned
 * result (the expectations) per checked run. */
void rep_html_claims_table(FILE *f, const rep_page *p);
/* Section s's claims as a list, each marked with its verdict. */
void rep_html_claims_list(FILE *f, const rep_page *p, size_t s);
/* The overview (a row per scenario, linking its section) and every section. */
void rep_html_overview(FILE *f, const rep_page *p);
void rep_html_section(FILE *f, const rep_page *p, size_t s);
/* make conformance's table as a section (nothing when p->o->conformance is NULL). */
void rep_html_conformance(FILE *f, const rep_page *p);
/* The collapsed end of the page: per-candidate metrics, every verdict, run folders. */
void rep_html_details(FILE *f, const rep_page *p);

#endif
