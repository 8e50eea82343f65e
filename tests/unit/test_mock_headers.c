/* test_mock_headers.c: the provider's header styles: plain X-RateLimit-*
 * (Moonshot, OpenRouter) with its three reset forms, none at all, Azure's
 * Retry-After with retry-after-ms, x-ms-retry-after-ms; and the endpoints
 * an OpenAI-shape provider serves (/v1/responses beside chat completions). */
#include "tests/lib/mock_test_util.h"

#define PLAIN(reset)                                                                               \
    "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"ms\",\"shape\":\"openai\","                 \
    "\"limit_headers\":\"plain\",\"plain_reset\":\"" reset "\",\"models\":[{\"name\":\"kimi\"}],"  \
    "\"windows\":[{\"limit\":3,\"period_s\":60}]}]}"

static void plain_headers_in_three_reset_forms(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, PLAIN("seconds"));
    mock_plan p = fx_send(&fx, "ms", "kimi", "k", 10);
    fx_send(&fx, "ms", "kimi", "k", 10);
    p = fx_send(&fx, "ms", "kimi", "k", 25.5);
    assert_string_equal(hdr(&p, "X-RateLimit-Limit"), "3");
    assert_string_equal(hdr(&p, "X-RateLimit-Remaining"), "0");
    assert_string_equal(hdr(&p, "X-RateLimit-Reset"), "45"); /* 44.5 s, rounded up */
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "(absent)");
    fx_close(&fx);
    fx_open(&fx, PLAIN("unix"));
    p = fx_send(&fx, "ms", "kimi", "k", 10.5); /* ends at t = 70.5: 2026-01-01T00:01:11Z */
    assert_string_equal(hdr(&p, "X-RateLimit-Reset"), "1767225671");
    fx_close(&fx);
    fx_open(&fx, PLAIN("unix_ms"));
    p = fx_send(&fx, "ms", "kimi", "k", 10.5);
    assert_string_equal(hdr(&p, "X-RateLimit-Reset"), "1767225670500");
    mock_model_set_epoch(fx.m, INT64_C(1796400000));
    p = fx_send(&fx, "ms", "kimi", "k", 11);
    assert_string_equal(hdr(&p, "X-RateLimit-Reset"), "1796400070500");
    fx_close(&fx);
}

static void no_limit_headers(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"g\",\"shape\":\"openai\","
                 "\"limit_headers\":\"none\",\"models\":[{\"name\":\"m\"}],"
                 "\"windows\":[{\"limit\":1,\"period_s\":60}]}]}");
    mock_plan p = fx_send(&fx, "g", "m", "k", 0);
    assert_int_equal(p.nheaders, 1); /* Date alone */
    p = fx_send(&fx, "g", "m", "k", 1);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "Retry-After"), "59");
    fx_close(&fx);
}

/* OpenRouter sends X-RateLimit-* only on its own 429 (OpenRouterTeam/docs
 * api_reference/limits.mdx, read 2026-12-04): "limit_headers_when": "refused". */
static void limit_headers_only_on_refusals(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"or\",\"shape\":\"openai\","
                 "\"limit_headers\":\"plain\",\"limit_headers_when\":\"refused\","
                 "\"models\":[{\"name\":\"m\"}],\"windows\":[{\"limit\":1,\"period_s\":60}]}]}");
    mock_plan p = fx_send(&fx, "or", "m", "k", 0);
    assert_int_equal(p.status, 200);
    assert_string_equal(hdr(&p, "X-RateLimit-Limit"), "(absent)");
    p = fx_send(&fx, "or", "m", "k", 1);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "X-RateLimit-Limit"), "1");
    assert_string_equal(hdr(&p, "X-RateLimit-Remaining"), "0");
    fx_close(&fx);
}

/* Azure OpenAI: a 429 carries retry-after (s) and retry-after-ms
 * (AZD how-to/provisioned-get-started.md, read 2026-12-04). */
static void azure_retry_after_in_seconds_and_ms(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"az\",\"shape\":\"openai\","
                 "\"retry_after\":\"seconds_and_ms\",\"models\":[{\"name\":\"gpt-4o\"}],"
                 "\"windows\":[{\"limit\":1,\"period_s\":10}],"
                 "\"scripts\":[{\"steps\":[{\"pass\":true},{\"pass\":true},"
                 "{\"status\":429,\"retry_after_s\":1.25,\"retry_after\":\"x_ms\"}]}]}]}");
    fx_send(&fx, "az", "gpt-4o", "k", 0);
    mock_plan p = fx_send(&fx, "az", "gpt-4o", "k", 2.5);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "Retry-After"), "8");
    assert_string_equal(hdr(&p, "retry-after-ms"), "7500");
    assert_true(p.known.exact);
    assert_int_equal(p.known.retry_after_ms, 7500);
    p = fx_send(&fx, "az", "gpt-4o", "k", 3);
    assert_string_equal(hdr(&p, "x-ms-retry-after-ms"), "1250");
    assert_string_equal(hdr(&p, "Retry-After"), "(absent)");
    fx_close(&fx);
}

static void responses_endpoint_is_openai_shape_only(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "{\"kind\":\"scenario\",\"providers\":["
                 "{\"name\":\"oa\",\"shape\":\"openai\",\"models\":[{\"name\":\"m\"}]},"
                 "{\"name\":\"an\",\"shape\":\"anthropic\",\"models\":[{\"name\":\"c\"}]}]}");
    mock_request req = {
        .provider = "oa", .endpoint = MOCK_EP_RESPONSES, .model = "m", .key = "k", .tokens = 10};
    mock_plan p;
    mock_model_respond(fx.m, &req, &p);
    assert_int_equal(p.status, 200);
    assert_int_equal(p.body, MOCK_BODY_COMPLETION);
    req.provider = "an";
    req.model = "c";
    mock_model_respond(fx.m, &req, &p);
    assert_int_equal(p.status, 404);
    fx_close(&fx);
}

static void bad_header_options_are_refused(void **state)
{
    (void)state;
    cm_err err;
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"limit_headers\":\"github\"}]}",
           &err);
    assert_non_null(strstr(err.msg, "providers[0].limit_headers"));
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"retry_after\":\"minutes\"}]}",
           &err);
    assert_non_null(strstr(err.msg, "providers[0].retry_after"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_headers_in_three_reset_forms),
        cmocka_unit_test(no_limit_headers),
        cmocka_unit_test(limit_headers_only_on_refusals),
        cmocka_unit_test(azure_retry_after_in_seconds_and_ms),
        cmocka_unit_test(responses_endpoint_is_openai_shape_only),
        cmocka_unit_test(bad_header_options_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
