/* expect.c: parses and validates the "expect" object into a cm_expect. */
#include "common/expect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG_TASK INT64_C(100000000)
#define BIG_SECONDS 1e9

/* Copies a validated string into a fixed buffer (length already checked). */
static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* Calls parse_one on `node` when it is an object, or on each item when it is an
 * array (1..CM_EXPECT_MAX_LIST items); *items is calloc'd with the count. */
typedef int (*parse_item_fn)(const cm_json *doc, const cJSON *obj, const char *ctx, void *item,
                             cm_err *err);

static int parse_list(const cm_json *doc, const cJSON *parent, const char *ctx, const char *key,
                      size_t item_size, parse_item_fn parse_one, void **items, size_t *count,
                      cm_err *err)
{
    char field[256], sub[280];
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(parent, key);
    cm_json_field(field, sizeof field, ctx, key);
    if (!n)
        return 0;
    bool is_array = cJSON_IsArray(n);
    if (!is_array && !cJSON_IsObject(n))
        return cm_json_fail(err, doc, n, field, "must be an object or an array of objects");
    size_t total = is_array ? (size_t)cJSON_GetArraySize(n) : 1;
    if (total < 1 || total > CM_EXPECT_MAX_LIST)
        return cm_json_fail(err, doc, n, field, "must have 1 to %d items (has %zu)",
                            CM_EXPECT_MAX_LIST, total);
    char *v = calloc(total, item_size);
    if (!v)
        return cm_json_fail(err, doc, n, field, "out of memory");
    *items = v;
    const cJSON *it = is_array ? n->child : n;
    for (size_t i = 0; i < total; i++, it = it->next) {
        if (is_array)
            snprintf(sub, sizeof sub, "%s[%zu]", field, i);
        else
            snprintf(sub, sizeof sub, "%s", field);
        if (parse_one(doc, it, sub, v + i * item_size, err) != 0)
            return -1;
        *count = i + 1;
    }
    return 0;
}

static int parse_ladder(const cm_json *doc, const cJSON *obj, const char *ctx, void *item,
                        cm_err *err)
{
    static const char *const keys[] = {"task",  "waits_s", "tolerance", "abs_tolerance_s",
                                       "field", "prefix",  NULL};
    static const char *const fields[] = {"delay", "observed", NULL};
    cm_expect_ladder *l = item;
    l->abs_tolerance_s = 0.001;
    int field = CM_EXPECT_DELAY;
    const cJSON *waits;
    if (cm_json_check_keys(doc, obj, ctx, keys, err) ||
        cm_json_get_int(doc, obj, ctx, "task", true, 0, BIG_TASK, &l->task, err) ||
        cm_json_get_array(doc, obj, ctx, "waits_s", true, 1, CM_EXPECT_MAX_WAITS, &waits, err) ||
        cm_json_get_number(doc, obj, ctx, "tolerance", false, 0, 1, &l->tolerance, err) ||
        cm_json_get_number(doc, obj, ctx, "abs_tolerance_s", false, 0, BIG_SECONDS,
                           &l->abs_tolerance_s, err) ||
        cm_json_get_enum(doc, obj, ctx, "field", false, fields, &field, err) ||
        cm_json_get_bool(doc, obj, ctx, "prefix", false, &l->prefix, err))
        return -1;
    l->field = (cm_expect_field)field;
    char f[300];
    size_t i = 0;
    for (const cJSON *w = waits->child; w; w = w->next, i++) {
        if (!cJSON_IsNumber(w) || !(w->valuedouble >= 0) || w->valuedouble > BIG_SECONDS) {
            snprintf(f, sizeof f, "%s.waits_s[%zu]", ctx, i);
            return cm_json_fail(err, doc, w, f, "must be a number of seconds from 0 to %g",
                                BIG_SECONDS);
        }
        l->waits_s[i] = w->valuedouble;
    }
    l->n_waits = i;
    return 0;
}

static int parse_message(const cm_json *doc, const cJSON *obj, const char *ctx, void *item,
                         cm_err *err)
{
    static const char *const keys[] = {"task", "contains", NULL};
    cm_expect_message *m = item;
    const char *s = NULL;
    if (cm_json_check_keys(doc, obj, ctx, keys, err) ||
        cm_json_get_int(doc, obj, ctx, "task", true, 0, BIG_TASK, &m->task, err) ||
        cm_json_get_string(doc, obj, ctx, "contains", true, CM_EXPECT_TEXT_MAX - 1, &s, err))
        return -1;
    copy_text(m->contains, sizeof m->contains, s);
    return 0;
}

