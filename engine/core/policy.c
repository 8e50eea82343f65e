/* policy.c: loading and validating a policy file; every section's parser is
 * in its own file (backoff.c, retry_after.c, tier.c, ...); this file reads
 * the top level, the candidates, the limits and the task-level retries. */
#include "engine/core/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YEAR_S (365.0 * 24 * 3600)

static const char *const top_keys[] = {
    "kind",     "name",         "comment",   "source",  "candidates", "backoff", "retry_after",
    "tiers",    "rotation",     "cooldown",  "breaker", "budget",     "limits",  "classify",
    "messages", "task_retries", "transport", "stream",  "models",     NULL};

static int provider_index(rl_policy *p, const char *name)
{
    for (size_t i = 0; i < p->nprov; i++)
        if (strcmp(p->providers[i], name) == 0)
            return (int)i;
    if (p->nprov == RL_MAX_PROVIDERS)
        return -1;
    p->providers[p->nprov] = name;
    return (int)p->nprov++;
}

static int parse_keys(const cm_json *doc, const cJSON *cand, const char *ctx, rl_cand *c,
                      cm_err *err)
{
    const cJSON *keys, *k;
    char field[96];
    if (cm_json_get_array(doc, cand, ctx, "keys", false, 0, RL_MAX_KEYS, &keys, err))
        return -1;
    cm_json_field(field, sizeof field, ctx, "keys");
    cJSON_ArrayForEach(k, keys)
    {
        if (!cJSON_IsString(k) || !k->valuestring[0] || strlen(k->valuestring) > 128)
            return cm_json_fail(err, doc, k, field,
                                "item %zu must be a key name (a non-empty string of at most 128 "
                                "characters)",
                                c->nkeys);
        c->keys[c->nkeys++] = k->valuestring;
    }
    return 0;
}

static int parse_candidate(const cm_json *doc, const cJSON *cand, size_t i, rl_policy *p,
                           cm_err *err)
{
    static const char *const keys[] = {"provider", "model", "keys", "comment", "source", NULL};
    char ctx[64];
    snprintf(ctx, sizeof ctx, "candidates[%zu]", i);
    rl_cand *c = &p->cands[i];
    const char *note;
    if (cm_json_check_keys(doc, cand, ctx, keys, err) ||
        cm_json_get_string(doc, cand, ctx, "provider", true, 64, &c->provider, err) ||
        cm_json_get_string(doc, cand, ctx, "model", true, 128, &c->model, err) ||
        parse_keys(doc, cand, ctx, c, err) ||
        cm_json_get_string(doc, cand, ctx, "comment", false, 4096, &note, err) ||
        cm_json_get_string(doc, cand, ctx, "source", false, 4096, &note, err))
        return -1;
    for (size_t j = 0; j < i; j++)
        if (!strcmp(p->cands[j].provider, c->provider) && !strcmp(p->cands[j].model, c->model))
            return cm_json_fail(err, doc, cand, ctx, "duplicate candidate %s/%s (also [%zu])",
                                c->provider, c->model, j);
    int pi = provider_index(p, c->provider);
    if (pi < 0)
        return cm_json_fail(err, doc, cand, ctx, "too many providers (limit %d)", RL_MAX_PROVIDERS);
    c->provider_idx = (uint32_t)pi;
    return 0;
}

static int parse_candidates(const cm_json *doc, const cJSON *root, rl_policy *p, cm_err *err)
{
    const cJSON *arr, *cand;
    if (cm_json_get_array(doc, root, NULL, "candidates", true, 1, RL_MAX_CANDIDATES, &arr, err))
        return -1;
    p->ncand = (size_t)cJSON_GetArraySize(arr);
    p->cands = calloc(p->ncand, sizeof *p->cands);
    if (!p->cands)
        return cm_json_fail(err, doc, arr, "candidates", "out of memory");
    size_t i = 0;
    cJSON_ArrayForEach(cand, arr)
    {
        if (parse_candidate(doc, cand, i++, p, err))
            return -1;
    }
    return 0;
}

