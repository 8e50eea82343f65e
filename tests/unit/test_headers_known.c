/* test_headers_known.c: the simulation's shortcut (rl_headers_known, headers.h) reads
 * exactly what rl_headers_parse reads from the model's headers: plans from
 * every scenario under scenarios/, tests/data/ and bench/data/, a sweep of
 * crafted rate-limit windows, and crafted Retry-After extremes, compared
 * field by field (notes and source included); plans it does not know
 * exactly must be refused (then the sim parses the text). The same answers
 * asked values_only, their text rendered afterwards, are the same plans.
 * And no answer's error body names a quota type or code (rl_quota_names)
 * unless its scenario file names it: the simulation relies on that to leave
 * the error texts unwritten under the built-in quota rule (engine/sim/sim.c). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "common/rng.h"
#include "engine/core/engine.h"
#include "engine/core/headers.h"
#include "mockserver/model/limit_headers.h"
#include "mockserver/model/plan.h"
#include "mockserver/scenario/internal.h"
#include "tests/lib/mock_test_util.h"

typedef struct tally {
    long compared, refused, ra_s, ra_ms, tokens, plans, lazy_pending, quota_bodies;
    bool scenario_names_quota; /* the scenario being driven names a quota somewhere */
} tally;

/* A string anywhere in the JSON tree equal to one of rl_quota_names. */
static bool names_quota(const cJSON *n)
{
    for (; n; n = n->next) {
        for (int i = 0; cJSON_IsString(n) && rl_quota_names[i]; i++)
            if (strcmp(n->valuestring, rl_quota_names[i]) == 0)
                return true;
        if (names_quota(n->child))
            return true;
    }
    return false;
}

