/* test_engine_peers.c: every peer preset in scenarios/policies/peers/ does,
 * through rl_task_next, what its library does (research/peers.md, cited in
 * each file) in the cases a conformance suite plays: 200; 429 with a
 * Retry-After of 0, 2, 60, 61 and 121 s in seconds, in retry-after-ms and as
 * an HTTP-date; 429 without one; 500, 503, 529; a timeout, a reset, a body cut
 * after the headers; x-should-retry true on a 400 and false on a 503; a 429
 * saying insufficient_quota. Each file names what it models ("models":
 * library, language, version, ...), and every file there has a row here. */
#include "tests/lib/engine_fixture.h"

#include <dirent.h>

#include "common/timefmt.h"
#include "engine/core/policy.h"
#include "tests/lib/test_assert.h"

#define S(x) ((cm_us)((x)*1000000.0))
#define PEERS "scenarios/policies/peers"

/* Expectations, one letter per case in the order of `cases` below:
 *   W  the server's value is waited (reason retry_after), exactly
 *   Z  a 0 s wait for the server's value
 *   b  reason retry_after, the ladder's value (< 0.5 s: AWS's throttling base)
 *   B  reason retry_after, ladder + 5 s (AWS: max(b, min(v, b + 5)))
 *   L  the ladder (reason backoff)
 *   T  the transport layer's retry (reason transport)
 *   G, N  no retry: one send, failure (G: given up on the server's value)
 *   R  retried (a second send)
 *   S  success with one send */
typedef struct peer_row {
    const char *file;
    const char *ra_s, *ra_ms, *ra_date; /* Retry-After 0, 2, 60, 61, 121 s */
    const char *rest; /* no RA, 500, 503, 529, timeout, reset, truncated, xsr 400 true,
                         xsr 503 false, insufficient_quota */
} peer_row;

static const peer_row rows[] = {
    {"openai-python-3.json", "LWWWG", "LWWWG", "LWWWG", "LRRRRRRRNR"},
    {"openai-node-7.json", "ZWWLL", "ZWWLL", "LWWLL", "LRRRRRNRNR"},
    {"openai-node-6.json", "ZWWWW", "ZWWWW", "ZWWWW", "LRRRRRNRNR"},
    {"anthropic-python-0.json", "LWWLL", "LWWLL", "LWWLL", "LRRRRRRRNR"},
    {"anthropic-node-1.json", "LWWWW", "LWWWW", "LWWWW", "LRRRRRRRNR"},
    {"vercel-ai-7.json", "ZWLLL", "ZWLLL", "LWWLL", "LRRRNRRNRR"},
    {"litellm-router-1.json", "LWWLL", "LLLLL", "LWWLL", "LRRRRRRRRR"},
    {"portkey-gateway-1.json", "LLLLL", "LLLLL", "LLLLL", "LRRNNRNNRR"},
    {"aws-sdk-js-v3-standard.json", "bWBBB", "LLLLL", "bWBBB", "LRRNRRNNRR"},
    {"grpc-a6.json", "NNNNN", "NNNNN", "NNNNN", "NNRNNRNNRN"},
    {"polly-8.json", "LLLLL", "LLLLL", "LLLLL", "LRRRNRRRRR"},
    {"resilience4j-2.json", "LLLLL", "LLLLL", "LLLLL", "LRRRRRRRRR"},
    {"tenacity-9-stop-never-wait-none.json", "LLLLL", "LLLLL", "LLLLL", "LRRRRRRRRR"},
    {"tenacity-9-openai-cookbook-recipe.json", "TTTTT", "TTTTT", "TTTTT", "TTTTTTTRTT"},
    {"curl-7.json", "LWWWW", "LLLLL", "LWWWW", "LRRNRNNNRR"},
};

static const int ra_values[] = {0, 2, 60, 61, 121};

/* The answers come at 00:00:10.25 with Date 00:00:10: a date X s after Date
 * is X s away by the Date header, X - 0.25 s by the client's clock. */
#define AT S(10.25)
#define DATE_HDR "Thu, 01 Jan 2026 00:00:10 GMT"

typedef struct trial {
    fx_outcome first;
    rl_error_body body;
    bool has_body;
    char v[64];
} trial;

/* Drives one task of a fresh run (budgets, breakers and cooldowns new):
 * `t` first, then 200s. */
