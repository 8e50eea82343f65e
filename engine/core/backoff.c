/* backoff.c: ladder values and jitter (pure), and the "backoff" policy section. */
#include "engine/core/backoff.h"

#include <math.h>
#include <string.h>

static const char *const kind_names[] = {
#define X(name, text) text,
    RL_BACKOFF_KINDS(X)
#undef X
        NULL};

static const char *const jitter_names[] = {
#define X(name, text) text,
    RL_JITTERS(X)
#undef X
        NULL};

void rl_backoff_defaults(rl_backoff *b)
{
    memset(b, 0, sizeof *b);
    b->kind = RL_BACKOFF_EXPONENTIAL;
    b->base_s = 1;
    b->factor = 2;
    b->cap_s = -1;
    b->jitter = RL_JITTER_NONE;
    b->jitter_lo = 1;
    b->jitter_hi = 1;
    b->cap_after_jitter = true;
}

static double ladder_s(const rl_backoff *b, uint32_t n)
{
    switch (b->kind) {
    case RL_BACKOFF_CONSTANT:
        return b->base_s;
    case RL_BACKOFF_LINEAR:
        return b->base_s * ((double)n + 1);
    case RL_BACKOFF_EXPONENTIAL:
        /* pow saturates to inf for huge n; the cap and cm_us_from_s clamp it. */
        return b->base_s * pow(b->factor, (double)n);
    case RL_BACKOFF_LIST:
        if (n < b->nwaits)
            return b->waits_s[n];
        return b->list_give_up || b->nwaits == 0 ? -1 : b->waits_s[b->nwaits - 1];
    }
    return -1;
}

static double bound_s(const rl_backoff *b, double s, bool cap)
{
    if (cap && b->cap_s >= 0 && s > b->cap_s)
        s = b->cap_s;
    if (s < b->min_s)
        s = b->min_s;
    return s;
}

cm_us rl_backoff_ladder(const rl_backoff *b, uint32_t n)
{
    double s = ladder_s(b, n);
    if (s < 0)
        return -1;
    return cm_us_from_s(bound_s(b, s, true));
}

cm_us rl_backoff_delay(const rl_backoff *b, uint32_t n, cm_us prev, cm_rng *rng)
{
    double v = ladder_s(b, n);
    if (v < 0)
        return -1;
    if (b->cap_s >= 0 && v > b->cap_s)
        v = b->cap_s;
    switch (b->jitter) {
    case RL_JITTER_NONE:
        break;
    case RL_JITTER_FULL:
        v = cm_rng_range(rng, 0, v);
        break;
    case RL_JITTER_EQUAL:
        v = v / 2 + cm_rng_range(rng, 0, v / 2);
        break;
    case RL_JITTER_DECORRELATED: {
        /* AWS "Exponential Backoff And Jitter": sleep = min(cap, random_between(base, sleep * 3)),
         * starting from sleep = base. */
        double last = prev > 0 ? cm_s_from_us(prev) : b->base_s;
        double hi = last * 3 > b->base_s ? last * 3 : b->base_s;
        v = cm_rng_range(rng, b->base_s, hi);
        break;
    }
    case RL_JITTER_PROPORTIONAL:
        v = v * cm_rng_range(rng, b->jitter_lo, b->jitter_hi);
        break;
    case RL_JITTER_ADDITIVE:
        v = v + cm_rng_range(rng, b->jitter_lo, b->jitter_hi);
        break;
    }
    return cm_us_from_s(bound_s(b, v, b->cap_after_jitter));
}

/* ---- parsing ---- */

#define BACKOFF_KEYS                                                                               \
    "kind", "base_s", "factor", "cap_s", "min_s", "waits_s", "after_list", "jitter",               \
        "jitter_range", "reset_on_rotate", "cap_after_jitter", "comment", "source"
static const char *const backoff_keys[] = {BACKOFF_KEYS, NULL};
static const char *const main_keys[] = {BACKOFF_KEYS, "by_outcome", NULL};

#define MAX_WAIT_S (100.0 * 365 * 24 * 3600)

static int parse_waits(const cm_json *doc, const cJSON *node, const char *ctx, rl_backoff *b,
                       cm_err *err)
{
    const cJSON *arr;
    char field[256];
    bool need = b->kind == RL_BACKOFF_LIST;
    if (cm_json_get_array(doc, node, ctx, "waits_s", need, 1, RL_BACKOFF_MAX_WAITS, &arr, err))
        return -1;
    if (!arr)
        return 0;
    if (!need)
        return cm_json_fail(err, doc, arr, cm_json_field(field, sizeof field, ctx, "waits_s"),
                            "only allowed with kind \"list\"");
    cm_json_field(field, sizeof field, ctx, "waits_s");
    const cJSON *it;
    b->nwaits = 0;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0 ||
            it->valuedouble > MAX_WAIT_S)
            return cm_json_fail(err, doc, it, field, "item %zu must be a number of seconds >= 0",
                                b->nwaits);
        b->waits_s[b->nwaits++] = it->valuedouble;
    }
    return 0;
}