static int get_seconds(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                       double min, cm_us *out, cm_err *err)
{
    double v = -1;
    if (cm_json_get_number(doc, obj, ctx, key, false, min, 100 * YEAR_S, &v, err))
        return -1;
    if (v >= 0)
        *out = cm_us_from_s(v);
    return 0;
}

static int parse_limits(const cm_json *doc, const cJSON *root, rl_limits *l, cm_err *err)
{
    static const char *const keys[] = {"max_attempts",     "max_retries_per_candidate",
                                       "deadline_s",       "attempt_timeout_s",
                                       "max_total_wait_s", "comment",
                                       "source",           NULL};
    l->max_attempts = 10;
    l->max_retries_per_candidate = UINT32_MAX;
    l->deadline = l->max_total_wait = -1;
    l->attempt_timeout = 0;
    const cJSON *node;
    if (cm_json_get_object(doc, root, NULL, "limits", false, &node, err))
        return -1;
    if (!node)
        return 0;
    int64_t att = l->max_attempts, per = -1;
    const char *note;
    if (cm_json_check_keys(doc, node, "limits", keys, err) ||
        cm_json_get_int(doc, node, "limits", "max_attempts", false, 1, RL_MAX_ATTEMPTS, &att,
                        err) ||
        cm_json_get_int(doc, node, "limits", "max_retries_per_candidate", false, 0, RL_MAX_ATTEMPTS,
                        &per, err) ||
        get_seconds(doc, node, "limits", "deadline_s", 0.001, &l->deadline, err) ||
        get_seconds(doc, node, "limits", "attempt_timeout_s", 0.001, &l->attempt_timeout, err) ||
        get_seconds(doc, node, "limits", "max_total_wait_s", 0, &l->max_total_wait, err) ||
        cm_json_get_string(doc, node, "limits", "comment", false, 4096, &note, err) ||
        cm_json_get_string(doc, node, "limits", "source", false, 4096, &note, err))
        return -1;
    l->max_attempts = (uint32_t)att;
    if (per >= 0)
        l->max_retries_per_candidate = (uint32_t)per;
    return 0;
}

static int parse_task_retries(const cm_json *doc, const cJSON *root, rl_task_retry_cfg *t,
                              cm_err *err)
{
    static const char *const keys[] = {"max", "backoff", "comment", "source", NULL};
    const cJSON *node, *bo;
    memset(t, 0, sizeof *t);
    rl_backoff_defaults(&t->waits);
    if (cm_json_get_object(doc, root, NULL, "task_retries", false, &node, err))
        return -1;
    if (!node)
        return 0;
    int64_t max = 0;
    const char *note;
    if (cm_json_check_keys(doc, node, "task_retries", keys, err) ||
        cm_json_get_int(doc, node, "task_retries", "max", true, 0, 1000, &max, err) ||
        cm_json_get_object(doc, node, "task_retries", "backoff", true, &bo, err) ||
        rl_backoff_parse(doc, bo, "task_retries.backoff", &t->waits, err) ||
        cm_json_get_string(doc, node, "task_retries", "comment", false, 4096, &note, err) ||
        cm_json_get_string(doc, node, "task_retries", "source", false, 4096, &note, err))
        return -1;
    t->max = (uint32_t)max;
    return 0;
}

/* An array (0..32) of non-empty strings of at most 1000 characters. */
static int string_list(const cm_json *doc, const cJSON *node, const char *ctx, const char *key,
                       cm_err *err)
{
    const cJSON *arr, *it;
    char field[256];
    if (cm_json_get_array(doc, node, ctx, key, false, 0, 32, &arr, err))
        return -1;
    cm_json_field(field, sizeof field, ctx, key);
    size_t i = 0;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > 1000)
            return cm_json_fail(err, doc, it, field,
                                "item %zu must be a non-empty string of at most 1000 characters",
                                i);
        i++;
    }
    return 0;
}

/* "models": which library, language and version a peer's preset stands for
 * (engine/README.md, "Peers"). Checked, not used by the engine. */