/* A "provider/model" name: one slash, text on both sides. */
static int check_candidate(const cm_json *doc, const cJSON *n, const char *field, cm_err *err)
{
    if (!cJSON_IsString(n) || !n->valuestring)
        return cm_json_fail(err, doc, n, field, "must be a string \"provider/model\"");
    const char *s = n->valuestring, *slash = strchr(s, '/');
    size_t len = strlen(s);
    if (len >= CM_EXPECT_NAME_MAX)
        return cm_json_fail(err, doc, n, field, "is too long (%zu characters, limit %d)", len,
                            CM_EXPECT_NAME_MAX - 1);
    if (!slash || slash == s || slash[1] == '\0')
        return cm_json_fail(err, doc, n, field, "\"%s\" is not of the form \"provider/model\"", s);
    return 0;
}

/* Reads an array of candidate names into names[max]; *count items. */
static int parse_names(const cm_json *doc, const cJSON *arr, const char *field,
                       char (*names)[CM_EXPECT_NAME_MAX], size_t *count, cm_err *err)
{
    char f[300];
    size_t i = 0;
    for (const cJSON *n = arr->child; n; n = n->next, i++) {
        snprintf(f, sizeof f, "%s[%zu]", field, i);
        if (check_candidate(doc, n, f, err) != 0)
            return -1;
        copy_text(names[i], CM_EXPECT_NAME_MAX, n->valuestring);
    }
    *count = i;
    return 0;
}

static int parse_rotation(const cm_json *doc, const cJSON *obj, const char *ctx, void *item,
                          cm_err *err)
{
    static const char *const keys[] = {"task", "candidates", "prefix", NULL};
    cm_expect_rotation *r = item;
    const cJSON *arr;
    char f[300];
    if (cm_json_check_keys(doc, obj, ctx, keys, err) ||
        cm_json_get_int(doc, obj, ctx, "task", true, 0, BIG_TASK, &r->task, err) ||
        cm_json_get_array(doc, obj, ctx, "candidates", true, 1, CM_EXPECT_MAX_CANDIDATES, &arr,
                          err) ||
        cm_json_get_bool(doc, obj, ctx, "prefix", false, &r->prefix, err))
        return -1;
    return parse_names(doc, arr, cm_json_field(f, sizeof f, ctx, "candidates"), r->candidates,
                       &r->n, err);
}

/* One candidate_requests item: {candidate, min, max}, at least one bound. */
static int parse_count(const cm_json *doc, const cJSON *obj, const char *ctx, void *item,
                       cm_err *err)
{
    static const char *const keys[] = {"candidate", "min", "max", NULL};
    cm_expect_count *c = item;
    char f[300];
    c->min = -1, c->max = -1;
    if (cm_json_check_keys(doc, obj, ctx, keys, err) ||
        cm_json_get_int(doc, obj, ctx, "min", false, 0, BIG_TASK, &c->min, err) ||
        cm_json_get_int(doc, obj, ctx, "max", false, 0, BIG_TASK, &c->max, err))
        return -1;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "candidate");
    cm_json_field(f, sizeof f, ctx, "candidate");
    if (!name)
        return cm_json_fail(err, doc, obj, f, "required field is missing (\"provider/model\")");
    if (check_candidate(doc, name, f, err) != 0)
        return -1;
    copy_text(c->candidate, sizeof c->candidate, name->valuestring);
    c->has_min = c->min >= 0;
    c->has_max = c->max >= 0;
    if (!c->has_min && !c->has_max)
        return cm_json_fail(err, doc, obj, ctx, "give min, max or both");
    if (c->has_min && c->has_max && c->min > c->max)
        return cm_json_fail(err, doc, obj, ctx, "min (%lld) is above max (%lld)", (long long)c->min,
                            (long long)c->max);
    return 0;
}