static bool is_quota(const char *s)
{
    for (int i = 0; rl_quota_names[i]; i++)
        if (strcmp(s, rl_quota_names[i]) == 0)
            return true;
    return false;
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Field by field; the first difference is printed. */
static bool same_signals(const rl_signals *a, const rl_signals *b)
{
#define F(x)                                                                                       \
    do {                                                                                           \
        if (a->x != b->x) {                                                                        \
            print_message("field " #x ": %lld vs %lld\n", (long long)a->x, (long long)b->x);       \
            return false;                                                                          \
        }                                                                                          \
    } while (0)
    F(has_retry_after);
    F(retry_after);
    F(ra_ms);
    F(ra_header);
    F(ra_header_form);
    F(ra_date_unix);
    F(should_retry);
    F(limit_requests);
    F(remaining_requests);
    F(reset_requests);
    F(limit_tokens);
    F(remaining_tokens);
    F(reset_tokens);
    F(date_unix);
    F(ietf_limit);
    F(ietf_remaining);
    F(ietf_reset);
    F(ietf_window);
#undef F
    if (!same_str(a->retry_after_note, b->retry_after_note) ||
        !same_str(a->ratelimit_source, b->ratelimit_source)) {
        print_message("note or source differ\n");
        return false;
    }
    return true;
}

/* Parses the plan's text, takes the shortcut, and compares when it is taken. */
static void check_plan(const mock_plan *p, cm_us now, tally *t)
{
    rl_header h[MOCK_MAX_HEADERS];
    for (size_t i = 0; i < p->nheaders; i++)
        h[i] = (rl_header){p->headers[i].name, p->headers[i].value};
    rl_signals want, got;
    rl_headers_parse(h, p->nheaders, CM_SCENARIO_EPOCH * CM_US_PER_S + now, &want);
    t->plans++;
    if (!rl_headers_known(&p->known, &got)) {
        t->refused++;
        return;
    }
    if (!same_signals(&got, &want)) {
        for (size_t i = 0; i < p->nheaders; i++)
            print_message("  %s: %s\n", h[i].name, h[i].value);
        fail_msg("shortcut differs from the parser at t=%lld us", (long long)now);
    }
    t->compared++;
    t->ra_s += p->known.retry_after_s >= 0;
    t->ra_ms += p->known.retry_after_ms >= 0;
    t->tokens += p->known.has_unit[1];
}

/* The same answer with values_only and no_text (as the sim asks), its text
 * rendered after: the same plan, header for header in the same order, the
 * same recorded values; only the error texts and the note are left empty. */
static void check_lazy(const mock_plan *eager, mock_plan *lazy)
{
    rl_signals a, b;
    bool ka = rl_headers_known(&eager->known, &a), kb = rl_headers_known(&lazy->known, &b);
    assert_int_equal(ka, kb);
    if (ka)
        assert_true(same_signals(&a, &b));
    mock_plan_render_known(lazy);
    assert_int_equal(lazy->known.pending, 0);
    assert_int_equal(eager->status, lazy->status);
    assert_int_equal(eager->latency, lazy->latency);
    assert_int_equal(eager->fault, lazy->fault);
    assert_int_equal(eager->body, lazy->body);
    assert_int_equal(eager->slow_body, lazy->slow_body);
    assert_int_equal(eager->tokens_out, lazy->tokens_out);
    assert_string_equal(lazy->error_message, "");
    assert_string_equal(lazy->error_type, "");
    assert_string_equal(lazy->note, "");
    assert_int_equal(eager->nheaders, lazy->nheaders);
    for (size_t i = 0; i < eager->nheaders; i++) {
        assert_string_equal(eager->headers[i].name, lazy->headers[i].name);
        assert_string_equal(eager->headers[i].value, lazy->headers[i].value);
    }
}

/* Sends req to both models (the second the sim's way: values_only, no_text,
 * names resolved), compares, checks. */
static void send_both(mock_model *eager, mock_model *lazy, mock_request req, tally *t)
{
    mock_plan p, q;
    req.values_only = req.no_text = false;
    mock_model_respond(eager, &req, &p);
    if (is_quota(p.error_type) || is_quota(p.error_code)) {
        if (!t->scenario_names_quota)
            fail_msg("a body says %s/%s but the scenario names no quota", p.error_type,
                     p.error_code);
        t->quota_bodies++;
    }
    req.values_only = req.no_text = true;
    mock_model_resolve(lazy, &req); /* names by index, as the sim sends them */
    mock_model_respond(lazy, &req, &q);
    t->lazy_pending += q.known.pending != 0;
    check_lazy(&p, &q);
    check_plan(&p, req.now < 0 ? 0 : req.now, t);
}

/* The next scenario time: small steps mostly, now and then hours, and a few
 * far times near the end. */
static cm_us next_time(cm_rng *r, cm_us now, int i, int n)
{
    if (i == n - 2)
        return INT64_C(3000000000000000); /* ~95 years */
    if (i == n - 1)
        return CM_US_MAX;
    uint64_t x = cm_rng_next(r);
    if (x % 97 == 0)
        return now + (cm_us)(x % (6 * 3600 * CM_US_PER_S));
    return now + (cm_us)(x % (3 * CM_US_PER_S));
}

/* n requests over every provider, model (and an unknown one), key (and none,
 * and a wrong one) and endpoint of the scenario. */
static void drive(const mock_scenario *sc, int n, tally *t)
{
    mock_model *m = mock_model_new(sc), *lazy = mock_model_new(sc);
    assert_non_null(m);
    assert_non_null(lazy);
    cm_rng r;
    cm_rng_seed(&r, 42);
    cm_us now = 0;
    t->scenario_names_quota = names_quota(cm_json_root(mock_scenario_doc(sc)));
    for (int i = 0; i < n; i++) {
        const mock_provider_def *pd = &sc->providers[(size_t)i % sc->nproviders];
        uint64_t x = cm_rng_next(&r);
        size_t k = (size_t)(x % (pd->nkeys + 2)), md = (size_t)((x >> 8) % (pd->nmodels + 1));
        mock_request req = {.provider = pd->name,
                            .endpoint = (x >> 16) % 50 == 0              ? MOCK_EP_MODELS
                                        : pd->shape == MOCK_SHAPE_OPENAI ? MOCK_EP_CHAT
                                                                         : MOCK_EP_MESSAGES,
                            .model = md < pd->nmodels ? pd->models[md].name : "no-such-model",
                            .key = k < pd->nkeys    ? pd->key_values[k]
                                   : k == pd->nkeys ? "sk-wrong"
                                                    : NULL,
                            .tokens = (int64_t)((x >> 24) % 5000),
                            .now = now};
        if (pd->nkeys == 0 && req.key == NULL)
            req.key = "sk-any";
        send_both(m, lazy, req, t);
        now = next_time(&r, now, i, n);
    }
    mock_model_free(m);
    mock_model_free(lazy);
}

/* Every scenario file under dir (recursively) that loads. */
static void walk(const char *dir, tally *t, int *files)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0 || S_ISLNK(st.st_mode))
            continue;
        size_t len = strlen(path);
        if (S_ISDIR(st.st_mode)) {
            walk(path, t, files);
        } else if (len > 5 && strcmp(path + len - 5, ".json") == 0) {
            mock_scenario *sc = NULL;
            cm_err err;
            if (mock_scenario_load(path, &sc, &err) == 0 && sc->nproviders > 0) {
                drive(sc, 3000, t);
                (*files)++;
            }
            mock_scenario_free(sc);
        }
    }
    closedir(d);
}

