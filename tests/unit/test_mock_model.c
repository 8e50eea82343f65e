/* test_mock_model.c: the provider model's basic answers through
 * mock_model_respond: 200 in each shape, 401 for bad keys, 404 for unknown
 * providers, endpoints and models, the model list, Date headers, reset. */
#include "tests/lib/mock_test_util.h"

static const char *const two_shapes =
    "{\"kind\":\"scenario\",\"seed\":5,\"providers\":["
    "{\"name\":\"groq\",\"shape\":\"openai\",\"keys\":{\"G1\":\"gsk-1\",\"G2\":\"gsk-2\"},"
    " \"models\":[{\"name\":\"llama\",\"latency\":{\"kind\":\"fixed\",\"s\":0.25}}]},"
    "{\"name\":\"claude\",\"shape\":\"anthropic\",\"keys\":{\"A1\":\"sk-ant-1\"},"
    " \"models\":[{\"name\":\"sonnet\",\"output_tokens\":42}]},"
    "{\"name\":\"open\",\"shape\":\"openai\",\"models\":[{\"name\":\"m\"}]}]}";

static void ok_in_each_shape(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, two_shapes);
    mock_plan p = fx_send(&fx, "groq", "llama", "gsk-2", 1.5);
    assert_int_equal(p.status, 200);
    assert_int_equal(p.shape, MOCK_SHAPE_OPENAI);
    assert_int_equal(p.body, MOCK_BODY_COMPLETION);
    assert_int_equal(p.fault, MOCK_FAULT_NONE);
    assert_int_equal(p.latency, 250000);
    assert_int_equal(p.tokens_in, 100);
    assert_int_equal(p.tokens_out, 16);
    p = fx_send(&fx, "claude", "sonnet", "sk-ant-1", 0);
    assert_int_equal(p.status, 200);
    assert_int_equal(p.shape, MOCK_SHAPE_ANTHROPIC);
    assert_int_equal(p.tokens_out, 42);
    assert_int_equal(p.latency, 0);
    fx_close(&fx);
}

static void invalid_key_gets_401_in_each_shape(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, two_shapes);
    mock_plan p = fx_send(&fx, "groq", "llama", "gsk-3", 0);
    assert_int_equal(p.status, 401);
    assert_int_equal(p.body, MOCK_BODY_ERROR);
    assert_string_equal(p.error_type, "invalid_request_error");
    assert_string_equal(p.error_code, "invalid_api_key");
    p = fx_send(&fx, "groq", "llama", NULL, 0);
    assert_int_equal(p.status, 401);
    p = fx_send(&fx, "claude", "sonnet", "gsk-1", 0); /* another provider's key */
    assert_int_equal(p.status, 401);
    assert_int_equal(p.shape, MOCK_SHAPE_ANTHROPIC);
    assert_string_equal(p.error_type, "authentication_error");
    /* A provider without a key list accepts any key, but not none. */
    assert_int_equal(fx_send(&fx, "open", "m", "anything", 0).status, 200);
    assert_int_equal(fx_send(&fx, "open", "m", "", 0).status, 401);
    fx_close(&fx);
}

static void unknown_provider_model_endpoint_get_404(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, two_shapes);
    mock_plan p = fx_send(&fx, "nope", "llama", "gsk-1", 0);
    assert_int_equal(p.status, 404);
    assert_int_equal(p.body, MOCK_BODY_ERROR);
    p = fx_send(&fx, "groq", "gpt-5", "gsk-1", 0);
    assert_int_equal(p.status, 404);
    assert_string_equal(p.error_code, "model_not_found");
    assert_non_null(strstr(p.error_message, "gpt-5"));
    p = fx_send(&fx, "claude", "haiku", "sk-ant-1", 0);
    assert_int_equal(p.status, 404);
    assert_string_equal(p.error_type, "not_found_error");
    mock_request req = {
        .provider = "claude", .endpoint = MOCK_EP_CHAT, .model = "sonnet", .key = "sk-ant-1"};
    mock_model_respond(fx.m, &req, &p);
    assert_int_equal(p.status, 404);
    /* An invalid key is refused before the model is looked at, as real APIs do. */
    assert_int_equal(fx_send(&fx, "groq", "gpt-5", "bad", 0).status, 401);
    fx_close(&fx);
}

static void models_endpoint_lists_after_auth(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, two_shapes);
    mock_request req = {.provider = "groq", .endpoint = MOCK_EP_MODELS, .key = "gsk-1"};
    mock_plan p;
    mock_model_respond(fx.m, &req, &p);
    assert_int_equal(p.status, 200);
    assert_int_equal(p.body, MOCK_BODY_MODELS);
    req.key = "wrong";
    mock_model_respond(fx.m, &req, &p);
    assert_int_equal(p.status, 401);
    fx_close(&fx);
}

static void every_plan_has_a_date(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, two_shapes);
    mock_plan p = fx_send(&fx, "groq", "llama", "gsk-1", 61.9);
    assert_string_equal(hdr(&p, "Date"), "Thu, 01 Jan 2026 00:01:01 GMT");
    p = fx_send(&fx, "nope", "x", "y", 3600);
    assert_string_equal(hdr(&p, "date"), "Thu, 01 Jan 2026 01:00:00 GMT");
    fx_close(&fx);
}

/* Every date the model writes is epoch + t: Date, an HTTP-date Retry-After
 * and Anthropic's RFC 3339 resets; the model reads no clock, the caller sets
 * the epoch (the sim keeps CM_SCENARIO_EPOCH). */
static void dates_follow_the_epoch(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "{\"kind\":\"scenario\",\"providers\":["
                 "{\"name\":\"oa\",\"shape\":\"openai\",\"models\":[{\"name\":\"m\"}],"
                 " \"scripts\":[{\"steps\":[{\"status\":429,\"retry_after_s\":2,"
                 "  \"retry_after\":\"http_date\",\"forever\":true}]}]},"
                 "{\"name\":\"an\",\"shape\":\"anthropic\",\"models\":[{\"name\":\"c\"}],"
                 " \"windows\":[{\"limit\":5,\"period_s\":60}]}]}");
    assert_int_equal(mock_model_epoch(fx.m), CM_SCENARIO_EPOCH);
    mock_plan p = fx_send(&fx, "oa", "m", "k", 1.5);
    assert_string_equal(hdr(&p, "Date"), "Thu, 01 Jan 2026 00:00:01 GMT");
    mock_model_set_epoch(fx.m, INT64_C(1796400000)); /* 2026-12-04T16:00:00Z */
    p = fx_send(&fx, "oa", "m", "k", 1.5);           /* the same second: not the cached text */
    assert_string_equal(hdr(&p, "Date"), "Fri, 04 Dec 2026 16:00:01 GMT");
    assert_string_equal(hdr(&p, "Retry-After"), "Fri, 04 Dec 2026 16:00:04 GMT");
    p = fx_send(&fx, "an", "c", "k", 10);
    assert_string_equal(hdr(&p, "anthropic-ratelimit-requests-reset"), "2026-12-04T16:01:10Z");
    mock_model_reset(fx.m); /* a reset keeps the epoch: the caller sets a new one */
    assert_int_equal(mock_model_epoch(fx.m), INT64_C(1796400000));
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ok_in_each_shape),
        cmocka_unit_test(invalid_key_gets_401_in_each_shape),
        cmocka_unit_test(unknown_provider_model_endpoint_get_404),
        cmocka_unit_test(models_endpoint_lists_after_auth),
        cmocka_unit_test(every_plan_has_a_date),
        cmocka_unit_test(dates_follow_the_epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
