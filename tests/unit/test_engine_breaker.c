/* test_engine_breaker.c: engine/breaker.c: opens after 5 consecutive
 * failures, half-opens after its timeout, admits its probes only, closes on
 * success, re-opens on a probe failure; the policy section and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>
#include <cmocka.h>

#include "engine/core/breaker.h"
#include "tests/lib/test_assert.h"

#define S(x) ((cm_us)((x)*1000000.0))

static rl_breaker_cfg enabled_cfg(void)
{
    rl_breaker_cfg c;
    rl_breaker_cfg_default(&c);
    c.enabled = true;
    return c;
}

/* A call through the breaker at `now`: false when it was refused. */
static bool call(rl_breaker *b, const rl_breaker_cfg *c, cm_us now, bool ok)
{
    if (!rl_breaker_allows(b, c, now))
        return false;
    rl_breaker_on_send(b, c, now);
    rl_breaker_record(b, c, now, ok);
    return true;
}

static void opens_after_five_consecutive_failures(void **state)
{
    (void)state;
    rl_breaker_cfg c = enabled_cfg();
    rl_breaker b;
    rl_breaker_init(&b);
    for (int i = 1; i <= 4; i++) {
        assert_true(call(&b, &c, S(i), false));
        assert_int_equal(b.state, RL_BREAKER_CLOSED);
    }
    assert_true(call(&b, &c, S(5), false));
    assert_int_equal(b.state, RL_BREAKER_OPEN);
    assert_int_equal(b.opens, 1);
    assert_int_equal(rl_breaker_ready_at(&b, &c, S(6)), S(35));
    assert_false(call(&b, &c, S(6), true));
}

static void success_resets_the_count(void **state)
{
    (void)state;
    rl_breaker_cfg c = enabled_cfg();
    rl_breaker b;
    rl_breaker_init(&b);
    for (int i = 0; i < 4; i++)
        call(&b, &c, 0, false);
    call(&b, &c, 0, true);
    for (int i = 0; i < 4; i++)
        call(&b, &c, 0, false);
    assert_int_equal(b.state, RL_BREAKER_CLOSED);
    assert_int_equal(b.consecutive_failures, 4);
}

static void half_opens_after_timeout_and_closes_on_success(void **state)
{
    (void)state;
    rl_breaker_cfg c = enabled_cfg();
    rl_breaker b;
    rl_breaker_init(&b);
    for (int i = 0; i < 5; i++)
        call(&b, &c, S(10), false);
    assert_false(rl_breaker_allows(&b, &c, S(39.999999)));
    assert_int_equal(b.state, RL_BREAKER_OPEN);
    assert_true(rl_breaker_allows(&b, &c, S(40)));
    assert_int_equal(b.state, RL_BREAKER_HALF_OPEN);
    /* One probe only: once it is out, nobody else gets in. */
    rl_breaker_on_send(&b, &c, S(40));
    assert_false(rl_breaker_allows(&b, &c, S(41)));
    assert_int_equal(rl_breaker_ready_at(&b, &c, S(41)), CM_US_MAX);
    rl_breaker_record(&b, &c, S(42), true);
    assert_int_equal(b.state, RL_BREAKER_CLOSED);
    assert_true(rl_breaker_allows(&b, &c, S(42)));
    assert_int_equal(rl_breaker_ready_at(&b, &c, S(42)), S(42));
}

static void probe_failure_reopens(void **state)
{
    (void)state;
    rl_breaker_cfg c = enabled_cfg();
    rl_breaker b;
    rl_breaker_init(&b);
    for (int i = 0; i < 5; i++)
        call(&b, &c, 0, false);
    assert_true(call(&b, &c, S(30), false)); /* the probe, failing */
    assert_int_equal(b.state, RL_BREAKER_OPEN);
    assert_int_equal(b.opens, 2);
    assert_int_equal(b.open_until, S(60));
    assert_false(rl_breaker_allows(&b, &c, S(59)));
    assert_true(call(&b, &c, S(60), true));
    assert_int_equal(b.state, RL_BREAKER_CLOSED);
}

static void several_probes_must_all_succeed(void **state)
{
    (void)state;
    rl_breaker_cfg c = enabled_cfg();
    c.failures = 2;
    c.half_open_probes = 3;
    rl_breaker b;
    rl_breaker_init(&b);
    call(&b, &c, 0, false);
    call(&b, &c, 0, false);
    assert_int_equal(b.state, RL_BREAKER_OPEN);
    assert_true(call(&b, &c, S(30), true));
    assert_true(call(&b, &c, S(30), true));
    assert_int_equal(b.state, RL_BREAKER_HALF_OPEN);
    assert_true(call(&b, &c, S(30), true));
    assert_int_equal(b.state, RL_BREAKER_CLOSED);
}

static void late_results_while_open_are_ignored(void **state)
{
    (void)state;
    rl_breaker_cfg c = enabled_cfg();
    rl_breaker b;
    rl_breaker_init(&b);
    for (int i = 0; i < 5; i++)
        call(&b, &c, 0, false);
    rl_breaker_record(&b, &c, S(1), true);
    rl_breaker_record(&b, &c, S(2), false);
    assert_int_equal(b.state, RL_BREAKER_OPEN);
    assert_int_equal(b.open_until, S(30));
}

