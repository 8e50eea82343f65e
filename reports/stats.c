/* stats.c: run metrics computed from the trace (summary totals preferred
 * where the trace cannot know them, e.g. tasks that never started). */
#include "reports/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void rep_sort(double *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_double);
}

double rep_quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    double rank = ceil(q * (double)n);
    size_t i = rank < 1 ? 0 : (size_t)rank - 1;
    return v[i < n ? i : n - 1];
}

double *rep_success_times(const rep_run *run, size_t *n)
{
    *n = 0;
    double *v = malloc((run->n_tasks ? run->n_tasks : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < run->n_tasks; i++)
        if (run->tasks[i].outcome == 1)
            v[(*n)++] = run->tasks[i].done_t - run->tasks[i].first_t;
    if (*n == 0) {
        free(v);
        return NULL;
    }
    rep_sort(v, *n);
    return v;
}

/* attempts per task (over the tasks in the trace): p50, p99, max. */
static void attempt_quantiles(const rep_run *run, rep_stats *s)
{
    double *v = malloc((run->n_tasks ? run->n_tasks : 1) * sizeof *v);
    size_t n = 0;
    if (!v)
        return;
    for (size_t i = 0; i < run->n_tasks; i++)
        v[n++] = (double)run->tasks[i].sends;
    rep_sort(v, n);
    s->attempts_p50 = rep_quantile(v, n, 0.5);
    s->attempts_p99 = rep_quantile(v, n, 0.99);
    s->attempts_max = n ? v[n - 1] : 0;
    free(v);
}

void rep_stats_compute(const rep_run *run, rep_stats *s)
{
    memset(s, 0, sizeof *s);
    s->tasks = rep_run_task_count(run);
    s->longest_task_s = -1;
    for (size_t i = 0; i < run->n_tasks; i++) {
        double d = rep_task_duration(run, i);
        s->longest_task_s = d > s->longest_task_s ? d : s->longest_task_s;
        const rep_task *k = &run->tasks[i];
        s->done += k->outcome != 0;
        s->successes += k->outcome == 1;
        s->attempts += (double)k->sends;
        s->total_wait_s += k->wait_planned;
    }
    s->success_rate = s->tasks > 0 ? s->successes / s->tasks : 0;
    s->calls_per_success = s->successes > 0 ? s->attempts / s->successes : -1;
    attempt_quantiles(run, s);
    size_t n;
    double *t = rep_success_times(run, &n);
    s->success_time_p50 = n ? rep_quantile(t, n, 0.5) : -1;
    free(t);
}
