/* scenario_provider.c: parses one provider of a scenario: name, shape, keys
 * and organisations, models with their latency, and hands its windows, tiers
 * and rules to scenario_rules.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mockserver/scenario/internal.h"
#include "mockserver/scenario/parse.h"

/* z of the 99th percentile of the standard normal distribution. */
#define Z_P99 2.3263478740408408

static const char *const provider_keys[] = {"name",
                                            "profile",
                                            "shape",
                                            "keys",
                                            "organisations",
                                            "models",
                                            "windows",
                                            "tiers",
                                            "tier",
                                            "retry_after",
                                            "ietf_headers",
                                            "limit_headers",
                                            "limit_headers_when",
                                            "plain_reset",
                                            "error_style",
                                            "invalid_key_status",
                                            "request_id_header",
                                            "request_id_prefix",
                                            "scripts",
                                            "phases",
                                            "faults",
                                            NULL};

int mock_provider_model_find(const mock_provider_def *p, const char *name)
{
    for (size_t i = 0; name && i < p->nmodels; i++)
        if (strcmp(p->models[i].name, name) == 0)
            return (int)i;
    return -1;
}

int mock_provider_key_by_value(const mock_provider_def *p, const char *value)
{
    for (size_t i = 0; value && i < p->nkeys; i++)
        if (strcmp(p->key_values[i], value) == 0)
            return (int)i;
    return -1;
}

int mock_provider_key_by_name(const mock_provider_def *p, const char *name)
{
    for (size_t i = 0; name && i < p->nkeys; i++)
        if (strcmp(p->key_names[i], name) == 0)
            return (int)i;
    return -1;
}

int mock_provider_tier_find(const mock_provider_def *p, const char *name)
{
    for (size_t i = 0; name && i < p->ntiers; i++)
        if (strcmp(p->tiers[i].name, name) == 0)
            return (int)i;
    return -1;
}

void mock_provider_def_free(mock_provider_def *p)
{
    for (size_t i = 0; i < p->nscripts; i++)
        free(p->scripts[i].steps);
    free(p->tiers);
    p->tiers = NULL;
    p->nscripts = p->ntiers = 0;
}

/* A name that can stand in a URL path segment: letters, digits, '-', '_', '.'. */
static int check_path_name(const cm_json *doc, const cJSON *node, const char *field,
                           const char *name, cm_err *err)
{
    for (const char *c = name; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                 *c == '-' || *c == '_' || *c == '.';
        if (!ok)
            return cm_json_fail(err, doc, node, field,
                                "\"%s\" may hold only letters, digits, '-', '_' and '.'", name);
    }
    if (strcmp(name, "__admin") == 0 || strcmp(name, "metrics") == 0 || name[0] == '.')
        return cm_json_fail(err, doc, node, field, "\"%s\" is reserved", name);
    return 0;
}

static int parse_keys(const cm_json *doc, const cJSON *prov, const char *ctx, mock_provider_def *p,
                      cm_err *err)
{
    const cJSON *o;
    char field[160], f2[240];
    if (cm_json_get_object(doc, prov, ctx, "keys", false, &o, err) != 0)
        return -1;
    cm_json_field(field, sizeof field, ctx, "keys");
    for (const cJSON *k = o ? o->child : NULL; k; k = k->next) {
        if (p->nkeys == MOCK_MAX_KEYS)
            return cm_json_fail(err, doc, k, field, "more than %d keys", MOCK_MAX_KEYS);
        if (!cJSON_IsString(k) || !k->valuestring[0] || strlen(k->valuestring) > 200)
            return cm_json_fail(err, doc, k, cm_json_field(f2, sizeof f2, field, k->string),
                                "must be a test key value (a string of 1 to 200 characters)");
        if (!k->string[0] || strlen(k->string) > MOCK_NAME_MAX)
            return cm_json_fail(err, doc, k, field, "key names have 1 to %d characters",
                                MOCK_NAME_MAX);
        if (mock_provider_key_by_name(p, k->string) >= 0)
            return cm_json_fail(err, doc, k, cm_json_field(f2, sizeof f2, field, k->string),
                                "duplicate key name");
        if (mock_provider_key_by_value(p, k->valuestring) >= 0)
            return cm_json_fail(err, doc, k, cm_json_field(f2, sizeof f2, field, k->string),
                                "two keys have the same test value");
        p->key_names[p->nkeys] = k->string;
        p->key_values[p->nkeys] = k->valuestring;
        p->key_orgs[p->nkeys] = k->string;
        p->nkeys++;
    }
    return 0;
}

