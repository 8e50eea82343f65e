/* test_engine_server_delay.c: the retry_after options beyond the ceiling,
 * through rl_task_next: a strict lower bound (Retry-After 0 to the ladder, as
 * the Python SDKs do), past HTTP-dates (zero, ladder, immediate), honoured
 * only for listed statuses (Portkey: 429), dates read against the Date header or
 * the client's clock, which headers are read and
 * whether dates are, delays from the body (RetryInfo, the message) and their
 * order, the ladder after a server-given wait (continue, reset as gRPC's
 * pushback, zero as Portkey), the wait combined with the ladder (max,
 * bounded as AWS JS v3), and the load-time checks. Also the ladder options:
 * a ladder per outcome (backoff.by_outcome), jitter above the cap
 * (cap_after_jitter false) and additive jitter. */
#include "tests/lib/engine_fixture.h"

#include "engine/core/backoff.h"
#include "tests/lib/test_assert.h"

#define S(x) ((cm_us)((x)*1000000.0))

/* A one-candidate policy: ladder 1, 2, 4 ... s without jitter, 5 attempts,
 * then `extra` (",\"retry_after\":{...}" and the like). */
static void load(fx_policy *f, const char *extra)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"kind\":\"policy\",\"name\":\"sd\",\"candidates\":[{\"provider\":\"openai\","
             "\"model\":\"gpt-4o\"}],\"backoff\":{\"kind\":\"exponential\",\"base_s\":1,"
             "\"factor\":2},\"limits\":{\"max_attempts\":5}%s}",
             extra);
    fx_load(f, json);
}

/* Every answer `status` with the headers h (up to 2 pairs) and error body b
 * (may be NULL); the waits and their reasons into tr. */
static void drive(const char *extra, int status, const char *h0, const char *v0, const char *h1,
                  const char *v1, const rl_error_body *b, fx_trail *tr)
{
    fx_policy f;
    load(&f, extra);
    fx_outcome s[] = {{status, RL_TE_NONE, {{h0, v0}, {h1, v1}}}};
    const rl_error_body *bodies[] = {b};
    cm_rng rng;
    cm_rng_seed(&rng, 3);
    fx_drive_body(&f, 0, 0, s, bodies, 1, 0, &rng, tr);
    fx_free(&f);
}

static double first_wait(const char *extra, const char *h, const char *v, rl_wait_reason *why)
{
    fx_trail tr;
    drive(extra, 429, h, v, NULL, NULL, NULL, &tr);
    *why = tr.nwaits ? tr.why[0] : RL_WAIT_BACKOFF;
    return tr.nwaits ? tr.wait_s[0] : -1;
}

#define STRICT ",\"retry_after\":{\"min_s\":0,\"min_inclusive\":false,\"below_min\":\"ladder\"}"

static void strict_lower_bound(void **state)
{
    (void)state;
    rl_wait_reason why;
    /* By default a 0 is a 0 s wait, as before. */
    assert_num_equal(first_wait("", "retry-after", "0", &why), 0);
    assert_int_equal(why, RL_WAIT_RETRY_AFTER);
    /* 0 < v: Retry-After 0 and retry-after-ms 0 go to the ladder. */
    assert_num_equal(first_wait(STRICT, "retry-after", "0", &why), 1);
    assert_int_equal(why, RL_WAIT_BACKOFF);
    assert_num_equal(first_wait(STRICT, "retry-after-ms", "0", &why), 1);
    assert_num_equal(first_wait(STRICT, "retry-after", "2", &why), 2);
    assert_int_equal(why, RL_WAIT_RETRY_AFTER);
    /* A floor that clamps (below_min clamp, the default). */
    assert_num_equal(first_wait(",\"retry_after\":{\"min_s\":3}", "retry-after", "2", &why), 3);
}

#define DATE "Date", "Thu, 01 Jan 2026 00:00:10 GMT"
#define PAST "Thu, 01 Jan 2026 00:00:05 GMT"
#define NOW_DATE "Thu, 01 Jan 2026 00:00:10 GMT"

static double date_wait(const char *extra, const char *ra, rl_wait_reason *why)
{
    fx_trail tr;
    drive(extra, 429, "Retry-After", ra, DATE, NULL, &tr);
    *why = tr.nwaits ? tr.why[0] : RL_WAIT_BACKOFF;
    return tr.nwaits ? tr.wait_s[0] : -1;
}

