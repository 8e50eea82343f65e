/* test_mock_rules.c: scripts (order, repeat, pass, per-key state), phases
 * (outage window, tier change) and every fault kind through
 * mock_model_respond, plus the decision order between them. */
#include "tests/lib/mock_test_util.h"

#include "common/attempt_id.h"

#define HEAD                                                                                       \
    "{\"kind\":\"scenario\",\"seed\":9,\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","       \
    "\"keys\":{\"K1\":\"k1\",\"K2\":\"k2\"},\"models\":[{\"name\":\"m\"},{\"name\":\"n\"}],"
#define TAIL "}]}"

static void script_five_429_then_200_forever(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, HEAD "\"scripts\":[{\"steps\":[{\"status\":429,\"times\":5,\"retry_after_s\":20},"
                      "{\"status\":200,\"forever\":true}]}]" TAIL);
    for (int i = 0; i < 5; i++) {
        mock_plan p = fx_send(&fx, "p", "m", i % 2 ? "k1" : "k2", i);
        assert_int_equal(p.status, 429);
        assert_string_equal(hdr(&p, "Retry-After"), "20");
        assert_string_equal(p.error_type, "rate_limit_exceeded");
        assert_string_equal(p.note, "script 0 step 0");
    }
    for (int i = 0; i < 20; i++)
        assert_int_equal(fx_send(&fx, "p", "m", "k1", 5 + i).status, 200);
    /* reset puts the script back at its first step */
    mock_model_reset(fx.m);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 0).status, 429);
    fx_close(&fx);
}

static void script_order_and_repeat(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, HEAD "\"scripts\":[{\"repeat\":true,\"steps\":[{\"status\":500},"
                      "{\"status\":429,\"times\":2},{\"status\":503},{\"status\":200}]}]" TAIL);
    const int want[] = {500, 429, 429, 503, 200, 500, 429, 429, 503, 200, 500};
    for (int i = 0; i < 11; i++)
        assert_int_equal(fx_send(&fx, "p", "m", "k1", i).status, want[i]);
    fx_close(&fx);
}

static void script_ends_then_passes_through(void **state)
{
    (void)state;
    fixture fx;
    /* After "401 once" the script is done and the window decides. */
    fx_open(&fx, HEAD "\"windows\":[{\"limit\":2,\"period_s\":60}],"
                      "\"scripts\":[{\"steps\":[{\"status\":401}]}]" TAIL);
    mock_plan p = fx_send(&fx, "p", "m", "k1", 0);
    assert_int_equal(p.status, 401);
    assert_string_equal(p.error_code, "invalid_api_key");
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 1).status, 200);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 2).status, 200);
    /* the scripted 401 did not count against the window */
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 3).status, 429);
    fx_close(&fx);
}

static void script_pass_step_lets_windows_decide(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx,
            HEAD "\"windows\":[{\"limit\":1,\"period_s\":60}],"
                 "\"scripts\":[{\"steps\":[{\"pass\":true,\"times\":2},{\"status\":418}]}]" TAIL);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 0).status, 200);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 1).status, 429); /* window */
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 2).status, 418);
    fx_close(&fx);
}

static void script_state_per_key(void **state)
{
    (void)state;
    fixture fx;
    /* seed 002: every key's first call gets 401, then 200 */
    fx_open(&fx, HEAD "\"scripts\":[{\"per_key\":true,\"steps\":[{\"status\":401},"
                      "{\"status\":200,\"forever\":true}]}]" TAIL);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 0).status, 401);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 1).status, 200);
    assert_int_equal(fx_send(&fx, "p", "m", "k2", 2).status, 401);
    assert_int_equal(fx_send(&fx, "p", "m", "k2", 3).status, 200);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 4).status, 200);
    fx_close(&fx);
}

static void script_matches_model_and_key(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, HEAD "\"scripts\":[{\"model\":\"n\",\"key\":\"K2\",\"steps\":[{\"status\":403,"
                      "\"forever\":true}]}]" TAIL);
    assert_int_equal(fx_send(&fx, "p", "m", "k2", 0).status, 200);
    assert_int_equal(fx_send(&fx, "p", "n", "k1", 0).status, 200);
    assert_int_equal(fx_send(&fx, "p", "n", "k2", 0).status, 403);
    fx_close(&fx);
}

