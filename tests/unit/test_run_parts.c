/* test_run_parts.c: the HTTP runner's pure parts: the providers file loader
 * (good file, every refusal with file:line:col), request bodies sized to the
 * scenario's tokens, request headers per shape, the response header capture,
 * the error body capture and reader (every provider's shape, as quoted in
 * research/providers.md) and the libcurl error map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/http/providers.h"
#include "engine/http/request.h"
#include "mockserver/front/body.h"

/* ---- providers files ---- */

static int load_text(const char *text, rl_providers **out, cm_err *err, cm_json **doc)
{
    *doc = cm_json_parse("p.json", text, strlen(text), err);
    if (!*doc)
        return -1;
    return rl_providers_from_json(*doc, out, err);
}

static void providers_good_file(void **state)
{
    (void)state;
    cm_err err;
    rl_providers *p = NULL;
    assert_int_equal(rl_providers_load("tests/data/run/providers-example.json", &p, &err), 0);
    assert_int_equal(rl_providers_count(p), 3);
    int i = rl_providers_find(p, "anthropic");
    assert_true(i >= 0);
    rl_provider_info info;
    rl_providers_get(p, (size_t)i, &info);
    assert_int_equal(info.shape, RL_SHAPE_ANTHROPIC);
    assert_string_equal(info.base_url, "https://api.anthropic.com/v1");
    assert_string_equal(rl_providers_key_env(p, (size_t)i, "ANTHROPIC_KEY_1"), "ANTHROPIC_API_KEY");
    int g = rl_providers_find(p, "groq");
    /* A key name without an entry is its own variable name. */
    assert_string_equal(rl_providers_key_env(p, (size_t)g, "GROQ_API_KEY"), "GROQ_API_KEY");
    assert_int_equal(rl_providers_find(p, "nope"), -1);
    rl_providers_free(p);
}

static void providers_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\"kind\":\"policy\",\"providers\":[]}", "p.json:1:9: kind: expected \"providers\""},
        {"{\"kind\":\"providers\"}", "providers"},
        {"{\"kind\":\"providers\",\"providers\":[]}", "p.json:1:33: providers"},
        {"{\"kind\":\"providers\",\"providers\":[{\"name\":\"a\",\"base_url\":\"http://example.com/"
         "v1\","
         "\"shape\":\"openai\"}]}",
         "p.json:1:57: providers[0].base_url: must start with https://"},
        {"{\"kind\":\"providers\",\"providers\":[{\"name\":\"a\",\"base_url\":\"http://"
         "127.0.0.1.evil/v1\","
         "\"shape\":\"openai\"}]}",
         "base_url: must start with https://"},
        {"{\"kind\":\"providers\",\"providers\":[{\"name\":\"a\",\"base_url\":\"https://x/v1\","
         "\"shape\":\"gemini\"}]}",
         "providers[0].shape"},
        {"{\"kind\":\"providers\",\"providers\":[{\"name\":\"a\",\"base_url\":\"https://x/v1\","
         "\"shape\":\"openai\",\"keys\":{\"K\":\"sk-live-123\"}}]}",
         "providers[0].keys.K: must name an environment variable"},
        {"{\"kind\":\"providers\",\"providers\":[{\"name\":\"a\",\"base_url\":\"https://x/v1\","
         "\"shape\":\"openai\",\"api_key\":\"x\"}]}",
         "providers[0].api_key: unknown field"},
        {"{\"kind\":\"providers\",\"providers\":[{\"name\":\"a b\",\"base_url\":\"https://x/v1\","
         "\"shape\":\"openai\"}]}",
         "providers[0].name: letters"},
        {"{\"kind\":\"providers\",\"providers\":[{\"name\":\"a\",\"base_url\":\"https://x\","
         "\"shape\":\"openai\"},{\"name\":\"a\",\"base_url\":\"https://y\",\"shape\":\"openai\"}]}",
         "listed twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cm_err err;
        err.msg[0] = '\0';
        rl_providers *p = NULL;
        cm_json *doc = NULL;
        assert_int_equal(load_text(bad[i].text, &p, &err, &doc), -1);
        if (!strstr(err.msg, bad[i].want))
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.msg, bad[i].want);
        assert_null(p);
        cm_json_free(doc);
    }
}

