/* test_engine_budget.c: engine/budget.c: for every kind, the exact attempt
 * at which an always-failing task's retries stop, how many successes earn a
 * retry back, window expiry, and the policy section's file:line:col errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/budget.h"
#include "tests/lib/test_assert.h"

#define S(x) ((cm_us)((x)*1000000.0))

static rl_budget budget; /* large (fixed ring): static, not on the stack */

static void start(rl_budget_kind kind)
{
    rl_budget_cfg c;
    rl_budget_cfg_default(&c);
    c.kind = kind;
    rl_budget_init(&budget, &c);
}

/* One task whose attempts all fail, at time `now`: the number of attempts it
 * makes before the budget refuses a retry (the protocol of budget.h). */
static int attempts_until_refused(rl_budget *b, cm_us now, bool timeouts, cm_rng *rng)
{
    uint32_t charged = 0;
    int attempt = 1;
    rl_budget_on_attempt(b, now, false);
    for (;;) {
        rl_budget_on_result(b, now, false, charged);
        if (attempt >= 100000 || !rl_budget_try_retry(b, now, timeouts, rng, &charged))
            return attempt;
        attempt++;
        rl_budget_on_attempt(b, now, true);
    }
}

/* First attempts that succeed, one by one, until a retry is allowed again. */
static int successes_to_earn_a_retry(rl_budget *b, cm_us now, cm_rng *rng)
{
    for (int n = 1; n <= 100000; n++) {
        rl_budget_on_attempt(b, now, false);
        rl_budget_on_result(b, now, true, 0);
        if (rl_budget_try_retry(b, now, false, rng, NULL))
            return n;
    }
    return -1;
}

static double json_number(const rl_budget *b, cm_us now, const char *key)
{
    cJSON *o = rl_budget_json(b, now);
    assert_non_null(o);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_non_null(v);
    double d = v->valuedouble;
    cJSON_Delete(o);
    return d;
}

static void none_never_refuses(void **state)
{
    (void)state;
    start(RL_BUDGET_NONE);
    assert_int_equal(attempts_until_refused(&budget, 0, false, NULL), 100000);
    assert_int_equal(budget.retries_refused, 0);
}

static void token_quota_stops_at_attempt_101(void **state)
{
    (void)state;
    start(RL_BUDGET_TOKEN_QUOTA);
    /* 500 / 5 = 100 retries: attempts 1..101, then refused. */
    assert_int_equal(attempts_until_refused(&budget, 0, false, NULL), 101);
    assert_int_equal(budget.tokens, 0);
    assert_int_equal(budget.retries_allowed, 100);
    assert_int_equal(budget.retries_refused, 1);
    /* +1 per success without retry: 5 successes buy one 5-token retry. */
    assert_int_equal(successes_to_earn_a_retry(&budget, 0, NULL), 5);
    assert_int_equal(json_number(&budget, 0, "tokens"), 0);
}

static void token_quota_timeouts_cost_10(void **state)
{
    (void)state;
    start(RL_BUDGET_TOKEN_QUOTA);
    assert_int_equal(attempts_until_refused(&budget, 0, true, NULL), 51);
    assert_int_equal(budget.tokens, 0);
}

static void token_quota_success_after_retry_refunds_its_cost(void **state)
{
    (void)state;
    start(RL_BUDGET_TOKEN_QUOTA);
    uint32_t charged = 0;
    rl_budget_on_attempt(&budget, 0, false);
    rl_budget_on_result(&budget, 0, false, 0);
    assert_true(rl_budget_try_retry(&budget, 0, true, NULL, &charged));
    assert_int_equal(charged, 10);
    assert_int_equal(budget.tokens, 490);
    rl_budget_on_attempt(&budget, 0, true);
    rl_budget_on_result(&budget, 0, true, charged);
    assert_int_equal(budget.tokens, 500);
    /* Never above capacity. */
    rl_budget_on_result(&budget, 0, true, 0);
    assert_int_equal(budget.tokens, 500);
}

static void grpc_stops_at_attempt_5(void **state)
{
    (void)state;
    start(RL_BUDGET_GRPC);
    /* 10 tokens, -1 per failure, retry only while > 5: 9, 8, 7, 6 retry; 5 stops. */
    assert_int_equal(attempts_until_refused(&budget, 0, false, NULL), 5);
    assert_int_equal(budget.tokens, 5000);
    /* One success (+0.1) lifts it to 5.1 > 5. */
    assert_int_equal(successes_to_earn_a_retry(&budget, 0, NULL), 1);
    /* That retry fails: 4.1; ten successes make 5.1, nine only 5.0. */
    rl_budget_on_result(&budget, 0, false, 0);
    assert_int_equal(successes_to_earn_a_retry(&budget, 0, NULL), 10);
    for (int i = 0; i < 200; i++)
        rl_budget_on_result(&budget, 0, true, 0);
    assert_num_equal(json_number(&budget, 0, "tokens"), 10.0);
}

