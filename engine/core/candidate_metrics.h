/* metrics.h: per-candidate counters (seed 004): requests, successes,
 * failures (rate-limited ones included), rate-limited, latency. Pure. */
#ifndef RL_METRICS_H
#define RL_METRICS_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/timeu.h"

typedef struct rl_metrics {
    uint64_t requests, successes, failures, rate_limited;
    uint64_t streams, tokens, tokens_wasted; /* streamed attempts; tokens they brought; of
                                                those, tokens of streams that failed */
    uint64_t latency_n;                      /* outcomes with a latency */
    cm_us latency_sum, latency_min, latency_max;
} rl_metrics;

void rl_metrics_init(rl_metrics *m);
/* One attempt's outcome: `ok` (a 2xx whose stream, if any, completed) is a
 * success, anything else (transport errors included) a failure, 429 also
 * rate-limited. */
void rl_metrics_record(rl_metrics *m, bool ok, int status, int error, cm_us latency);
/* A streamed attempt brought `tokens`; `failed`: its stream did not complete,
 * so they were wasted. */
void rl_metrics_record_stream(rl_metrics *m, uint32_t tokens, bool failed);
/* {"provider", "model", "requests", "successes", "failures", "rate_limited",
 * "latency_s": {"mean", "min", "max"}} (latency_s null before any outcome),
 * and "streams", "tokens", "tokens_wasted" when an attempt streamed.
 * Caller frees; NULL when out of memory. */
cJSON *rl_metrics_json(const rl_metrics *m, const char *provider, const char *model);

#endif
