/* test_engine_transport.c: the transport retry layer under the application's
 * retries (seed 003's pitfall), through rl_task_next: sends multiply
 * ((1 + transport retries) x (1 + application retries)), the waits
 * interleave (transport 0, 4, 8 s then the tier ladder), the seed's fix
 * (429 not listed) gives 7 sends and 20 .. 640 s, Retry-After, transport
 * errors, limits and budgets counting every send, the breaker seeing
 * application attempts only; and the section's parser. */
#include "tests/lib/engine_fixture.h"

#include "engine/core/run.h"

#define S(x) ((cm_us)((x)*1000000.0))

#define SEED003_TIERS                                                                              \
    "\"backoff\":{\"kind\":\"exponential\",\"base_s\":1,\"factor\":2,\"cap_s\":900},"              \
    "\"tiers\":{\"table\":[{\"name\":\"free\",\"up_to\":3,\"base_s\":20},"                         \
    "{\"name\":\"tier1\",\"base_s\":0.3}]},"

/* urllib3 Retry(total=3, backoff_factor=2, status_forcelist=...): waits 0,
 * 4, 8 s (factor x 2^n, none before the second try). */
#define URLLIB3(statuses)                                                                          \
    "\"transport\":{\"retries\":3,\"statuses\":" statuses ","                                      \
    "\"backoff\":{\"kind\":\"exponential\",\"base_s\":2,\"factor\":2,\"cap_s\":120},"              \
    "\"first_retry_immediate\":true},"

#define POLICY(extra, limits)                                                                      \
    "{\"kind\":\"policy\",\"name\":\"t\",\"candidates\":[{\"provider\":\"moonshot\","              \
    "\"model\":\"kimi\",\"keys\":[\"K1\"]}]," SEED003_TIERS extra "\"limits\":" limits "}"

#define ALL5XX_429 "[429, 500, 502, 503, 504]"
#define ALL5XX "[500, 502, 503, 504]"

/* Drives one task and writes what it did as "S1 T0 S2 T4 ... B20 ... F"
 * (S = send with its attempt number, T = transport wait, B = backoff wait,
 * R = retry_after wait, O = other wait, with seconds; then D ok / F fail). */
static void drive_log(fx_policy *f, const fx_outcome *script, size_t n, char *log, size_t size,
                      rl_action *last)
{
    rl_task t;
    cm_rng rng;
    cm_rng_seed(&rng, 3);
    cm_us now = 0;
    size_t used = 0, sends = 0;
    rl_task_start(&t, f->run, 0, now);
    rl_task_next(&t, f->run, NULL, now, &rng, last);
    log[0] = '\0';
    for (int i = 0; i < 1000 && last->kind != RL_DONE && used < size; i++) {
        if (last->kind == RL_WAIT) {
            char k = last->reason == RL_WAIT_TRANSPORT     ? 'T'
                     : last->reason == RL_WAIT_BACKOFF     ? 'B'
                     : last->reason == RL_WAIT_RETRY_AFTER ? 'R'
                                                           : 'O';
            used +=
                (size_t)snprintf(log + used, size - used, "%c%g ", k, cm_s_from_us(last->delay));
            now = last->until;
            rl_task_next(&t, f->run, NULL, now, &rng, last);
            continue;
        }
        const fx_outcome *o = &script[sends < n ? sends : n - 1];
        sends++;
        rl_header hs[4];
        size_t nh = 0;
        for (; nh < 4 && o->h[nh][0]; nh++)
            hs[nh] = (rl_header){o->h[nh][0], o->h[nh][1]};
        used += (size_t)snprintf(log + used, size - used, "S%u ", last->attempt);
        now += S(0.5);
        rl_outcome out = {o->status, o->error, hs, nh, S(0.5), NULL};
        rl_task_next(&t, f->run, &out, now, &rng, last);
    }
    if (used < size)
        snprintf(log + used, size - used, "%s", last->success ? "D" : "F");
}

/* The expected log of an always-429 free-tier task: per application
 * attempt, 1 + 3 sends with transport waits 0, 4, 8, then the tier ladder. */
static void nested_log(char *want, size_t size, int app_attempts)
{
    static const int ladder[] = {20, 40, 80, 160, 320, 640, 1280, 2560};
    size_t used = 0;
    unsigned a = 1;
    for (int app = 0; app < app_attempts; app++) {
        used += (size_t)snprintf(want + used, size - used, "S%u T0 S%u T4 S%u T8 S%u ", a, a + 1,
                                 a + 2, a + 3);
        a += 4;
        if (app + 1 < app_attempts)
            used += (size_t)snprintf(want + used, size - used, "B%d ", ladder[app]);
    }
    snprintf(want + used, size - used, "F");
}

static const fx_outcome free429[] = {{429, RL_TE_NONE, {{"x-ratelimit-limit-requests", "3"}}}};