static void run_trial(fx_policy *f, const trial *t, fx_trail *tr)
{
    rl_run_free(f->run);
    f->run = rl_run_new(f->p, 1);
    assert_non_null(f->run);
    fx_outcome s[] = {t->first, {200, RL_TE_NONE, {{NULL, NULL}}}};
    const rl_error_body *bodies[] = {t->has_body ? &t->body : NULL, NULL};
    cm_rng rng;
    cm_rng_seed(&rng, 9);
    fx_drive_body(f, 0, AT, s, bodies, 2, 0, &rng, tr);
}

/* Checks expectation e for a trial whose server value (for W) is want_s. */
static void expect(const char *file, const char *what, char e, const fx_trail *tr, double want_s)
{
    bool waited = tr->nwaits > 0;
    rl_wait_reason why = waited ? tr->why[0] : RL_WAIT_BACKOFF;
    double w = waited ? tr->wait_s[0] : -1;
    bool ok;
    switch (e) {
    case 'W':
        ok = waited && why == RL_WAIT_RETRY_AFTER && cm_us_from_s(w) == cm_us_from_s(want_s);
        break;
    case 'Z':
        ok = waited && why == RL_WAIT_RETRY_AFTER && w == 0;
        break;
    case 'b':
        ok = waited && why == RL_WAIT_RETRY_AFTER && w >= 0 && w < 0.5;
        break;
    case 'B':
        ok = waited && why == RL_WAIT_RETRY_AFTER && w >= 5 && w < 5.5;
        break;
    case 'L':
        ok = waited && why == RL_WAIT_BACKOFF;
        break;
    case 'T':
        ok = waited && why == RL_WAIT_TRANSPORT;
        break;
    case 'G':
    case 'N':
        ok = tr->nsends == 1 && !tr->ok;
        break;
    case 'R':
        ok = tr->nsends >= 2;
        break;
    default: /* 'S' */
        ok = tr->nsends == 1 && tr->ok;
    }
    if (!ok)
        fail_msg("%s, %s: want %c, got %zu sends, %s, first wait %g s (%s)", file, what, e,
                 tr->nsends, tr->ok ? "success" : "failure", w,
                 waited ? rl_wait_reason_name(why) : "none");
}

static void ra_cases(const peer_row *r, fx_policy *f)
{
    static const char *const forms[] = {"s", "ms", "date"};
    const char *want[] = {r->ra_s, r->ra_ms, r->ra_date};
    bool clock = f->p->retry_after.clock_dates;
    for (int form = 0; form < 3; form++)
        for (int i = 0; i < 5; i++) {
            trial t = {.first = {429, RL_TE_NONE, {{NULL, NULL}}}};
            int x = ra_values[i];
            double want_s = x;
            if (form == 0) {
                snprintf(t.v, sizeof t.v, "%d", x);
                t.first.h[0][0] = "retry-after";
            } else if (form == 1) {
                snprintf(t.v, sizeof t.v, "%d", x * 1000);
                t.first.h[0][0] = "retry-after-ms";
            } else {
                cm_fmt_http_date(S(10 + x), t.v, sizeof t.v);
                t.first.h[0][0] = "retry-after";
                t.first.h[1][0] = "date";
                t.first.h[1][1] = DATE_HDR;
                want_s = clock ? x - 0.25 : x;
            }
            t.first.h[0][1] = t.v;
            fx_trail tr;
            run_trial(f, &t, &tr);
            char what[64];
            snprintf(what, sizeof what, "429 with Retry-After %d %s", x, forms[form]);
            expect(r->file, what, want[form][i], &tr, want_s);
        }
}

static void other_cases(const peer_row *r, fx_policy *f)
{
    static const char *const names[] = {"429 without Retry-After",
                                        "500",
                                        "503",
                                        "529",
                                        "timeout",
                                        "reset",
                                        "truncated",
                                        "400 x-should-retry true",
                                        "503 x-should-retry false",
                                        "429 insufficient_quota"};
    trial ts[10] = {
        {.first = {429, RL_TE_NONE, {{NULL, NULL}}}},
        {.first = {500, RL_TE_NONE, {{NULL, NULL}}}},
        {.first = {503, RL_TE_NONE, {{NULL, NULL}}}},
        {.first = {529, RL_TE_NONE, {{NULL, NULL}}}},
        {.first = {0, RL_TE_TIMEOUT, {{NULL, NULL}}}},
        {.first = {0, RL_TE_RESET, {{NULL, NULL}}}},
        {.first = {0, RL_TE_TRUNCATED, {{NULL, NULL}}}},
        {.first = {400, RL_TE_NONE, {{"x-should-retry", "true"}}}},
        {.first = {503, RL_TE_NONE, {{"x-should-retry", "false"}}}},
        {.first = {429, RL_TE_NONE, {{NULL, NULL}}},
         .body = {"insufficient_quota", "insufficient_quota", -1, -1},
         .has_body = true},
    };
    for (int i = 0; i < 10; i++) {
        fx_trail tr;
        run_trial(f, &ts[i], &tr);
        expect(r->file, names[i], r->rest[i], &tr, 0);
    }
    fx_trail tr;
    trial ok = {.first = {200, RL_TE_NONE, {{NULL, NULL}}}};
    run_trial(f, &ok, &tr);
    expect(r->file, "200", 'S', &tr, 0);
}

