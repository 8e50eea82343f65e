/* metrics.c: per-candidate counters and their summary JSON. */
#include "engine/core/candidate_metrics.h"

#include <string.h>

void rl_metrics_init(rl_metrics *m)
{
    memset(m, 0, sizeof *m);
}

void rl_metrics_record(rl_metrics *m, bool ok, int status, int error, cm_us latency)
{
    m->requests++;
    if (ok)
        m->successes++;
    else
        m->failures++;
    if (error == 0 && status == 429)
        m->rate_limited++;
    if (latency < 0)
        return;
    if (m->latency_n == 0 || latency < m->latency_min)
        m->latency_min = latency;
    if (m->latency_n == 0 || latency > m->latency_max)
        m->latency_max = latency;
    m->latency_sum = cm_us_add(m->latency_sum, latency);
    m->latency_n++;
}

void rl_metrics_record_stream(rl_metrics *m, uint32_t tokens, bool failed)
{
    m->streams++;
    m->tokens += tokens;
    if (failed)
        m->tokens_wasted += tokens;
}

static int add_latency(cJSON *o, const rl_metrics *m)
{
    if (m->latency_n == 0)
        return cJSON_AddNullToObject(o, "latency_s") ? 0 : -1;
    cJSON *l = cJSON_AddObjectToObject(o, "latency_s");
    return l &&
                   cJSON_AddNumberToObject(l, "mean",
                                           cm_s_from_us(m->latency_sum) / (double)m->latency_n) &&
                   cJSON_AddNumberToObject(l, "min", cm_s_from_us(m->latency_min)) &&
                   cJSON_AddNumberToObject(l, "max", cm_s_from_us(m->latency_max))
               ? 0
               : -1;
}

cJSON *rl_metrics_json(const rl_metrics *m, const char *provider, const char *model)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (!cJSON_AddStringToObject(o, "provider", provider) ||
        !cJSON_AddStringToObject(o, "model", model) ||
        !cJSON_AddNumberToObject(o, "requests", (double)m->requests) ||
        !cJSON_AddNumberToObject(o, "successes", (double)m->successes) ||
        !cJSON_AddNumberToObject(o, "failures", (double)m->failures) ||
        !cJSON_AddNumberToObject(o, "rate_limited", (double)m->rate_limited) || add_latency(o, m) ||
        (m->streams && (!cJSON_AddNumberToObject(o, "streams", (double)m->streams) ||
                        !cJSON_AddNumberToObject(o, "tokens", (double)m->tokens) ||
                        !cJSON_AddNumberToObject(o, "tokens_wasted", (double)m->tokens_wasted)))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
