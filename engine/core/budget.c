/* budget.c: the run-wide retry budget (none, token_quota, grpc, ratio,
 * adaptive), its policy section parser and its summary JSON. See budget.h
 * for exactly what each kind does. */
#include "engine/core/budget.h"

#include <math.h>
#include <string.h>

static const char *const rl_budget_names[] = {
#define X(name, text) text,
    RL_BUDGET_KINDS(X)
#undef X
        NULL};

/* Finagle counts requests in thousandths so that 1/percent is exact enough. */
#define RL_RATIO_SCALE 1000
/* gRPC keeps tokens in thousandths. */
#define RL_GRPC_SCALE 1000

const char *rl_budget_kind_name(rl_budget_kind k)
{
    if ((size_t)k >= sizeof rl_budget_names / sizeof rl_budget_names[0] - 1)
        return "?";
    return rl_budget_names[k];
}

void rl_budget_cfg_default(rl_budget_cfg *cfg)
{
    *cfg = (rl_budget_cfg){.kind = RL_BUDGET_NONE,
                           .capacity = 500,
                           .retry_cost = 5,
                           .timeout_retry_cost = 10,
                           .no_retry_increment = 1,
                           .max_tokens = 10,
                           .token_ratio = 0.1,
                           .ttl_s = 10,
                           .percent_can_retry = 0.2,
                           .min_retries_per_sec = 10,
                           .k = 2,
                           .window_s = 120};
}

/* ---- parsing ---- */

/* The keys each kind accepts, besides "kind" and "comment". */
static const char *const *rl_budget_kind_keys(rl_budget_kind k)
{
    static const char *const none[] = {NULL};
    static const char *const quota[] = {"capacity", "retry_cost", "timeout_retry_cost",
                                        "no_retry_increment", NULL};
    static const char *const grpc[] = {"max_tokens", "token_ratio", NULL};
    static const char *const ratio[] = {"ttl_s", "percent_can_retry", "min_retries_per_sec", NULL};
    static const char *const adaptive[] = {"k", "window_s", NULL};
    switch (k) {
    case RL_BUDGET_TOKEN_QUOTA:
        return quota;
    case RL_BUDGET_GRPC:
        return grpc;
    case RL_BUDGET_RATIO:
        return ratio;
    case RL_BUDGET_ADAPTIVE:
        return adaptive;
    case RL_BUDGET_NONE:
    default:
        return none;
    }
}

static bool rl_in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* Unknown and duplicate keys, then keys that belong to another kind. */
static int rl_budget_check_keys(const cm_json *doc, const cJSON *node, const char *ctx,
                                rl_budget_kind kind, cm_err *err)
{
    static const char *const all[] = {"kind",
                                      "comment",
                                      "capacity",
                                      "retry_cost",
                                      "timeout_retry_cost",
                                      "no_retry_increment",
                                      "max_tokens",
                                      "token_ratio",
                                      "ttl_s",
                                      "percent_can_retry",
                                      "min_retries_per_sec",
                                      "k",
                                      "window_s",
                                      NULL};
    if (cm_json_check_keys(doc, node, ctx, all, err) != 0)
        return -1;
    const char *const *mine = rl_budget_kind_keys(kind);
    char field[256];
    for (const cJSON *ch = node->child; ch; ch = ch->next) {
        if (strcmp(ch->string, "kind") == 0 || strcmp(ch->string, "comment") == 0 ||
            rl_in_list(mine, ch->string))
            continue;
        return cm_json_fail(err, doc, ch, cm_json_field(field, sizeof field, ctx, ch->string),
                            "not a field of budget kind \"%s\"", rl_budget_kind_name(kind));
    }
    return 0;
}

static int rl_budget_parse_quota(const cm_json *doc, const cJSON *n, const char *ctx,
                                 rl_budget_cfg *c, cm_err *err)
{
    const int64_t big = INT64_C(1000000000);
    if (cm_json_get_int(doc, n, ctx, "capacity", false, 1, big, &c->capacity, err) != 0 ||
        cm_json_get_int(doc, n, ctx, "retry_cost", false, 1, big, &c->retry_cost, err) != 0 ||
        cm_json_get_int(doc, n, ctx, "timeout_retry_cost", false, 1, big, &c->timeout_retry_cost,
                        err) != 0 ||
        cm_json_get_int(doc, n, ctx, "no_retry_increment", false, 0, big, &c->no_retry_increment,
                        err) != 0)
        return -1;
    return 0;
}