static void nested_429_multiplies_the_sends(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, POLICY(URLLIB3(ALL5XX_429), "{\"max_attempts\":28}"));
    char log[2048], want[2048];
    rl_action a;
    drive_log(&f, free429, 1, log, sizeof log, &a);
    nested_log(want, sizeof want, 7);
    assert_string_equal(log, want); /* (1 + 3) x (1 + 6) = 28 sends */
    if (!strstr(a.message, "failed after 28 attempts (max_attempts)"))
        fail_msg("message: %s", a.message);
    assert_int_equal(f.run->metrics[0].requests, 28); /* every send reaches the provider */
    assert_int_equal(f.run->metrics[0].rate_limited, 28);
    fx_free(&f);
}

/* The application's own limit on retries (max_retries_per_candidate 6)
 * counts application retries only: 28 sends again, max_attempts unused. */
static void app_retry_limit_counts_app_attempts(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f,
            POLICY(URLLIB3(ALL5XX_429), "{\"max_attempts\":1000,\"max_retries_per_candidate\":6}"));
    char log[2048], want[2048];
    rl_action a;
    drive_log(&f, free429, 1, log, sizeof log, &a);
    nested_log(want, sizeof want, 7);
    assert_string_equal(log, want);
    if (!strstr(a.message, "(exhausted)"))
        fail_msg("message: %s", a.message);
    fx_free(&f);
}

/* The seed's fix: 429 left out of the transport's statuses. */
static void seed_fix_gives_the_tier_ladder(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, POLICY(URLLIB3(ALL5XX), "{\"max_attempts\":7}"));
    char log[2048];
    rl_action a;
    drive_log(&f, free429, 1, log, sizeof log, &a);
    assert_string_equal(log, "S1 B20 S2 B40 S3 B80 S4 B160 S5 B320 S6 B640 S7 F");
    fx_free(&f);
}

/* A 503 is still the transport's: 503, 503, then 200 within one attempt. */
static void transport_retry_then_success(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, POLICY(URLLIB3(ALL5XX), "{\"max_attempts\":7}"));
    fx_outcome s[] = {{503, RL_TE_NONE, {{NULL, NULL}}},
                      {503, RL_TE_NONE, {{NULL, NULL}}},
                      {200, RL_TE_NONE, {{NULL, NULL}}}};
    char log[512];
    rl_action a;
    drive_log(&f, s, FX_N(s), log, sizeof log, &a);
    assert_string_equal(log, "S1 T0 S2 T4 S3 D");
    fx_free(&f);
}

/* urllib3 honours Retry-After, and retries a 429 carrying one even when 429
 * is not in status_forcelist (Retry.is_retry: RETRY_AFTER_STATUS_CODES), so
 * the seed's fix still lets urllib3 take such 429s; respect_retry_after
 * false hands them to the application. */
static void retry_after_429_is_still_the_transports(void **state)
{
    (void)state;
    fx_outcome s[] = {{429, RL_TE_NONE, {{"retry-after", "5"}}}, {200, RL_TE_NONE, {{NULL, NULL}}}};
    char log[512];
    rl_action a;
    fx_policy f;
    fx_load(&f, POLICY(URLLIB3(ALL5XX), "{\"max_attempts\":7}"));
    drive_log(&f, s, FX_N(s), log, sizeof log, &a);
    assert_string_equal(log, "S1 T5 S2 D");
    fx_free(&f);
    fx_load(&f, POLICY("\"transport\":{\"retries\":3,\"statuses\":" ALL5XX
                       ",\"respect_retry_after\":false},",
                       "{\"max_attempts\":7}"));
    drive_log(&f, s, FX_N(s), log, sizeof log, &a);
    assert_string_equal(log, "S1 R5 S2 D"); /* the application's Retry-After wait */
    fx_free(&f);
}