static void script_escalating_retry_after(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, HEAD "\"scripts\":[{\"steps\":[{\"status\":429,\"times\":5,\"retry_after_s\":1,"
                      "\"escalate_factor\":2,\"escalate_cap_s\":8}]}]" TAIL);
    const char *want[] = {"1", "2", "4", "8", "8"};
    for (int i = 0; i < 5; i++) {
        mock_plan p = fx_send(&fx, "p", "m", "k1", i);
        assert_string_equal(hdr(&p, "Retry-After"), want[i]);
    }
    fx_close(&fx);
}

static void phase_outage_between_two_times(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, HEAD "\"phases\":[{\"from_s\":60,\"to_s\":300,\"status\":503,\"model\":\"m\"}],"
                      "\"scripts\":[{\"steps\":[{\"status\":200,\"forever\":true}]}]" TAIL);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 59.999).status, 200);
    mock_plan p = fx_send(&fx, "p", "m", "k1", 60);
    assert_int_equal(p.status, 503);
    assert_string_equal(p.error_type, "server_error");
    assert_string_equal(p.note, "phase 0");
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 299.9).status, 503);
    assert_int_equal(fx_send(&fx, "p", "n", "k1", 100).status, 200); /* other model */
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 300).status, 200);
    fx_close(&fx);
}

static void phase_changes_tier(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, HEAD "\"tier\":\"free\",\"tiers\":{"
                      "\"free\":{\"windows\":[{\"limit\":3,\"period_s\":60}]},"
                      "\"tier1\":{\"windows\":[{\"limit\":500,\"period_s\":60}]}},"
                      "\"phases\":[{\"from_s\":600,\"to_s\":1e9,\"tier\":\"tier1\"}]" TAIL);
    mock_plan p = fx_send(&fx, "p", "m", "k1", 0);
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "3");
    p = fx_send(&fx, "p", "m", "k1", 600);
    assert_int_equal(p.status, 200);
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "500");
    for (int i = 0; i < 5; i++)
        assert_int_equal(fx_send(&fx, "p", "m", "k1", 601).status, 200);
    cJSON *st = mock_model_state_json(fx.m, cm_us_from_s(601));
    const cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItem(st, "providers"), 0);
    assert_string_equal(cJSON_GetObjectItem(p0, "tier")->valuestring, "tier1");
    cJSON_Delete(st);
    st = mock_model_state_json(fx.m, cm_us_from_s(599));
    p0 = cJSON_GetArrayItem(cJSON_GetObjectItem(st, "providers"), 0);
    assert_string_equal(cJSON_GetObjectItem(p0, "tier")->valuestring, "free");
    cJSON_Delete(st);
    fx_close(&fx);
}

static void phase_wins_over_script(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, HEAD "\"phases\":[{\"from_s\":10,\"to_s\":20,\"status\":529}],"
                      "\"scripts\":[{\"steps\":[{\"status\":429,\"times\":2}]}]" TAIL);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 10).status, 529);
    /* the script did not advance during the outage */
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 20).status, 429);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 21).status, 429);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 22).status, 200);
    fx_close(&fx);
}

/* A provider with one fault rule that always fires. */
static mock_plan always(const char *shape, const char *fault_json, mock_plan *second)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"%s\","
             "\"models\":[{\"name\":\"m\",\"latency\":{\"kind\":\"fixed\",\"s\":0.5}}],"
             "\"faults\":[{\"probability\":1,%s}]}]}",
             shape, fault_json);
    fixture fx;
    fx_open(&fx, json);
    mock_plan p = fx_send(&fx, "p", "m", "k", 0);
    if (second)
        *second = fx_send(&fx, "p", "m", "k", 1);
    fx_close(&fx);
    return p;
}

static void fault_statuses(void **state)
{
    (void)state;
    mock_plan p = always("anthropic", "\"status\":529", NULL);
    assert_int_equal(p.status, 529);
    assert_string_equal(p.error_type, "overloaded_error");
    assert_int_equal(p.body, MOCK_BODY_ERROR);
    assert_int_equal(p.latency, 0);
    /* spend limit: 429 that must not be retried, no Retry-After */
    p = always("openai",
               "\"status\":429,\"error_type\":\"insufficient_quota\","
               "\"error_code\":\"insufficient_quota\",\"error_message\":\"You exceeded "
               "your current quota.\",\"retry_after\":\"none\"",
               NULL);
    assert_int_equal(p.status, 429);
    assert_string_equal(p.error_type, "insufficient_quota");
    assert_string_equal(p.error_message, "You exceeded your current quota.");
    assert_string_equal(hdr(&p, "Retry-After"), "(absent)");
    p = always("anthropic", "\"status\":500,\"headers\":{\"x-should-retry\":\"false\"}", NULL);
    assert_string_equal(p.error_type, "api_error");
    assert_string_equal(hdr(&p, "x-should-retry"), "false");
}

