/* test_engine_retry_after.c: the Retry-After policy and classification
 * through rl_task_next: ceilings at 60/61/120/121 s for openai-python-like,
 * openai-node-like and give-up-above-120 policies, rotate above the ceiling,
 * the cumulative ceiling (Portkey), hostile values noted in the WAIT,
 * x-should-retry overriding 400 and 503, custom classification. */
#include "tests/lib/engine_fixture.h"
#include "tests/lib/test_assert.h"

#define ONE_CAND                                                                                   \
    "{\"kind\":\"policy\",\"name\":\"ra\",\"candidates\":[{\"provider\":\"openai\","               \
    "\"model\":\"gpt-4o\"},{\"provider\":\"openai\",\"model\":\"gpt-4o-mini\"}],"                  \
    "\"backoff\":{\"kind\":\"exponential\",\"base_s\":0.5,\"cap_s\":8},"                           \
    "\"limits\":{\"max_attempts\":3},\"retry_after\":%s}"

/* One 429 with Retry-After `ra`, then 200: returns the first wait (or -1
 * when the task failed at once) and its reason. */
static double first_wait(const char *ra_policy, const char *ra, rl_wait_reason *why,
                         uint32_t *second_cand)
{
    char json[1024];
    snprintf(json, sizeof json, ONE_CAND, ra_policy);
    fx_policy f;
    fx_load(&f, json);
    fx_outcome s[] = {{429, RL_TE_NONE, {{"retry-after", ra}}}, {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    double w = tr.nwaits ? tr.wait_s[0] : -1;
    *why = tr.nwaits ? tr.why[0] : RL_WAIT_BACKOFF;
    *second_cand = tr.nsends > 1 ? tr.cand[1] : 99;
    fx_free(&f);
    return w;
}

#define PY "{\"max_s\":60,\"above_max\":\"ladder\"}"
#define NODE "{\"max_s\":60,\"max_inclusive\":false,\"above_max\":\"ladder\"}"
#define GIVEUP "{\"max_s\":120,\"above_max\":\"give_up\"}"
#define ROTATE "{\"max_s\":60,\"above_max\":\"rotate\"}"

static void caps_openai_python_like(void **state)
{
    (void)state;
    rl_wait_reason why;
    uint32_t c;
    assert_num_equal(first_wait(PY, "60", &why, &c), 60);
    assert_int_equal(why, RL_WAIT_RETRY_AFTER);
    const char *above[] = {"61", "120", "121"};
    for (size_t i = 0; i < 3; i++) {
        assert_num_equal(first_wait(PY, above[i], &why, &c), 0.5);
        assert_int_equal(why, RL_WAIT_BACKOFF);
    }
}

static void caps_openai_node_like(void **state)
{
    (void)state;
    rl_wait_reason why;
    uint32_t c;
    assert_num_equal(first_wait(NODE, "59", &why, &c), 59);
    assert_int_equal(why, RL_WAIT_RETRY_AFTER);
    const char *above[] = {"60", "61", "120", "121"};
    for (size_t i = 0; i < 4; i++) {
        assert_num_equal(first_wait(NODE, above[i], &why, &c), 0.5);
        assert_int_equal(why, RL_WAIT_BACKOFF);
    }
}

static void caps_give_up_above_120(void **state)
{
    (void)state;
    rl_wait_reason why;
    uint32_t c;
    assert_num_equal(first_wait(GIVEUP, "60", &why, &c), 60);
    assert_num_equal(first_wait(GIVEUP, "61", &why, &c), 61);
    assert_num_equal(first_wait(GIVEUP, "120", &why, &c), 120);
    assert_int_equal(why, RL_WAIT_RETRY_AFTER);
    assert_num_equal(first_wait(GIVEUP, "121", &why, &c), -1);
    assert_int_equal(c, 99); /* no second send */
}

static void cap_rotate_above(void **state)
{
    (void)state;
    rl_wait_reason why;
    uint32_t c;
    assert_num_equal(first_wait(ROTATE, "60", &why, &c), 60);
    assert_int_equal(c, 0);
    assert_num_equal(first_wait(ROTATE, "61", &why, &c), -1); /* no wait: straight to the next */
    assert_int_equal(c, 1);
}

static void ignore_and_clamp(void **state)
{
    (void)state;
    rl_wait_reason why;
    uint32_t c;
    assert_num_equal(first_wait("{\"mode\":\"ignore\"}", "30", &why, &c), 0.5);
    assert_true(first_wait("{\"mode\":\"cap\",\"max_s\":20,\"above_max\":\"clamp\"}", "30", &why,
                           &c) == 20);
    assert_num_equal(first_wait("{\"min_s\":2}", "1", &why, &c), 2);
    assert_num_equal(first_wait("{}", "1.5", &why, &c), 1.5);
}

static void give_up_message(void **state)
{
    (void)state;
    fx_policy f;
    char json[1024];
    snprintf(json, sizeof json, ONE_CAND,
             GIVEUP "},\"messages\":{\"retry_after\":\"asked to wait {retry_after} s\"");
    /* ONE_CAND closes the retry_after object itself: rebuild by hand instead. */
    snprintf(json, sizeof json,
             "{\"kind\":\"policy\",\"name\":\"ra\",\"candidates\":[{\"provider\":\"o\","
             "\"model\":\"m\"}],\"retry_after\":" GIVEUP
             ",\"messages\":{\"retry_after\":\"asked to wait {retry_after} s on {model}\"}}");
    fx_load(&f, json);
    fx_outcome s[] = {{429, RL_TE_NONE, {{"retry-after", "600"}}}};
    fx_trail tr;
    fx_drive(&f, s, 1, &tr);
    assert_false(tr.ok);
    assert_string_equal(tr.message, "asked to wait 600 s on m");
    fx_free(&f);
}

static void cumulative_cap_portkey(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, "{\"kind\":\"policy\",\"name\":\"portkey\",\"candidates\":[{\"provider\":\"o\","
                "\"model\":\"m\"}],\"retry_after\":{\"total_max_s\":60},"
                "\"limits\":{\"max_attempts\":6}}");
    fx_outcome s[] = {{429, RL_TE_NONE, {{"retry-after", "30"}}},
                      {429, RL_TE_NONE, {{"retry-after", "20"}}},
                      {429, RL_TE_NONE, {{"retry-after", "10"}}},
                      {429, RL_TE_NONE, {{"retry-after", "1"}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    double want[] = {30, 20, 10}; /* 60 in all; the fourth (61) is refused */
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.nsends, 4);
    assert_false(tr.ok);
    fx_free(&f);
}

static void hostile_values_noted_in_wait(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, "{\"kind\":\"policy\",\"name\":\"h\",\"candidates\":[{\"provider\":\"o\","
                "\"model\":\"m\"}],\"backoff\":{\"kind\":\"constant\",\"base_s\":3},"
                "\"retry_after\":{\"max_s\":300,\"above_max\":\"clamp\"},"
                "\"limits\":{\"max_attempts\":4}}");
    fx_outcome s[] = {{429, RL_TE_NONE, {{"retry-after", "-5"}}},
                      {429, RL_TE_NONE, {{"retry-after", "soon"}}},
                      {429, RL_TE_NONE, {{"retry-after", "99999999999999999999"}}},
                      {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    double want[] = {3, 3, 300}; /* unusable -> the ladder; overflow -> clamped to max_s */
    fx_expect_waits(&tr, want, FX_N(want));
    assert_string_equal(tr.wait_msg[0], "retry-after ignored: negative");
    assert_non_null(strstr(tr.wait_msg[1], "retry-after ignored: not a number"));
    assert_non_null(strstr(tr.wait_msg[2], "retry-after noted: too large, clamped"));
    assert_true(tr.ok);
    fx_free(&f);
}

/* A Retry-After honoured without a ceiling that reaches the end of retrylab's
 * time (CM_US_MAX, 100 years) fails the task at once with reason retry_after:
 * planning that wait would park the clock at the ceiling, and every later
 * wait would then be planned as 0 s (a zero-delay loop). A value just short
 * of it is still waited. */
static void retry_after_past_the_end_of_time_fails_the_task(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, "{\"kind\":\"policy\",\"name\":\"h\",\"candidates\":[{\"provider\":\"o\","
                "\"model\":\"m\"}],\"backoff\":{\"kind\":\"constant\",\"base_s\":1},"
                "\"messages\":{\"retry_after\":\"gave up: {retry_after}\"},"
                "\"limits\":{\"max_attempts\":20}}");
    fx_outcome huge[] = {{429, RL_TE_NONE, {{"retry-after", "99999999999999999999"}}},
                         {429, RL_TE_NONE, {{"retry-after", "3"}}},
                         {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, huge, FX_N(huge), &tr);
    assert_int_equal(tr.nsends, 1);
    assert_int_equal(tr.nwaits, 0);
    assert_true(tr.done && !tr.ok);
    assert_non_null(strstr(tr.message, "gave up: "));
    fx_outcome long_one[] = {{429, RL_TE_NONE, {{"retry-after", "3000000000"}}}, /* 95 years */
                             {429, RL_TE_NONE, {{"retry-after", "3"}}},
                             {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive(&f, long_one, FX_N(long_one), &tr);
    double want[] = {3000000000.0, 3};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_string_equal(tr.wait_msg[0], "retry-after noted: longer than a year");
    assert_true(tr.ok);
    fx_free(&f);
}

#define CLS                                                                                        \
    "{\"kind\":\"policy\",\"name\":\"cls\",\"candidates\":[{\"provider\":\"o\",\"model\":\"m\"}]," \
    "\"backoff\":{\"kind\":\"constant\",\"base_s\":1},\"limits\":{\"max_attempts\":3}%s}"

static size_t sends_for(const char *extra, int status, const char *xsr)
{
    char json[1024];
    snprintf(json, sizeof json, CLS, extra);
    fx_policy f;
    fx_load(&f, json);
    fx_outcome s[] = {{status, RL_TE_NONE, {{"x-should-retry", xsr}}},
                      {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    fx_free(&f);
    return tr.nsends;
}

static void x_should_retry_overrides(void **state)
{
    (void)state;
    assert_int_equal(sends_for("", 400, NULL), 1);
    assert_int_equal(sends_for("", 400, "true"), 2);
    assert_int_equal(sends_for("", 503, NULL), 2);
    assert_int_equal(sends_for("", 503, "false"), 1);
    /* A policy may ignore the header. */
    assert_int_equal(sends_for(",\"classify\":{\"x_should_retry\":false}", 400, "true"), 1);
    assert_int_equal(sends_for(",\"classify\":{\"x_should_retry\":false}", 503, "false"), 2);
}

static void classification_rules(void **state)
{
    (void)state;
    assert_int_equal(sends_for("", 404, NULL), 1);
    assert_int_equal(sends_for("", 500, NULL), 2);
    assert_int_equal(sends_for(",\"classify\":{\"5xx\":\"fail\"}", 500, NULL), 1);
    assert_int_equal(sends_for(",\"classify\":{\"5xx\":\"fail\",\"502\":\"retry\"}", 502, NULL), 2);
    assert_int_equal(sends_for(",\"classify\":{\"404\":\"retry\"}", 404, NULL), 2);
    assert_int_equal(sends_for(",\"classify\":{\"default\":\"retry\"}", 418, NULL), 2);
    /* Transport errors by name. */
    char json[1024];
    snprintf(json, sizeof json, CLS, ",\"classify\":{\"reset\":\"fail\"}");
    fx_policy f;
    fx_load(&f, json);
    fx_outcome s[] = {{0, RL_TE_RESET, {{NULL, NULL}}}, {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    assert_int_equal(tr.nsends, 1);
    s[0].error = RL_TE_TIMEOUT;
    fx_drive(&f, s, FX_N(s), &tr);
    assert_int_equal(tr.nsends, 2);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(caps_openai_python_like),
        cmocka_unit_test(caps_openai_node_like),
        cmocka_unit_test(caps_give_up_above_120),
        cmocka_unit_test(cap_rotate_above),
        cmocka_unit_test(ignore_and_clamp),
        cmocka_unit_test(give_up_message),
        cmocka_unit_test(cumulative_cap_portkey),
        cmocka_unit_test(hostile_values_noted_in_wait),
        cmocka_unit_test(retry_after_past_the_end_of_time_fails_the_task),
        cmocka_unit_test(x_should_retry_overrides),
        cmocka_unit_test(classification_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
