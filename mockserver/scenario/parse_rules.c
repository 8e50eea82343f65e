/* scenario_rules.c: parses what makes a provider answer other than 200: rate
 * windows, tiers, and the scripts, phases and faults that share one "answer"
 * object (status, fault, Retry-After, error, extra headers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mockserver/scenario/internal.h"
#include "mockserver/scenario/parse.h"

#define ANSWER_KEYS                                                                                \
    "status", "fault", "slow_body_s", "retry_after_s", "retry_after", "escalate_factor",           \
        "escalate_cap_s", "latency_s", "error_type", "error_message", "error_code", "headers",     \
        "stream_fault"

static const char *const window_keys[] = {
    "name",       "scope",      "algorithm",     "unit",        "limit",
    "period_s",   "model",      "models",        "report",      "day_offset_h",
    "error_type", "error_code", "error_message", "retry_after", NULL};
static const char *const step_keys[] = {ANSWER_KEYS, "times", "forever", "pass", NULL};
static const char *const phase_keys[] = {ANSWER_KEYS, "from_s", "to_s", "model", "tier", NULL};
static const char *const fault_keys[] = {ANSWER_KEYS, "probability", "model", "key", NULL};
static const char *const script_keys[] = {"model", "key", "per_key", "repeat", "steps", NULL};

static const char *const model_ref_msg = "is not a model of this provider";

/* Optional "model" member that must name a model of p. */
static int get_model_ref(const cm_json *doc, const cJSON *o, const char *ctx,
                         const mock_provider_def *p, const char **out, cm_err *err)
{
    char field[200];
    *out = NULL;
    if (cm_json_get_string(doc, o, ctx, "model", false, 200, out, err) != 0)
        return -1;
    if (*out && mock_provider_model_find(p, *out) < 0)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(o, "model"),
                            cm_json_field(field, sizeof field, ctx, "model"), "\"%s\" %s", *out,
                            model_ref_msg);
    return 0;
}

/* Optional "key" member that must name a key of p. */
static int get_key_ref(const cm_json *doc, const cJSON *o, const char *ctx,
                       const mock_provider_def *p, const char **out, cm_err *err)
{
    char field[200];
    *out = NULL;
    if (cm_json_get_string(doc, o, ctx, "key", false, MOCK_NAME_MAX, out, err) != 0)
        return -1;
    if (*out && mock_provider_key_by_name(p, *out) < 0)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(o, "key"),
                            cm_json_field(field, sizeof field, ctx, "key"),
                            "\"%s\" is not a key name of this provider", *out);
    return 0;
}

/* "models": ["a", "b"]: the models (of p) whose requests a window counts, as
 * a bit mask of their indices. */
static int parse_window_models(const cm_json *doc, const cJSON *o, const char *ctx,
                               const mock_provider_def *p, mock_window_def *w, cm_err *err)
{
    const cJSON *arr;
    char field[200];
    if (cm_json_get_array(doc, o, ctx, "models", false, 1, MOCK_MAX_MODELS, &arr, err) != 0)
        return -1;
    cm_json_field(field, sizeof field, ctx, "models");
    for (const cJSON *m = arr ? arr->child : NULL; m; m = m->next) {
        int i = cJSON_IsString(m) ? mock_provider_model_find(p, m->valuestring) : -1;
        if (i < 0)
            return cm_json_fail(err, doc, m, field, "\"%s\" %s",
                                cJSON_IsString(m) ? m->valuestring : "?", model_ref_msg);
        w->models |= UINT64_C(1) << i;
    }
    if (w->scope == MOCK_SCOPE_GROUP && !w->models)
        return cm_json_fail(err, doc, o, ctx, "scope \"group\" needs \"models\"");
    return 0;
}

/* What a refusal of the window says: error type, code, message, Retry-After form. */
static int parse_window_answer(const cm_json *doc, const cJSON *o, const char *ctx,
                               mock_window_def *w, cm_err *err)
{
    static const char *const forms[] = {"seconds",        "http_date", "ms", "none",
                                        "seconds_and_ms", "x_ms",      NULL};
    int form = MOCK_RA_DEFAULT;
    if (cm_json_get_string(doc, o, ctx, "error_type", false, 47, &w->error_type, err) != 0 ||
        cm_json_get_string(doc, o, ctx, "error_code", false, 47, &w->error_code, err) != 0 ||
        cm_json_get_string(doc, o, ctx, "error_message", false, 199, &w->error_message, err) != 0 ||
        cm_json_get_enum(doc, o, ctx, "retry_after", false, forms, &form, err) != 0)
        return -1;
    w->ra_form = (mock_ra_form)form;
    return 0;
}