static void providers_loopback_http_allowed(void **state)
{
    (void)state;
    static const char *const ok[] = {"http://127.0.0.1:8080/groq/v1", "http://localhost/v1",
                                     "http://[::1]:9/x", "HTTPS://api.openai.com/v1"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "{\"kind\":\"providers\",\"providers\":[{\"name\":\"a\",\"base_url\":\"%s\","
                 "\"shape\":\"openai\"}]}",
                 ok[i]);
        cm_err err;
        rl_providers *p = NULL;
        cm_json *doc = NULL;
        if (load_text(text, &p, &err, &doc) != 0)
            fail_msg("%s refused: %s", ok[i], err.msg);
        rl_providers_free(p);
        cm_json_free(doc);
    }
}

/* ---- requests ---- */

static void body_counts_the_scenario_tokens(void **state)
{
    (void)state;
    static const int64_t tokens[] = {1, 3, 17, 18, 100, 300, 5000, 100000};
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        for (int shape = 0; shape < 2; shape++) {
            size_t len = 0;
            char *b = rl_http_body(shape ? RL_SHAPE_ANTHROPIC : RL_SHAPE_OPENAI, "m\"x", tokens[i],
                                   false, false, &len);
            assert_non_null(b);
            mock_body_req req;
            char msg[160];
            memset(&req, 0, sizeof req);
            int rc = mock_body_parse(shape ? MOCK_EP_MESSAGES : MOCK_EP_CHAT, b, len, &req, msg,
                                     sizeof msg);
            if (rc != 0)
                fail_msg("tokens %lld: %s", (long long)tokens[i], msg);
            assert_string_equal(req.model, "m\"x");
            if (tokens[i] >= 3)
                assert_int_equal(req.tokens, tokens[i]);
            free(b);
        }
    }
}

static void headers_per_shape(void **state)
{
    (void)state;
    struct curl_slist *h = rl_http_headers(RL_SHAPE_ANTHROPIC, "sk-ant-1");
    int seen = 0;
    for (struct curl_slist *l = h; l; l = l->next) {
        seen |= strcmp(l->data, "x-api-key: sk-ant-1") == 0;
        seen |= (strcmp(l->data, "anthropic-version: 2023-06-01") == 0) << 1;
        assert_null(strstr(l->data, "Authorization"));
    }
    assert_int_equal(seen, 3);
    curl_slist_free_all(h);
    h = rl_http_headers(RL_SHAPE_OPENAI, "sk-1");
    seen = 0;
    for (struct curl_slist *l = h; l; l = l->next)
        seen |= strcmp(l->data, "Authorization: Bearer sk-1") == 0;
    assert_int_equal(seen, 1);
    curl_slist_free_all(h);
    h = rl_http_headers(RL_SHAPE_OPENAI, NULL);
    for (struct curl_slist *l = h; l; l = l->next)
        assert_null(strstr(l->data, "Authorization"));
    curl_slist_free_all(h);
    char *u = rl_http_endpoint_url("http://h:1/groq/v1//", RL_SHAPE_OPENAI);
    assert_string_equal(u, "http://h:1/groq/v1/chat/completions");
    free(u);
    u = rl_http_endpoint_url("https://api.anthropic.com/v1", RL_SHAPE_ANTHROPIC);
    assert_string_equal(u, "https://api.anthropic.com/v1/messages");
    free(u);
}

