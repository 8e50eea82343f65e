/* transport.c: the transport retry layer's policy section and its two pure
 * decisions (retry this response? how long to wait first?). */
#include "engine/core/transport.h"

#include <string.h>

#include "engine/core/engine.h"

#define CTX "transport"
#define YEAR_S (365.0 * 24 * 3600)

static const char *const error_names[] = {
#define X(name, text) text,
    RL_TRANSPORT_ERRORS(X)
#undef X
        NULL};

void rl_transport_defaults(rl_transport_cfg *c)
{
    memset(c, 0, sizeof *c);
    rl_backoff_defaults(&c->backoff);
    c->backoff.kind = RL_BACKOFF_CONSTANT; /* urllib3's default backoff_factor 0 */
    c->backoff.base_s = 0;
    c->respect_retry_after = true;
    c->retry_after_max = -1;
}

static int parse_statuses(const cm_json *doc, const cJSON *node, rl_transport_cfg *c, cm_err *err)
{
    const cJSON *arr, *it;
    if (cm_json_get_array(doc, node, CTX, "statuses", false, 0, RL_TRANSPORT_MAX_STATUSES, &arr,
                          err))
        return -1;
    cJSON_ArrayForEach(it, arr)
    {
        double v = cJSON_IsNumber(it) ? it->valuedouble : -1;
        if (v < 400 || v > 599 || v != (double)(int)v)
            return cm_json_fail(err, doc, it, CTX ".statuses",
                                "item %u must be an HTTP status from 400 to 599", c->nstatuses);
        for (uint32_t j = 0; j < c->nstatuses; j++)
            if (c->statuses[j] == (uint16_t)v)
                return cm_json_fail(err, doc, it, CTX ".statuses", "%d is listed twice", (int)v);
        c->statuses[c->nstatuses++] = (uint16_t)v;
    }
    return 0;
}

static int parse_errors(const cm_json *doc, const cJSON *node, rl_transport_cfg *c, cm_err *err)
{
    const cJSON *arr, *it;
    size_t i = 0;
    if (cm_json_get_array(doc, node, CTX, "errors", false, 0, 8, &arr, err))
        return -1;
    cJSON_ArrayForEach(it, arr)
    {
        int found = -1;
        for (int e = RL_TE_NONE + 1; cJSON_IsString(it) && error_names[e]; e++)
            if (strcmp(it->valuestring, error_names[e]) == 0)
                found = e;
        if (found < 0)
            return cm_json_fail(
                err, doc, it, CTX ".errors",
                "item %zu must be one of: timeout, reset, connect, truncated, other", i);
        if (c->error_mask & (1u << found))
            return cm_json_fail(err, doc, it, CTX ".errors", "\"%s\" is listed twice",
                                error_names[found]);
        c->error_mask |= 1u << found;
        i++;
    }
    return 0;
}

static int parse_scalars(const cm_json *doc, const cJSON *node, rl_transport_cfg *c, cm_err *err)
{
    int64_t retries = 0;
    double ra_max = -1;
    const char *note;
    if (cm_json_get_int(doc, node, CTX, "retries", true, 0, RL_TRANSPORT_MAX_RETRIES, &retries,
                        err) ||
        cm_json_get_bool(doc, node, CTX, "first_retry_immediate", false, &c->first_immediate,
                         err) ||
        cm_json_get_bool(doc, node, CTX, "respect_retry_after", false, &c->respect_retry_after,
                         err) ||
        cm_json_get_number(doc, node, CTX, "retry_after_max_s", false, 0, 100 * YEAR_S, &ra_max,
                           err) ||
        cm_json_get_string(doc, node, CTX, "comment", false, 4096, &note, err) ||
        cm_json_get_string(doc, node, CTX, "source", false, 4096, &note, err))
        return -1;
    c->retries = (uint32_t)retries;
    if (ra_max >= 0)
        c->retry_after_max = cm_us_from_s(ra_max);
    return 0;
}

int rl_transport_parse(const cm_json *doc, const cJSON *node, rl_transport_cfg *c, cm_err *err)
{
    static const char *const keys[] = {"retries",
                                       "statuses",
                                       "errors",
                                       "backoff",
                                       "first_retry_immediate",
                                       "respect_retry_after",
                                       "retry_after_max_s",
                                       "comment",
                                       "source",
                                       NULL};
    const cJSON *bo;
    rl_transport_defaults(c);
    if (!node)
        return 0;
    if (cm_json_check_keys(doc, node, CTX, keys, err) || parse_scalars(doc, node, c, err) ||
        parse_statuses(doc, node, c, err) || parse_errors(doc, node, c, err) ||
        cm_json_get_object(doc, node, CTX, "backoff", false, &bo, err) ||
        (bo && rl_backoff_parse(doc, bo, CTX ".backoff", &c->backoff, err))) {
        rl_transport_defaults(c);
        return -1;
    }
    c->enabled = true;
    return 0;
}

static bool listed(const rl_transport_cfg *c, int status)
{
    for (uint32_t i = 0; i < c->nstatuses; i++)
        if (c->statuses[i] == status)
            return true;
    return false;
}

bool rl_transport_wants(const rl_transport_cfg *c, int status, int error, const rl_signals *sig)
{
    if (!c->enabled)
        return false;
    if (error != RL_TE_NONE)
        return error > 0 && error < 32 && (c->error_mask >> error) & 1;
    if (listed(c, status))
        return true;
    /* urllib3 also retries these three when they carry a Retry-After. */
    bool ra_status = status == 413 || status == 429 || status == 503;
    return c->respect_retry_after && ra_status && sig && sig->has_retry_after;
}

cm_us rl_transport_delay(const rl_transport_cfg *c, uint32_t n, cm_us prev, const rl_signals *sig,
                         cm_rng *rng, bool *by_ra)
{
    *by_ra = false;
    /* urllib3's sleep_for_retry: a Retry-After of 0 falls back to the backoff. */
    if (c->respect_retry_after && sig && sig->has_retry_after && sig->retry_after > 0) {
        *by_ra = true;
        if (c->retry_after_max >= 0 && sig->retry_after > c->retry_after_max)
            return c->retry_after_max;
        return sig->retry_after;
    }
    if (n == 0 && c->first_immediate)
        return 0;
    return rl_backoff_delay(&c->backoff, n, prev, rng);
}