static void every_scenario_reads_the_same(void **state)
{
    (void)state;
    tally t = {0};
    int files = 0;
    walk("scenarios", &t, &files);
    walk("tests/data", &t, &files);
    walk("bench/data", &t, &files);
    print_message("%d scenarios, %ld plans: %ld compared (%ld Retry-After, %ld retry-after-ms, "
                  "%ld with token limits), %ld parsed instead; %ld quota bodies\n",
                  files, t.plans, t.compared, t.ra_s, t.ra_ms, t.tokens, t.refused, t.quota_bodies);
    assert_true(files >= 20);
    assert_true(t.compared >= 20000);
    assert_true(t.ra_s > 0 && t.lazy_pending > 1000);
    assert_true(t.refused > 0); /* Anthropic, IETF and rule headers are refused */
}

/* A plan as mock_model_respond starts it, at `now`. */
static void fresh_plan(mock_plan *p, mock_shape shape, cm_us now)
{
    mock_plan_init(p, shape, now);
    p->known.exact = true;
    p->known.date_at = now - now % CM_US_PER_S;
}

/* OpenAI limit headers over hostile and edge values: negative (Azure-like
 * -1) and zero counts, 18- and 19-digit counts, resets from negative through
 * sub-millisecond to beyond a year. */
static void limit_values_read_the_same(void **state)
{
    (void)state;
    static const int64_t counts[] = {
        -1, 0, 1, 59, 999999999999999999, INT64_C(1000000000000000000), INT64_MAX, INT64_MIN};
    static const cm_us resets[] = {-5,
                                   0,
                                   1,
                                   999,
                                   1000,
                                   1500,
                                   999999,
                                   1000000,
                                   1500001,
                                   59999999,
                                   3600000000,
                                   86400000001,
                                   INT64_C(31536000000000),
                                   INT64_C(31536000000001),
                                   CM_US_MAX};
    tally t = {0};
    for (size_t a = 0; a < sizeof counts / sizeof *counts; a++)
        for (size_t b = 0; b < sizeof counts / sizeof *counts; b++)
            for (size_t c = 0; c < sizeof resets / sizeof *resets; c++) {
                mock_limit_set ls = {0};
                ls.has[MOCK_UNIT_REQUESTS] =
                    ls.has[(a + c) % 2 ? MOCK_UNIT_TOKENS : MOCK_UNIT_INPUT_TOKENS] = true;
                for (int u = 0; u < MOCK_UNIT_COUNT; u++)
                    ls.view[u] = (mock_window_view){.limit = counts[a],
                                                    .remaining = counts[b],
                                                    .reset = resets[(c + (size_t)u) % 15]};
                mock_plan p, q;
                cm_us now = (cm_us)(a * 7 + b * 3 + c) * 1234567;
                fresh_plan(&p, MOCK_SHAPE_OPENAI, now);
                mock_limit_headers(&p, &ls, now, false);
                check_plan(&p, now, &t);
                fresh_plan(&q, MOCK_SHAPE_OPENAI, now);
                q.known.lazy = true;
                mock_limit_headers(&q, &ls, now, false);
                check_lazy(&p, &q);
            }
    assert_true(t.compared > 0 && t.tokens > 0 && t.refused > 0); /* beyond a year: parsed */
}

/* Anthropic and IETF headers are not known exactly: always refused. */
static void other_families_are_refused(void **state)
{
    (void)state;
    mock_limit_set ls = {0};
    ls.has[MOCK_UNIT_REQUESTS] = true;
    ls.view[MOCK_UNIT_REQUESTS] = (mock_window_view){.limit = 10, .remaining = 3, .reset = 5};
    mock_plan p;
    rl_signals s;
    fresh_plan(&p, MOCK_SHAPE_ANTHROPIC, 0);
    mock_limit_headers(&p, &ls, 0, false);
    assert_false(rl_headers_known(&p.known, &s));
    fresh_plan(&p, MOCK_SHAPE_OPENAI, 0);
    mock_limit_headers(&p, &ls, 0, true);
    assert_false(rl_headers_known(&p.known, &s));
    fresh_plan(&p, MOCK_SHAPE_OPENAI, 0);
    mock_limit_headers(&p, &ls, 0, false);
    assert_true(rl_headers_known(&p.known, &s));
    mock_plan_header_set(&p, "x-ratelimit-remaining-requests", "-1"); /* a rule's header */
    assert_false(rl_headers_known(&p.known, &s));
}

