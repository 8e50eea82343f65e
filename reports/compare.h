/* compare.h: `retrylab compare`: a run (or a folder of runs) against a
 * baseline, measure by measure: success rate, attempts per task, calls per
 * success, the waits' distribution (Kolmogorov-Smirnov distance between the
 * planned wait delays) and task duration percentiles, each judged against a
 * limit on how much worse it may get. How CI catches a policy change that
 * made things worse. */
#ifndef REP_COMPARE_H
#define REP_COMPARE_H
#include <stdbool.h>
#include <stddef.h>

#include "reports/run_load.h"

/* How much worse a measure may get before it fails (the flags' defaults). */
typedef struct rep_cmp_limits {
    double drop_success_pts;  /* success rate, percentage points down (2) */
    double rise_attempts_pct; /* attempts per task, percent up (10) */
    double rise_calls_pct;    /* calls per success, percent up (10) */
    double waits_ks;          /* KS distance of the wait delays (0.25) */
    double rise_duration_pct; /* task duration p50/p95/p99, percent up (25) ... */
    double duration_floor_s;  /* ... and at least this many seconds (1) */
} rep_cmp_limits;

#define REP_CMP_LIMITS_DEFAULT                                                                     \
    {                                                                                              \
        2, 10, 10, 0.25, 25, 1                                                                     \
    }

/* What one run measured. */
typedef struct rep_cmp_run {
    double tasks, success_rate, attempts_per_task, calls_per_success; /* -1: no success */
    double *waits;                                                    /* sorted, owned */
    size_t n_waits;
    double *durations; /* sorted, owned: each task that sent, first send to done */
    size_t n_durations;
} rep_cmp_run;

/* Measures `run` into *m (free with rep_cmp_run_free). 0, or -1 out of memory. */
int rep_cmp_measure(const rep_run *run, rep_cmp_run *m);
void rep_cmp_run_free(rep_cmp_run *m);

/* The Kolmogorov-Smirnov distance of two sorted samples: the largest gap
 * between their empirical CDFs, 0..1 (0 when both are empty, 1 when only
 * one is). */
double rep_cmp_ks(const double *a, size_t na, const double *b, size_t nb);

#define REP_CMP_ROWS 7

/* One measure compared. */
typedef struct rep_cmp_row {
    const char *name;  /* "success_rate": the test case's name */
    const char *label; /* "success rate" */
    char a[32], b[32]; /* the values as shown */
    char change[32];   /* "-5.0 pts", "+12%", "D = 0.31" */
    char limit[32];    /* "-2.0 pts", "+10%", "D <= 0.25" */
    double va, vb;     /* the values (-1 none) */
    double delta;      /* b - a in the limit's unit (points, percent, D) */
    bool ok;
    char text[300]; /* one line: what changed and the verdict */
} rep_cmp_row;

/* Compares baseline a with run b under `lim` into rows[REP_CMP_ROWS];
 * returns how many rows fail. */
size_t rep_cmp_judge(const rep_cmp_run *a, const rep_cmp_run *b, const rep_cmp_limits *lim,
                     rep_cmp_row *rows);

#endif