static int parse_models(const cm_json *doc, const cJSON *root, cm_err *err)
{
    static const char *const keys[] = {"library", "language", "version", "registry",
                                       "package", "client",   "sources", "gaps",
                                       "comment", "source",   NULL};
    static const char *const required[] = {"library", "language", "version", NULL};
    static const char *const optional[] = {"registry", "package", "client",
                                           "comment",  "source",  NULL};
    const cJSON *m;
    const char *s;
    if (cm_json_get_object(doc, root, NULL, "models", false, &m, err))
        return -1;
    if (!m)
        return 0;
    if (cm_json_check_keys(doc, m, "models", keys, err))
        return -1;
    for (int i = 0; required[i]; i++)
        if (cm_json_get_string(doc, m, "models", required[i], true, 128, &s, err))
            return -1;
    for (int i = 0; optional[i]; i++)
        if (cm_json_get_string(doc, m, "models", optional[i], false, 4096, &s, err))
            return -1;
    return string_list(doc, m, "models", "sources", err) ||
                   string_list(doc, m, "models", "gaps", err)
               ? -1
               : 0;
}

/* backoff.by_outcome: outcome pattern -> a backoff object of its own. */
static int parse_ladders(const cm_json *doc, const cJSON *backoff, rl_policy *p, cm_err *err)
{
    const cJSON *by, *ch;
    char field[256];
    if (!backoff || cm_json_get_object(doc, backoff, "backoff", "by_outcome", false, &by, err))
        return backoff ? -1 : 0;
    for (ch = by ? by->child : NULL; ch; ch = ch->next) {
        cm_json_field(field, sizeof field, "backoff.by_outcome", ch->string);
        rl_ladder *l = &p->ladders[p->nladders];
        if (!strcmp(ch->string, "comment") || !strcmp(ch->string, "source")) {
            if (!cJSON_IsString(ch))
                return cm_json_fail(err, doc, ch, field, "must be a string");
            continue;
        }
        if (rl_pattern_parse(ch->string, 0, &l->pat) || l->pat.any)
            return cm_json_fail(err, doc, ch, field,
                                "unknown field (expected a status like \"429\", a class like "
                                "\"5xx\" or a transport error)");
        for (const cJSON *o = by->child; o != ch; o = o->next)
            if (!strcmp(o->string, ch->string))
                return cm_json_fail(err, doc, ch, field, "duplicate field");
        if (p->nladders == RL_MAX_LADDERS)
            return cm_json_fail(err, doc, ch, field, "too many ladders (limit %d)", RL_MAX_LADDERS);
        if (!cJSON_IsObject(ch))
            return cm_json_fail(err, doc, ch, field, "must be a backoff object");
        if (rl_backoff_parse(doc, ch, field, &l->b, err))
            return -1;
        p->nladders++;
    }
    return 0;
}

static int parse_kind_name(const cm_json *doc, const cJSON *root, rl_policy *p, cm_err *err)
{
    const char *kind, *note;
    if (!cJSON_IsObject(root))
        return cm_json_fail(err, doc, root, NULL, "a policy must be a JSON object");
    /* kind before the other keys: a scenario given as the policy is named as such */
    if (cm_json_get_string(doc, root, NULL, "kind", true, 32, &kind, err))
        return -1;
    if (strcmp(kind, "policy") != 0)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(root, "kind"), "kind",
                            "must be \"policy\" (got \"%s\")", kind);
    if (cm_json_check_keys(doc, root, NULL, top_keys, err))
        return -1;
    return cm_json_get_string(doc, root, NULL, "name", true, 128, &p->name, err) ||
                   cm_json_get_string(doc, root, NULL, "comment", false, 8192, &note, err) ||
                   cm_json_get_string(doc, root, NULL, "source", false, 8192, &note, err)
               ? -1
               : 0;
}

/* Each section's node, looked up with type checks. */
static int section(const cm_json *doc, const cJSON *root, const char *key, const cJSON **out,
                   cm_err *err)
{
    return cm_json_get_object(doc, root, NULL, key, false, out, err);
}

