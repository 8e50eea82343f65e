/* test_engine_rotation.c: rotation, cooldowns and breakers through
 * rl_task_next: seed 001's 17 Groq -> OpenAI fallback, cooldown skip and
 * expiry, provider fallback order, "all rate-limited" messages, waiting for
 * the first candidate back, breaker open -> skipped -> half-open probe. */
#include "tests/lib/engine_fixture.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "engine/core/run.h"
#include "tests/lib/test_assert.h"

static const char *const groq[] = {"llama-3.3-70b-versatile",
                                   "llama-3.3-70b-specdec",
                                   "llama-3.1-70b-versatile",
                                   "llama-3.1-8b-instant",
                                   "llama-3.2-90b-text-preview",
                                   "llama-3.2-90b-vision-preview",
                                   "llama-3.2-11b-text-preview",
                                   "llama-3.2-11b-vision-preview",
                                   "llama-3.2-3b-preview",
                                   "llama-3.2-1b-preview",
                                   "llama3-70b-8192",
                                   "llama3-8b-8192",
                                   "mixtral-8x7b-32768",
                                   "gemma2-9b-it",
                                   "gemma-7b-it",
                                   "llama-guard-3-8b",
                                   "llama3-groq-70b-tool-use"};
static const char *const openai[] = {
    "gpt-4o", "gpt-4o-mini",   "gpt-4-turbo",      "gpt-4-turbo-preview",
    "gpt-4",  "gpt-3.5-turbo", "gpt-3.5-turbo-16k"};
static const char *const anthropic[] = {"claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022",
                                        "claude-3-opus-20240229", "claude-3-sonnet-20240229",
                                        "claude-3-haiku-20240307"};

static void add_models(char *buf, size_t size, size_t *used, const char *prov,
                       const char *const *models, size_t n)
{
    for (size_t i = 0; i < n; i++)
        *used += (size_t)snprintf(buf + *used, size - *used,
                                  "%s{\"provider\":\"%s\",\"model\":\"%s\",\"keys\":[\"%s_KEY\"]}",
                                  *used && buf[*used - 1] != '[' ? "," : "", prov, models[i], prov);
}

/* Seed 001's policy: 17 + 7 + 5 candidates, 429 rotates, 22-minute cooldown. */
static void load_seed001(fx_policy *f, const char *extra)
{
    static char buf[16384];
    size_t used = (size_t)snprintf(buf, sizeof buf,
                                   "{\"kind\":\"policy\",\"name\":\"seed-001\",\"candidates\":[");
    add_models(buf, sizeof buf, &used, "groq", groq, 17);
    add_models(buf, sizeof buf, &used, "openai", openai, 7);
    add_models(buf, sizeof buf, &used, "anthropic", anthropic, 5);
    snprintf(buf + used, sizeof buf - used,
             "],\"classify\":{\"429\":\"rotate\"},\"cooldown\":{\"default_s\":1320},"
             "\"limits\":{\"max_attempts\":25}%s}",
             extra);
    fx_load(f, buf);
}