static void presets_do_what_their_libraries_do(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, PEERS "/%s", rows[i].file);
        fx_policy f;
        fx_load_file(&f, path);
        ra_cases(&rows[i], &f);
        other_cases(&rows[i], &f);
        fx_free(&f);
    }
}

/* "models" names the library, language and version; "name" is peer-*;
 * every preset has a row above. */
static void presets_name_what_they_model(void **state)
{
    (void)state;
    DIR *d = opendir(PEERS);
    assert_non_null(d);
    struct dirent *e;
    size_t files = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        files++;
        bool listed = false;
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            listed |= strcmp(rows[i].file, e->d_name) == 0;
        if (!listed)
            fail_msg("%s has no row in test_engine_peers.c", e->d_name);
        char path[512];
        snprintf(path, sizeof path, PEERS "/%s", e->d_name);
        cm_err err;
        cm_json *doc = cm_json_load(path, &err);
        assert_non_null(doc);
        const cJSON *root = cm_json_root(doc);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "models");
        const char *keys[] = {"library", "language", "version", "client"};
        for (int k = 0; k < 4; k++)
            if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, keys[k])))
                fail_msg("%s: models.%s missing", e->d_name, keys[k]);
        assert_true(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "sources")) >= 1);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
        assert_true(cJSON_IsString(name) && strncmp(name->valuestring, "peer-", 5) == 0);
        cm_json_free(doc);
    }
    closedir(d);
    assert_int_equal(files, sizeof rows / sizeof rows[0]);
}

/* gRPC A6: after a pushback (Retry-After as its stand-in) the backoff
 * starts again from initialBackoff; the jitter may pass maxBackoff. */
static void grpc_pushback_resets_the_backoff(void **state)
{
    (void)state;
    fx_policy f;
    fx_load_file(&f, PEERS "/grpc-a6.json");
    fx_outcome s[] = {{503, RL_TE_NONE, {{NULL, NULL}}},
                      {503, RL_TE_NONE, {{NULL, NULL}}},
                      {503, RL_TE_NONE, {{"retry-after-ms", "300"}}},
                      {503, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    assert_int_equal(tr.nwaits, 3); /* 4 attempts */
    assert_true(tr.wait_s[0] >= 0.08 && tr.wait_s[0] < 0.12);
    assert_true(tr.wait_s[1] >= 0.16 && tr.wait_s[1] < 0.24);
    assert_num_equal(tr.wait_s[2], 0.3);
    assert_int_equal(tr.why[2], RL_WAIT_RETRY_AFTER);
    fx_free(&f);
    fx_load_file(&f, PEERS "/grpc-a6.json");
    fx_outcome t[] = {{503, RL_TE_NONE, {{"retry-after-ms", "300"}}},
                      {503, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive(&f, t, FX_N(t), &tr);
    assert_num_equal(tr.wait_s[0], 0.3);
    assert_true(tr.wait_s[1] >= 0.08 && tr.wait_s[1] < 0.12); /* n = 0 again, not 0.2 */
    fx_free(&f);
}

/* Portkey as npm ships it: a Retry-After never changes the 1 s x 2^n
 * ladder, whatever its value, and never makes the gateway give up. */
static void portkey_npm_waits_its_ladder(void **state)
{
    (void)state;
    fx_policy f;
    fx_load_file(&f, PEERS "/portkey-gateway-1.json");
    fx_outcome s[] = {{429, RL_TE_NONE, {{"retry-after", "2"}}},
                      {429, RL_TE_NONE, {{"retry-after", "121"}}},
                      {500, RL_TE_NONE, {{NULL, NULL}}},
                      {429, RL_TE_NONE, {{"retry-after-ms", "30"}}},
                      {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    fx_expect_waits(&tr, (double[]){1, 2, 4, 8}, 4);
    assert_true(tr.ok);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(presets_do_what_their_libraries_do),
        cmocka_unit_test(presets_name_what_they_model),
        cmocka_unit_test(grpc_pushback_resets_the_backoff),
        cmocka_unit_test(portkey_npm_waits_its_ladder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