/* "organisations": {"org-a": ["KEY_1", "KEY_2"]}: keys that share one quota. */
static int parse_orgs(const cm_json *doc, const cJSON *prov, const char *ctx, mock_provider_def *p,
                      cm_err *err)
{
    const cJSON *o;
    char field[160], f2[200];
    if (cm_json_get_object(doc, prov, ctx, "organisations", false, &o, err) != 0)
        return -1;
    cm_json_field(field, sizeof field, ctx, "organisations");
    for (const cJSON *org = o ? o->child : NULL; org; org = org->next) {
        cm_json_field(f2, sizeof f2, field, org->string);
        if (!cJSON_IsArray(org))
            return cm_json_fail(err, doc, org, f2, "must be an array of key names");
        if (!org->string[0] || strlen(org->string) > MOCK_NAME_MAX)
            return cm_json_fail(err, doc, org, f2, "organisation names have 1 to %d characters",
                                MOCK_NAME_MAX);
        for (const cJSON *k = org->child; k; k = k->next) {
            int idx = cJSON_IsString(k) ? mock_provider_key_by_name(p, k->valuestring) : -1;
            if (idx < 0)
                return cm_json_fail(err, doc, k, f2, "not a key name of this provider");
            if (p->key_orgs[idx] != p->key_names[idx])
                return cm_json_fail(err, doc, k, f2,
                                    "key \"%s\" is already in organisation "
                                    "\"%s\"",
                                    k->valuestring, p->key_orgs[idx]);
            p->key_orgs[idx] = org->string;
        }
    }
    return 0;
}

static int parse_latency_kind(const cm_json *doc, const cJSON *o, const char *ctx, mock_latency *l,
                              cm_err *err)
{
    static const char *const keys[][4] = {{"kind", "s", NULL},
                                          {"kind", "min_s", "max_s", NULL},
                                          {"kind", "mean_s", "sd_s", NULL},
                                          {"kind", "median_s", "p99_s", NULL}};
    const char *const *k = keys[l->kind];
    if (cm_json_check_keys(doc, o, ctx, k, err) != 0 ||
        cm_json_get_number(doc, o, ctx, k[1], true, 0, 86400, &l->a, err) != 0)
        return -1;
    if (l->kind == MOCK_LAT_FIXED)
        return 0;
    if (cm_json_get_number(doc, o, ctx, k[2], true, 0, 86400, &l->b, err) != 0)
        return -1;
    char field[160];
    const cJSON *second = cJSON_GetObjectItemCaseSensitive(o, k[2]);
    if (l->kind == MOCK_LAT_UNIFORM && l->b < l->a)
        return cm_json_fail(err, doc, second, cm_json_field(field, sizeof field, ctx, k[2]),
                            "must not be below min_s");
    if (l->kind == MOCK_LAT_LOGNORMAL) {
        if (l->a <= 0 || l->b <= l->a)
            return cm_json_fail(err, doc, second, cm_json_field(field, sizeof field, ctx, k[2]),
                                "needs 0 < median_s < p99_s");
        double mu = log(l->a);
        l->b = (log(l->b) - mu) / Z_P99;
        l->a = mu;
    }
    return 0;
}

int mock_parse_latency(const cm_json *doc, const cJSON *obj, const char *ctx, mock_latency *out,
                       cm_err *err)
{
    static const char *const kinds[] = {"fixed", "uniform", "normal", "lognormal", NULL};
    int kind = 0;
    if (!cJSON_IsObject(obj))
        return cm_json_fail(err, doc, obj, ctx, "must be an object");
    if (cm_json_get_enum(doc, obj, ctx, "kind", true, kinds, &kind, err) != 0)
        return -1;
    *out = (mock_latency){.kind = (mock_latency_kind)kind};
    return parse_latency_kind(doc, obj, ctx, out, err);
}