static int rl_budget_parse_kind(const cm_json *doc, const cJSON *n, const char *ctx,
                                rl_budget_cfg *c, cm_err *err)
{
    bool bad = false;
    switch (c->kind) {
    case RL_BUDGET_TOKEN_QUOTA:
        return rl_budget_parse_quota(doc, n, ctx, c, err);
    case RL_BUDGET_GRPC:
        bad = cm_json_get_number(doc, n, ctx, "max_tokens", false, 1, 1000, &c->max_tokens, err) ||
              cm_json_get_number(doc, n, ctx, "token_ratio", false, 0.001, 1000, &c->token_ratio,
                                 err);
        break;
    case RL_BUDGET_RATIO:
        bad = cm_json_get_int(doc, n, ctx, "ttl_s", false, 1, 60, &c->ttl_s, err) ||
              cm_json_get_number(doc, n, ctx, "percent_can_retry", false, 0, 10,
                                 &c->percent_can_retry, err) ||
              cm_json_get_int(doc, n, ctx, "min_retries_per_sec", false, 0, 1000000,
                              &c->min_retries_per_sec, err);
        break;
    case RL_BUDGET_ADAPTIVE:
        bad = cm_json_get_number(doc, n, ctx, "k", false, 1, 1000, &c->k, err) ||
              cm_json_get_int(doc, n, ctx, "window_s", false, 1, RL_BUDGET_MAX_WINDOW_S,
                              &c->window_s, err);
        break;
    case RL_BUDGET_NONE:
    default:
        break;
    }
    return bad ? -1 : 0;
}

int rl_budget_parse(const cm_json *doc, const cJSON *node, const char *ctx, rl_budget_cfg *cfg,
                    cm_err *err)
{
    rl_budget_cfg_default(cfg);
    if (!node)
        return 0;
    if (!cJSON_IsObject(node))
        return cm_json_fail(err, doc, node, ctx, "must be an object");
    int kind = RL_BUDGET_NONE;
    const char *comment = NULL;
    if (cm_json_get_enum(doc, node, ctx, "kind", true, rl_budget_names, &kind, err) != 0 ||
        rl_budget_check_keys(doc, node, ctx, (rl_budget_kind)kind, err) != 0 ||
        cm_json_get_string(doc, node, ctx, "comment", false, 4096, &comment, err) != 0)
        return -1;
    cfg->kind = (rl_budget_kind)kind;
    if (rl_budget_parse_kind(doc, node, ctx, cfg, err) != 0) {
        rl_budget_cfg_default(cfg);
        return -1;
    }
    return 0;
}

/* ---- state ---- */

void rl_budget_init(rl_budget *b, const rl_budget_cfg *cfg)
{
    memset(b, 0, sizeof *b);
    b->cfg = *cfg;
    if (cfg->kind == RL_BUDGET_TOKEN_QUOTA)
        b->tokens = cfg->capacity;
    else if (cfg->kind == RL_BUDGET_GRPC)
        b->tokens = llround(cfg->max_tokens * RL_GRPC_SCALE);
    for (size_t i = 0; i < RL_BUDGET_MAX_WINDOW_S; i++)
        b->ring[i].sec = -1;
}

static int64_t rl_budget_window(const rl_budget *b)
{
    int64_t w = b->cfg.kind == RL_BUDGET_RATIO ? b->cfg.ttl_s : b->cfg.window_s;
    return w < 1 ? 1 : w > RL_BUDGET_MAX_WINDOW_S ? RL_BUDGET_MAX_WINDOW_S : w;
}

static int64_t rl_second_of(cm_us now)
{
    return now >= 0 ? now / CM_US_PER_S : -((-now + CM_US_PER_S - 1) / CM_US_PER_S);
}

/* The bucket of now's second, emptied when it last held an older second. */
static rl_budget_bucket *rl_budget_bucket_now(rl_budget *b, cm_us now)
{
    int64_t sec = rl_second_of(now), w = rl_budget_window(b);
    int64_t idx = ((sec % w) + w) % w;
    rl_budget_bucket *k = &b->ring[idx];
    if (k->sec != sec)
        *k = (rl_budget_bucket){sec, 0, 0};
    return k;
}

/* Sums of a and b over the window's seconds (now's included). */
static void rl_budget_sums(const rl_budget *b, cm_us now, int64_t *a, int64_t *bs)
{
    int64_t sec = rl_second_of(now), w = rl_budget_window(b);
    *a = *bs = 0;
    for (int64_t i = 0; i < w; i++) {
        const rl_budget_bucket *k = &b->ring[i];
        if (k->sec >= 0 && k->sec <= sec && k->sec > sec - w) {
            *a += k->a;
            *bs += k->b;
        }
    }
}

/* ratio: what one first attempt deposits and one retry withdraws. */
static int64_t rl_ratio_deposit(const rl_budget_cfg *c)
{
    return c->percent_can_retry > 0 ? RL_RATIO_SCALE : 0;
}

static int64_t rl_ratio_withdrawal(const rl_budget_cfg *c)
{
    if (c->percent_can_retry <= 0)
        return RL_RATIO_SCALE;
    return llround(RL_RATIO_SCALE / c->percent_can_retry);
}

static int64_t rl_ratio_balance(const rl_budget *b, cm_us now)
{
    int64_t net, unused;
    rl_budget_sums(b, now, &net, &unused);
    const rl_budget_cfg *c = &b->cfg;
    return c->min_retries_per_sec * c->ttl_s * rl_ratio_withdrawal(c) + net;
}

static double rl_adaptive_p(const rl_budget *b, cm_us now, int64_t *requests, int64_t *accepts)
{
    rl_budget_sums(b, now, requests, accepts);
    double p = ((double)*requests - b->cfg.k * (double)*accepts) / ((double)*requests + 1);
    return p > 0 ? p : 0;
}