/* candidates_used / candidates_not_used: an owned array of names. */
static int parse_name_list(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                           char (**names)[CM_EXPECT_NAME_MAX], size_t *count, cm_err *err)
{
    const cJSON *arr;
    char f[300];
    if (cm_json_get_array(doc, obj, ctx, key, false, 1, CM_EXPECT_MAX_CANDIDATES, &arr, err))
        return -1;
    if (!arr)
        return 0;
    *names = calloc((size_t)cJSON_GetArraySize(arr), CM_EXPECT_NAME_MAX);
    cm_json_field(f, sizeof f, ctx, key);
    if (!*names)
        return cm_json_fail(err, doc, arr, f, "out of memory");
    return parse_names(doc, arr, f, *names, count, err);
}

static int parse_rate(const cm_json *doc, const cJSON *obj, const char *ctx, cm_expect *e,
                      cm_err *err)
{
    static const char *const keys[] = {"min", "max", "claimed", "source", NULL};
    char c[280];
    const cJSON *r;
    const char *src = NULL;
    if (cm_json_get_object(doc, obj, ctx, "success_rate", false, &r, err))
        return -1;
    if (!r)
        return 0;
    cm_json_field(c, sizeof c, ctx, "success_rate");
    e->rate_min = -1, e->rate_max = -1, e->rate_claimed = -1;
    if (cm_json_check_keys(doc, r, c, keys, err) ||
        cm_json_get_number(doc, r, c, "min", false, 0, 1, &e->rate_min, err) ||
        cm_json_get_number(doc, r, c, "max", false, 0, 1, &e->rate_max, err) ||
        cm_json_get_number(doc, r, c, "claimed", false, 0, 1, &e->rate_claimed, err) ||
        cm_json_get_string(doc, r, c, "source", false, CM_EXPECT_TEXT_MAX - 1, &src, err))
        return -1;
    e->has_rate_min = e->rate_min >= 0;
    e->has_rate_max = e->rate_max >= 0;
    e->has_rate_claimed = e->rate_claimed >= 0;
    copy_text(e->rate_source, sizeof e->rate_source, src);
    if (e->has_rate_min && e->has_rate_max && e->rate_min > e->rate_max)
        return cm_json_fail(err, doc, r, c, "min (%g) is above max (%g)", e->rate_min, e->rate_max);
    return 0;
}

/* max_attempts and its alias max_attempts_per_task. */
static int parse_attempts(const cm_json *doc, const cJSON *obj, const char *ctx, cm_expect *e,
                          cm_err *err)
{
    int64_t a = -1, b = -1;
    if (cm_json_get_int(doc, obj, ctx, "max_attempts", false, 1, BIG_TASK, &a, err) ||
        cm_json_get_int(doc, obj, ctx, "max_attempts_per_task", false, 1, BIG_TASK, &b, err))
        return -1;
    if (a > 0 && b > 0) {
        char f[280];
        return cm_json_fail(err, doc,
                            cJSON_GetObjectItemCaseSensitive(obj, "max_attempts_per_task"),
                            cm_json_field(f, sizeof f, ctx, "max_attempts_per_task"),
                            "is an alias of max_attempts: give only one of them");
    }
    e->has_max_attempts = a > 0 || b > 0;
    e->max_attempts = a > 0 ? a : b;
    return 0;
}

static int parse_limits(const cm_json *doc, const cJSON *obj, const char *ctx, cm_expect *e,
                        cm_err *err)
{
    double w = -1, c = -1, d = -1;
    if (parse_attempts(doc, obj, ctx, e, err) ||
        cm_json_get_number(doc, obj, ctx, "max_total_wait_s", false, 0, BIG_SECONDS, &w, err) ||
        cm_json_get_number(doc, obj, ctx, "max_calls_per_success", false, 1, BIG_SECONDS, &c,
                           err) ||
        cm_json_get_number(doc, obj, ctx, "max_task_duration_s", false, 0, BIG_SECONDS, &d, err))
        return -1;
    e->has_max_task_duration = d >= 0;
    e->max_task_duration_s = d;
    e->has_max_total_wait = w >= 0;
    e->max_total_wait_s = w;
    e->has_max_calls_per_success = c >= 0;
    e->max_calls_per_success = c;
    return 0;
}

