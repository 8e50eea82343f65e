/* sim_signals.c: rl_signals from the model's recorded header values. Each
 * rule below mirrors what engine/headers.c does with the text the model
 * writes (tests/unit/test_sim_signals.c compares the two on every scenario);
 * anything outside the plain cases returns false and the text is parsed. */
#include "engine/sim/signals.h"

#include <string.h>

/* Longest delay taken without the parser: headers.c notes longer ones. */
#define KNOWN_DELAY_MAX (INT64_C(365) * 24 * 3600 * CM_US_PER_S)
/* Dates up to ~100 years of scenario time (four-digit years, no clamping). */
#define KNOWN_DATE_MAX (INT64_C(100) * 365 * 24 * 3600 * CM_US_PER_S)
/* rl_parse_count reads at most 18 digits. */
#define KNOWN_COUNT_MAX INT64_C(999999999999999999)

static int64_t count_of(int64_t v)
{
    return v >= 0 && v <= KNOWN_COUNT_MAX ? v : -1;
}

/* Retry-After in whole seconds or retry-after-ms (which wins); false when
 * the value is one the parser would note. */
static bool retry_after(const mock_plan_known *k, rl_signals *out)
{
    if (k->retry_after_ms >= 0) {
        if (k->retry_after_ms > KNOWN_DELAY_MAX / CM_US_PER_MS)
            return false;
        out->retry_after = k->retry_after_ms * CM_US_PER_MS;
    } else if (k->retry_after_s >= 0) {
        if (k->retry_after_s > KNOWN_DELAY_MAX / CM_US_PER_S)
            return false;
        out->retry_after = k->retry_after_s * CM_US_PER_S;
    } else {
        return true;
    }
    out->has_retry_after = true;
    return true;
}

/* One OpenAI unit: limit, remaining, reset (a Go duration: 0 for d <= 0). */
static bool unit(const mock_plan_known *k, int u, int64_t *limit, int64_t *remaining, cm_us *reset)
{
    if (!k->has_unit[u])
        return true;
    if (k->reset[u] > KNOWN_DELAY_MAX)
        return false;
    *limit = count_of(k->limit[u]);
    *remaining = count_of(k->remaining[u]);
    *reset = k->reset[u] > 0 ? k->reset[u] : 0;
    return true;
}

bool rl_sim_signals_of(const mock_plan_known *k, rl_signals *out)
{
    if (!k->exact || k->date_at < 0 || k->date_at > KNOWN_DATE_MAX)
        return false;
    rl_signals_clear(out);
    out->date_unix = CM_SCENARIO_EPOCH + k->date_at / CM_US_PER_S;
    if (!retry_after(k, out) ||
        !unit(k, 0, &out->limit_requests, &out->remaining_requests, &out->reset_requests) ||
        !unit(k, 1, &out->limit_tokens, &out->remaining_tokens, &out->reset_tokens))
        return false;
    if (k->has_unit[0] || k->has_unit[1])
        out->ratelimit_source = "openai";
    return true;
}