static void past_dates(void **state)
{
    (void)state;
    rl_wait_reason why;
    assert_num_equal(date_wait("", PAST, &why), 0); /* zero, the default */
    assert_int_equal(why, RL_WAIT_RETRY_AFTER);
    assert_num_equal(date_wait(",\"retry_after\":{\"past_date\":\"ladder\"}", PAST, &why), 1);
    assert_int_equal(why, RL_WAIT_BACKOFF);
    /* zero then meets the window: under a strict lower bound, the ladder */
    assert_num_equal(date_wait(STRICT, PAST, &why), 1);
    /* immediate: 0 s whatever the window */
    const char *imm = ",\"retry_after\":{\"past_date\":\"immediate\",\"min_s\":0,"
                      "\"min_inclusive\":false,\"below_min\":\"ladder\"}";
    assert_num_equal(date_wait(imm, PAST, &why), 0);
    assert_int_equal(why, RL_WAIT_RETRY_AFTER);
    /* A date equal to the Date header is not past: a clean 0. */
    assert_num_equal(date_wait(",\"retry_after\":{\"past_date\":\"ladder\"}", NOW_DATE, &why), 0);
    assert_num_equal(date_wait(STRICT, NOW_DATE, &why), 1);
    /* Dates not read at all (Portkey: parseInt of a date is NaN). */
    assert_true(date_wait(",\"retry_after\":{\"dates\":false}", "Thu, 01 Jan 2026 00:00:12 GMT",
                          &why) == 1);
    assert_num_equal(date_wait("", "Thu, 01 Jan 2026 00:00:12 GMT", &why), 2);
}

/* A date as the SDKs read it: minus the client's clock, not the Date header.
 * The answer comes at 00:00:10.5 with Date 00:00:10 (Date is whole seconds). */
static double clock_wait(const char *extra, const char *ra, rl_wait_reason *why)
{
    fx_policy f;
    load(&f, extra);
    fx_outcome s[] = {{429, RL_TE_NONE, {{"Retry-After", ra}, {DATE}}}};
    cm_rng rng;
    cm_rng_seed(&rng, 3);
    fx_trail tr;
    fx_drive_at(&f, 0, S(10.5), s, 1, 0, &rng, &tr);
    fx_free(&f);
    *why = tr.nwaits ? tr.why[0] : RL_WAIT_BACKOFF;
    return tr.nwaits ? tr.wait_s[0] : -1;
}

static void dates_against_the_clock(void **state)
{
    (void)state;
    rl_wait_reason why;
    const char *hdr = ",\"retry_after\":{\"past_date\":\"ladder\"}";
    const char *clk = ",\"retry_after\":{\"past_date\":\"ladder\",\"date_reference\":\"clock\"}";
    /* "now" in the date: 0 s against Date, half a second past against the clock */
    assert_num_equal(clock_wait(hdr, NOW_DATE, &why), 0);
    assert_int_equal(why, RL_WAIT_RETRY_AFTER);
    assert_num_equal(clock_wait(clk, NOW_DATE, &why), 1);
    assert_int_equal(why, RL_WAIT_BACKOFF);
    /* 2 s after Date: 2 s, or 1.5 s by the clock */
    assert_num_equal(clock_wait(hdr, "Thu, 01 Jan 2026 00:00:12 GMT", &why), 2);
    assert_num_equal(clock_wait(clk, "Thu, 01 Jan 2026 00:00:12 GMT", &why), 1.5);
    /* 60 s after Date under a ceiling of 60: honoured either way (59.5 s by the clock) */
    const char *node = ",\"retry_after\":{\"max_s\":60,\"past_date\":\"ladder\","
                       "\"date_reference\":\"clock\"}";
    assert_num_equal(clock_wait(node, "Thu, 01 Jan 2026 00:01:10 GMT", &why), 59.5);
    /* Seconds are not dates: unchanged. */
    assert_num_equal(clock_wait(clk, "7", &why), 7);
}

static void only_listed_statuses(void **state)
{
    (void)state;
    const char *p = ",\"retry_after\":{\"statuses\":[429]}";
    fx_trail tr;
    drive(p, 503, "retry-after", "7", NULL, NULL, NULL, &tr);
    assert_num_equal(tr.wait_s[0], 1);
    assert_int_equal(tr.why[0], RL_WAIT_BACKOFF);
    drive(p, 429, "retry-after", "7", NULL, NULL, NULL, &tr);
    assert_num_equal(tr.wait_s[0], 7);
    drive("", 503, "retry-after", "7", NULL, NULL, NULL, &tr);
    assert_num_equal(tr.wait_s[0], 7);
}