/* Transport errors are retried only when listed; the default ladder is 0 s. */
static void listed_errors_only(void **state)
{
    (void)state;
    fx_outcome s[] = {{0, RL_TE_RESET, {{NULL, NULL}}},
                      {0, RL_TE_TIMEOUT, {{NULL, NULL}}},
                      {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_policy f;
    fx_load(&f, POLICY("\"transport\":{\"retries\":2,\"errors\":[\"reset\"]},",
                       "{\"max_attempts\":7}"));
    char log[512];
    rl_action a;
    drive_log(&f, s, FX_N(s), log, sizeof log, &a);
    assert_string_equal(log, "S1 T0 S2 B1 S3 D"); /* the timeout goes up: the app's ladder */
    fx_free(&f);
}

/* max_attempts and max_total_wait count the transport's sends and waits. */
static void limits_count_every_send_and_wait(void **state)
{
    (void)state;
    fx_policy f;
    char log[512];
    rl_action a;
    fx_load(&f, POLICY(URLLIB3(ALL5XX_429), "{\"max_attempts\":6}"));
    drive_log(&f, free429, 1, log, sizeof log, &a);
    assert_string_equal(log, "S1 T0 S2 T4 S3 T8 S4 B20 S5 T0 S6 F");
    fx_free(&f);
    fx_load(&f, POLICY(URLLIB3(ALL5XX_429), "{\"max_attempts\":100,\"max_total_wait_s\":30}"));
    drive_log(&f, free429, 1, log, sizeof log, &a);
    assert_string_equal(log, "S1 T0 S2 T4 S3 T8 S4 F"); /* 12 + 20 > 30 */
    assert_non_null(strstr(a.message, "max_total_wait"));
    fx_free(&f);
}

/* A retry budget is asked for every transport retry too. */
static void budget_counts_transport_retries(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, POLICY(URLLIB3(ALL5XX_429) "\"budget\":{\"kind\":\"token_quota\",\"capacity\":10,"
                                           "\"retry_cost\":5},",
                       "{\"max_attempts\":28}"));
    char log[512];
    rl_action a;
    drive_log(&f, free429, 1, log, sizeof log, &a);
    assert_string_equal(log, "S1 T0 S2 T4 S3 F");
    assert_non_null(strstr(a.message, "budget"));
    fx_free(&f);
}

/* The breaker counts application attempts: two attempts of four 503s each
 * are two failures, not eight (failures 3 leaves it closed). */
static void breaker_sees_application_attempts(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, POLICY(URLLIB3(ALL5XX) "\"breaker\":{\"failures\":3,\"open_s\":60},",
                       "{\"max_attempts\":8}"));
    fx_outcome s[] = {{503, RL_TE_NONE, {{NULL, NULL}}}};
    char log[512];
    rl_action a;
    drive_log(&f, s, 1, log, sizeof log, &a);
    assert_string_equal(log, "S1 T0 S2 T4 S3 T8 S4 B1 S5 T0 S6 T4 S7 T8 S8 F");
    assert_int_equal(f.run->breakers[0].state, RL_BREAKER_CLOSED);
    assert_int_equal(f.run->breakers[0].consecutive_failures, 2);
    fx_free(&f);
}

/* ---- the section's parser ---- */

static const char *parse_error(const char *transport, rl_transport_cfg *cfg)
{
    static cm_err err;
    char text[1024];
    snprintf(text, sizeof text, "{\"transport\": %s}", transport);
    memset(&err, 0, sizeof err);
    cm_json *doc = cm_json_parse("policy.json", text, strlen(text), &err);
    assert_non_null(doc);
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(cm_json_root(doc), "transport");
    int rc = rl_transport_parse(doc, node, cfg, &err);
    cm_json_free(doc);
    return rc == 0 ? "" : err.msg;
}

static void parser_accepts_and_refuses(void **state)
{
    (void)state;
    rl_transport_cfg c;
    assert_string_equal(parse_error("{\"retries\": 5, \"statuses\": [429, 503], \"errors\": "
                                    "[\"reset\", \"connect\"], \"retry_after_max_s\": 60}",
                                    &c),
                        "");
    assert_true(c.enabled);
    assert_int_equal(c.retries, 5);
    assert_int_equal(c.nstatuses, 2);
    assert_true(c.respect_retry_after);
    assert_false(c.first_immediate);
    assert_int_equal(c.retry_after_max, S(60));
    assert_int_equal(rl_transport_delay(&c, 3, 0, NULL, NULL, &(bool){false}), 0);
    assert_string_equal(parse_error("{}", &c),
                        "policy.json:1:15: transport.retries: required field is missing");
    assert_false(c.enabled);
    assert_string_equal(parse_error("{\"retries\": 1, \"statuses\": [429, 200]}", &c),
                        "policy.json:1:48: transport.statuses: item 1 must be an HTTP status "
                        "from 400 to 599");
    assert_string_equal(parse_error("{\"retries\": 1, \"errors\": [\"none\"]}", &c),
                        "policy.json:1:41: transport.errors: item 0 must be one of: timeout, "
                        "reset, connect, truncated, other");
    assert_string_equal(parse_error("{\"retries\": 101}", &c),
                        "policy.json:1:27: transport.retries: must be between 0 and 100 (got 101)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nested_429_multiplies_the_sends),
        cmocka_unit_test(app_retry_limit_counts_app_attempts),
        cmocka_unit_test(seed_fix_gives_the_tier_ladder),
        cmocka_unit_test(transport_retry_then_success),
        cmocka_unit_test(retry_after_429_is_still_the_transports),
        cmocka_unit_test(listed_errors_only),
        cmocka_unit_test(limits_count_every_send_and_wait),
        cmocka_unit_test(budget_counts_transport_retries),
        cmocka_unit_test(breaker_sees_application_attempts),
        cmocka_unit_test(parser_accepts_and_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