void rl_budget_on_attempt(rl_budget *b, cm_us now, bool is_retry)
{
    if (b->cfg.kind == RL_BUDGET_RATIO && !is_retry)
        rl_budget_bucket_now(b, now)->a += rl_ratio_deposit(&b->cfg);
    else if (b->cfg.kind == RL_BUDGET_ADAPTIVE)
        rl_budget_bucket_now(b, now)->a++;
}

void rl_budget_on_result(rl_budget *b, cm_us now, bool success, uint32_t charged)
{
    const rl_budget_cfg *c = &b->cfg;
    if (c->kind == RL_BUDGET_TOKEN_QUOTA && success) {
        int64_t back = charged > 0 ? (int64_t)charged : c->no_retry_increment;
        b->tokens = b->tokens + back > c->capacity ? c->capacity : b->tokens + back;
    } else if (c->kind == RL_BUDGET_GRPC) {
        int64_t max = llround(c->max_tokens * RL_GRPC_SCALE);
        int64_t step = success ? llround(c->token_ratio * RL_GRPC_SCALE) : -RL_GRPC_SCALE;
        int64_t t = b->tokens + step;
        b->tokens = t < 0 ? 0 : t > max ? max : t;
    } else if (c->kind == RL_BUDGET_ADAPTIVE && success) {
        rl_budget_bucket_now(b, now)->b++;
    }
}

/* Whether the kind allows one retry now; charges it when it does. */
static bool rl_budget_take(rl_budget *b, cm_us now, bool after_timeout, cm_rng *rng, uint32_t *cost)
{
    const rl_budget_cfg *c = &b->cfg;
    int64_t req, acc;
    switch (c->kind) {
    case RL_BUDGET_TOKEN_QUOTA: {
        int64_t need = after_timeout ? c->timeout_retry_cost : c->retry_cost;
        if (b->tokens < need)
            return false;
        b->tokens -= need;
        *cost = need > UINT32_MAX ? UINT32_MAX : (uint32_t)need;
        return true;
    }
    case RL_BUDGET_GRPC:
        return b->tokens * 2 > llround(c->max_tokens * RL_GRPC_SCALE);
    case RL_BUDGET_RATIO:
        if (rl_ratio_balance(b, now) < rl_ratio_withdrawal(c))
            return false;
        rl_budget_bucket_now(b, now)->a -= rl_ratio_withdrawal(c);
        return true;
    case RL_BUDGET_ADAPTIVE: {
        double u = rng ? cm_rng_uniform(rng) : 0.5;
        if (u >= rl_adaptive_p(b, now, &req, &acc))
            return true;
        rl_budget_bucket_now(b, now)->a++; /* a refused request still counts */
        return false;
    }
    case RL_BUDGET_NONE:
    default:
        return true;
    }
}

bool rl_budget_try_retry(rl_budget *b, cm_us now, bool after_timeout, cm_rng *rng,
                         uint32_t *charged)
{
    uint32_t cost = 0;
    if (!rl_budget_take(b, now, after_timeout, rng, &cost)) {
        b->retries_refused++;
        return false;
    }
    b->retries_allowed++;
    if (charged)
        *charged = cost;
    return true;
}

/* ---- summary ---- */

static bool rl_budget_json_kind(const rl_budget *b, cm_us now, cJSON *o)
{
    const rl_budget_cfg *c = &b->cfg;
    int64_t req, acc;
    switch (c->kind) {
    case RL_BUDGET_TOKEN_QUOTA:
        return cJSON_AddNumberToObject(o, "tokens", (double)b->tokens) &&
               cJSON_AddNumberToObject(o, "capacity", (double)c->capacity);
    case RL_BUDGET_GRPC:
        return cJSON_AddNumberToObject(o, "tokens", (double)b->tokens / RL_GRPC_SCALE) &&
               cJSON_AddNumberToObject(o, "max_tokens", c->max_tokens);
    case RL_BUDGET_RATIO:
        return cJSON_AddNumberToObject(o, "balance_retries",
                                       (double)rl_ratio_balance(b, now) / rl_ratio_withdrawal(c));
    case RL_BUDGET_ADAPTIVE: {
        double p = rl_adaptive_p(b, now, &req, &acc);
        return cJSON_AddNumberToObject(o, "requests", (double)req) &&
               cJSON_AddNumberToObject(o, "accepts", (double)acc) &&
               cJSON_AddNumberToObject(o, "reject_probability", p);
    }
    case RL_BUDGET_NONE:
    default:
        return true;
    }
}

cJSON *rl_budget_json(const rl_budget *b, cm_us now)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (!cJSON_AddStringToObject(o, "kind", rl_budget_kind_name(b->cfg.kind)) ||
        !cJSON_AddNumberToObject(o, "retries_allowed", (double)b->retries_allowed) ||
        !cJSON_AddNumberToObject(o, "retries_refused", (double)b->retries_refused) ||
        !rl_budget_json_kind(b, now, o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