static void which_headers(void **state)
{
    (void)state;
    fx_trail tr;
    /* retry-after only (curl, LiteLLM): retry-after-ms is not read. */
    const char *only = ",\"retry_after\":{\"headers\":[\"retry-after\"]}";
    drive(only, 429, "retry-after-ms", "2000", NULL, NULL, NULL, &tr);
    assert_num_equal(tr.wait_s[0], 1);
    drive(only, 429, "retry-after-ms", "2000", "retry-after", "5", NULL, &tr);
    assert_num_equal(tr.wait_s[0], 5);
    drive("", 429, "retry-after-ms", "2000", "retry-after", "5", NULL, &tr);
    assert_num_equal(tr.wait_s[0], 2);
    /* The listed order decides when both are usable. */
    drive(",\"retry_after\":{\"headers\":[\"retry-after\",\"retry-after-ms\"]}", 429,
          "retry-after-ms", "2000", "retry-after", "5", NULL, &tr);
    assert_num_equal(tr.wait_s[0], 5);
}

static void delays_from_the_body(void **state)
{
    (void)state;
    fx_trail tr;
    rl_error_body b;
    rl_error_body_clear(&b);
    b.message_delay = S(20);
    b.retry_delay = S(26);
    /* Not read unless asked for. */
    drive("", 429, NULL, NULL, NULL, NULL, &b, &tr);
    assert_num_equal(tr.wait_s[0], 1);
    drive(",\"retry_after\":{\"from\":[\"headers\",\"message\"]}", 429, NULL, NULL, NULL, NULL, &b,
          &tr);
    assert_num_equal(tr.wait_s[0], 20);
    assert_int_equal(tr.why[0], RL_WAIT_RETRY_AFTER);
    drive(",\"retry_after\":{\"from\":[\"retry_info\",\"message\"]}", 429, NULL, NULL, NULL, NULL,
          &b, &tr);
    assert_num_equal(tr.wait_s[0], 26);
    /* A header first in the list wins over the body. */
    drive(",\"retry_after\":{\"from\":[\"headers\",\"message\"]}", 429, "retry-after", "3", NULL,
          NULL, &b, &tr);
    assert_num_equal(tr.wait_s[0], 3);
    /* The window applies as to a header: above 10 s, the ladder. */
    drive(",\"retry_after\":{\"from\":[\"message\"],\"max_s\":10}", 429, NULL, NULL, NULL, NULL, &b,
          &tr);
    assert_num_equal(tr.wait_s[0], 1);
}

static void ladder_after_a_server_wait(void **state)
{
    (void)state;
    /* 429 with Retry-After 3, then 503s without: the ladder's steps after it. */
    const char *modes[] = {"continue", "reset", "zero"};
    double want[][4] = {{3, 2, 4, 8}, {3, 1, 2, 4}, {3, 0, 0, 0}};
    for (size_t m = 0; m < 3; m++) {
        char extra[200];
        snprintf(extra, sizeof extra, ",\"retry_after\":{\"ladder_after\":\"%s\"}", modes[m]);
        fx_policy f;
        load(&f, extra);
        fx_outcome s[] = {{429, RL_TE_NONE, {{"retry-after", "3"}}},
                          {503, RL_TE_NONE, {{NULL, NULL}}}};
        fx_trail tr;
        fx_drive(&f, s, FX_N(s), &tr);
        print_message("ladder_after %s\n", modes[m]);
        fx_expect_waits(&tr, want[m], 4);
        fx_free(&f);
    }
}

static void combined_with_the_ladder(void **state)
{
    (void)state;
    rl_wait_reason why;
    /* max: the longer of the two (ladder 1 s at n = 0) */
    const char *mx = ",\"retry_after\":{\"combine\":\"max\"}";
    assert_num_equal(first_wait(mx, "retry-after", "0.5", &why), 1);
    assert_num_equal(first_wait(mx, "retry-after", "3", &why), 3);
    /* bounded: max(b, min(v, b + 5)) */
    const char *bd = ",\"retry_after\":{\"combine\":\"bounded\",\"bounded_plus_s\":5}";
    assert_num_equal(first_wait(bd, "retry-after", "3", &why), 3);
    assert_num_equal(first_wait(bd, "retry-after", "60", &why), 6);
    assert_num_equal(first_wait(bd, "retry-after", "0", &why), 1);
    /* The ladder moves on a step either way: a second 429 with 60 s waits 2 + 5. */
    fx_trail tr;
    drive(bd, 429, "retry-after", "60", NULL, NULL, NULL, &tr);
    fx_expect_waits(&tr, (double[]){6, 7, 9, 13}, 4);
}