static void ratio_reserve_then_20_percent(void **state)
{
    (void)state;
    start(RL_BUDGET_RATIO);
    /* Reserve 10/s x 10 s = 100 retries, plus 1 request x 20% = 0.2: 100. */
    assert_int_equal(attempts_until_refused(&budget, S(0.5), false, NULL), 101);
    /* 0.2 retry left; each new request adds 0.2: 4 more requests reach 1. */
    assert_int_equal(successes_to_earn_a_retry(&budget, S(3), NULL), 4);
    /* Ten seconds after the withdrawals, the window has forgotten them. */
    assert_int_equal(attempts_until_refused(&budget, S(9.9), false, NULL), 1);
    assert_int_equal(attempts_until_refused(&budget, S(10.0), false, NULL), 101);
}

static void ratio_without_reserve(void **state)
{
    (void)state;
    rl_budget_cfg c;
    rl_budget_cfg_default(&c);
    c.kind = RL_BUDGET_RATIO;
    c.min_retries_per_sec = 0;
    rl_budget_init(&budget, &c);
    for (int i = 0; i < 10; i++)
        rl_budget_on_attempt(&budget, 0, false);
    /* 10 requests x 20% = 2 retries. */
    assert_true(rl_budget_try_retry(&budget, 0, false, NULL, NULL));
    assert_true(rl_budget_try_retry(&budget, 0, false, NULL, NULL));
    assert_false(rl_budget_try_retry(&budget, 0, false, NULL, NULL));
    assert_num_equal(json_number(&budget, 0, "balance_retries"), 0.0);
}

static void adaptive_seeded_sequence(void **state)
{
    (void)state;
    cm_rng rng;
    cm_rng_seed(&rng, 1);
    start(RL_BUDGET_ADAPTIVE);
    /* Seed 1, k 2, all failures: the refusal probability after r requests
     * is r/(r+1) (1/2, 2/3, 3/4...); with this seed's draws the first
     * refusal comes after attempt 2 (a golden value: it changes only if the
     * RNG or the formula does). */
    int n = attempts_until_refused(&budget, 0, false, &rng);
    assert_int_equal(n, 2);
    /* Requests = n attempts + 1 refused; accepts 0. */
    assert_num_equal(json_number(&budget, 0, "requests"), n + 1);
    assert_num_equal(json_number(&budget, 0, "reject_probability"), (double)(n + 1) / (n + 2));
    /* Each success adds a request and an accept: requests - 2 accepts falls
     * by one per success, so R = n + 1 successes bring the probability to 0. */
    for (int i = 0; i < n + 1; i++) {
        rl_budget_on_attempt(&budget, S(1), false);
        rl_budget_on_result(&budget, S(1), true, 0);
    }
    assert_num_equal(json_number(&budget, S(1), "reject_probability"), 0.0);
    for (int i = 0; i < 50; i++)
        assert_true(rl_budget_try_retry(&budget, S(1), false, &rng, NULL));
}

static void adaptive_probability_matches_formula(void **state)
{
    (void)state;
    static rl_budget copy;
    start(RL_BUDGET_ADAPTIVE);
    for (int i = 0; i < 3; i++)
        rl_budget_on_attempt(&budget, 0, false); /* 3 requests, 0 accepts: p = 3/4 */
    int refused = 0;
    for (uint64_t seed = 0; seed < 20000; seed++) {
        cm_rng rng;
        cm_rng_seed(&rng, seed);
        copy = budget;
        refused += !rl_budget_try_retry(&copy, 0, false, &rng, NULL);
    }
    assert_in_range(refused, 14700, 15300);
    /* After the window (120 s) the history is gone: never refused. */
    for (uint64_t seed = 0; seed < 100; seed++) {
        cm_rng rng;
        cm_rng_seed(&rng, seed);
        copy = budget;
        assert_true(rl_budget_try_retry(&copy, S(120), false, &rng, NULL));
    }
}

/* ---- policy section ---- */

