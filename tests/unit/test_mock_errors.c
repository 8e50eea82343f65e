/* test_mock_errors.c: error answers per provider style: OpenAI's 429 type
 * naming the unit that tripped, its "Please try again in 2m13s." message and
 * the non-retryable insufficient_quota; Anthropic's request_id in the body;
 * Moonshot's concurrency message; OpenRouter's code and metadata; Gemini's
 * RESOURCE_EXHAUSTED with QuotaFailure and RetryInfo, and its 400 for a bad
 * key; deterministic request-id headers from the seed and request number. */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "common/keyid.h"
#include "mockserver/front/body.h"
#include "tests/lib/mock_test_util.h"
#include "tests/lib/test_assert.h"

/* The rendered error body of p, parsed. */
static cJSON *body_of(const mock_plan *p)
{
    mock_render_ctx ctx = {.provider = "p", .model = "m"};
    size_t len = 0;
    char *text = mock_body_render(p, &ctx, &len);
    assert_non_null(text);
    cJSON *j = cJSON_Parse(text);
    if (!j)
        fail_msg("not JSON: %s", text);
    free(text);
    return j;
}

static const char *at(const cJSON *j, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItem(j, a);
    if (b)
        v = cJSON_GetObjectItem(v, b);
    return cJSON_IsString(v) ? v->valuestring : "(none)";
}

static double num_at(const cJSON *j, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, a), b);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

#define OA_HEAD                                                                                    \
    "{\"kind\":\"scenario\",\"seed\":7,\"providers\":[{\"name\":\"oa\",\"shape\":\"openai\","      \
    "\"keys\":{\"K1\":\"sk-1\"},\"organisations\":{\"org-acme\":[\"K1\"]},"                        \
    "\"models\":[{\"name\":\"gpt-4o-mini\"}],\"request_id_header\":\"x-request-id\","

static void openai_429_names_the_unit_and_the_wait(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, OA_HEAD "\"windows\":[{\"limit\":3,\"period_s\":60},"
                         "{\"unit\":\"tokens\",\"limit\":250,\"period_s\":60}]}]}");
    for (int i = 0; i < 2; i++)
        assert_int_equal(fx_send(&fx, "oa", "gpt-4o-mini", "sk-1", 10).status, 200);
    mock_plan p = fx_send(&fx, "oa", "gpt-4o-mini", "sk-1", 20); /* 300 tokens > 250 */
    assert_int_equal(p.status, 429);
    assert_string_equal(p.error_type, "tokens");
    assert_string_equal(p.error_code, "rate_limit_exceeded");
    assert_string_equal(
        p.error_message,
        "Rate limit reached for gpt-4o-mini in organization org-acme on tokens "
        "per min (TPM): Limit 250, Used 200, Requested 100. Please try again in "
        "50s. Visit https://platform.openai.com/account/rate-limits to learn more.");
    fx_close(&fx);
    fx_open(&fx, OA_HEAD "\"windows\":[{\"limit\":3,\"period_s\":60}]}]}");
    for (int i = 0; i < 3; i++)
        assert_int_equal(fx_send(&fx, "oa", "gpt-4o-mini", "sk-1", 70 + i * 0.25).status, 200);
    p = fx_send(&fx, "oa", "gpt-4o-mini", "sk-1", 70.75);
    assert_string_equal(p.error_type, "requests");
    assert_non_null(strstr(p.error_message, "on requests per min (RPM): Limit 3, Used 3, "
                                            "Requested 1. Please try again in 59.25s."));
    fx_close(&fx);
}

static void openai_insufficient_quota_has_no_wait(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx,
            OA_HEAD "\"windows\":[{\"name\":\"monthly-spend\",\"limit\":1,\"period_s\":2592000,"
                    "\"error_type\":\"insufficient_quota\",\"error_code\":\"insufficient_quota\","
                    "\"retry_after\":\"none\"}]}]}");
    fx_send(&fx, "oa", "gpt-4o-mini", "sk-1", 0);
    mock_plan p = fx_send(&fx, "oa", "gpt-4o-mini", "sk-1", 1);
    assert_int_equal(p.status, 429);
    assert_string_equal(p.error_type, "insufficient_quota");
    assert_string_equal(p.error_code, "insufficient_quota");
    assert_string_equal(p.error_message, "You exceeded your current quota, please check your plan "
                                         "and billing details.");
    assert_string_equal(hdr(&p, "Retry-After"), "(absent)");
    fx_close(&fx);
}