static int parse_model(const cm_json *doc, const cJSON *o, const char *ctx, mock_provider_def *p,
                       cm_err *err)
{
    static const char *const keys[] = {"name", "latency", "output_tokens", "stream", NULL};
    mock_model_def *m = &p->models[p->nmodels];
    *m = (mock_model_def){
        .latency = {.kind = MOCK_LAT_FIXED}, .output_tokens = 16, .stream = {.tokens_per_s = 50}};
    const cJSON *lat, *st;
    char field[160];
    if (cm_json_check_keys(doc, o, ctx, keys, err) != 0 ||
        cm_json_get_string(doc, o, ctx, "name", true, 200, &m->name, err) != 0 ||
        cm_json_get_int(doc, o, ctx, "output_tokens", false, 0, 1000000, &m->output_tokens, err) !=
            0 ||
        cm_json_get_object(doc, o, ctx, "latency", false, &lat, err) != 0 ||
        cm_json_get_object(doc, o, ctx, "stream", false, &st, err) != 0)
        return -1;
    if (st && mock_parse_model_stream(doc, st, cm_json_field(field, sizeof field, ctx, "stream"),
                                      &m->stream, err) != 0)
        return -1;
    if (lat && mock_parse_latency(doc, lat, cm_json_field(field, sizeof field, ctx, "latency"),
                                  &m->latency, err) != 0)
        return -1;
    if (mock_provider_model_find(p, m->name) >= 0)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(o, "name"),
                            cm_json_field(field, sizeof field, ctx, "name"),
                            "model \"%s\" is listed twice", m->name);
    p->nmodels++;
    return 0;
}

static int parse_models(const cm_json *doc, const cJSON *prov, const char *ctx,
                        mock_provider_def *p, cm_err *err)
{
    const cJSON *arr;
    char field[160];
    if (cm_json_get_array(doc, prov, ctx, "models", true, 1, MOCK_MAX_MODELS, &arr, err) != 0)
        return -1;
    int i = 0;
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        snprintf(field, sizeof field, "%s.models[%d]", ctx, i);
        if (parse_model(doc, c, field, p, err) != 0)
            return -1;
    }
    return 0;
}

/* A request holds at most MOCK_MAX_CONCURRENCY slots: the provider's
 * concurrency windows, its tiers' included, are at most that many. */
static int check_concurrency(const cm_json *doc, const cJSON *obj, const char *ctx,
                             const mock_provider_def *p, cm_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nwindows; i++)
        n += p->windows[i].algo == MOCK_ALGO_CONCURRENCY;
    for (size_t t = 0; t < p->ntiers; t++)
        for (size_t i = 0; i < p->tiers[t].nwindows; i++)
            n += p->tiers[t].windows[i].algo == MOCK_ALGO_CONCURRENCY;
    if (n > MOCK_MAX_CONCURRENCY)
        return cm_json_fail(err, doc, obj, ctx,
                            "more than %d \"concurrency\" windows (tiers included)",
                            MOCK_MAX_CONCURRENCY);
    return 0;
}

/* limit_headers, plain_reset, error_style, invalid_key_status,
 * request_id_header and _prefix. */
static int parse_answers(const cm_json *doc, const cJSON *obj, const char *ctx,
                         mock_provider_def *p, cm_err *err)
{
    static const char *const styles[] = {"openai",     "anthropic", "moonshot",
                                         "openrouter", "gemini",    NULL};
    static const char *const limits[] = {"openai", "anthropic", "plain", "none", NULL};
    static const char *const resets[] = {"unix_ms", "unix", "seconds", NULL};
    static const char *const whens[] = {"always", "refused", NULL};
    int style = -1, limit = p->shape == MOCK_SHAPE_ANTHROPIC ? 1 : 0, reset = 0, when = 0;
    int64_t status = 401;
    char field[160];
    if (cm_json_get_enum(doc, obj, ctx, "error_style", false, styles, &style, err) != 0 ||
        cm_json_get_enum(doc, obj, ctx, "limit_headers", false, limits, &limit, err) != 0 ||
        cm_json_get_enum(doc, obj, ctx, "plain_reset", false, resets, &reset, err) != 0 ||
        cm_json_get_enum(doc, obj, ctx, "limit_headers_when", false, whens, &when, err) != 0 ||
        cm_json_get_int(doc, obj, ctx, "invalid_key_status", false, 400, 499, &status, err) != 0 ||
        cm_json_get_string(doc, obj, ctx, "request_id_header", false, 47, &p->request_id_header,
                           err) != 0 ||
        cm_json_get_string(doc, obj, ctx, "request_id_prefix", false, 16, &p->request_id_prefix,
                           err) != 0)
        return -1;
    p->error_style = style >= 0                         ? (mock_error_style)(style + 1)
                     : p->shape == MOCK_SHAPE_ANTHROPIC ? MOCK_ERRORS_ANTHROPIC
                                                        : MOCK_ERRORS_OPENAI;
    p->invalid_key_status = (int)status;
    p->limit_style = (mock_limit_style)limit;
    p->plain_reset = (mock_plain_reset)reset;
    p->limits_on_refusals = when == 1;
    if (p->request_id_prefix && !p->request_id_header)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(obj, "request_id_prefix"),
                            cm_json_field(field, sizeof field, ctx, "request_id_prefix"),
                            "needs request_id_header");
    if (p->request_id_header && (strpbrk(p->request_id_header, ":\r\n ") ||
                                 strcasecmp(p->request_id_header, "Content-Type") == 0 ||
                                 strcasecmp(p->request_id_header, "Content-Length") == 0))
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(obj, "request_id_header"),
                            cm_json_field(field, sizeof field, ctx, "request_id_header"),
                            "not a header name the mockserver can send");
    if (p->request_id_prefix && strpbrk(p->request_id_prefix, "\r\n"))
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(obj, "request_id_prefix"),
                            cm_json_field(field, sizeof field, ctx, "request_id_prefix"),
                            "must be on one line");
    if (!p->request_id_prefix)
        p->request_id_prefix = "req_";
    return 0;
}

