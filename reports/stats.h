/* stats.h: the numbers a run is judged by (success rate, attempts per task
 * p50/p99, waits, calls per success), computed from a loaded rep_run. */
#ifndef REP_STATS_H
#define REP_STATS_H
#include <stddef.h>

#include "reports/run_load.h"

typedef struct rep_stats {
    double tasks; /* rep_run_task_count */
    double done;  /* tasks that reached done */
    double successes;
    double success_rate;                             /* successes / tasks, 0 when no tasks */
    double attempts;                                 /* sends over all tasks */
    double attempts_p50, attempts_p99, attempts_max; /* per task, over tasks seen */
    double total_wait_s;                             /* planned waits over all tasks */
    double calls_per_success;                        /* attempts / successes; -1 when no success */
    double success_time_p50; /* seconds from a task's first event to success; -1 if none */
    double longest_task_s;   /* the longest rep_task_duration; -1 when no task sent */
} rep_stats;

void rep_stats_compute(const rep_run *run, rep_stats *out);

/* Value at quantile q (0..1, nearest rank) of the sorted array v[n]; 0 when n is 0. */
double rep_quantile(const double *v, size_t n, double q);
/* Sorts v[n] ascending. */
void rep_sort(double *v, size_t n);

/* Times from first event to success of every successful task, sorted, into a
 * malloc'd array (*n items; caller frees). NULL with *n = 0 when none or OOM. */
double *rep_success_times(const rep_run *run, size_t *n);

#endif