static void seed001_groq_exhausted_then_openai(void **state)
{
    (void)state;
    fx_policy f;
    load_seed001(&f, "");
    fx_outcome s[18];
    for (size_t i = 0; i < 17; i++)
        s[i] = (fx_outcome){429, RL_TE_NONE, {{NULL, NULL}}};
    s[17] = (fx_outcome){200, RL_TE_NONE, {{NULL, NULL}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    assert_int_equal(tr.nsends, 18);
    assert_int_equal(tr.nwaits, 0);
    for (uint32_t i = 0; i < 17; i++)
        assert_int_equal(tr.cand[i], i);
    rl_candidate_info ci;
    rl_policy_candidate(f.p, tr.cand[17], &ci);
    assert_string_equal(ci.provider, "openai");
    assert_string_equal(ci.model, "gpt-4o");
    assert_true(tr.ok);
    fx_free(&f);
}

static void seed001_cooled_model_skipped_until_expiry(void **state)
{
    (void)state;
    fx_policy f;
    load_seed001(&f, "");
    cm_rng rng;
    cm_rng_seed(&rng, 1);
    fx_trail tr;
    fx_outcome limited_once[] = {{429, RL_TE_NONE, {{NULL, NULL}}},
                                 {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive_at(&f, 0, 0, limited_once, 2, 0, &rng, &tr);
    assert_int_equal(tr.cand[0], 0);
    assert_int_equal(tr.cand[1], 1);
    fx_outcome ok[] = {{200, RL_TE_NONE, {{NULL, NULL}}}};
    /* One second before the 22 minutes end: still skipped. */
    fx_drive_at(&f, 1, 1319 * CM_US_PER_S, ok, 1, 0, &rng, &tr);
    assert_int_equal(tr.cand[0], 1);
    /* At 22 minutes: back. */
    fx_drive_at(&f, 2, 1320 * CM_US_PER_S, ok, 1, 0, &rng, &tr);
    assert_int_equal(tr.cand[0], 0);
    fx_free(&f);
}

static void seed001_retry_after_sets_cooldown_and_extends_only(void **state)
{
    (void)state;
    fx_policy f;
    load_seed001(&f, "");
    cm_rng rng;
    cm_rng_seed(&rng, 1);
    fx_trail tr;
    fx_outcome ra60[] = {{429, RL_TE_NONE, {{"retry-after", "60"}}},
                         {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive_at(&f, 0, 0, ra60, 2, 0, &rng, &tr);
    fx_outcome ok[] = {{200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive_at(&f, 1, 59 * CM_US_PER_S, ok, 1, 0, &rng, &tr);
    assert_int_equal(tr.cand[0], 1); /* cooling for the server's 60 s, not 22 minutes */
    /* A second, shorter cooldown does not shorten the deadline; a longer one extends it. */
    cm_us until = f.run->cool_until[0];
    rl_cooldown_put(&f.p->cooldown, &f.run->cool_until[0], 10 * CM_US_PER_S, 5 * CM_US_PER_S);
    assert_int_equal(f.run->cool_until[0], until);
    rl_cooldown_put(&f.p->cooldown, &f.run->cool_until[0], 10 * CM_US_PER_S, -1);
    assert_int_equal(f.run->cool_until[0], 1330 * CM_US_PER_S);
    f.run->cool_until[0] = until;
    fx_drive_at(&f, 3, 60 * CM_US_PER_S, ok, 1, 0, &rng, &tr);
    assert_int_equal(tr.cand[0], 0);
    cJSON *sum = rl_run_summary_json(f.run, 0);
    assert_non_null(sum);
    cJSON *cd = cJSON_GetObjectItem(sum, "cooldowns");
    assert_int_equal(cJSON_GetObjectItem(cd, "total")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cd, "by_provider"), "groq")->valueint,
                     1);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cd, "available"), "groq")->valueint,
                     16);
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(cd, "entries"), 0);
    assert_num_equal(cJSON_GetObjectItem(e, "remaining_s")->valuedouble, 60);
    cJSON_Delete(sum);
    fx_free(&f);
}

#define SMALL                                                                                      \
    "{\"kind\":\"policy\",\"name\":\"small\",\"candidates\":["                                     \
    "{\"provider\":\"groq\",\"model\":\"g1\"},{\"provider\":\"openai\",\"model\":\"o1\"},"         \
    "{\"provider\":\"groq\",\"model\":\"g2\"},{\"provider\":\"anthropic\",\"model\":\"a1\"}],"     \
    "\"classify\":{\"429\":\"rotate\"},\"cooldown\":{\"default_s\":100}%s}"

static void load_small(fx_policy *f, const char *extra)
{
    char buf[1024];
    snprintf(buf, sizeof buf, SMALL, extra);
    fx_load(f, buf);
}

static void same_provider_first_then_list_order(void **state)
{
    (void)state;
    fx_policy f;
    load_small(&f, "");
    fx_outcome s[] = {{429, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, 1, &tr);
    assert_int_equal(tr.nsends, 4);
    uint32_t want[] = {0, 2, 3, 1}; /* g1, g2 (same provider), then after g2: a1, o1 */
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(tr.cand[i], want[i]);
    fx_free(&f);
}

static void provider_fallbacks_reorder(void **state)
{
    (void)state;
    fx_policy f;
    load_small(&f, ",\"rotation\":{\"provider_fallbacks\":{\"groq\":[\"openai\",\"anthropic\"]}}");
    fx_outcome s[] = {{429, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, 1, &tr);
    uint32_t want[] = {0, 2, 1, 3};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(tr.cand[i], want[i]);
    fx_free(&f);
}

static void all_rate_limited_message(void **state)
{
    (void)state;
    fx_policy f;
    load_small(&f, ",\"messages\":{\"all_cooling\":\"All known models are currently "
                   "rate-limited ({available}); try again in {retry_after} s\"}");
    fx_outcome s[] = {{429, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, 1, &tr);
    assert_false(tr.ok);
    assert_string_equal(tr.message, "All known models are currently rate-limited (groq: 0, "
                                    "openai: 0, anthropic: 0); try again in 100 s");
    /* A new task 40 s later fails at once, with the time left. */
    cm_rng rng;
    cm_rng_seed(&rng, 1);
    fx_drive_at(&f, 1, 40 * CM_US_PER_S, s, 1, 0, &rng, &tr);
    assert_int_equal(tr.nsends, 0);
    assert_string_equal(tr.message, "All known models are currently rate-limited (groq: 0, "
                                    "openai: 0, anthropic: 0); try again in 60 s");
    fx_free(&f);
}

static void wait_for_first_back(void **state)
{
    (void)state;
    fx_policy f;
    load_small(&f, ",\"rotation\":{\"when_none_available\":\"wait\"}");
    fx_outcome s[] = {{429, RL_TE_NONE, {{NULL, NULL}}},
                      {429, RL_TE_NONE, {{NULL, NULL}}},
                      {429, RL_TE_NONE, {{NULL, NULL}}},
                      {429, RL_TE_NONE, {{NULL, NULL}}},
                      {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    double want[] = {100};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.why[0], RL_WAIT_COOLDOWN);
    assert_int_equal(tr.cand[4], 0);
    assert_true(tr.ok);
    fx_free(&f);
}

#define BREAKER                                                                                    \
    "{\"kind\":\"policy\",\"name\":\"breaker\",\"candidates\":["                                   \
    "{\"provider\":\"openrouter\",\"model\":\"m1\"},{\"provider\":\"openrouter\",\"model\":"       \
    "\"m2\"}],"                                                                                    \
    "\"backoff\":{\"kind\":\"constant\",\"base_s\":1},"                                            \
    "\"breaker\":{\"failures\":5,\"open_s\":30}}"

static void breaker_open_candidate_skipped(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, BREAKER);
    cm_rng rng;
    cm_rng_seed(&rng, 1);
    fx_trail tr;
    fx_outcome s[] = {{503, RL_TE_NONE, {{NULL, NULL}}}, {503, RL_TE_NONE, {{NULL, NULL}}},
                      {503, RL_TE_NONE, {{NULL, NULL}}}, {503, RL_TE_NONE, {{NULL, NULL}}},
                      {503, RL_TE_NONE, {{NULL, NULL}}}, {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive_at(&f, 0, 0, s, FX_N(s), 0, &rng, &tr);
    /* Five 503s open m1's breaker: the sixth attempt goes to m2. */
    assert_int_equal(tr.nsends, 6);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(tr.cand[i], 0);
    assert_int_equal(tr.cand[5], 1);
    assert_true(tr.ok);
    fx_outcome ok[] = {{200, RL_TE_NONE, {{NULL, NULL}}}};
    cm_us t0 = tr.end;
    fx_drive_at(&f, 1, t0 + 29 * CM_US_PER_S, ok, 1, 0, &rng, &tr);
    assert_int_equal(tr.cand[0], 1); /* still open */
    fx_drive_at(&f, 2, t0 + 30 * CM_US_PER_S, ok, 1, 0, &rng, &tr);
    assert_int_equal(tr.cand[0], 0); /* half-open: the probe goes to m1 and closes it */
    cJSON *sum = rl_run_summary_json(f.run, t0 + 30 * CM_US_PER_S);
    cJSON *b0 = cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "breakers"), 0);
    assert_string_equal(cJSON_GetObjectItem(b0, "state")->valuestring, "closed");
    cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "candidates"), 0);
    assert_int_equal(cJSON_GetObjectItem(c0, "requests")->valueint, 6);
    assert_int_equal(cJSON_GetObjectItem(c0, "failures")->valueint, 5);
    assert_int_equal(cJSON_GetObjectItem(c0, "successes")->valueint, 1);
    cJSON_Delete(sum);
    fx_free(&f);
}

static void breaker_all_open_waits_for_probe(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, "{\"kind\":\"policy\",\"name\":\"b1\",\"candidates\":[{\"provider\":\"p\","
                "\"model\":\"m\"}],\"backoff\":{\"kind\":\"constant\",\"base_s\":1},"
                "\"breaker\":{\"failures\":2,\"open_s\":30},"
                "\"rotation\":{\"when_none_available\":\"wait\"}}");
    fx_outcome s[] = {{500, RL_TE_NONE, {{NULL, NULL}}},
                      {500, RL_TE_NONE, {{NULL, NULL}}},
                      {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_trail tr;
    fx_drive(&f, s, FX_N(s), &tr);
    double want[] = {1, 30};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.why[1], RL_WAIT_BREAKER);
    assert_true(tr.ok);
    fx_free(&f);
}

static void metrics_latency_and_rate_limited(void **state)
{
    (void)state;
    fx_policy f;
    load_small(&f, "");
    cm_rng rng;
    cm_rng_seed(&rng, 1);
    fx_trail tr;
    fx_outcome s[] = {{429, RL_TE_NONE, {{NULL, NULL}}}, {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_drive_at(&f, 0, 0, s, 2, 2 * CM_US_PER_S, &rng, &tr);
    cJSON *sum = rl_run_summary_json(f.run, tr.end);
    cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "candidates"), 0);
    assert_string_equal(cJSON_GetObjectItem(c0, "model")->valuestring, "g1");
    assert_int_equal(cJSON_GetObjectItem(c0, "rate_limited")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(c0, "failures")->valueint, 1);
    cJSON *lat = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "candidates"), 2),
                                     "latency_s");
    assert_num_equal(cJSON_GetObjectItem(lat, "mean")->valuedouble, 2.0);
    assert_num_equal(cJSON_GetObjectItem(lat, "max")->valuedouble, 2.0);
    assert_non_null(cJSON_GetObjectItem(sum, "budget"));
    cJSON_Delete(sum);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed001_groq_exhausted_then_openai),
        cmocka_unit_test(seed001_cooled_model_skipped_until_expiry),
        cmocka_unit_test(seed001_retry_after_sets_cooldown_and_extends_only),
        cmocka_unit_test(same_provider_first_then_list_order),
        cmocka_unit_test(provider_fallbacks_reorder),
        cmocka_unit_test(all_rate_limited_message),
        cmocka_unit_test(wait_for_first_back),
        cmocka_unit_test(breaker_open_candidate_skipped),
        cmocka_unit_test(breaker_all_open_waits_for_probe),
        cmocka_unit_test(metrics_latency_and_rate_limited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