/* One ttft item: {p, max_s}. */
static int parse_ttft_item(const cm_json *doc, const cJSON *obj, const char *ctx, void *item,
                           cm_err *err)
{
    static const char *const keys[] = {"p", "max_s", NULL};
    cm_expect_ttft *t = item;
    t->p = 99;
    if (cm_json_check_keys(doc, obj, ctx, keys, err) ||
        cm_json_get_number(doc, obj, ctx, "p", false, 0, 100, &t->p, err) ||
        cm_json_get_number(doc, obj, ctx, "max_s", true, 0, BIG_SECONDS, &t->max_s, err))
        return -1;
    if (!(t->p > 0)) {
        char f[300];
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(obj, "p"),
                            cm_json_field(f, sizeof f, ctx, "p"),
                            "must be a percentile above 0 and at most 100");
    }
    return 0;
}

/* ttft ({p, max_s} or a list), ttft_p99_max_s, max_resends_after_tokens. */
static int parse_streams(const cm_json *doc, const cJSON *obj, const char *ctx, cm_expect *e,
                         cm_err *err)
{
    void *items = NULL;
    size_t n = 0;
    double p99 = -1;
    int64_t resends = -1;
    int rc =
        parse_list(doc, obj, ctx, "ttft", sizeof(cm_expect_ttft), parse_ttft_item, &items, &n, err);
    if (rc == 0 && n > CM_EXPECT_MAX_TTFT - 1) {
        char f[280];
        rc = cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(obj, "ttft"),
                          cm_json_field(f, sizeof f, ctx, "ttft"), "at most %d bounds",
                          CM_EXPECT_MAX_TTFT - 1);
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        e->ttft[e->n_ttft++] = ((cm_expect_ttft *)items)[i];
    free(items);
    if (rc != 0 ||
        cm_json_get_number(doc, obj, ctx, "ttft_p99_max_s", false, 0, BIG_SECONDS, &p99, err) ||
        cm_json_get_int(doc, obj, ctx, "max_resends_after_tokens", false, 0, BIG_TASK, &resends,
                        err))
        return -1;
    if (p99 >= 0)
        e->ttft[e->n_ttft++] = (cm_expect_ttft){99, p99};
    e->has_max_resends_after_tokens = resends >= 0;
    e->max_resends_after_tokens = resends;
    return 0;
}

/* respects_retry_after: true, false, or {tolerance_s}. */
static int parse_respect(const cm_json *doc, const cJSON *obj, const char *ctx, cm_expect *e,
                         cm_err *err)
{
    static const char *const keys[] = {"tolerance_s", NULL};
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, "respects_retry_after");
    char f[280];
    cm_json_field(f, sizeof f, ctx, "respects_retry_after");
    e->retry_after_tolerance_s = 0.005;
    if (!n)
        return 0;
    if (cJSON_IsBool(n)) {
        e->has_respect_retry_after = cJSON_IsTrue(n);
        return 0;
    }
    if (!cJSON_IsObject(n))
        return cm_json_fail(err, doc, n, f, "must be true, false or {\"tolerance_s\": N}");
    e->has_respect_retry_after = true;
    return cm_json_check_keys(doc, n, f, keys, err) ||
                   cm_json_get_number(doc, n, f, "tolerance_s", false, 0, BIG_SECONDS,
                                      &e->retry_after_tolerance_s, err)
               ? -1
               : 0;
}

static int parse_kind(const cm_json *doc, const cJSON *obj, const char *ctx, cm_err *err)
{
    static const char *const kinds[] = {"expect", NULL};
    int k = 0;
    const char *comment = NULL;
    return cm_json_get_enum(doc, obj, ctx, "kind", false, kinds, &k, err) ||
                   cm_json_get_string(doc, obj, ctx, "comment", false, 4096, &comment, err)
               ? -1
               : 0;
}

