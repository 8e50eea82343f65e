/* results.h: the verdicts of `check` and `compare` as test results for CI:
 * JUnit XML (one testsuite per run or pair of runs, one testcase per
 * expectation or measure, the failure message holding the diff) and GitHub
 * workflow annotations (one ::error per failed case). */
#ifndef REP_RESULTS_H
#define REP_RESULTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "reports/run_load.h"

typedef enum rep_tstate { REP_T_PASS, REP_T_FAIL, REP_T_ERROR } rep_tstate;

/* One test case: an expectation of a run, or a measure of a comparison. */
typedef struct rep_tcase {
    char name[160];
    rep_tstate state;
    char *message;           /* one line: why it failed, or what held (owned) */
    char *detail;            /* every line, '\n'-separated (owned; may be NULL) */
    char file[REP_PATH_MAX]; /* where it is stated, for annotations ("" unknown) */
    int line;                /* ... and its line (0 unknown) */
} rep_tcase;

/* The cases of one run (check) or one pair of runs (compare). */
typedef struct rep_tsuite {
    char name[2 * REP_PATH_MAX + 8];
    rep_tcase *cases; /* owned */
    size_t n, cap;
} rep_tsuite;

/* Appends a case (message and detail copied; detail may be NULL). 0, or -1
 * when out of memory (the suite is unchanged). */
int rep_tsuite_add(rep_tsuite *s, const char *name, rep_tstate state, const char *message,
                   const char *detail, const char *file, int line);
/* Frees what the suite holds and zeroes it. */
void rep_tsuite_free(rep_tsuite *s);
/* Counts the cases of suites s[n] in state `st`. */
size_t rep_tsuites_count(const rep_tsuite *s, size_t n, rep_tstate st);

/* Writes a JUnit XML document: <testsuites name="TOOL"> with a <testsuite>
 * per suite and a <testcase classname="TOOL.SUITE" name="CASE"> per case,
 * <failure message="..."> (or <error>) holding the detail. Text is XML-escaped
 * and valid UTF-8. */
void rep_junit_write(FILE *f, const char *tool, const rep_tsuite *s, size_t n);
/* The same into the file `path`: 0, or -1 with err ("PATH: cannot write: ..."). */
int rep_junit_save(const char *path, const char *tool, const rep_tsuite *s, size_t n, cm_err *err);

/* Writes one GitHub workflow command per failed or erred case:
 * "::error file=F,line=L,title=SUITE: CASE::MESSAGE" (file and line when
 * known), escaped as the Actions runner expects (actions/toolkit,
 * packages/core/src/command.ts: '%' '\r' '\n' in the message; also ':' ','
 * in properties). */
void rep_gh_annotate(FILE *f, const rep_tsuite *s, size_t n);
/* One ::warning line (for a file that changed since the run). */
void rep_gh_warning(FILE *f, const char *file, const char *title, const char *message);

#endif