/* period_s: required by the time windows, refused by "concurrency" and "day". */
static int parse_window_period(const cm_json *doc, const cJSON *o, const char *ctx,
                               mock_window_def *w, cm_err *err)
{
    char field[200];
    double period_s = 0, offset_h = 0;
    bool timed = w->algo != MOCK_ALGO_CONCURRENCY && w->algo != MOCK_ALGO_DAY;
    const cJSON *period = cJSON_GetObjectItemCaseSensitive(o, "period_s");
    if (!timed && period)
        return cm_json_fail(err, doc, period, cm_json_field(field, sizeof field, ctx, "period_s"),
                            "a \"%s\" window has no period_s",
                            w->algo == MOCK_ALGO_DAY ? "day" : "concurrency");
    const cJSON *offset = cJSON_GetObjectItemCaseSensitive(o, "day_offset_h");
    if (offset && w->algo != MOCK_ALGO_DAY)
        return cm_json_fail(err, doc, offset,
                            cm_json_field(field, sizeof field, ctx, "day_offset_h"),
                            "only a \"day\" window has day_offset_h");
    if ((timed &&
         cm_json_get_number(doc, o, ctx, "period_s", true, 0.001, 31622400, &period_s, err) != 0) ||
        cm_json_get_number(doc, o, ctx, "day_offset_h", false, -24, 24, &offset_h, err) != 0)
        return -1;
    w->period = w->algo == MOCK_ALGO_DAY ? 86400 * CM_US_PER_S : cm_us_from_s(period_s);
    w->day_offset = cm_us_from_s(offset_h * 3600);
    if (w->algo == MOCK_ALGO_CONCURRENCY && w->unit != MOCK_UNIT_REQUESTS)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(o, "unit"),
                            cm_json_field(field, sizeof field, ctx, "unit"),
                            "a \"concurrency\" window counts requests");
    return 0;
}

static int parse_window(const cm_json *doc, const cJSON *o, const char *ctx,
                        const mock_provider_def *p, mock_window_def *w, cm_err *err)
{
    static const char *const scopes[] = {"key",   "organisation",       "model", "provider",
                                         "group", "organisation_model", NULL};
    static const char *const algos[] = {"fixed",       "sliding", "token_bucket",
                                        "concurrency", "day",     NULL};
    static const char *const units[] = {"requests", "tokens", "input_tokens", "output_tokens",
                                        NULL};
    int scope = 0, algo = 0, unit = 0;
    *w = (mock_window_def){.report = true};
    if (cm_json_check_keys(doc, o, ctx, window_keys, err) != 0 ||
        cm_json_get_string(doc, o, ctx, "name", false, MOCK_NAME_MAX, &w->name, err) != 0 ||
        cm_json_get_enum(doc, o, ctx, "scope", false, scopes, &scope, err) != 0 ||
        cm_json_get_enum(doc, o, ctx, "algorithm", false, algos, &algo, err) != 0 ||
        cm_json_get_enum(doc, o, ctx, "unit", false, units, &unit, err) != 0 ||
        cm_json_get_int(doc, o, ctx, "limit", true, 1, INT64_C(1000000000000), &w->limit, err) !=
            0 ||
        cm_json_get_bool(doc, o, ctx, "report", false, &w->report, err) != 0 ||
        get_model_ref(doc, o, ctx, p, &w->model, err) != 0)
        return -1;
    w->scope = (mock_scope)scope;
    w->algo = (mock_algo)algo;
    w->unit = (mock_unit)unit;
    if (parse_window_period(doc, o, ctx, w, err) != 0 ||
        parse_window_models(doc, o, ctx, p, w, err) != 0 ||
        parse_window_answer(doc, o, ctx, w, err) != 0)
        return -1;
    if (w->algo == MOCK_ALGO_SLIDING && w->unit == MOCK_UNIT_REQUESTS && w->limit > 1000000) {
        char field[200];
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(o, "limit"),
                            cm_json_field(field, sizeof field, ctx, "limit"),
                            "a sliding request window holds at most 1000000 requests");
    }
    return 0;
}

