/* retry_after.c: the Retry-After policy (see retry_after.h).
 *
 * What the peers do (from their source, as of 2024-2025):
 * - openai-python / anthropic-sdk-python (_base_client.py, _calculate_retry_timeout): use the
 *   server's value when 0 < retry_after <= 60 s (retry-after-ms first, then Retry-After as
 *   seconds or HTTP-date); otherwise their own ladder: min(0.5 x 2^n, 8 s) x (1 - 0.25 x random).
 *   They do NOT give up above the ceiling: {"max_s": 60, "max_inclusive": true, "above_max":
 *   "ladder"}. The "give up above 120 s" is expressible as {"max_s": 120, "above_max":
 *   "give_up"} for clients that do that.
 * - openai-node (core.ts, retryRequest): honours 0 <= timeout < 60 s; otherwise its ladder:
 *   {"max_s": 60, "max_inclusive": false, "above_max": "ladder"}.
 * - Portkey gateway: honours Retry-After but never more than 60 s in all:
 *   {"total_max_s": 60} (beyond it the task fails). */
#include "engine/core/retry_after.h"

#include <string.h>

static const char *const mode_names[] = {
#define X(name, text) text,
    RL_RA_MODES(X)
#undef X
        "cap",
    NULL};

static const char *const above_names[] = {
#define X(name, text) text,
    RL_RA_ABOVE(X)
#undef X
        NULL};

void rl_ra_defaults(rl_ra_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->mode = RL_RA_HONOUR;
    c->max = -1;
    c->max_inclusive = true;
    c->above = RL_RA_ABOVE_LADDER;
    c->min = 0;
    c->total_max = -1;
}

#define YEAR_S (365.0 * 24 * 3600)

static int get_seconds(const cm_json *doc, const cJSON *node, const char *ctx, const char *key,
                       cm_us *out, cm_err *err)
{
    double v = -1;
    if (cm_json_get_number(doc, node, ctx, key, false, 0, 100 * YEAR_S, &v, err))
        return -1;
    if (v >= 0)
        *out = cm_us_from_s(v);
    return 0;
}

int rl_ra_parse(const cm_json *doc, const cJSON *node, const char *ctx, rl_ra_cfg *c, cm_err *err)
{
    static const char *const keys[] = {"mode",      "max_s",  "max_inclusive",
                                       "above_max", "min_s",  "total_max_s",
                                       "comment",   "source", NULL};
    rl_ra_defaults(c);
    if (!node)
        return 0;
    if (cm_json_check_keys(doc, node, ctx, keys, err))
        return -1;
    int mode = 0, above = 0;
    if (cm_json_get_enum(doc, node, ctx, "mode", false, mode_names, &mode, err) ||
        cm_json_get_enum(doc, node, ctx, "above_max", false, above_names, &above, err) ||
        cm_json_get_bool(doc, node, ctx, "max_inclusive", false, &c->max_inclusive, err) ||
        get_seconds(doc, node, ctx, "max_s", &c->max, err) ||
        get_seconds(doc, node, ctx, "min_s", &c->min, err) ||
        get_seconds(doc, node, ctx, "total_max_s", &c->total_max, err))
        return -1;
    char field[256];
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(node, "mode");
    /* "cap" is "honour" with a ceiling that must be given. */
    if (mode == 2 && c->max < 0)
        return cm_json_fail(err, doc, at, cm_json_field(field, sizeof field, ctx, "mode"),
                            "\"cap\" needs max_s");
    c->mode = mode == 1 ? RL_RA_IGNORE : RL_RA_HONOUR;
    c->above = (rl_ra_above)above;
    if (c->max >= 0 && c->min > c->max)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(node, "min_s"),
                            cm_json_field(field, sizeof field, ctx, "min_s"),
                            "must not exceed max_s");
    const char *s;
    return cm_json_get_string(doc, node, ctx, "comment", false, 4096, &s, err) ||
                   cm_json_get_string(doc, node, ctx, "source", false, 4096, &s, err)
               ? -1
               : 0;
}

static bool above_max(const rl_ra_cfg *c, cm_us v)
{
    if (c->max < 0)
        return false;
    return c->max_inclusive ? v > c->max : v >= c->max;
}

rl_ra_verdict rl_ra_decide(const rl_ra_cfg *c, const rl_signals *s, cm_us waited, cm_us *delay)
{
    if (c->mode == RL_RA_IGNORE || !s || !s->has_retry_after)
        return RL_RAV_LADDER;
    cm_us v = s->retry_after < 0 ? 0 : s->retry_after;
    if (above_max(c, v)) {
        switch (c->above) {
        case RL_RA_ABOVE_LADDER:
            return RL_RAV_LADDER;
        case RL_RA_ABOVE_GIVE_UP:
            return RL_RAV_GIVE_UP;
        case RL_RA_ABOVE_ROTATE:
            return RL_RAV_ROTATE;
        case RL_RA_ABOVE_CLAMP:
            v = c->max;
            break;
        }
    }
    if (v < c->min)
        v = c->min;
    if (c->total_max >= 0 && cm_us_add(waited, v) > c->total_max)
        return RL_RAV_GIVE_UP;
    *delay = v;
    return RL_RAV_WAIT;
}