static int parse_jitter(const cm_json *doc, const cJSON *node, const char *ctx, rl_backoff *b,
                        cm_err *err)
{
    int j = (int)b->jitter;
    if (cm_json_get_enum(doc, node, ctx, "jitter", false, jitter_names, &j, err))
        return -1;
    b->jitter = (rl_jitter)j;
    const cJSON *range;
    char field[256];
    cm_json_field(field, sizeof field, ctx, "jitter_range");
    if (cm_json_get_array(doc, node, ctx, "jitter_range", false, 2, 2, &range, err))
        return -1;
    bool ranged = b->jitter == RL_JITTER_PROPORTIONAL || b->jitter == RL_JITTER_ADDITIVE;
    if (!range) {
        if (ranged)
            return cm_json_fail(err, doc, node, field,
                                "required with jitter \"%s\" (e.g. [0.75, 1.0])",
                                jitter_names[b->jitter]);
        return 0;
    }
    if (!ranged)
        return cm_json_fail(err, doc, range, field,
                            "only allowed with jitter \"proportional\" or \"additive\"");
    const cJSON *lo = cJSON_GetArrayItem(range, 0), *hi = cJSON_GetArrayItem(range, 1);
    if (!cJSON_IsNumber(lo) || !cJSON_IsNumber(hi) || !(lo->valuedouble >= 0) ||
        !(hi->valuedouble >= lo->valuedouble) || hi->valuedouble > 10)
        return cm_json_fail(err, doc, range, field, "must be [lo, hi] with 0 <= lo <= hi <= 10");
    b->jitter_lo = lo->valuedouble;
    b->jitter_hi = hi->valuedouble;
    return 0;
}

static int parse_numbers(const cm_json *doc, const cJSON *node, const char *ctx, rl_backoff *b,
                         cm_err *err)
{
    char field[256];
    if (cm_json_get_number(doc, node, ctx, "base_s", false, 0, MAX_WAIT_S, &b->base_s, err) ||
        cm_json_get_number(doc, node, ctx, "min_s", false, 0, MAX_WAIT_S, &b->min_s, err) ||
        cm_json_get_bool(doc, node, ctx, "reset_on_rotate", false, &b->reset_on_rotate, err) ||
        cm_json_get_bool(doc, node, ctx, "cap_after_jitter", false, &b->cap_after_jitter, err))
        return -1;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(node, "factor");
    if (f && (!cJSON_IsNumber(f) || !(f->valuedouble > 0) || f->valuedouble > 1000))
        return cm_json_fail(err, doc, f, cm_json_field(field, sizeof field, ctx, "factor"),
                            "must be a number > 0 and <= 1000");
    if (f)
        b->factor = f->valuedouble;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(node, "cap_s");
    if (c && (!cJSON_IsNumber(c) || !(c->valuedouble > 0) || c->valuedouble > MAX_WAIT_S))
        return cm_json_fail(err, doc, c, cm_json_field(field, sizeof field, ctx, "cap_s"),
                            "must be a number of seconds > 0");
    if (c)
        b->cap_s = c->valuedouble;
    if (b->cap_s >= 0 && b->min_s > b->cap_s)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(node, "min_s"),
                            cm_json_field(field, sizeof field, ctx, "min_s"),
                            "must not exceed cap_s");
    return 0;
}

static int parse_any(const cm_json *doc, const cJSON *node, const char *ctx, rl_backoff *b,
                     bool by_outcome, cm_err *err)
{
    rl_backoff_defaults(b);
    if (!node)
        return 0;
    if (cm_json_check_keys(doc, node, ctx, by_outcome ? main_keys : backoff_keys, err))
        return -1;
    int kind = 0;
    if (cm_json_get_enum(doc, node, ctx, "kind", true, kind_names, &kind, err))
        return -1;
    b->kind = (rl_backoff_kind)kind;
    if (parse_numbers(doc, node, ctx, b, err) || parse_waits(doc, node, ctx, b, err) ||
        parse_jitter(doc, node, ctx, b, err))
        return -1;
    static const char *const after_names[] = {"repeat_last", "give_up", NULL};
    int after = 0;
    char field[256];
    const cJSON *al = cJSON_GetObjectItemCaseSensitive(node, "after_list");
    if (al && b->kind != RL_BACKOFF_LIST)
        return cm_json_fail(err, doc, al, cm_json_field(field, sizeof field, ctx, "after_list"),
                            "only allowed with kind \"list\"");
    if (cm_json_get_enum(doc, node, ctx, "after_list", false, after_names, &after, err))
        return -1;
    b->list_give_up = after == 1;
    if (b->jitter == RL_JITTER_DECORRELATED && !(b->base_s > 0))
        return cm_json_fail(err, doc, node, ctx, "decorrelated jitter needs base_s > 0");
    if (cm_json_get_string(doc, node, ctx, "comment", false, 4096, &(const char *){NULL}, err) ||
        cm_json_get_string(doc, node, ctx, "source", false, 4096, &(const char *){NULL}, err))
        return -1;
    return 0;
}

int rl_backoff_parse(const cm_json *doc, const cJSON *node, const char *ctx, rl_backoff *b,
                     cm_err *err)
{
    return parse_any(doc, node, ctx, b, false, err);
}

int rl_backoff_parse_main(const cm_json *doc, const cJSON *node, rl_backoff *b, cm_err *err)
{
    return parse_any(doc, node, "backoff", b, true, err);
}
