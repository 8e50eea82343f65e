/* test_engine_task.c: golden wait sequences of the seeds, computed through
 * rl_task_next with scripted outcomes (seed 003 tiers, seed 000 request- and
 * task-level retries, seed 002 key rotation, seed 004 ladder). */
#include "tests/lib/engine_fixture.h"
#include "tests/lib/test_assert.h"

#define SEED003                                                                                    \
    "{\"kind\":\"policy\",\"name\":\"seed-003\",\"candidates\":[{\"provider\":\"moonshot\","       \
    "\"model\":\"kimi\",\"keys\":[\"K1\"]}],"                                                      \
    "\"backoff\":{\"kind\":\"exponential\",\"base_s\":1,\"factor\":2,\"cap_s\":900,"               \
    "\"jitter\":\"none\"},"                                                                        \
    "\"tiers\":{\"from\":\"limit_requests\",\"table\":[{\"name\":\"free\",\"up_to\":3,"            \
    "\"base_s\":20},{\"name\":\"tier1\",\"up_to\":500,\"base_s\":0.3},{\"name\":\"tier2\","        \
    "\"up_to\":5000,\"base_s\":0.12},{\"name\":\"tier3\",\"up_to\":10000,\"base_s\":0.012},"       \
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
    assert_num_equal(sum, 1260);
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

#define SEED004_ONE                                                                                \
    "{\"kind\":\"policy\",\"name\":\"seed-004\",\"candidates\":[{\"provider\":\"openrouter\","     \
    "\"model\":\"mistral-small\"}],"                                                               \
    "\"backoff\":{\"kind\":\"exponential\",\"base_s\":1,\"factor\":2,\"cap_s\":60,"                \
    "\"jitter\":\"%s\"},\"limits\":{\"max_attempts\":%d}}"

static void seed004_exponential_cap_60_no_jitter(void **state)
{
    (void)state;
    char json[512];
    snprintf(json, sizeof json, SEED004_ONE, "none", 9);
    fx_policy f;
    fx_load(&f, json);
    fx_outcome s[] = {{429, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, 1, &tr);
    double want[] = {1, 2, 4, 8, 16, 32, 60, 60}; /* 64 and 128 capped at 60 */
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.nsends, 9);
    fx_free(&f);
}

static void seed004_full_jitter_bounds_and_mean(void **state)
{
    (void)state;
    char json[512];
    snprintf(json, sizeof json, SEED004_ONE, "full", 7);
    fx_policy f;
    fx_load(&f, json);
    fx_outcome s[] = {{429, RL_TE_NONE, {{NULL, NULL}}}};
    const double ladder[] = {1, 2, 4, 8, 16, 32};
    double sum[6] = {0};
    cm_rng rng;
    cm_rng_seed(&rng, 4);
    fx_trail tr;
    enum { DRAWS = 10000 };
    for (uint32_t task = 0; task < DRAWS; task++) {
        fx_drive_at(&f, task, 0, s, 1, 0, &rng, &tr);
        assert_int_equal(tr.nwaits, 6);
        for (size_t i = 0; i < 6; i++) {
            assert_true(tr.wait_s[i] >= 0 && tr.wait_s[i] <= ladder[i]);
            sum[i] += tr.wait_s[i];
        }
    }
    for (size_t i = 0; i < 6; i++) {
        double mean = sum[i] / DRAWS, half = ladder[i] / 2;
        if (mean < half * 0.97 || mean > half * 1.03)
            fail_msg("retry %zu: mean %g not within 3%% of %g", i, mean, half);
    }
    fx_free(&f);
}

static void seed004_rotation_with_backoff(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, "{\"kind\":\"policy\",\"name\":\"seed-004-rotation\",\"candidates\":["
                "{\"provider\":\"openrouter\",\"model\":\"mistral-small\"},"
                "{\"provider\":\"openrouter\",\"model\":\"deepseek-r1-qwen3\"},"
                "{\"provider\":\"openrouter\",\"model\":\"deepseek-chat-v3.1\"},"
                "{\"provider\":\"openrouter\",\"model\":\"deepseek-chat\"}],"
                "\"backoff\":{\"kind\":\"exponential\",\"base_s\":1,\"cap_s\":60},"
                "\"classify\":{\"429\":\"rotate\"},\"rotation\":{\"wait\":\"backoff\"}}");
    fx_outcome s[] = {{429, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, 1, &tr);
    double want[] = {1, 2, 4};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.nsends, 4);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(tr.cand[i], i);
    assert_false(tr.ok);
    fx_free(&f);
}