int mock_parse_windows(const cm_json *doc, const cJSON *arr, const char *ctx,
                       const mock_provider_def *p, mock_window_def *out, size_t *n, cm_err *err)
{
    char field[200];
    *n = 0;
    if (!cJSON_IsArray(arr))
        return cm_json_fail(err, doc, arr, ctx, "must be an array");
    for (const cJSON *c = arr->child; c; c = c->next) {
        if (*n == MOCK_MAX_WINDOWS)
            return cm_json_fail(err, doc, c, ctx, "more than %d windows", MOCK_MAX_WINDOWS);
        snprintf(field, sizeof field, "%s[%zu]", ctx, *n);
        if (parse_window(doc, c, field, p, &out[*n], err) != 0)
            return -1;
        (*n)++;
    }
    return 0;
}

/* Headers the HTTP front writes for every answer: a scenario's copy would go
 * out beside them (two Content-Type lines) or be dropped by libmicrohttpd. */
static bool framing_header(const char *name)
{
    static const char *const own[] = {"Content-Type", "Content-Length", "Transfer-Encoding",
                                      "Connection", NULL};
    for (size_t i = 0; own[i]; i++)
        if (strcasecmp(name, own[i]) == 0)
            return true;
    return false;
}

int mock_parse_headers(const cm_json *doc, const cJSON *obj, const char *ctx,
                       mock_extra_header *out, size_t *n, cm_err *err)
{
    char field[200];
    *n = 0;
    if (!cJSON_IsObject(obj))
        return cm_json_fail(err, doc, obj, ctx, "must be an object of header names to values");
    for (const cJSON *h = obj->child; h; h = h->next) {
        cm_json_field(field, sizeof field, ctx, h->string);
        if (*n == MOCK_MAX_EXTRA_HEADERS)
            return cm_json_fail(err, doc, h, ctx, "more than %d headers", MOCK_MAX_EXTRA_HEADERS);
        size_t len = strlen(h->string);
        if (len == 0 || len >= sizeof(((mock_header *)0)->name) || strpbrk(h->string, ":\r\n "))
            return cm_json_fail(err, doc, h, field, "not a valid header name (1 to 47 characters)");
        if (framing_header(h->string))
            return cm_json_fail(err, doc, h, field,
                                "is the mockserver's own (it frames every answer itself)");
        if (!cJSON_IsString(h) || strlen(h->valuestring) >= sizeof(((mock_header *)0)->value) ||
            strpbrk(h->valuestring, "\r\n"))
            return cm_json_fail(err, doc, h, field,
                                "must be a string of at most 111 characters on one line");
        out[(*n)++] = (mock_extra_header){h->string, h->valuestring};
    }
    return 0;
}

static int parse_tier(const cm_json *doc, const cJSON *o, const char *ctx,
                      const mock_provider_def *p, mock_tier_def *t, cm_err *err)
{
    static const char *const keys[] = {"windows", "headers", NULL};
    const cJSON *wins, *hdrs;
    char field[200];
    t->name = o->string;
    if (cm_json_check_keys(doc, o, ctx, keys, err) != 0 ||
        cm_json_get_array(doc, o, ctx, "windows", false, 0, MOCK_MAX_WINDOWS, &wins, err) != 0 ||
        cm_json_get_object(doc, o, ctx, "headers", false, &hdrs, err) != 0)
        return -1;
    if (wins && mock_parse_windows(doc, wins, cm_json_field(field, sizeof field, ctx, "windows"), p,
                                   t->windows, &t->nwindows, err) != 0)
        return -1;
    if (hdrs && mock_parse_headers(doc, hdrs, cm_json_field(field, sizeof field, ctx, "headers"),
                                   t->headers, &t->nheaders, err) != 0)
        return -1;
    return 0;
}