static const char ra_json[] =
    "{\"kind\":\"scenario\",\"seed\":1,\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
    "\"keys\":{\"K\":\"sk-k\"},\"models\":[{\"name\":\"m\"}],"
    "\"windows\":[{\"algorithm\":\"fixed\",\"limit\":1000,\"period_s\":60}],"
    "\"scripts\":[{\"steps\":[{\"status\":429,\"retry_after_s\":0},"
    "{\"status\":429,\"retry_after_s\":0.0004},{\"status\":429,\"retry_after_s\":31536000},"
    "{\"status\":429,\"retry_after_s\":31622400},"
    "{\"status\":429,\"retry_after_s\":0.0004,\"retry_after\":\"ms\"},"
    "{\"status\":429,\"retry_after_s\":2.5,\"retry_after\":\"ms\"},"
    "{\"status\":429,\"retry_after_s\":31622400,\"retry_after\":\"ms\"},"
    "{\"status\":429,\"retry_after_s\":7,\"retry_after\":\"http_date\"},"
    "{\"status\":503,\"retry_after_s\":3,\"escalate_factor\":1000,\"times\":3},"
    "{\"pass\":true,\"forever\":true}]}]}]}";

/* Retry-After in seconds and ms at 0, sub-unit, a year and beyond; a date
 * (refused); escalation past the cap. */
static void retry_after_forms_read_the_same(void **state)
{
    (void)state;
    fixture fx, lz;
    fx_open(&fx, ra_json);
    fx_open(&lz, ra_json);
    tally t = {0};
    for (int i = 0; i < 14; i++) {
        mock_request req = {.provider = "p",
                            .endpoint = MOCK_EP_CHAT,
                            .model = "m",
                            .key = "sk-k",
                            .tokens = 100,
                            .now = cm_us_from_s(i * 1.25)};
        send_both(fx.m, lz.m, req, &t);
    }
    fx_close(&fx);
    fx_close(&lz);
    assert_true(t.ra_s >= 4 && t.ra_ms >= 2 && t.refused >= 3);
}

/* Deferred text keeps its place when another header comes after it, and a
 * header set over a deferred one replaces it as it would the written one. */
static void deferred_text_keeps_its_place(void **state)
{
    (void)state;
    mock_limit_set ls = {0};
    ls.has[MOCK_UNIT_REQUESTS] = ls.has[MOCK_UNIT_TOKENS] = true;
    ls.view[MOCK_UNIT_REQUESTS] = (mock_window_view){.limit = 10, .remaining = 3, .reset = 5};
    ls.view[MOCK_UNIT_TOKENS] = (mock_window_view){.limit = 900, .remaining = 0, .reset = 1500};
    mock_plan p, q;
    for (int lazy = 0; lazy < 2; lazy++) {
        mock_plan *x = lazy ? &q : &p;
        fresh_plan(x, MOCK_SHAPE_OPENAI, 0);
        x->known.lazy = lazy;
        mock_limit_headers(x, &ls, 0, false);
        assert_int_equal(x->known.pending != 0, lazy);
        mock_plan_header_set(x, "X-Tier", "free");
        mock_plan_header_set(x, "x-ratelimit-remaining-requests", "-1");
        assert_int_equal(x->known.pending, 0);
    }
    check_lazy(&p, &q);
    assert_int_equal(p.nheaders, 8);
    assert_string_equal(p.headers[2].value, "-1");
    assert_string_equal(p.headers[7].name, "X-Tier");
}

/* The comparison can fail: a recorded value off by one is caught. */
static void a_wrong_value_is_caught(void **state)
{
    (void)state;
    mock_limit_set ls = {0};
    ls.has[MOCK_UNIT_REQUESTS] = true;
    ls.view[MOCK_UNIT_REQUESTS] = (mock_window_view){.limit = 10, .remaining = 3, .reset = 5};
    mock_plan p;
    fresh_plan(&p, MOCK_SHAPE_OPENAI, 0);
    mock_limit_headers(&p, &ls, 0, false);
    rl_header h[MOCK_MAX_HEADERS];
    for (size_t i = 0; i < p.nheaders; i++)
        h[i] = (rl_header){p.headers[i].name, p.headers[i].value};
    rl_signals want, got;
    rl_headers_parse(h, p.nheaders, 0, &want);
    assert_true(rl_headers_known(&p.known, &got));
    assert_true(same_signals(&got, &want));
    p.known.remaining[0]++;
    assert_true(rl_headers_known(&p.known, &got));
    assert_false(same_signals(&got, &want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_scenario_reads_the_same),
        cmocka_unit_test(limit_values_read_the_same),
        cmocka_unit_test(other_families_are_refused),
        cmocka_unit_test(retry_after_forms_read_the_same),
        cmocka_unit_test(deferred_text_keeps_its_place),
        cmocka_unit_test(a_wrong_value_is_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