#define SEED000                                                                                    \
    "{\"kind\":\"policy\",\"name\":\"seed-000\",\"candidates\":["                                  \
    "{\"provider\":\"chutes\",\"model\":\"a\"},{\"provider\":\"chutes\",\"model\":\"b\"}],"        \
    "\"backoff\":{\"kind\":\"linear\",\"base_s\":60,\"reset_on_rotate\":true},"                    \
    "\"limits\":{\"max_retries_per_candidate\":5,\"max_attempts\":100},"                           \
    "\"task_retries\":{\"max\":3,\"backoff\":{\"kind\":\"list\",\"waits_s\":[60,120,180]}}}"

static void seed000_request_then_model_then_task_level(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, SEED000);
    fx_outcome s[] = {{429, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, 1, &tr);
    double pass[] = {60, 120, 180, 240, 300, 60, 120, 180, 240, 300};
    double task_waits[] = {60, 120, 180};
    assert_int_equal(tr.nwaits, 4 * 10 + 3);
    assert_int_equal(tr.nsends, 4 * 12);
    size_t w = 0;
    for (int run = 0; run < 4; run++) {
        for (size_t i = 0; i < 10; i++, w++) {
            assert_num_equal(tr.wait_s[w], pass[i]);
            assert_int_equal(tr.why[w], RL_WAIT_BACKOFF);
        }
        if (run < 3) {
            assert_num_equal(tr.wait_s[w], task_waits[run]);
            assert_int_equal(tr.why[w++], RL_WAIT_TASK_RETRY);
        }
    }
    /* 6 sends to model a (1 + 5 retries), then 6 to model b, per pass. */
    for (size_t i = 0; i < tr.nsends; i++)
        assert_int_equal(tr.cand[i], (i % 12) < 6 ? 0 : 1);
    assert_false(tr.ok);
    fx_free(&f);
}

static void seed000_success_in_second_pass(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, SEED000);
    fx_outcome s[14];
    for (size_t i = 0; i < 13; i++)
        s[i] = (fx_outcome){429, RL_TE_NONE, {{NULL, NULL}}};
    s[13] = (fx_outcome){200, RL_TE_NONE, {{NULL, NULL}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    double want[] = {60, 120, 180, 240, 300, 60, 120, 180, 240, 300, 60, 60};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.why[10], RL_WAIT_TASK_RETRY);
    assert_int_equal(tr.cand[12], 0);
    assert_int_equal(tr.cand[13], 0);
    assert_true(tr.ok);
    fx_free(&f);
}

#define SEED002                                                                                    \
    "{\"kind\":\"policy\",\"name\":\"seed-002\",\"candidates\":[{\"provider\":\"bytez\","          \
    "\"model\":\"image\",\"keys\":[\"BYTEZ_API_KEY_1\",\"BYTEZ_API_KEY_2\"]}],"                    \
    "\"backoff\":{\"kind\":\"linear\",\"base_s\":2},"                                              \
    "\"limits\":{\"max_attempts\":3,\"attempt_timeout_s\":90},"                                    \
    "\"messages\":{\"401\":\"API being configured, try in few minutes\","                          \
    "\"429\":\"Service busy, request queued\",\"timeout\":\"Taking longer, please wait\","         \
    "\"default\":\"Please try again\"}}"

static void seed002_key_rotation_then_backoff(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, SEED002);
    fx_outcome s[] = {{401, RL_TE_NONE, {{NULL, NULL}}},
                      {429, RL_TE_NONE, {{NULL, NULL}}},
                      {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    double want[] = {2, 4};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.key[0], 0);
    assert_int_equal(tr.key[1], 1);
    assert_int_equal(tr.key[2], 1);
    assert_true(tr.ok);
    fx_free(&f);
}