/* req_ + 24 letters and digits, the same for the same seed and request
 * number, another for the next request or another seed; a reset starts the
 * numbering again. */
static void request_ids_come_from_the_seed_and_the_number(void **state)
{
    (void)state;
    fixture a, b, c;
    const char *sc = OA_HEAD "\"windows\":[]}]}";
    fx_open(&a, sc);
    fx_open(&b, sc);
    char other[1024];
    snprintf(other, sizeof other, "%s", sc);
    memcpy(strstr(other, "\"seed\":7"), "\"seed\":8", 8);
    fx_open(&c, other);
    mock_plan p1 = fx_send(&a, "oa", "gpt-4o-mini", "sk-1", 0);
    mock_plan p2 = fx_send(&a, "oa", "gpt-4o-mini", "sk-1", 0);
    mock_plan q1 = fx_send(&b, "oa", "gpt-4o-mini", "sk-1", 5);
    mock_plan r1 = fx_send(&c, "oa", "gpt-4o-mini", "sk-1", 0);
    const char *id = hdr(&p1, "x-request-id");
    assert_int_equal(strlen(id), 4 + 24);
    assert_memory_equal(id, "req_", 4);
    assert_string_equal(id, hdr(&q1, "x-request-id"));
    assert_string_not_equal(id, hdr(&p2, "x-request-id"));
    assert_string_not_equal(id, hdr(&r1, "x-request-id"));
    assert_string_equal(p1.headers[1].name, "x-request-id"); /* right after Date */
    mock_model_reset(a.m);
    mock_plan p3 = fx_send(&a, "oa", "gpt-4o-mini", "sk-1", 0);
    assert_string_equal(id, hdr(&p3, "x-request-id"));
    fx_close(&a);
    fx_close(&b);
    fx_close(&c);
}

static void anthropic_errors_carry_the_request_id(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"an\",\"shape\":\"anthropic\","
                 "\"models\":[{\"name\":\"c\"}],\"request_id_header\":\"request-id\","
                 "\"faults\":[{\"probability\":1,\"status\":529}]}]}");
    mock_plan p = fx_send(&fx, "an", "c", "k", 0);
    assert_int_equal(p.status, 529);
    cJSON *j = body_of(&p);
    assert_string_equal(at(j, "error", "type"), "overloaded_error");
    assert_string_equal(at(j, "error", "message"), "Overloaded");
    assert_string_equal(at(j, "request_id", NULL), hdr(&p, "request-id"));
    cJSON_Delete(j);
    fx_close(&fx);
}

static void moonshot_concurrency_refusal(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"ms\",\"shape\":\"openai\","
                 "\"error_style\":\"moonshot\",\"models\":[{\"name\":\"kimi\","
                 "\"latency\":{\"kind\":\"fixed\",\"s\":3}}],\"windows\":[{\"scope\":\"provider\","
                 "\"algorithm\":\"concurrency\",\"limit\":1}]}]}");
    fx_send(&fx, "ms", "kimi", "k", 0);
    mock_plan p = fx_send(&fx, "ms", "kimi", "k", 1);
    assert_int_equal(p.status, 429);
    cJSON *j = body_of(&p);
    assert_string_equal(at(j, "error", "type"), "rate_limit_reached_error");
    char want[200];
    char id[CM_KEYID_LEN];
    cm_keyid("k", id);
    snprintf(want, sizeof want,
             "Your account org-mock<%s> request reached max organization concurrency: 1, please "
             "try again after 2 seconds",
             id);
    assert_string_equal(at(j, "error", "message"), want);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "code"));
    cJSON_Delete(j);
    p = fx_send(&fx, "ms", "kimi", "wrong-key-is-fine-without-keys", 1);
    fx_close(&fx);
}

