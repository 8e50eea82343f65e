/* test_engine_task.c: golden wait sequences of the seeds, computed through
 * rl_task_next with scripted outcomes (seed 003 tiers, seed 000 request- and
 * task-level retries, seed 002 key rotation, seed 004 ladder). */
#include "tests/unit/engine_fixture.h"

#define SEED003                                                                                    \
    "{\"kind\":\"policy\",\"name\":\"seed-003\",\"candidates\":[{\"provider\":\"moonshot\","      \
    "\"model\":\"kimi\",\"keys\":[\"K1\"]}],"                                                      \
    "\"backoff\":{\"kind\":\"exponential\",\"base_s\":1,\"factor\":2,\"cap_s\":900,"              \
    "\"jitter\":\"none\"},"                                                                        \
    "\"tiers\":{\"from\":\"limit_requests\",\"table\":[{\"name\":\"free\",\"up_to\":3,"           \
    "\"base_s\":20},{\"name\":\"tier1\",\"up_to\":500,\"base_s\":0.3},{\"name\":\"tier2\","       \
    "\"up_to\":5000,\"base_s\":0.12},{\"name\":\"tier3\",\"up_to\":10000,\"base_s\":0.012},"      \
    "{\"name\":\"tier4\",\"base_s\":0.006}]},"                                                     \
    "\"limits\":{\"max_attempts\":7}}"

static void seed003_free_tier_ladder(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, SEED003);
    fx_outcome s[] = {{429, RL_TE_NONE, {{"x-ratelimit-limit-requests", "3"}}}};
    fx_trail tr;
    fx_drive(&f, s, 1, &tr);
    double want[] = {20, 40, 80, 160, 320, 640};
    fx_expect_waits(&tr, want, FX_N(want));
    double sum = 0;
    for (size_t i = 0; i < tr.nwaits; i++)
        sum += tr.wait_s[i];
    assert_true(sum == 1260);
    assert_int_equal(tr.nsends, 7);
    assert_false(tr.ok);
    assert_string_equal(tr.tier[0], "free");
    assert_int_equal(tr.why[0], RL_WAIT_BACKOFF);
    fx_free(&f);
}

static void seed003_tier1_ladder_then_success(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, SEED003);
    fx_outcome s[] = {{429, RL_TE_NONE, {{"x-ratelimit-limit-requests", "500"}}},
                      {429, RL_TE_NONE, {{"x-ratelimit-limit-requests", "500"}}},
                      {429, RL_TE_NONE, {{"x-ratelimit-limit-requests", "500"}}},
                      {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    double want[] = {0.3, 0.6, 1.2};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_true(tr.ok);
    assert_string_equal(tr.tier[0], "tier1");
    fx_free(&f);
}

static void seed003_retry_after_overrides_ladder(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, SEED003);
    fx_outcome s[] = {
        {429, RL_TE_NONE, {{"x-ratelimit-limit-requests", "3"}, {"retry-after", "7"}}},
        {429, RL_TE_NONE, {{"x-ratelimit-limit-requests", "3"}}},
        {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    /* The Retry-After wait counts as retry 1, so the ladder resumes at 40. */
    double want[] = {7, 40};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.why[0], RL_WAIT_RETRY_AFTER);
    assert_int_equal(tr.why[1], RL_WAIT_BACKOFF);
    assert_true(tr.ok);
    fx_free(&f);
}

static void seed003_tier_remembered_per_provider(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, SEED003);
    fx_outcome first[] = {{429, RL_TE_NONE, {{"x-ratelimit-limit-requests", "3"}}},
                          {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, first, FX_N(first), &tr);
    /* A later task whose 429 carries no limit header still uses the free tier. */
    fx_outcome later[] = {{429, RL_TE_NONE, {{NULL, NULL}}}, {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive(&f, later, FX_N(later), &tr);
    double want[] = {20};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_string_equal(tr.tier[0], "free");
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed003_free_tier_ladder),
        cmocka_unit_test(seed003_tier1_ladder_then_success),
        cmocka_unit_test(seed003_retry_after_overrides_ladder),
        cmocka_unit_test(seed003_tier_remembered_per_provider),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