static int parse_all(const cm_json *doc, const cJSON *node, const char *ctx, cm_expect *e,
                     cm_err *err)
{
    static const char *const keys[] = {"kind",
                                       "comment",
                                       "ladder",
                                       "success_rate",
                                       "max_attempts",
                                       "max_attempts_per_task",
                                       "max_total_wait_s",
                                       "max_calls_per_success",
                                       "candidates_used",
                                       "candidates_not_used",
                                       "final_message",
                                       "rotation_order",
                                       "max_task_duration_s",
                                       "candidate_requests",
                                       "ttft",
                                       "ttft_p99_max_s",
                                       "max_resends_after_tokens",
                                       "respects_retry_after",
                                       NULL};
    if (cm_json_check_keys(doc, node, ctx, keys, err) || parse_kind(doc, node, ctx, err) ||
        parse_rate(doc, node, ctx, e, err) || parse_limits(doc, node, ctx, e, err) ||
        parse_streams(doc, node, ctx, e, err) || parse_respect(doc, node, ctx, e, err))
        return -1;
    void *ladders = NULL, *messages = NULL, *rotations = NULL, *counts = NULL;
    int rc = parse_list(doc, node, ctx, "ladder", sizeof(cm_expect_ladder), parse_ladder, &ladders,
                        &e->n_ladders, err);
    e->ladders = ladders;
    if (rc == 0)
        rc = parse_list(doc, node, ctx, "final_message", sizeof(cm_expect_message), parse_message,
                        &messages, &e->n_messages, err);
    e->messages = messages;
    if (rc == 0)
        rc = parse_list(doc, node, ctx, "rotation_order", sizeof(cm_expect_rotation),
                        parse_rotation, &rotations, &e->n_rotations, err);
    e->rotations = rotations;
    if (rc == 0)
        rc = parse_list(doc, node, ctx, "candidate_requests", sizeof(cm_expect_count), parse_count,
                        &counts, &e->n_counts, err);
    e->counts = counts;
    if (rc != 0)
        return -1;
    return parse_name_list(doc, node, ctx, "candidates_used", &e->used, &e->n_used, err) ||
                   parse_name_list(doc, node, ctx, "candidates_not_used", &e->not_used,
                                   &e->n_not_used, err)
               ? -1
               : 0;
}

int cm_expect_parse(const cm_json *doc, const cJSON *node, const char *ctx, cm_expect *out,
                    cm_err *err)
{
    memset(out, 0, sizeof *out);
    if (!doc || !node)
        return cm_json_fail(err, doc, node, ctx, "no expect object");
    if (parse_all(doc, node, ctx ? ctx : "", out, err) != 0) {
        cm_expect_free(out);
        return -1;
    }
    return 0;
}

int cm_expect_load(const char *path, cm_expect *out, cm_err *err)
{
    memset(out, 0, sizeof *out);
    cm_json *doc = cm_json_load(path, err);
    if (!doc)
        return -1;
    const cJSON *root = cm_json_root(doc);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
    int rc;
    if (!cJSON_IsObject(root))
        rc = cm_json_fail(err, doc, root, NULL, "an expect file must be a JSON object");
    else if (!kind)
        rc = cm_json_fail(err, doc, root, "kind", "required field is missing (\"expect\")");
    else
        rc = cm_expect_parse(doc, root, "", out, err);
    cm_json_free(doc);
    return rc;
}

void cm_expect_free(cm_expect *e)
{
    if (!e)
        return;
    free(e->ladders);
    free(e->used);
    free(e->not_used);
    free(e->messages);
    free(e->rotations);
    free(e->counts);
    memset(e, 0, sizeof *e);
}

bool cm_expect_empty(const cm_expect *e)
{
    return !e->n_ladders && !e->has_rate_min && !e->has_rate_max && !e->has_max_attempts &&
           !e->has_max_total_wait && !e->has_max_calls_per_success && !e->n_used &&
           !e->n_not_used && !e->n_messages && !e->n_rotations && !e->has_max_task_duration &&
           !e->n_counts && !e->n_ttft && !e->has_max_resends_after_tokens &&
           !e->has_respect_retry_after;
}

static const char *const claim_measures[] = {
#define X(id, name, what) name,
    CM_CLAIM_MEASURES(X)
#undef X
        NULL};

bool cm_claim_more_is_better(cm_claim_measure m)
{
    return m == CM_CLAIM_SUCCESS_RATE;
}

bool cm_claim_holds(const cm_claim *c, double measured)
{
    double lo = isfinite(c->lo) ? fabs(c->lo) : 0, hi = isfinite(c->hi) ? fabs(c->hi) : 0;
    double slack = 1e-9 * (1 + lo + hi);
    return measured >= c->lo - slack && measured <= c->hi + slack;
}

/* The direction keys of a claim, in cm_claim_dir order from AT_LEAST. */
static const char *const claim_dirs[] = {"at_least", "at_most", "about", "range", "best", NULL};

/* Which direction key the claim gives: 0 none, 1.. its index + 1; -1 (err
 * filled) when it gives two. */