/* Parses `{"budget": <section>}` as "policy.json"; returns the error text or "". */
static const char *parse_section(const char *text, rl_budget_cfg *cfg)
{
    static cm_err err;
    err.msg[0] = '\0';
    cm_json *doc = cm_json_parse("policy.json", text, strlen(text), &err);
    assert_non_null(doc);
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(cm_json_root(doc), "budget");
    int rc = rl_budget_parse(doc, node, "budget", cfg, &err);
    cm_json_free(doc);
    assert_int_equal(rc, err.msg[0] ? -1 : 0);
    return err.msg;
}

static void parse_valid_sections(void **state)
{
    (void)state;
    rl_budget_cfg c;
    assert_string_equal(parse_section("{}", &c), "");
    assert_int_equal(c.kind, RL_BUDGET_NONE);
    assert_string_equal(parse_section("{\"budget\": {\"kind\": \"token_quota\", \"capacity\": 50, "
                                      "\"retry_cost\": 2, \"comment\": \"small\"}}",
                                      &c),
                        "");
    assert_int_equal(c.kind, RL_BUDGET_TOKEN_QUOTA);
    assert_int_equal(c.capacity, 50);
    assert_int_equal(c.retry_cost, 2);
    assert_int_equal(c.timeout_retry_cost, 10);
    assert_string_equal(parse_section("{\"budget\": {\"kind\": \"grpc\", \"max_tokens\": 20, "
                                      "\"token_ratio\": 0.5}}",
                                      &c),
                        "");
    assert_true(c.max_tokens == 20 && c.token_ratio == 0.5);
    assert_string_equal(parse_section("{\"budget\": {\"kind\": \"adaptive\", \"k\": 1.5, "
                                      "\"window_s\": 60}}",
                                      &c),
                        "");
    assert_true(c.k == 1.5 && c.window_s == 60);
}

static void parse_errors_name_file_line_col(void **state)
{
    (void)state;
    rl_budget_cfg c;
    struct {
        const char *text, *error;
    } cases[] = {
        {"{\"budget\": {\n  \"kind\": \"bogus\"}}", "policy.json:2:11: budget.kind: "},
        {"{\"budget\": {\"kind\": \"token_quota\",\n  \"capcity\": 5}}",
         "policy.json:2:14: budget.capcity: unknown field"},
        {"{\"budget\": {\"kind\": \"token_quota\",\n  \"max_tokens\": 5}}",
         "policy.json:2:17: budget.max_tokens: not a field of budget kind \"token_quota\""},
        {"{\"budget\": {\"kind\": \"grpc\", \"max_tokens\": 0}}",
         "policy.json:1:43: budget.max_tokens: must be between 1 and 1000 (got 0)"},
        {"{\"budget\": {\"max_tokens\": 5}}",
         "policy.json:1:12: budget.kind: required field is missing"},
        {"{\"budget\": 5}", "policy.json:1:12: budget: must be an object"},
        {"{\"budget\": {\"kind\": \"ratio\",\n \"ttl_s\": 61}}",
         "policy.json:2:11: budget.ttl_s: must be between 1 and 60"},
        {"{\"budget\": {\"kind\": \"adaptive\", \"window_s\": 1.5}}",
         "policy.json:1:45: budget.window_s: must be a whole number"},
        {"{\"budget\": {\"kind\": \"none\", \"k\": 2}}",
         "policy.json:1:34: budget.k: not a field of budget kind \"none\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *msg = parse_section(cases[i].text, &c);
        print_message("case %zu: %s\n", i, msg);
        assert_num_equal(strncmp(msg, cases[i].error, strlen(cases[i].error)), 0);
        assert_int_equal(c.kind, RL_BUDGET_NONE);
    }
}

static void kind_names(void **state)
{
    (void)state;
    assert_string_equal(rl_budget_kind_name(RL_BUDGET_GRPC), "grpc");
    assert_string_equal(rl_budget_kind_name(RL_BUDGET_ADAPTIVE), "adaptive");
    assert_string_equal(rl_budget_kind_name((rl_budget_kind)99), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(none_never_refuses),
        cmocka_unit_test(token_quota_stops_at_attempt_101),
        cmocka_unit_test(token_quota_timeouts_cost_10),
        cmocka_unit_test(token_quota_success_after_retry_refunds_its_cost),
        cmocka_unit_test(grpc_stops_at_attempt_5),
        cmocka_unit_test(ratio_reserve_then_20_percent),
        cmocka_unit_test(ratio_without_reserve),
        cmocka_unit_test(adaptive_seeded_sequence),
        cmocka_unit_test(adaptive_probability_matches_formula),
        cmocka_unit_test(parse_valid_sections),
        cmocka_unit_test(parse_errors_name_file_line_col),
        cmocka_unit_test(kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
