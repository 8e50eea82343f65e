/* html.h: the report's index.html: one self-contained page (inline CSS, no
 * JavaScript, pictures by relative path) with a summary table per run,
 * per-candidate metrics, claimed vs measured, the expectations' verdicts and
 * the pictures. Everything taken from files is HTML-escaped. */
#ifndef REP_HTML_H
#define REP_HTML_H
#include <stdbool.h>
#include <stddef.h>

#include "common/jsonpos.h"
#include "reports/plot.h"
#include "reports/run.h"

typedef struct rep_html_opts {
    const char *out;     /* report folder */
    int formats;         /* REP_FMT_* written */
    bool pictures;       /* false: gnuplot did not run (notice instead of images) */
    const char *notice;  /* shown at the top when not NULL (e.g. why pictures are missing) */
} rep_html_opts;

/* Writes OUT/index.html. 0, or -1 with err. */
int rep_html_write(const rep_run *runs, size_t n, const rep_plotset *ps, const rep_html_opts *o,
                   cm_err *err);

/* ---- shared by html.c and html_claims.c ---- */
#include <stdio.h>
/* Writes s HTML-escaped (& < > " '). */
void rep_html_esc(FILE *f, const char *s);
/* <td class="l">escaped s</td> */
void rep_html_td_text(FILE *f, const char *s);
/* <td>v with `decimals` decimals and suffix</td>, or a dash when v < 0 or not finite. */
void rep_html_td_num(FILE *f, double v, int decimals, const char *suffix);
/* Loads the run's scenario expect into *e and evaluates it into *vs (both
 * zeroed first; the caller frees both): 1 evaluated, 0 the run has no
 * expect, -1 the expect is invalid (why in err). */
struct cm_expect;
struct rep_verdicts;
int rep_html_verdicts(const rep_run *run, struct cm_expect *e, struct rep_verdicts *vs,
                      cm_err *err);
/* Two cells: the claimed success rate (or a dash) and the check verdict. */
void rep_html_check_cells(FILE *f, const rep_run *run);
/* The "claimed vs measured" section and the "expectations" section. */
void rep_html_claims(FILE *f, const rep_run *runs, size_t n);
void rep_html_checks(FILE *f, const rep_run *runs, size_t n);

#endif