static void header_capture(void **state)
{
    (void)state;
    static rl_hcap h;
    rl_hcap_reset(&h);
    static const char *const lines[] = {"HTTP/1.1 100 Continue\r\n",
                                        "X-Old: 1\r\n",
                                        "\r\n",
                                        "HTTP/1.1 429 Too Many Requests\r\n",
                                        "Retry-After:   20 \r\n",
                                        "x-ratelimit-limit-requests: 3\r\n",
                                        "bogus line\r\n",
                                        "Content-Type: application/json\r\n",
                                        "x-should-retry:\r\n",
                                        "\r\n"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        rl_hcap_line(&h, lines[i], strlen(lines[i]));
    rl_header out[RL_HCAP_MAX];
    size_t n = rl_hcap_list(&h, out, RL_HCAP_MAX);
    assert_int_equal(n, 3);
    assert_string_equal(out[0].name, "Retry-After");
    assert_string_equal(out[0].value, "20");
    assert_string_equal(out[1].value, "3");
    assert_string_equal(out[2].name, "x-should-retry"); /* Content-Type is not kept */
    assert_string_equal(out[2].value, "");
    /* Bounded: a flood of headers keeps at most RL_HCAP_MAX and never overruns. */
    char big[300];
    memset(big, 'v', sizeof big);
    memcpy(big, "Date: ", 6);
    for (int i = 0; i < 200; i++)
        rl_hcap_line(&h, big, sizeof big);
    assert_true(rl_hcap_list(&h, out, RL_HCAP_MAX) <= RL_HCAP_MAX);
    assert_true(h.len <= RL_HCAP_BYTES);
}

static rl_http_errbody errbody(const char *text, bool *found)
{
    rl_http_errbody e;
    *found = rl_http_errbody_parse(text, strlen(text), &e);
    return e;
}

static void error_bodies_in_every_shape(void **state)
{
    (void)state;
    bool found;
    /* OpenAI 429 (a body quoted in research/providers.md 1.2) */
    rl_http_errbody e = errbody(
        "{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini in organization org-X on "
        "requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit "
        "https://platform.openai.com/account/rate-limits to learn more.\",\"type\":\"requests\","
        "\"param\":null,\"code\":\"rate_limit_exceeded\"}}",
        &found);
    assert_true(found);
    assert_string_equal(e.body.type, "requests");
    assert_string_equal(e.body.code, "rate_limit_exceeded");
    assert_int_equal(e.body.message_delay, 20 * CM_US_PER_S);
    assert_int_equal(e.body.retry_delay, -1);
    /* OpenAI quota; code null */
    e = errbody("{\"error\":{\"message\":\"You exceeded your current quota, please check your "
                "plan and billing details.\",\"type\":\"insufficient_quota\",\"param\":null,"
                "\"code\":null}}",
                &found);
    assert_string_equal(e.body.type, "insufficient_quota");
    assert_null(e.body.code);
    assert_int_equal(e.body.message_delay, -1);
    /* Anthropic, with a spend cap's details.error_code */
    e = errbody("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"x\","
                "\"details\":{\"error_code\":\"enforced_spend_limit_reached\"}},"
                "\"request_id\":\"req_018EeWyXxfu5pfWkrYcMdjWG\"}",
                &found);
    assert_string_equal(e.body.type, "rate_limit_error");
    assert_string_equal(e.body.code, "enforced_spend_limit_reached");
    /* Gemini 429: status as type, RetryInfo, a number in "code" */
    const char *gemini =
        "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota. Please retry "
        "in 55.576865699s.\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type."
        "googleapis.com/google.rpc.QuotaFailure\",\"violations\":[]},{\"@type\":\"type."
        "googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"26s\"}]}}";
    e = errbody(gemini, &found);
    assert_string_equal(e.body.type, "RESOURCE_EXHAUSTED");
    assert_null(e.body.code);
    assert_int_equal(e.body.retry_delay, 26 * CM_US_PER_S);
    assert_int_equal(e.body.message_delay, 55576866);
    /* Gemini's invalid key (HTTP 400): the ErrorInfo reason as code; wrapped in an array */
    e = errbody("[{\"error\":{\"code\":400,\"message\":\"API key not valid.\",\"status\":"
                "\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
                "ErrorInfo\",\"reason\":\"API_KEY_INVALID\",\"domain\":\"googleapis.com\"}]}}]",
                &found);
    assert_string_equal(e.body.type, "INVALID_ARGUMENT");
    assert_string_equal(e.body.code, "API_KEY_INVALID");
    /* OpenRouter */
    e = errbody("{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\",\"metadata\":{"
                "\"error_type\":\"rate_limit_exceeded\"}}}",
                &found);
    assert_string_equal(e.body.type, "rate_limit_exceeded");
    assert_null(e.body.code);
    /* Moonshot */
    e = errbody("{\"error\":{\"type\":\"rate_limit_reached_error\",\"message\":\"Your account "
                "organization concurrency: 1, request reached max organization concurrency: 1, "
                "please try again after 0 seconds\"}}",
                &found);
    assert_string_equal(e.body.type, "rate_limit_reached_error");
    assert_int_equal(e.body.message_delay, 0);
    /* Not error bodies, or hostile ones: nothing, no crash. */
    static const char *const none[] = {"",
                                       "not json",
                                       "{\"choices\":[]}",
                                       "{\"error\":\"just a string\"}",
                                       "[]",
                                       "{\"error\":{\"type\":5,\"code\":[1],\"details\":{}}}",
                                       "{\"error\":{\"message\":\"x\",\"type\":\"trunc"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        e = errbody(none[i], &found);
        assert_null(e.body.type);
        assert_null(e.body.code);
        assert_int_equal(e.body.retry_delay, -1);
    }
    e = errbody("{\"error\":{\"type\":5,\"code\":[1],\"details\":{}}}", &found);
    assert_true(found);
    char longtype[200];
    snprintf(longtype, sizeof longtype, "{\"error\":{\"type\":\"%0100d\"}}", 7);
    e = errbody(longtype, &found);
    assert_null(e.body.type); /* too long for the field: absent, not cut */
    assert_false(rl_http_errbody_parse(NULL, 5, &e));
}

static void error_body_capture_is_bounded(void **state)
{
    (void)state;
    rl_bodycap b = {0};
    rl_bodycap_reset(&b, true);
    b.decided = b.keep = true; /* as after a status >= 400 */
    static char chunk[5000];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 10; i++)
        rl_bodycap_take(&b, NULL, chunk, sizeof chunk);
    assert_int_equal(b.len, RL_BODYCAP_MAX);
    rl_bodycap_reset(&b, true);
    assert_int_equal(b.len, 0);
    b.decided = true; /* a status below 400: nothing kept */
    rl_bodycap_take(&b, NULL, chunk, 10);
    assert_int_equal(b.len, 0);
    rl_bodycap_free(&b);
    assert_null(b.buf);
}

