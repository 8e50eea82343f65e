/* test_mock_windows.c: rate windows through mock_model_respond: fixed,
 * sliding and token-bucket windows at their boundaries, token limits, quota
 * scopes (key, organisation, model, provider), Retry-After forms, the limit
 * headers of each shape (and IETF), and tiers. */
#include "tests/lib/mock_test_util.h"

#define SC_HEAD                                                                                    \
    "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","                  \
    "\"keys\":{\"K1\":\"k1\",\"K2\":\"k2\",\"K3\":\"k3\"},"                                        \
    "\"organisations\":{\"acme\":[\"K1\",\"K2\"]},"                                                \
    "\"models\":[{\"name\":\"m\"},{\"name\":\"n\"}],"
#define SC_TAIL "}]}"

static void fixed_window_three_per_minute(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, SC_HEAD "\"windows\":[{\"limit\":3,\"period_s\":60}]" SC_TAIL);
    const char *remaining[] = {"2", "1", "0"};
    for (int i = 0; i < 3; i++) {
        mock_plan p = fx_send(&fx, "p", "m", "k1", 10 + i);
        assert_int_equal(p.status, 200);
        assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "3");
        assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), remaining[i]);
    }
    mock_plan p = fx_send(&fx, "p", "m", "k1", 25); /* window opened at t=10 */
    assert_int_equal(p.status, 429);
    assert_string_equal(p.error_type, "requests"); /* OpenAI names the unit that tripped */
    assert_string_equal(p.error_code, "rate_limit_exceeded");
    assert_string_equal(hdr(&p, "Retry-After"), "45");
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "0");
    assert_string_equal(hdr(&p, "x-ratelimit-reset-requests"), "45s");
    /* Just before the boundary still refused (1 s rounded up), at it admitted. */
    p = fx_send(&fx, "p", "m", "k1", 69.5);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "Retry-After"), "1");
    assert_string_equal(hdr(&p, "x-ratelimit-reset-requests"), "500ms");
    p = fx_send(&fx, "p", "m", "k1", 70);
    assert_int_equal(p.status, 200);
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "2");
    assert_string_equal(hdr(&p, "x-ratelimit-reset-requests"), "1m0s");
    fx_close(&fx);
}

static void refused_requests_do_not_count(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, SC_HEAD "\"windows\":[{\"limit\":1,\"period_s\":10}]" SC_TAIL);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 0).status, 200);
    for (int i = 1; i < 10; i++)
        assert_int_equal(fx_send(&fx, "p", "m", "k1", i).status, 429);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 10).status, 200);
    fx_close(&fx);
}

/* A request that is not counted (refused by any window, or answered by a
 * script step) shows every window's remaining as it is now, whichever window
 * refused: the windows that would have admitted it are not charged either. */
static void uncounted_requests_show_remaining_now(void **state)
{
    (void)state;
    fixture fx;
    /* Requests refuse first: 2 per minute; tokens (100 a request) 1000. */
    fx_open(&fx, SC_HEAD "\"windows\":[{\"limit\":2,\"period_s\":60},"
                         "{\"unit\":\"tokens\",\"limit\":1000,\"period_s\":60}]" SC_TAIL);
    mock_plan p = fx_send(&fx, "p", "m", "k1", 0);
    p = fx_send(&fx, "p", "m", "k1", 1);
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-tokens"), "800");
    p = fx_send(&fx, "p", "m", "k1", 2);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "0");
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-tokens"), "800"); /* not 700 */
    fx_close(&fx);
    /* Tokens refuse first: 250 tokens; requests 5 per minute. */
    fx_open(&fx, SC_HEAD "\"windows\":[{\"limit\":5,\"period_s\":60},"
                         "{\"unit\":\"tokens\",\"limit\":250,\"period_s\":60}]" SC_TAIL);
    fx_send(&fx, "p", "m", "k1", 0);
    fx_send(&fx, "p", "m", "k1", 1);
    p = fx_send(&fx, "p", "m", "k1", 2);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-tokens"), "50");
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "3"); /* not 2 */
    fx_close(&fx);
    /* A scripted answer is not counted: its headers say "now" as well. */
    fx_open(&fx, SC_HEAD "\"windows\":[{\"limit\":5,\"period_s\":60}],"
                         "\"scripts\":[{\"steps\":[{\"status\":503}]}]" SC_TAIL);
    p = fx_send(&fx, "p", "m", "k1", 0);
    assert_int_equal(p.status, 503);
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "5");
    p = fx_send(&fx, "p", "m", "k1", 1);
    assert_int_equal(p.status, 200);
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "4");
    fx_close(&fx);
}