int mock_parse_tiers(const cm_json *doc, const cJSON *prov, const char *ctx, mock_provider_def *p,
                     cm_err *err)
{
    const cJSON *o;
    const char *start = NULL;
    char field[200];
    if (cm_json_get_object(doc, prov, ctx, "tiers", false, &o, err) != 0 ||
        cm_json_get_string(doc, prov, ctx, "tier", false, MOCK_NAME_MAX, &start, err) != 0)
        return -1;
    size_t n = o ? (size_t)cJSON_GetArraySize(o) : 0;
    if (n > MOCK_MAX_TIERS)
        return cm_json_fail(err, doc, o, cm_json_field(field, sizeof field, ctx, "tiers"),
                            "more than %d tiers", MOCK_MAX_TIERS);
    if (n && !(p->tiers = calloc(n, sizeof *p->tiers)))
        return cm_json_fail(err, doc, o, ctx, "out of memory");
    char tiers[200];
    cm_json_field(tiers, sizeof tiers, ctx, "tiers");
    for (const cJSON *t = o ? o->child : NULL; t; t = t->next) {
        cm_json_field(field, sizeof field, tiers, t->string);
        if (mock_provider_tier_find(p, t->string) >= 0)
            return cm_json_fail(err, doc, t, field, "duplicate tier");
        if (parse_tier(doc, t, field, p, &p->tiers[p->ntiers], err) != 0)
            return -1;
        p->ntiers++;
    }
    p->tier = start ? mock_provider_tier_find(p, start) : (p->ntiers ? 0 : -1);
    if (start && p->tier < 0)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(prov, "tier"),
                            cm_json_field(field, sizeof field, ctx, "tier"),
                            "\"%s\" is not one of this provider's tiers", start);
    return 0;
}

static int parse_answer_delays(const cm_json *doc, const cJSON *o, const char *ctx, mock_answer *a,
                               cm_err *err)
{
    double slow = 0, lat = -1;
    a->retry_after_s = -1;
    a->escalate_factor = 1;
    a->escalate_cap_s = 31622400;
    if (cm_json_get_number(doc, o, ctx, "slow_body_s", false, 0, 86400, &slow, err) != 0 ||
        cm_json_get_number(doc, o, ctx, "retry_after_s", false, 0, 31622400, &a->retry_after_s,
                           err) != 0 ||
        cm_json_get_number(doc, o, ctx, "escalate_factor", false, 1, 1000, &a->escalate_factor,
                           err) != 0 ||
        cm_json_get_number(doc, o, ctx, "escalate_cap_s", false, 0, 31622400, &a->escalate_cap_s,
                           err) != 0 ||
        cm_json_get_number(doc, o, ctx, "latency_s", false, 0, 86400, &lat, err) != 0)
        return -1;
    a->slow_body = cm_us_from_s(slow);
    a->has_retry_after = a->retry_after_s >= 0;
    a->has_latency = lat >= 0;
    a->latency = a->has_latency ? cm_us_from_s(lat) : 0;
    return 0;
}

/* The answer members of o (steps, phases and faults share them). */
static int parse_answer(const cm_json *doc, const cJSON *o, const char *ctx, mock_answer *a,
                        cm_err *err)
{
    static const char *const faults[] = {"none", "hang", "reset", "truncate", "slow_body", NULL};
    static const char *const forms[] = {"seconds",        "http_date", "ms", "none",
                                        "seconds_and_ms", "x_ms",      NULL};
    int64_t status = 0;
    int fault = 0, form = MOCK_RA_DEFAULT;
    const cJSON *hdrs;
    char field[200];
    memset(a, 0, sizeof *a);
    if (cm_json_get_int(doc, o, ctx, "status", false, 100, 599, &status, err) != 0 ||
        cm_json_get_enum(doc, o, ctx, "fault", false, faults, &fault, err) != 0 ||
        cm_json_get_enum(doc, o, ctx, "retry_after", false, forms, &form, err) != 0 ||
        parse_answer_delays(doc, o, ctx, a, err) != 0 ||
        cm_json_get_string(doc, o, ctx, "error_type", false, 47, &a->error_type, err) != 0 ||
        cm_json_get_string(doc, o, ctx, "error_message", false, 199, &a->error_message, err) != 0 ||
        cm_json_get_string(doc, o, ctx, "error_code", false, 47, &a->error_code, err) != 0 ||
        cm_json_get_object(doc, o, ctx, "headers", false, &hdrs, err) != 0)
        return -1;
    if (hdrs && mock_parse_headers(doc, hdrs, cm_json_field(field, sizeof field, ctx, "headers"),
                                   a->headers, &a->nheaders, err) != 0)
        return -1;
    const cJSON *sf;
    if (cm_json_get_object(doc, o, ctx, "stream_fault", false, &sf, err) != 0 ||
        (sf && mock_parse_stream_fault(
                   doc, sf, cm_json_field(field, sizeof field, ctx, "stream_fault"), a, err) != 0))
        return -1;
    if (sf && ((status && (status < 200 || status > 299)) || fault))
        return cm_json_fail(err, doc, sf, cm_json_field(field, sizeof field, ctx, "stream_fault"),
                            "a stream fault happens inside a 2xx answer: no \"status\" other "
                            "than 2xx, no \"fault\"");
    a->fault = (mock_fault)fault;
    a->ra_form = (mock_ra_form)form;
    a->status = status ? (int)status : 200;
    if (fault == MOCK_FAULT_SLOW_BODY && a->slow_body <= 0)
        return cm_json_fail(err, doc, o, ctx, "fault \"slow_body\" needs slow_body_s > 0");
    return status || fault || sf ? 1 : 0;
}

