/* check.h: judges a loaded run against a cm_expect, one verdict line per
 * expectation ("ladder task 0: attempt 4 waited 150.0 s, expected 160.0 s
 * +/- 1%"), for `retrylab check` and the report's expectations table. */
#ifndef REP_CHECK_H
#define REP_CHECK_H
#include <stdbool.h>
#include <stddef.h>

#include "common/expect.h"
#include "reports/run_load.h"

#define REP_VERDICT_TEXT 512

#define REP_VERDICT_NAME 96

typedef struct rep_verdict {
    bool ok;
    size_t expectation; /* which expectation the line is about (from 1); 0: the run itself */
    char name[REP_VERDICT_NAME]; /* the expectation: "ladder task 0", "success_rate"; "run" */
    const char *key;             /* its key in the expect object ("ladder"), NULL for the run */
    int index;                   /* its item in that key's array, -1 when not an array item */
    char text[REP_VERDICT_TEXT];
} rep_verdict;

/* Lines and expectations are counted apart: one expectation (a ladder) may
 * fail with several lines (one per wrong wait); a passing one has one line. */
typedef struct rep_verdicts {
    rep_verdict *v; /* owned; free with rep_verdicts_free */
    size_t n, cap;
    size_t failed;                   /* failed lines */
    size_t n_expect;                 /* expectations evaluated */
    size_t failed_expect;            /* ... of which failed (one or more failed lines) */
    size_t run_failed;               /* failed lines about the run itself (interrupted, ...) */
    size_t cur, seq;                 /* internal: the expectation being evaluated, the last id */
    char cur_name[REP_VERDICT_NAME]; /* internal: its name, key and index */
    const char *cur_key;
    int cur_index;
} rep_verdicts;

/* What rep_check_run judges besides the expectations. */
typedef struct rep_check_opts {
    bool strict; /* a scenario or policy file changed since the run fails the run */
} rep_check_opts;

/* Evaluates every expectation of `e` on `run`, appending verdicts (passes and
 * failures) to *out, which must start zeroed. Returns the number of failed
 * lines, or -1 when out of memory. The run fails when out->failed > 0; the
 * summary is out->failed_expect of out->n_expect, plus out->run_failed. */
int rep_check_run(const rep_run *run, const cm_expect *e, rep_verdicts *out);
/* The same with options (rep_check_run: all off). */
int rep_check_run_opts(const rep_run *run, const cm_expect *e, const rep_check_opts *o,
                       rep_verdicts *out);
void rep_verdicts_free(rep_verdicts *vs);

/* "seed 001" for a source like "001_9d9c....txt", else the source itself,
 * else "the seed document", into buf. */
const char *rep_claim_source(const char *source, char *buf, size_t size);

#endif