static int claim_dir_key(const cm_json *doc, const cJSON *node, const char *ctx, cm_err *err)
{
    int found = 0;
    char f[280];
    for (int i = 0; claim_dirs[i]; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(node, claim_dirs[i]);
        if (!n)
            continue;
        if (found)
            return cm_json_fail(err, doc, n, cm_json_field(f, sizeof f, ctx, claim_dirs[i]),
                                "a claim states one of at_least, at_most, about, range, best "
                                "(it also gives %s)",
                                claim_dirs[found - 1]);
        found = i + 1;
    }
    return found;
}

/* The bounds of a measure's values: success_rate 0..1, the others >= 0. */
static double claim_top(cm_claim_measure m)
{
    return m == CM_CLAIM_SUCCESS_RATE ? 1 : BIG_SECONDS;
}

static int claim_range(const cm_json *doc, const cJSON *node, const char *ctx, cm_claim *c,
                       cm_err *err)
{
    const cJSON *r;
    char f[280];
    if (cm_json_get_array(doc, node, ctx, "range", true, 2, 2, &r, err))
        return -1;
    cm_json_field(f, sizeof f, ctx, "range");
    double top = claim_top(c->measure);
    const cJSON *a = r->child, *b = a->next;
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || !(a->valuedouble >= 0) ||
        !(b->valuedouble <= top))
        return cm_json_fail(err, doc, r, f, "must be [LO, HI], two numbers from 0 to %g", top);
    if (a->valuedouble > b->valuedouble)
        return cm_json_fail(err, doc, r, f, "LO (%g) is above HI (%g)", a->valuedouble,
                            b->valuedouble);
    c->lo = a->valuedouble;
    c->hi = b->valuedouble;
    return 0;
}

/* The number of at_least / at_most / about and what it allows. */
static int claim_number(const cm_json *doc, const cJSON *node, const char *ctx, cm_claim *c,
                        cm_err *err)
{
    const char *key = claim_dirs[c->dir - CM_CLAIM_AT_LEAST];
    double top = claim_top(c->measure);
    if (cm_json_get_number(doc, node, ctx, key, true, 0, top, &c->value, err))
        return -1;
    if (c->dir == CM_CLAIM_AT_LEAST)
        c->lo = c->value, c->hi = INFINITY;
    else if (c->dir == CM_CLAIM_AT_MOST)
        c->lo = -INFINITY, c->hi = c->value;
    else
        c->lo = c->value * (1 - c->tolerance), c->hi = c->value * (1 + c->tolerance);
    return 0;
}

/* "measure": "ladder": task, waits_s, tolerance (relative, default 0.01). */
static int claim_ladder(const cm_json *doc, const cJSON *node, const char *ctx, cm_claim *c,
                        cm_err *err)
{
    const cJSON *waits;
    char f[300];
    c->dir = CM_CLAIM_WAITS;
    c->ladder.tolerance = c->tolerance;
    c->ladder.abs_tolerance_s = 0.001;
    if (cm_json_get_int(doc, node, ctx, "task", true, 0, BIG_TASK, &c->ladder.task, err) ||
        cm_json_get_array(doc, node, ctx, "waits_s", true, 1, CM_EXPECT_MAX_WAITS, &waits, err))
        return -1;
    size_t i = 0;
    for (const cJSON *w = waits->child; w; w = w->next, i++) {
        if (!cJSON_IsNumber(w) || !(w->valuedouble >= 0) || w->valuedouble > BIG_SECONDS) {
            snprintf(f, sizeof f, "%s.waits_s[%zu]", ctx, i);
            return cm_json_fail(err, doc, w, f, "must be a number of seconds from 0 to %g",
                                BIG_SECONDS);
        }
        c->ladder.waits_s[i] = w->valuedouble;
    }
    c->ladder.n_waits = i;
    return 0;
}

/* Names the first key of `keys` present in node, or NULL. */
static const cJSON *first_of(const cJSON *node, const char *const *keys, const char **name)
{
    for (int i = 0; keys[i]; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(node, keys[i]);
        if (n) {
            *name = keys[i];
            return n;
        }
    }
    return NULL;
}

/* A claim without a measure gives none of the number keys. */
static int claim_by_eye(const cm_json *doc, const cJSON *node, const char *ctx, cm_err *err)
{
    static const char *const number_keys[] = {"at_least", "at_most", "about",     "range", "best",
                                              "task",     "waits_s", "tolerance", "value", NULL};
    const char *name = NULL;
    const cJSON *n = first_of(node, number_keys, &name);
    char f[280];
    if (!n)
        return 0;
    return cm_json_fail(err, doc, n, cm_json_field(f, sizeof f, ctx, name),
                        "needs a \"measure\" (one of: max_total_wait_s, max_task_duration_s, "
                        "max_attempts, success_rate, calls_per_success, ladder)");
}