static void openrouter_error_code_and_metadata(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"or\",\"shape\":\"openai\","
                 "\"error_style\":\"openrouter\",\"models\":[{\"name\":\"x:free\"}],"
                 "\"windows\":[{\"limit\":1,\"period_s\":60}]}]}");
    fx_send(&fx, "or", "x:free", "k", 0);
    mock_plan p = fx_send(&fx, "or", "x:free", "k", 1);
    cJSON *j = body_of(&p);
    assert_num_equal(num_at(j, "error", "code"), 429);
    assert_string_equal(at(j, "error", "message"), "Rate limit exceeded");
    assert_string_equal(at(cJSON_GetObjectItem(j, "error"), "metadata", "error_type"),
                        "rate_limit_exceeded");
    cJSON_Delete(j);
    fx_close(&fx);
}

static void gemini_resource_exhausted_with_retry_info(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"gem\",\"shape\":\"openai\","
                 "\"error_style\":\"gemini\",\"invalid_key_status\":400,\"retry_after\":\"none\","
                 "\"keys\":{\"G\":\"AIza-test\"},\"models\":[{\"name\":\"gemini-2.5-flash\"}],"
                 "\"windows\":[{\"name\":\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\","
                 "\"limit\":1,\"period_s\":60}]}]}");
    fx_send(&fx, "gem", "gemini-2.5-flash", "AIza-test", 10);
    mock_plan p = fx_send(&fx, "gem", "gemini-2.5-flash", "AIza-test", 34.5);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "Retry-After"), "(absent)"); /* the body says it */
    cJSON *j = body_of(&p);
    const cJSON *e = cJSON_GetObjectItem(j, "error");
    assert_num_equal(num_at(j, "error", "code"), 429);
    assert_string_equal(at(e, "status", NULL), "RESOURCE_EXHAUSTED");
    assert_non_null(strstr(at(e, "message", NULL), "Please retry in 35.5s."));
    const cJSON *details = cJSON_GetObjectItem(e, "details");
    assert_int_equal(cJSON_GetArraySize(details), 2);
    const cJSON *qf = cJSON_GetArrayItem(details, 0), *ri = cJSON_GetArrayItem(details, 1);
    assert_string_equal(at(qf, "@type", NULL), "type.googleapis.com/google.rpc.QuotaFailure");
    assert_string_equal(
        at(cJSON_GetArrayItem(cJSON_GetObjectItem(qf, "violations"), 0), "quotaId", NULL),
        "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
    assert_string_equal(at(ri, "@type", NULL), "type.googleapis.com/google.rpc.RetryInfo");
    assert_string_equal(at(ri, "retryDelay", NULL), "35.500s");
    cJSON_Delete(j);
    /* A bad key: 400 INVALID_ARGUMENT with reason API_KEY_INVALID. */
    p = fx_send(&fx, "gem", "gemini-2.5-flash", "AIza-wrong", 40);
    assert_int_equal(p.status, 400);
    j = body_of(&p);
    e = cJSON_GetObjectItem(j, "error");
    assert_num_equal(num_at(j, "error", "code"), 400);
    assert_string_equal(at(e, "status", NULL), "INVALID_ARGUMENT");
    assert_string_equal(at(e, "message", NULL), "API key not valid. Please pass a valid API key.");
    assert_string_equal(
        at(cJSON_GetArrayItem(cJSON_GetObjectItem(e, "details"), 0), "reason", NULL),
        "API_KEY_INVALID");
    cJSON_Delete(j);
    fx_close(&fx);
}

static void bad_error_options_are_refused(void **state)
{
    (void)state;
    cm_err err;
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"error_style\":\"azure\"}]}",
           &err);
    assert_non_null(strstr(err.msg, "providers[0].error_style"));
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"request_id_header\":\"x request\"}]}",
           &err);
    assert_non_null(strstr(err.msg, "request_id_header: not a header name"));
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"invalid_key_status\":200}]}",
           &err);
    assert_non_null(strstr(err.msg, "invalid_key_status"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(openai_429_names_the_unit_and_the_wait),
        cmocka_unit_test(openai_insufficient_quota_has_no_wait),
        cmocka_unit_test(request_ids_come_from_the_seed_and_the_number),
        cmocka_unit_test(anthropic_errors_carry_the_request_id),
        cmocka_unit_test(moonshot_concurrency_refusal),
        cmocka_unit_test(openrouter_error_code_and_metadata),
        cmocka_unit_test(gemini_resource_exhausted_with_retry_info),
        cmocka_unit_test(bad_error_options_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