static void sliding_window_frees_oldest_first(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, SC_HEAD
            "\"windows\":[{\"algorithm\":\"sliding\",\"limit\":3,\"period_s\":60}]" SC_TAIL);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 0).status, 200);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 10).status, 200);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 20).status, 200);
    mock_plan p = fx_send(&fx, "p", "m", "k1", 30);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "Retry-After"), "30"); /* t=0 leaves at 60 */
    p = fx_send(&fx, "p", "m", "k1", 60);
    assert_int_equal(p.status, 200);
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "0");
    p = fx_send(&fx, "p", "m", "k1", 61);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "Retry-After"), "9"); /* t=10 leaves at 70 */
    /* Unlike a fixed window, no burst of 3 right after a boundary. */
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 70).status, 200);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 70).status, 429);
    fx_close(&fx);
}

static void token_bucket_refills_steadily(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, SC_HEAD "\"windows\":[{\"algorithm\":\"token_bucket\",\"limit\":3,"
                         "\"period_s\":60}]" SC_TAIL);
    for (int i = 0; i < 3; i++)
        assert_int_equal(fx_send(&fx, "p", "m", "k1", 0).status, 200);
    mock_plan p = fx_send(&fx, "p", "m", "k1", 0);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "Retry-After"), "20");                  /* one token per 20 s */
    assert_string_equal(hdr(&p, "x-ratelimit-reset-requests"), "1m0s"); /* full again */
    p = fx_send(&fx, "p", "m", "k1", 19.9);
    assert_int_equal(p.status, 429);
    p = fx_send(&fx, "p", "m", "k1", 20);
    assert_int_equal(p.status, 200);
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "0");
    /* Idle long: the bucket holds at most its limit. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(fx_send(&fx, "p", "m", "k1", 1000).status, 200);
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 1000).status, 429);
    fx_close(&fx);
}

static void token_limits_use_request_tokens(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx,
            SC_HEAD "\"windows\":[{\"unit\":\"tokens\",\"limit\":250,\"period_s\":60}]" SC_TAIL);
    mock_plan p = fx_send(&fx, "p", "m", "k1", 0); /* 100 tokens each */
    assert_int_equal(p.status, 200);
    assert_string_equal(hdr(&p, "x-ratelimit-limit-tokens"), "250");
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-tokens"), "150");
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "(absent)");
    assert_int_equal(fx_send(&fx, "p", "m", "k1", 1).status, 200);
    p = fx_send(&fx, "p", "m", "k1", 2);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-tokens"), "50");
    assert_non_null(strstr(p.error_message, "tokens"));
    mock_request small = {.provider = "p",
                          .endpoint = MOCK_EP_CHAT,
                          .model = "m",
                          .key = "k1",
                          .tokens = 50,
                          .now = cm_us_from_s(3)};
    mock_model_respond(fx.m, &small, &p);
    assert_int_equal(p.status, 200);
    fx_close(&fx);
}

/* Sends one request per key K1, K2, K3 at t and returns the statuses. */
static void three_keys(fixture *fx, const char *model, double t, int out[3])
{
    out[0] = fx_send(fx, "p", model, "k1", t).status;
    out[1] = fx_send(fx, "p", model, "k2", t).status;
    out[2] = fx_send(fx, "p", model, "k3", t).status;
}