/* The direction of a claim with a measure other than ladder. */
static int claim_direction(const cm_json *doc, const cJSON *node, const char *ctx, cm_claim *c,
                           cm_err *err)
{
    static const char *const ladder_keys[] = {"task", "waits_s", NULL};
    const char *name = NULL;
    char f[280];
    const cJSON *stray = first_of(node, ladder_keys, &name);
    if (stray)
        return cm_json_fail(err, doc, stray, cm_json_field(f, sizeof f, ctx, name),
                            "belongs to \"measure\": \"ladder\"");
    int k = claim_dir_key(doc, node, ctx, err);
    if (k < 0)
        return -1;
    if (k == 0)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(node, "measure"),
                            cm_json_field(f, sizeof f, ctx, "measure"),
                            "say what the claim claims: at_least, at_most, about (with "
                            "tolerance), range or best");
    c->dir = (cm_claim_dir)(CM_CLAIM_AT_LEAST + k - 1);
    const cJSON *tol = cJSON_GetObjectItemCaseSensitive(node, "tolerance");
    if (tol && c->dir != CM_CLAIM_ABOUT)
        return cm_json_fail(err, doc, tol, cm_json_field(f, sizeof f, ctx, "tolerance"),
                            "goes with \"about\" (or \"measure\": \"ladder\")");
    if (c->dir == CM_CLAIM_RANGE)
        return claim_range(doc, node, ctx, c, err);
    if (c->dir == CM_CLAIM_BEST) {
        bool best = false;
        if (cm_json_get_bool(doc, node, ctx, "best", true, &best, err))
            return -1;
        if (!best)
            return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(node, "best"),
                                cm_json_field(f, sizeof f, ctx, "best"),
                                "can only be true (leave it out otherwise)");
        return 0;
    }
    return claim_number(doc, node, ctx, c, err);
}

int cm_claim_parse(const cm_json *doc, const cJSON *node, const char *ctx, cm_claim *out,
                   cm_err *err)
{
    static const char *const keys[] = {"source",  "says",    "policy",    "measure", "at_least",
                                       "at_most", "about",   "tolerance", "range",   "best",
                                       "task",    "waits_s", NULL};
    int m = -1;
    char f[280];
    memset(out, 0, sizeof *out);
    if (cJSON_GetObjectItemCaseSensitive(node, "value") && cJSON_IsObject(node))
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(node, "value"),
                            cm_json_field(f, sizeof f, ctx, "value"),
                            "say what the claim claims instead: at_least, at_most, about (with "
                            "tolerance), range or best");
    if (cm_json_check_keys(doc, node, ctx, keys, err) ||
        cm_json_get_string(doc, node, ctx, "source", true, 4096, &out->source, err) ||
        cm_json_get_string(doc, node, ctx, "says", true, 4096, &out->says, err) ||
        cm_json_get_string(doc, node, ctx, "policy", false, 4096, &out->policy, err) ||
        cm_json_get_enum(doc, node, ctx, "measure", false, claim_measures, &m, err))
        return -1;
    out->measure = m < 0 ? CM_CLAIM_NONE : (cm_claim_measure)(m + 1);
    if (out->measure == CM_CLAIM_NONE)
        return claim_by_eye(doc, node, ctx, err);
    out->tolerance = out->measure == CM_CLAIM_LADDER ? 0.01 : 0.05;
    if (cm_json_get_number(doc, node, ctx, "tolerance", false, 0, 1, &out->tolerance, err))
        return -1;
    if (out->measure == CM_CLAIM_LADDER) {
        int k = claim_dir_key(doc, node, ctx, err);
        if (k < 0)
            return -1;
        if (k > 0)
            return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(node, claim_dirs[k - 1]),
                                cm_json_field(f, sizeof f, ctx, claim_dirs[k - 1]),
                                "a ladder claim states \"task\" and \"waits_s\" instead");
        return claim_ladder(doc, node, ctx, out, err);
    }
    return claim_direction(doc, node, ctx, out, err);
}