static int parse_step(const cm_json *doc, const cJSON *o, const char *ctx, mock_step *s,
                      cm_err *err)
{
    bool pass = false;
    s->times = 1;
    if (cm_json_check_keys(doc, o, ctx, step_keys, err) != 0)
        return -1;
    int has = parse_answer(doc, o, ctx, &s->answer, err);
    if (has < 0 ||
        cm_json_get_int(doc, o, ctx, "times", false, 1, INT64_C(1000000000), &s->times, err) != 0 ||
        cm_json_get_bool(doc, o, ctx, "forever", false, &s->forever, err) != 0 ||
        cm_json_get_bool(doc, o, ctx, "pass", false, &pass, err) != 0)
        return -1;
    if (has == pass)
        return cm_json_fail(err, doc, o, ctx,
                            has ? "a step with \"pass\" cannot also set a "
                                  "status or fault"
                                : "a step needs \"status\", \"fault\", "
                                  "\"stream_fault\" or \"pass\": true");
    s->answer.pass = pass;
    return 0;
}

static int parse_script(const cm_json *doc, const cJSON *o, const char *ctx,
                        const mock_provider_def *p, mock_script_def *s, cm_err *err)
{
    const cJSON *arr;
    char field[200];
    if (cm_json_check_keys(doc, o, ctx, script_keys, err) != 0 ||
        get_model_ref(doc, o, ctx, p, &s->model, err) != 0 ||
        get_key_ref(doc, o, ctx, p, &s->key, err) != 0 ||
        cm_json_get_bool(doc, o, ctx, "per_key", false, &s->per_key, err) != 0 ||
        cm_json_get_bool(doc, o, ctx, "repeat", false, &s->repeat, err) != 0 ||
        cm_json_get_array(doc, o, ctx, "steps", true, 1, MOCK_MAX_STEPS, &arr, err) != 0)
        return -1;
    s->steps = calloc((size_t)cJSON_GetArraySize(arr), sizeof *s->steps);
    if (!s->steps)
        return cm_json_fail(err, doc, arr, ctx, "out of memory");
    for (const cJSON *c = arr->child; c; c = c->next) {
        snprintf(field, sizeof field, "%s.steps[%zu]", ctx, s->nsteps);
        if (parse_step(doc, c, field, &s->steps[s->nsteps], err) != 0)
            return -1;
        if (s->nsteps > 0 && s->steps[s->nsteps - 1].forever)
            return cm_json_fail(err, doc, c, field, "follows a step that lasts forever");
        s->nsteps++;
    }
    return 0;
}