static void fault_azure_like_limit_headers(void **state)
{
    (void)state;
    mock_plan p = always("openai",
                         "\"status\":429,\"retry_after_s\":0,\"headers\":{"
                         "\"x-ratelimit-remaining-requests\":\"-1\","
                         "\"x-ratelimit-limit-requests\":\"0\"}",
                         NULL);
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "-1");
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "0");
    assert_string_equal(hdr(&p, "Retry-After"), "0");
}

static void fault_escalating_retry_after(void **state)
{
    (void)state;
    mock_plan second;
    mock_plan p =
        always("openai", "\"status\":429,\"retry_after_s\":1,\"escalate_factor\":2", &second);
    assert_string_equal(hdr(&p, "Retry-After"), "1");
    assert_string_equal(hdr(&second, "Retry-After"), "2");
}

static void fault_transport_kinds(void **state)
{
    (void)state;
    mock_plan p = always("openai", "\"fault\":\"hang\"", NULL);
    assert_int_equal(p.fault, MOCK_FAULT_HANG);
    p = always("openai", "\"fault\":\"reset\"", NULL);
    assert_int_equal(p.fault, MOCK_FAULT_RESET);
    p = always("openai", "\"fault\":\"truncate\"", NULL);
    assert_int_equal(p.fault, MOCK_FAULT_TRUNCATE);
    assert_int_equal(p.status, 200);
    assert_int_equal(p.body, MOCK_BODY_COMPLETION);
    assert_int_equal(p.latency, 500000); /* the model's latency still applies */
    p = always("openai", "\"fault\":\"slow_body\",\"slow_body_s\":12.5", NULL);
    assert_int_equal(p.fault, MOCK_FAULT_SLOW_BODY);
    assert_int_equal(p.slow_body, 12500000);
    p = always("openai", "\"status\":502,\"latency_s\":3", NULL);
    assert_int_equal(p.status, 502);
    assert_int_equal(p.latency, 3000000);
}

/* The share of 1,000 requests a 0.25 fault hits is near 0.25. */
static void fault_probability_is_honoured(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, HEAD "\"faults\":[{\"probability\":0.25,\"status\":500},"
                      "{\"probability\":0.5,\"model\":\"n\",\"fault\":\"reset\"}]" TAIL);
    int hits = 0, resets = 0;
    for (int i = 0; i < 1000; i++) {
        hits += fx_send(&fx, "p", "m", "k1", i).status == 500;
        mock_plan p = fx_send(&fx, "p", "n", "k1", i);
        resets += p.fault == MOCK_FAULT_RESET;
    }
    assert_in_range(hits, 200, 300);
    /* n: 0.25 for the first rule, then 0.5 of the rest */
    assert_in_range(resets, 320, 430);
    fx_close(&fx);
}

/* Plans of requests 0..n-1, sent in order (reverse false) or backwards,
 * each naming attempt 1 of task i when `named`. */
static void draw_plans(fixture *fx, bool named, bool reverse, mock_plan *out, int n)
{
    mock_model_reset(fx->m);
    for (int j = 0; j < n; j++) {
        int i = reverse ? n - 1 - j : j;
        mock_request req = {.provider = "p",
                            .endpoint = MOCK_EP_CHAT,
                            .model = "m",
                            .key = "k1",
                            .tokens = 100,
                            .now = cm_us_from_s(i),
                            .attempt_id = named ? cm_attempt_id((uint32_t)i, 1) : 0};
        mock_model_respond(fx->m, &req, &out[i]);
    }
}

static int same_dice(const mock_plan *a, const mock_plan *b, int n)
{
    int same = 0;
    for (int i = 0; i < n; i++)
        same += a[i].status == b[i].status && a[i].latency == b[i].latency;
    return same;
}

/* "draws": "per_attempt": a named attempt meets the same dice (fault and
 * latency) whatever order the requests come in; anonymous requests, and
 * every request under the default "shared", draw in arrival order. */