static void disabled_always_allows(void **state)
{
    (void)state;
    rl_breaker_cfg c;
    rl_breaker_cfg_default(&c);
    rl_breaker b;
    rl_breaker_init(&b);
    for (int i = 0; i < 50; i++)
        assert_true(call(&b, &c, 0, false));
    assert_int_equal(b.state, RL_BREAKER_CLOSED);
}

static void state_names_and_json(void **state)
{
    (void)state;
    assert_string_equal(rl_breaker_state_name(RL_BREAKER_CLOSED), "closed");
    assert_string_equal(rl_breaker_state_name(RL_BREAKER_OPEN), "open");
    assert_string_equal(rl_breaker_state_name(RL_BREAKER_HALF_OPEN), "half_open");
    assert_string_equal(rl_breaker_state_name((rl_breaker_state)7), "?");
    rl_breaker_cfg c = enabled_cfg();
    rl_breaker b;
    rl_breaker_init(&b);
    for (int i = 0; i < 5; i++)
        call(&b, &c, 0, false);
    cJSON *o = rl_breaker_json(&b, &c, S(1));
    assert_non_null(o);
    assert_string_equal(cJSON_GetObjectItem(o, "state")->valuestring, "open");
    assert_num_equal(cJSON_GetObjectItem(o, "open_until_s")->valuedouble, 30.0);
    assert_num_equal(cJSON_GetObjectItem(o, "opens")->valuedouble, 1.0);
    cJSON_Delete(o);
    o = rl_breaker_json(&b, &c, S(31)); /* due: shown as half_open */
    assert_string_equal(cJSON_GetObjectItem(o, "state")->valuestring, "half_open");
    assert_null(cJSON_GetObjectItem(o, "open_until_s"));
    cJSON_Delete(o);
}

/* Parses `{"breaker": <section>}` as "policy.json"; returns the error or "". */
static const char *parse_section(const char *text, rl_breaker_cfg *cfg)
{
    static cm_err err;
    err.msg[0] = '\0';
    cm_json *doc = cm_json_parse("policy.json", text, strlen(text), &err);
    assert_non_null(doc);
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(cm_json_root(doc), "breaker");
    int rc = rl_breaker_parse(doc, node, "breaker", cfg, &err);
    cm_json_free(doc);
    assert_int_equal(rc, err.msg[0] ? -1 : 0);
    return err.msg;
}

static void parse_valid_sections(void **state)
{
    (void)state;
    rl_breaker_cfg c;
    assert_string_equal(parse_section("{}", &c), "");
    assert_false(c.enabled);
    assert_string_equal(parse_section("{\"breaker\": {}}", &c), "");
    assert_true(c.enabled);
    assert_int_equal(c.failures, 5);
    assert_int_equal(c.open_for, S(30));
    assert_int_equal(c.half_open_probes, 1);
    assert_string_equal(parse_section("{\"breaker\": {\"failures\": 3, \"open_s\": 2.5, "
                                      "\"half_open_probes\": 2, \"comment\": \"seed 004\"}}",
                                      &c),
                        "");
    assert_int_equal(c.failures, 3);
    assert_int_equal(c.open_for, S(2.5));
    assert_int_equal(c.half_open_probes, 2);
    assert_string_equal(parse_section("{\"breaker\": {\"enabled\": false}}", &c), "");
    assert_false(c.enabled);
}

static void parse_errors_name_file_line_col(void **state)
{
    (void)state;
    rl_breaker_cfg c;
    struct {
        const char *text, *error;
    } cases[] = {
        {"{\"breaker\": {\n  \"failures\": 0}}",
         "policy.json:2:15: breaker.failures: must be between 1 and 1000000 (got 0)"},
        {"{\"breaker\": {\"open_s\": -1}}", "policy.json:1:24: breaker.open_s: must be between"},
        {"{\"breaker\": {\"timeout\": 30}}", "policy.json:1:25: breaker.timeout: unknown field"},
        {"{\"breaker\": {\"half_open_probes\": \"1\"}}",
         "policy.json:1:34: breaker.half_open_probes: must be a whole number"},
        {"{\"breaker\": [1]}", "policy.json:1:13: breaker: must be an object"},
        {"{\"breaker\": {\"failures\": 2, \"failures\": 3}}",
         "policy.json:1:41: breaker.failures: duplicate field"},
        {"{\"breaker\": {\"failures\": 2.5}}",
         "policy.json:1:26: breaker.failures: must be a whole number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *msg = parse_section(cases[i].text, &c);
        print_message("case %zu: %s\n", i, msg);
        assert_num_equal(strncmp(msg, cases[i].error, strlen(cases[i].error)), 0);
        assert_false(c.enabled);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opens_after_five_consecutive_failures),
        cmocka_unit_test(success_resets_the_count),
        cmocka_unit_test(half_opens_after_timeout_and_closes_on_success),
        cmocka_unit_test(probe_failure_reopens),
        cmocka_unit_test(several_probes_must_all_succeed),
        cmocka_unit_test(late_results_while_open_are_ignored),
        cmocka_unit_test(disabled_always_allows),
        cmocka_unit_test(state_names_and_json),
        cmocka_unit_test(parse_valid_sections),
        cmocka_unit_test(parse_errors_name_file_line_col),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