int mock_parse_provider(const cm_json *doc, const cJSON *obj, const char *ctx, mock_provider_def *p,
                        cm_err *err)
{
    return mock_parse_provider_as(doc, obj, ctx, NULL, p, err);
}

/* "name": required and checked, or absent and `fixed` (a profile's provider). */
static int parse_name(const cm_json *doc, const cJSON *obj, const char *ctx, const char *fixed,
                      mock_provider_def *p, cm_err *err)
{
    char field[160];
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
    if (fixed) {
        p->name = fixed;
        if (name)
            return cm_json_fail(err, doc, name, cm_json_field(field, sizeof field, ctx, "name"),
                                "a profile's provider is named by the scenario that uses it");
        return 0;
    }
    if (cm_json_get_string(doc, obj, ctx, "name", true, MOCK_NAME_MAX, &p->name, err) != 0)
        return -1;
    return check_path_name(doc, name, cm_json_field(field, sizeof field, ctx, "name"), p->name,
                           err);
}

int mock_parse_provider_as(const cm_json *doc, const cJSON *obj, const char *ctx,
                           const char *fixed_name, mock_provider_def *p, cm_err *err)
{
    static const char *const shapes[] = {"openai", "anthropic", NULL};
    static const char *const forms[] = {"seconds",        "http_date", "ms", "none",
                                        "seconds_and_ms", "x_ms",      NULL};
    memset(p, 0, sizeof *p);
    p->tier = -1;
    int shape = 0, form = 0;
    bool ietf = false;
    char field[160];
    const cJSON *wins;
    if (cm_json_check_keys(doc, obj, ctx, provider_keys, err) != 0 ||
        parse_name(doc, obj, ctx, fixed_name, p, err) != 0 ||
        cm_json_get_enum(doc, obj, ctx, "shape", true, shapes, &shape, err) != 0 ||
        cm_json_get_enum(doc, obj, ctx, "retry_after", false, forms, &form, err) != 0 ||
        cm_json_get_bool(doc, obj, ctx, "ietf_headers", false, &ietf, err) != 0 ||
        parse_keys(doc, obj, ctx, p, err) != 0 || parse_orgs(doc, obj, ctx, p, err) != 0 ||
        parse_models(doc, obj, ctx, p, err) != 0 ||
        cm_json_get_array(doc, obj, ctx, "windows", false, 0, MOCK_MAX_WINDOWS, &wins, err) != 0)
        return -1;
    p->shape = (mock_shape)shape;
    p->ra_form = (mock_ra_form)form;
    p->ietf_headers = ietf;
    if (parse_answers(doc, obj, ctx, p, err) != 0)
        return -1;
    if (wins && mock_parse_windows(doc, wins, cm_json_field(field, sizeof field, ctx, "windows"), p,
                                   p->windows, &p->nwindows, err) != 0)
        return -1;
    if (mock_parse_tiers(doc, obj, ctx, p, err) != 0 ||
        mock_parse_rules(doc, obj, ctx, p, err) != 0)
        return -1;
    return check_concurrency(doc, obj, ctx, p, err);
}