static int parse_sections(const cm_json *doc, const cJSON *root, rl_policy *p, cm_err *err)
{
    const cJSON *bo, *ra, *ti, *ro, *co, *br, *bu, *cl, *me;
    if (section(doc, root, "backoff", &bo, err) || section(doc, root, "retry_after", &ra, err) ||
        section(doc, root, "tiers", &ti, err) || section(doc, root, "rotation", &ro, err) ||
        section(doc, root, "cooldown", &co, err) || section(doc, root, "breaker", &br, err) ||
        section(doc, root, "budget", &bu, err) || section(doc, root, "classify", &cl, err) ||
        section(doc, root, "messages", &me, err))
        return -1;
    if (rl_backoff_parse_main(doc, bo, &p->backoff, err) || parse_ladders(doc, bo, p, err) ||
        rl_ra_parse(doc, ra, "retry_after", &p->retry_after, err) ||
        rl_tiers_parse(doc, ti, &p->tiers, err) ||
        rl_rotation_parse(doc, ro, p, &p->rotation, err) ||
        rl_cooldown_parse(doc, co, &p->cooldown, err) ||
        rl_breaker_parse(doc, br, "breaker", &p->breaker, err) ||
        rl_budget_parse(doc, bu, "budget", &p->budget, err) ||
        rl_classify_parse(doc, cl, me, &p->classify, err))
        return -1;
    const cJSON *tr, *st;
    return parse_limits(doc, root, &p->limits, err) ||
                   parse_task_retries(doc, root, &p->task_retry, err) ||
                   section(doc, root, "transport", &tr, err) ||
                   rl_transport_parse(doc, tr, &p->transport, err) ||
                   section(doc, root, "stream", &st, err) ||
                   rl_stream_parse(doc, st, &p->stream, err)
               ? -1
               : 0;
}

int rl_policy_from_json(const cm_json *doc, rl_policy **out, cm_err *err)
{
    *out = NULL;
    rl_policy *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err->msg, sizeof err->msg, "%s: out of memory", cm_json_name(doc));
        return -1;
    }
    p->doc = doc;
    const cJSON *root = cm_json_root(doc);
    if (parse_kind_name(doc, root, p, err) || parse_candidates(doc, root, p, err) ||
        parse_sections(doc, root, p, err) || parse_models(doc, root, err)) {
        rl_policy_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

int rl_policy_load(const char *path, rl_policy **out, cm_err *err)
{
    *out = NULL;
    cm_json *doc = cm_json_load(path, err);
    if (!doc)
        return -1;
    if (rl_policy_from_json(doc, out, err)) {
        cm_json_free(doc);
        return -1;
    }
    (*out)->owned = doc;
    return 0;
}

void rl_policy_free(rl_policy *p)
{
    if (!p)
        return;
    free(p->cands);
    cm_json_free(p->owned);
    free(p);
}

const char *rl_policy_name(const rl_policy *p)
{
    return p->name;
}

size_t rl_policy_candidate_count(const rl_policy *p)
{
    return p->ncand;
}

uint32_t rl_policy_max_attempts(const rl_policy *p)
{
    return p->limits.max_attempts;
}

bool rl_policy_streams(const rl_policy *p, bool *usage)
{
    if (usage)
        *usage = p->stream.on && p->stream.usage;
    return p->stream.on;
}

unsigned rl_policy_body_reads(const rl_policy *p)
{
    unsigned r = 0;
    if (p->classify.error_body)
        r |= p->classify.body_rules ? RL_BODY_RULES : RL_BODY_QUOTA;
    /* Read whatever the mode: a cooldown takes the server's value too. */
    for (uint8_t i = 0; i < p->retry_after.nfrom; i++)
        r |= p->retry_after.from[i] == RL_RA_SRC_MESSAGE      ? RL_BODY_MESSAGE
             : p->retry_after.from[i] == RL_RA_SRC_RETRY_INFO ? RL_BODY_RETRY_INFO
                                                              : 0;
    return r;
}

void rl_policy_candidate(const rl_policy *p, size_t i, rl_candidate_info *out)
{
    memset(out, 0, sizeof *out);
    if (i >= p->ncand)
        return;
    out->provider = p->cands[i].provider;
    out->model = p->cands[i].model;
    out->nkeys = p->cands[i].nkeys;
    out->keys = p->cands[i].keys;
}