static void per_attempt_draws_ignore_arrival_order(void **state)
{
    (void)state;
    enum { N = 64 };
    static mock_plan fwd[N], back[N], anon[N];
    static const char *const body =
        "\"providers\":[{\"name\":\"p\",\"shape\":\"openai\",\"keys\":{\"K1\":\"k1\"},"
        "\"models\":[{\"name\":\"m\",\"latency\":{\"kind\":\"uniform\",\"min_s\":0.1,"
        "\"max_s\":2}}],\"faults\":[{\"probability\":0.5,\"status\":503}]}]}";
    char json[1024];
    fixture fx;
    snprintf(json, sizeof json, "{\"kind\":\"scenario\",\"seed\":9,\"draws\":\"per_attempt\",%s",
             body);
    fx_open(&fx, json);
    draw_plans(&fx, true, false, fwd, N);
    draw_plans(&fx, true, true, back, N);
    assert_int_equal(same_dice(fwd, back, N), N);
    int fives = 0;
    for (int i = 0; i < N; i++)
        fives += fwd[i].status == 503;
    assert_in_range(fives, 16, 48); /* the dice do roll */
    draw_plans(&fx, false, false, anon, N);
    draw_plans(&fx, false, true, back, N);
    assert_true(same_dice(anon, back, N) < N);
    fx_close(&fx);
    snprintf(json, sizeof json, "{\"kind\":\"scenario\",\"seed\":9,%s", body);
    fx_open(&fx, json);
    draw_plans(&fx, true, false, fwd, N);
    assert_int_equal(same_dice(fwd, anon, N), N); /* shared: named or not, one stream */
    draw_plans(&fx, true, true, back, N);
    assert_true(same_dice(fwd, back, N) < N);
    fx_close(&fx);
    cm_err err = {{0}};
    snprintf(json, sizeof json, "{\"kind\":\"scenario\",\"draws\":\"per_task\",%s", body);
    fx_bad(json, &err);
    assert_non_null(strstr(err.msg, "inline.json:1:"));
    assert_non_null(strstr(err.msg, "draws"));
    assert_non_null(strstr(err.msg, "shared, per_attempt"));
}

static void windows_refuse_before_faults(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, HEAD "\"windows\":[{\"limit\":1,\"period_s\":60}],"
                      "\"faults\":[{\"probability\":1,\"status\":500}]" TAIL);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 0).status, 500);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 1).status, 429);
    fx_close(&fx);
}

/* The README's complete example: rules that come before faults behave as documented. */
static void reference_example_behaves(void **state)
{
    (void)state;
    fixture fx = {0};
    cm_err err = {{0}};
    if (mock_scenario_load("tests/data/scenarios/good/reference_example.json", &fx.sc, &err))
        fail_msg("%s", err.msg);
    fx.m = mock_model_new(fx.sc);
    mock_plan p = fx_send(&fx, "moonshot", "kimi", "sk-test-2", 0);
    assert_int_equal(p.status, 401);                         /* script: key 2's first call */
    assert_string_equal(hdr(&p, "x-moonshot-tier"), "free"); /* tier headers */
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "3");
    assert_non_null(strstr(hdr(&p, "RateLimit-Policy"), "\"requests\";q=3;w=60"));
    p = fx_send(&fx, "moonshot", "kimi", "sk-test-2", 100);
    assert_int_equal(p.status, 503); /* phase: kimi outage 60..300 */
    p = fx_send(&fx, "moonshot", "kimi", "sk-test-1", 3600);
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "500"); /* tier1 from 3600 */
    assert_string_equal(hdr(&p, "x-moonshot-tier"), "(absent)");
    assert_string_equal(hdr(&p, "x-ratelimit-limit-tokens"), "100000");
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(script_five_429_then_200_forever),
        cmocka_unit_test(script_order_and_repeat),
        cmocka_unit_test(script_ends_then_passes_through),
        cmocka_unit_test(script_pass_step_lets_windows_decide),
        cmocka_unit_test(script_state_per_key),
        cmocka_unit_test(script_matches_model_and_key),
        cmocka_unit_test(script_escalating_retry_after),
        cmocka_unit_test(phase_outage_between_two_times),
        cmocka_unit_test(phase_changes_tier),
        cmocka_unit_test(phase_wins_over_script),
        cmocka_unit_test(fault_statuses),
        cmocka_unit_test(fault_azure_like_limit_headers),
        cmocka_unit_test(fault_escalating_retry_after),
        cmocka_unit_test(fault_transport_kinds),
        cmocka_unit_test(fault_probability_is_honoured),
        cmocka_unit_test(per_attempt_draws_ignore_arrival_order),
        cmocka_unit_test(windows_refuse_before_faults),
        cmocka_unit_test(reference_example_behaves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