static void quota_scopes(void **state)
{
    (void)state;
    fixture fx;
    int st[3];
    /* key: each key its own quota. */
    fx_open(&fx, SC_HEAD "\"windows\":[{\"scope\":\"key\",\"limit\":1,\"period_s\":60}]" SC_TAIL);
    three_keys(&fx, "m", 0, st);
    assert_true(st[0] == 200 && st[1] == 200 && st[2] == 200);
    fx_close(&fx);
    /* organisation: K1 and K2 share acme's quota, so rotating between them does not help. */
    fx_open(&fx, SC_HEAD
            "\"windows\":[{\"scope\":\"organisation\",\"limit\":1,\"period_s\":60}]" SC_TAIL);
    three_keys(&fx, "m", 0, st);
    assert_true(st[0] == 200 && st[1] == 429 && st[2] == 200);
    fx_close(&fx);
    /* model: every key shares the model's quota; another model has its own. */
    fx_open(&fx, SC_HEAD "\"windows\":[{\"scope\":\"model\",\"limit\":1,\"period_s\":60}]" SC_TAIL);
    three_keys(&fx, "m", 0, st);
    assert_true(st[0] == 200 && st[1] == 429 && st[2] == 429);
    assert_int_equal(fx_send(&fx, "p", "n", "k3", 0).status, 200);
    fx_close(&fx);
    /* provider: one quota for everything; a window for model n only ignores m. */
    fx_open(&fx, SC_HEAD "\"windows\":[{\"scope\":\"provider\",\"limit\":2,\"period_s\":60},"
                         "{\"limit\":1,\"period_s\":60,\"model\":\"n\"}]" SC_TAIL);
    assert_int_equal(fx_send(&fx, "p", "n", "k1", 0).status, 200);
    assert_int_equal(fx_send(&fx, "p", "n", "k1", 0).status, 429);
    assert_int_equal(fx_send(&fx, "p", "m", "k2", 0).status, 200);
    assert_int_equal(fx_send(&fx, "p", "m", "k3", 0).status, 429);
    fx_close(&fx);
}

static void retry_after_forms(void **state)
{
    (void)state;
    const char *forms[] = {"http_date", "ms", "none"};
    for (int i = 0; i < 3; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
                 "\"retry_after\":\"%s\",\"models\":[{\"name\":\"m\"}],"
                 "\"windows\":[{\"limit\":1,\"period_s\":60}]}]}",
                 forms[i]);
        fixture fx;
        fx_open(&fx, json);
        fx_send(&fx, "p", "m", "k", 100);
        mock_plan p = fx_send(&fx, "p", "m", "k", 110.25);
        assert_int_equal(p.status, 429);
        if (i == 0) {
            /* 110.25 + 49.75 = 160 s after the epoch */
            assert_string_equal(hdr(&p, "Retry-After"), "Thu, 01 Jan 2026 00:02:40 GMT");
            assert_string_equal(hdr(&p, "Date"), "Thu, 01 Jan 2026 00:01:50 GMT");
        } else if (i == 1) {
            assert_string_equal(hdr(&p, "retry-after-ms"), "49750");
            assert_string_equal(hdr(&p, "Retry-After"), "(absent)");
        } else {
            assert_string_equal(hdr(&p, "Retry-After"), "(absent)");
            assert_string_equal(hdr(&p, "retry-after-ms"), "(absent)");
        }
        fx_close(&fx);
    }
}

static void anthropic_and_ietf_headers(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"a\",\"shape\":\"anthropic\","
                 "\"ietf_headers\":true,\"keys\":{\"A\":\"ka\"},"
                 "\"models\":[{\"name\":\"s\",\"output_tokens\":40}],\"windows\":["
                 "{\"limit\":50,\"period_s\":60},"
                 "{\"unit\":\"input_tokens\",\"limit\":1000,\"period_s\":60},"
                 "{\"unit\":\"output_tokens\",\"limit\":400,\"period_s\":60}]}]}");
    mock_plan p = fx_send(&fx, "a", "s", "ka", 30);
    assert_int_equal(p.status, 200);
    assert_string_equal(hdr(&p, "anthropic-ratelimit-requests-limit"), "50");
    assert_string_equal(hdr(&p, "anthropic-ratelimit-requests-remaining"), "49");
    assert_string_equal(hdr(&p, "anthropic-ratelimit-requests-reset"), "2026-01-01T00:01:30Z");
    assert_string_equal(hdr(&p, "anthropic-ratelimit-input-tokens-remaining"), "900");
    assert_string_equal(hdr(&p, "anthropic-ratelimit-output-tokens-remaining"), "360");
    assert_string_equal(hdr(&p, "anthropic-ratelimit-tokens-remaining"), "360"); /* tightest */
    assert_string_equal(hdr(&p, "RateLimit-Policy"),
                        "\"requests\";q=50;w=60, "
                        "\"input-tokens\";q=1000;w=60, \"output-tokens\";q=400;w=60");
    assert_string_equal(hdr(&p, "RateLimit"),
                        "\"requests\";r=49;t=60, "
                        "\"input-tokens\";r=900;t=60, \"output-tokens\";r=360;t=60");
    for (int i = 0; i < 8; i++)
        fx_send(&fx, "a", "s", "ka", 31);
    p = fx_send(&fx, "a", "s", "ka", 32); /* output tokens: 9 x 40 = 360, 40 left... */
    assert_int_equal(p.status, 200);
    p = fx_send(&fx, "a", "s", "ka", 33);
    assert_int_equal(p.status, 429);
    assert_string_equal(p.error_type, "rate_limit_error");
    assert_string_equal(hdr(&p, "Retry-After"), "57");
    fx_close(&fx);
}