static void loopback_urls_go_direct(void **state)
{
    (void)state;
    static const char *const direct[] = {"http://127.0.0.1:8080/groq/v1", "http://127.1.2.3/x",
                                         "http://localhost:1/a", "http://LOCALHOST/",
                                         "http://[::1]:9/v1/messages"};
    static const char *const proxied[] = {"https://api.groq.com/openai/v1",
                                          "http://127.example.com/v1",
                                          "http://128.0.0.1/",
                                          "http://10.0.0.1:80/",
                                          "not a url",
                                          ""};
    for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++)
        assert_true(rl_http_is_loopback(direct[i]));
    for (size_t i = 0; i < sizeof proxied / sizeof proxied[0]; i++)
        assert_false(rl_http_is_loopback(proxied[i]));
}

static void curl_errors_map(void **state)
{
    (void)state;
    assert_int_equal(rl_http_error_of(CURLE_OK), RL_TE_NONE);
    assert_int_equal(rl_http_error_of(CURLE_OPERATION_TIMEDOUT), RL_TE_TIMEOUT);
    assert_int_equal(rl_http_error_of(CURLE_RECV_ERROR), RL_TE_RESET);
    assert_int_equal(rl_http_error_of(CURLE_GOT_NOTHING), RL_TE_RESET);
    assert_int_equal(rl_http_error_of(CURLE_SEND_ERROR), RL_TE_RESET);
    assert_int_equal(rl_http_error_of(CURLE_COULDNT_CONNECT), RL_TE_CONNECT);
    assert_int_equal(rl_http_error_of(CURLE_PARTIAL_FILE), RL_TE_TRUNCATED);
    assert_int_equal(rl_http_error_of(CURLE_SSL_CONNECT_ERROR), RL_TE_OTHER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(providers_good_file),
        cmocka_unit_test(providers_refusals),
        cmocka_unit_test(providers_loopback_http_allowed),
        cmocka_unit_test(body_counts_the_scenario_tokens),
        cmocka_unit_test(headers_per_shape),
        cmocka_unit_test(header_capture),
        cmocka_unit_test(error_bodies_in_every_shape),
        cmocka_unit_test(error_body_capture_is_bounded),
        cmocka_unit_test(loopback_urls_go_direct),
        cmocka_unit_test(curl_errors_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