static int parse_phase(const cm_json *doc, const cJSON *o, const char *ctx,
                       const mock_provider_def *p, mock_phase_def *ph, cm_err *err)
{
    double from = 0, to = 0;
    const char *tier = NULL;
    char field[200];
    if (cm_json_check_keys(doc, o, ctx, phase_keys, err) != 0 ||
        cm_json_get_number(doc, o, ctx, "from_s", true, 0, 3.15e9, &from, err) != 0 ||
        cm_json_get_number(doc, o, ctx, "to_s", true, 0, 3.15e9, &to, err) != 0 ||
        get_model_ref(doc, o, ctx, p, &ph->model, err) != 0 ||
        cm_json_get_string(doc, o, ctx, "tier", false, MOCK_NAME_MAX, &tier, err) != 0)
        return -1;
    int has = parse_answer(doc, o, ctx, &ph->answer, err);
    if (has < 0)
        return -1;
    if (to <= from)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(o, "to_s"),
                            cm_json_field(field, sizeof field, ctx, "to_s"),
                            "must be after from_s");
    ph->from = cm_us_from_s(from);
    ph->to = cm_us_from_s(to);
    ph->has_answer = has;
    ph->tier = tier ? mock_provider_tier_find(p, tier) : -1;
    if (tier && ph->tier < 0)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(o, "tier"),
                            cm_json_field(field, sizeof field, ctx, "tier"),
                            "\"%s\" is not one of this provider's tiers", tier);
    if (!has && !tier)
        return cm_json_fail(err, doc, o, ctx,
                            "a phase needs \"status\", \"fault\", \"stream_fault\" or \"tier\"");
    return 0;
}

static int parse_fault(const cm_json *doc, const cJSON *o, const char *ctx,
                       const mock_provider_def *p, mock_fault_def *f, cm_err *err)
{
    if (cm_json_check_keys(doc, o, ctx, fault_keys, err) != 0 ||
        cm_json_get_number(doc, o, ctx, "probability", true, 0, 1, &f->probability, err) != 0 ||
        get_model_ref(doc, o, ctx, p, &f->model, err) != 0 ||
        get_key_ref(doc, o, ctx, p, &f->key, err) != 0)
        return -1;
    int has = parse_answer(doc, o, ctx, &f->answer, err);
    if (has < 0)
        return -1;
    if (!has)
        return cm_json_fail(err, doc, o, ctx,
                            "a fault needs \"status\", \"fault\" or \"stream_fault\"");
    return 0;
}

typedef int (*rule_parser)(const cm_json *doc, const cJSON *o, const char *ctx,
                           const mock_provider_def *p, void *item, cm_err *err);

static int parse_list(const cm_json *doc, const cJSON *prov, const char *ctx, const char *key,
                      const mock_provider_def *p, rule_parser fn, void *items, size_t size,
                      size_t *n, cm_err *err)
{
    const cJSON *arr;
    char field[200];
    if (cm_json_get_array(doc, prov, ctx, key, false, 0, MOCK_MAX_RULES, &arr, err) != 0)
        return -1;
    for (const cJSON *c = arr ? arr->child : NULL; c; c = c->next) {
        snprintf(field, sizeof field, "%s.%s[%zu]", ctx, key, *n);
        if (fn(doc, c, field, p, (char *)items + *n * size, err) != 0)
            return -1;
        (*n)++;
    }
    return 0;
}

static int script_fn(const cm_json *d, const cJSON *o, const char *c, const mock_provider_def *p,
                     void *it, cm_err *e)
{
    return parse_script(d, o, c, p, it, e);
}
static int phase_fn(const cm_json *d, const cJSON *o, const char *c, const mock_provider_def *p,
                    void *it, cm_err *e)
{
    return parse_phase(d, o, c, p, it, e);
}
static int fault_fn(const cm_json *d, const cJSON *o, const char *c, const mock_provider_def *p,
                    void *it, cm_err *e)
{
    return parse_fault(d, o, c, p, it, e);
}

int mock_parse_rules(const cm_json *doc, const cJSON *prov, const char *ctx, mock_provider_def *p,
                     cm_err *err)
{
    /* nscripts counts a script as soon as its steps exist so that a failure
     * half-way still frees them. */
    if (parse_list(doc, prov, ctx, "scripts", p, script_fn, p->scripts, sizeof p->scripts[0],
                   &p->nscripts, err) != 0) {
        if (p->nscripts < MOCK_MAX_RULES && p->scripts[p->nscripts].steps)
            p->nscripts++;
        return -1;
    }
    return parse_list(doc, prov, ctx, "phases", p, phase_fn, p->phases, sizeof p->phases[0],
                      &p->nphases, err) ||
                   parse_list(doc, prov, ctx, "faults", p, fault_fn, p->faults, sizeof p->faults[0],
                              &p->nfaults, err)
               ? -1
               : 0;
}
