/* metrics.h: request counters by provider, model and status, rendered in the
 * Prometheus text exposition format for GET /metrics. The number of label
 * combinations is bounded: past the limit requests count under
 * provider="_other", model="_other". */
#ifndef MOCK_METRICS_H
#define MOCK_METRICS_H
#include <stddef.h>
#include <stdint.h>

#include "mockserver/front/journal.h"

#define MOCK_METRICS_MAX_SERIES 1024

typedef struct mock_metrics mock_metrics;

/* NULL when out of memory; free with mock_metrics_free. */
mock_metrics *mock_metrics_new(void);
void mock_metrics_free(mock_metrics *m);

/* Counts one decided answer. NULL provider or model count as "". Not thread-safe. */
void mock_metrics_count(mock_metrics *m, const char *provider, const char *model, int status);
/* Counts one answer that did not reach its client, by why (`fate` other
 * than delivered or pending; others are ignored). Not thread-safe. */
void mock_metrics_count_undelivered(mock_metrics *m, mock_journal_fate fate);

/* Values the server adds to the page at render time. */
typedef struct mock_metrics_extra {
    uint64_t hung_now;        /* connections hanging now */
    uint64_t hung_rejected;   /* hang faults answered 504 because of --max-hung */
    uint64_t suspended_now;   /* connections suspended for latency or slow bodies */
    uint64_t journal_total;   /* journal entries since start (a reset does not zero it) */
    uint64_t journal_dropped; /* entries pushed out of the ring since start */
    uint64_t journal_lost;    /* entries not kept or not written to the file, since start */
    double now_s;             /* scenario time */
    double time_scale;
} mock_metrics_extra;

/* The whole page. Returns a malloc'd string the caller frees, *len its
 * length; NULL when out of memory. */
char *mock_metrics_render(const mock_metrics *m, const mock_metrics_extra *x, size_t *len);

#endif
