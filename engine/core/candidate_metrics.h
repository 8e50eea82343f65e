/* metrics.h: per-candidate counters (seed 004): requests, successes,
 * failures (rate-limited ones included), rate-limited, latency. Pure. */
#ifndef RL_METRICS_H
#define RL_METRICS_H
#include <cjson/cJSON.h>
#include <stdint.h>

#include "common/timeu.h"

typedef struct rl_metrics {
    uint64_t requests, successes, failures, rate_limited;
    uint64_t latency_n; /* outcomes with a latency */
    cm_us latency_sum, latency_min, latency_max;
} rl_metrics;

void rl_metrics_init(rl_metrics *m);
/* One attempt's outcome: 2xx is a success, anything else (transport errors
 * included) a failure, 429 also rate-limited. */
void rl_metrics_record(rl_metrics *m, int status, int error, cm_us latency);
/* {"provider", "model", "requests", "successes", "failures", "rate_limited",
 * "latency_s": {"mean", "min", "max"}} (latency_s null before any outcome).
 * Caller frees; NULL when out of memory. */
cJSON *rl_metrics_json(const rl_metrics *m, const char *provider, const char *model);

#endif