static void seed002_user_messages(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, SEED002);
    fx_trail tr;
    fx_outcome auth[] = {{401, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive(&f, auth, 1, &tr);
    assert_int_equal(tr.nsends, 2); /* both keys refused: nothing left to try */
    assert_string_equal(tr.message, "API being configured, try in few minutes");
    fx_outcome busy[] = {{429, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive(&f, busy, 1, &tr);
    assert_int_equal(tr.nsends, 3);
    assert_string_equal(tr.message, "Service busy, request queued");
    fx_outcome slow[] = {{0, RL_TE_TIMEOUT, {{NULL, NULL}}}};
    fx_drive(&f, slow, 1, &tr);
    assert_string_equal(tr.message, "Taking longer, please wait");
    fx_outcome odd[] = {{418, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive(&f, odd, 1, &tr);
    assert_int_equal(tr.nsends, 1); /* 4xx fails at once */
    assert_string_equal(tr.message, "Please try again");
    fx_free(&f);
}

static void seed002_attempt_timeout_in_send(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, SEED002);
    rl_task t;
    rl_action a;
    cm_rng rng;
    cm_rng_seed(&rng, 1);
    rl_task_start(&t, f.run, 0, 0);
    rl_task_next(&t, f.run, NULL, 0, &rng, &a);
    assert_int_equal(a.kind, RL_SEND);
    assert_int_equal(a.attempt, 1);
    assert_int_equal(a.timeout, 90 * CM_US_PER_S);
    fx_free(&f);
}

/* The policy files shipped for the seeds give the same sequences. */
static void seed_files_give_the_seed_ladders(void **state)
{
    (void)state;
    fx_policy f;
    fx_trail tr;
    fx_load_file(&f, "tests/data/policies/good/seed-003-tier-aware.json");
    fx_outcome free_tier[] = {{429, RL_TE_NONE, {{"x-ratelimit-limit-requests", "3"}}}};
    fx_drive(&f, free_tier, 1, &tr);
    double want3[] = {20, 40, 80, 160, 320, 640};
    fx_expect_waits(&tr, want3, FX_N(want3));
    fx_free(&f);
    fx_load_file(&f, "tests/data/policies/good/seed-002-key-rotation.json");
    fx_outcome s2[] = {{401, RL_TE_NONE, {{NULL, NULL}}},
                       {429, RL_TE_NONE, {{NULL, NULL}}},
                       {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive(&f, s2, FX_N(s2), &tr);
    double want2[] = {2, 4};
    fx_expect_waits(&tr, want2, FX_N(want2));
    assert_int_equal(tr.key[1], 1);
    fx_free(&f);
    fx_load_file(&f, "tests/data/policies/good/seed-000-persistent.json");
    fx_outcome s0[] = {{429, RL_TE_NONE, {{"retry-after", "5"}}}};
    fx_drive(&f, s0, 1, &tr);
    assert_int_equal(tr.nwaits, 43);
    assert_true(tr.wait_s[4] == 300 && tr.wait_s[10] == 60 && tr.wait_s[42] == 300);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed003_free_tier_ladder),
        cmocka_unit_test(seed003_tier1_ladder_then_success),
        cmocka_unit_test(seed003_retry_after_overrides_ladder),
        cmocka_unit_test(seed003_tier_remembered_per_provider),
        cmocka_unit_test(seed004_exponential_cap_60_no_jitter),
        cmocka_unit_test(seed004_full_jitter_bounds_and_mean),
        cmocka_unit_test(seed004_rotation_with_backoff),
        cmocka_unit_test(seed000_request_then_model_then_task_level),
        cmocka_unit_test(seed000_success_in_second_pass),
        cmocka_unit_test(seed002_key_rotation_then_backoff),
        cmocka_unit_test(seed002_user_messages),
        cmocka_unit_test(seed002_attempt_timeout_in_send),
        cmocka_unit_test(seed_files_give_the_seed_ladders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