/* printf format: %s is the starting tier. */
static const char *const tiers_fmt =
    "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"moonshot\",\"shape\":\"openai\","
    "\"keys\":{\"K\":\"k\"},\"models\":[{\"name\":\"kimi\"}],\"tier\":\"%s\",\"tiers\":{"
    "\"free\":{\"windows\":[{\"limit\":3,\"period_s\":60}],\"headers\":{\"x-tier\":\"free\"}},"
    "\"tier1\":{\"windows\":[{\"limit\":500,\"period_s\":60}],\"headers\":{\"x-tier\":\"tier1\"}}"
    "}}]}";

static void tier_picks_limits_and_headers(void **state)
{
    (void)state;
    fixture fx;
    char json[1024];
    snprintf(json, sizeof json, tiers_fmt, "free");
    fx_open(&fx, json);
    mock_plan p = fx_send(&fx, "moonshot", "kimi", "k", 0);
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "3");
    assert_string_equal(hdr(&p, "x-tier"), "free");
    fx_send(&fx, "moonshot", "kimi", "k", 0);
    fx_send(&fx, "moonshot", "kimi", "k", 0);
    assert_int_equal(fx_send(&fx, "moonshot", "kimi", "k", 1).status, 429);
    fx_close(&fx);
    /* The same file with tier1 as the starting tier. */
    snprintf(json, sizeof json, tiers_fmt, "tier1");
    fx_open(&fx, json);
    for (int i = 0; i < 10; i++) {
        p = fx_send(&fx, "moonshot", "kimi", "k", 0);
        assert_int_equal(p.status, 200);
    }
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "500");
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "490");
    assert_string_equal(hdr(&p, "x-tier"), "tier1");
    fx_close(&fx);
}

static void admin_state_shows_usage(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, SC_HEAD "\"windows\":[{\"name\":\"rpm\",\"limit\":3,\"period_s\":60}]" SC_TAIL);
    fx_send(&fx, "p", "m", "k1", 0);
    fx_send(&fx, "p", "m", "k1", 1);
    fx_send(&fx, "p", "m", "k2", 1);
    cJSON *st = mock_model_state_json(fx.m, cm_us_from_s(2));
    const cJSON *wins =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(st, "providers"), 0), "windows");
    assert_int_equal(cJSON_GetArraySize(wins), 2);
    const cJSON *w0 = cJSON_GetArrayItem(wins, 0);
    assert_string_equal(cJSON_GetObjectItem(w0, "window")->valuestring, "rpm");
    assert_string_equal(cJSON_GetObjectItem(w0, "instance")->valuestring, "K1");
    assert_int_equal(cJSON_GetObjectItem(w0, "used")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(w0, "remaining")->valueint, 1);
    char *text = cJSON_PrintUnformatted(st);
    assert_null(strstr(text, "\"k1\"")); /* never a key value */
    cJSON_free(text);
    cJSON_Delete(st);
    /* After reset the windows are empty again. */
    mock_model_reset(fx.m);
    st = mock_model_state_json(fx.m, 0);
    wins =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(st, "providers"), 0), "windows");
    assert_int_equal(cJSON_GetArraySize(wins), 0);
    cJSON_Delete(st);
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_window_three_per_minute),
        cmocka_unit_test(refused_requests_do_not_count),
        cmocka_unit_test(uncounted_requests_show_remaining_now),
        cmocka_unit_test(sliding_window_frees_oldest_first),
        cmocka_unit_test(token_bucket_refills_steadily),
        cmocka_unit_test(token_limits_use_request_tokens),
        cmocka_unit_test(quota_scopes),
        cmocka_unit_test(retry_after_forms),
        cmocka_unit_test(anthropic_and_ietf_headers),
        cmocka_unit_test(tier_picks_limits_and_headers),
        cmocka_unit_test(admin_state_shows_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