static void load_checks(void **state)
{
    (void)state;
    const char *bad[][2] = {
        {"{\"combine\":\"bounded\"}", "retry_after.bounded_plus_s: goes with"},
        {"{\"bounded_plus_s\":5}", "retry_after.bounded_plus_s: goes with"},
        {"{\"headers\":[\"retry-after\",\"retry-after\"]}",
         "retry_after.headers: \"retry-after\" is listed twice"},
        {"{\"headers\":[\"x-amz-retry-after\"]}",
         "retry_after.headers: item 0 must be one of: retry-after-ms, retry-after"},
        {"{\"headers\":[]}", "retry_after.headers: must have 1 to 2 items"},
        {"{\"from\":[\"body\"]}",
         "retry_after.from: item 0 must be one of: headers, retry_info, message"},
        {"{\"statuses\":[429,429]}", "retry_after.statuses: 429 is listed twice"},
        {"{\"statuses\":[99]}", "retry_after.statuses: item 0 must be an HTTP status"},
        {"{\"past_date\":\"never\"}", "retry_after.past_date: \"never\" is not one of: zero, "
                                      "ladder, immediate"},
        {"{\"below_min\":\"give_up\"}", "retry_after.below_min"},
        {"{\"ladder_after\":\"again\"}", "retry_after.ladder_after"},
        {"{\"date_reference\":\"server\"}", "retry_after.date_reference: \"server\" is not one of: "
                                            "date_header, clock"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[512];
        snprintf(json, sizeof json,
                 "{\"kind\":\"policy\",\"name\":\"b\",\"candidates\":[{\"provider\":\"p\","
                 "\"model\":\"m\"}],\"retry_after\":%s}",
                 bad[i][0]);
        cm_err err = {{0}};
        cm_json *doc = cm_json_parse("t.json", json, strlen(json), &err);
        rl_policy *p = NULL;
        assert_non_null(doc);
        assert_int_equal(rl_policy_from_json(doc, &p, &err), -1);
        print_message("%s\n", err.msg);
        assert_non_null(strstr(err.msg, bad[i][1]));
        cm_json_free(doc);
    }
}

/* ---- ladders ---- */

static void ladder_per_outcome(void **state)
{
    (void)state;
    /* AWS JS v3's two bases: 0.5 s for throttling (429), 0.1 s for the rest;
     * without jitter here so the values show; n is shared. */
    const char *extra =
        ",\"backoff\":{\"kind\":\"exponential\",\"base_s\":0.1,\"factor\":2,"
        "\"by_outcome\":{\"429\":{\"kind\":\"exponential\",\"base_s\":0.5,\"factor\":2},"
        "\"timeout\":{\"kind\":\"constant\",\"base_s\":7}}},\"retry_after\":{\"mode\":\"ignore\"}";
    char json[1024];
    snprintf(json, sizeof json,
             "{\"kind\":\"policy\",\"name\":\"lo\",\"candidates\":[{\"provider\":\"p\","
             "\"model\":\"m\"}],\"limits\":{\"max_attempts\":6}%s}",
             extra);
    fx_policy f;
    fx_load(&f, json);
    fx_outcome s[] = {{429, RL_TE_NONE, {{NULL, NULL}}}, {503, RL_TE_NONE, {{NULL, NULL}}},
                      {429, RL_TE_NONE, {{NULL, NULL}}}, {0, RL_TE_TIMEOUT, {{NULL, NULL}}},
                      {500, RL_TE_NONE, {{NULL, NULL}}}, {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    fx_expect_waits(&tr, (double[]){0.5, 0.2, 2, 7, 1.6}, 5);
    assert_true(tr.ok);
    fx_free(&f);
}

static void ladder_checks(void **state)
{
    (void)state;
    const char *bad[][2] = {
        {"{\"kind\":\"constant\",\"by_outcome\":{\"default\":{\"kind\":\"constant\"}}}",
         "backoff.by_outcome.default: unknown field"},
        {"{\"kind\":\"constant\",\"by_outcome\":{\"429\":3}}",
         "backoff.by_outcome.429: must be a backoff object"},
        {"{\"kind\":\"constant\",\"by_outcome\":{\"429\":{\"base_s\":3}}}",
         "backoff.by_outcome.429.kind: required field is missing"},
        {"{\"kind\":\"constant\",\"by_outcome\":{\"429\":{\"kind\":\"constant\"},\"429\":{"
         "\"kind\":\"constant\"}}}",
         "backoff.by_outcome.429: duplicate field"},
        {"{\"kind\":\"constant\",\"by_outcome\":{\"type:x\":{\"kind\":\"constant\"}}}",
         "backoff.by_outcome.type:x: unknown field"},
        {"{\"kind\":\"constant\",\"jitter\":\"additive\"}", "backoff.jitter_range: required"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[512];
        snprintf(json, sizeof json,
                 "{\"kind\":\"policy\",\"name\":\"b\",\"candidates\":[{\"provider\":\"p\","
                 "\"model\":\"m\"}],\"backoff\":%s}",
                 bad[i][0]);
        cm_err err = {{0}};
        cm_json *doc = cm_json_parse("t.json", json, strlen(json), &err);
        rl_policy *p = NULL;
        assert_non_null(doc);
        assert_int_equal(rl_policy_from_json(doc, &p, &err), -1);
        print_message("%s\n", err.msg);
        assert_non_null(strstr(err.msg, bad[i][1]));
        cm_json_free(doc);
    }
    /* by_outcome belongs to the policy's own ladder only. */
    const char *json = "{\"kind\":\"policy\",\"name\":\"b\",\"candidates\":[{\"provider\":\"p\","
                       "\"model\":\"m\"}],\"task_retries\":{\"max\":1,\"backoff\":{\"kind\":"
                       "\"constant\",\"by_outcome\":{}}}}";
    cm_err err = {{0}};
    cm_json *doc = cm_json_parse("t.json", json, strlen(json), &err);
    rl_policy *p = NULL;
    assert_int_equal(rl_policy_from_json(doc, &p, &err), -1);
    assert_non_null(strstr(err.msg, "task_retries.backoff.by_outcome: unknown field"));
    cm_json_free(doc);
}

static void jitter_above_the_cap_and_additive(void **state)
{
    (void)state;
    cm_rng rng;
    cm_rng_seed(&rng, 11);
    rl_backoff b;
    rl_backoff_defaults(&b);
    b.kind = RL_BACKOFF_CONSTANT;
    b.base_s = 1;
    b.cap_s = 1;
    b.jitter = RL_JITTER_PROPORTIONAL;
    b.jitter_lo = 0.8;
    b.jitter_hi = 1.2;
    cm_us hi = 0, lo = CM_US_MAX;
    for (int i = 0; i < 2000; i++) { /* gRPC A6: min(b, max) x U(0.8, 1.2), may pass max */
        b.cap_after_jitter = i % 2 == 0;
        cm_us d = rl_backoff_delay(&b, 0, 0, &rng);
        if (b.cap_after_jitter)
            assert_true(d <= S(1));
        else {
            hi = d > hi ? d : hi;
            lo = d < lo ? d : lo;
        }
    }
    assert_true(hi > S(1.15) && hi < S(1.2));
    assert_true(lo >= S(0.8) && lo < S(0.85));
    b.jitter = RL_JITTER_ADDITIVE; /* LiteLLM: v + U[0, 0.75) */
    b.jitter_lo = 0;
    b.jitter_hi = 0.75;
    b.cap_s = -1;
    for (int i = 0; i < 200; i++) {
        cm_us d = rl_backoff_delay(&b, 0, 0, &rng);
        assert_true(d >= S(1) && d < S(1.75));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strict_lower_bound),
        cmocka_unit_test(past_dates),
        cmocka_unit_test(dates_against_the_clock),
        cmocka_unit_test(only_listed_statuses),
        cmocka_unit_test(which_headers),
        cmocka_unit_test(delays_from_the_body),
        cmocka_unit_test(ladder_after_a_server_wait),
        cmocka_unit_test(combined_with_the_ladder),
        cmocka_unit_test(load_checks),
        cmocka_unit_test(ladder_per_outcome),
        cmocka_unit_test(ladder_checks),
        cmocka_unit_test(jitter_above_the_cap_and_additive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
