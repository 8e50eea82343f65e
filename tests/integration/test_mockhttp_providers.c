/* test_mockhttp_providers.c: provider styles over real HTTP: request-id
 * headers (and Anthropic's request_id in the body), OpenAI's 429 body,
 * Moonshot's and OpenRouter's envelopes with plain X-RateLimit-* headers,
 * Azure's Retry-After with retry-after-ms, Gemini's RESOURCE_EXHAUSTED with
 * RetryInfo and its 400 for a bad key, the front's own errors in the
 * provider's style, and POST /v1/responses (a Response object, or its
 * typed events when streamed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "tests/lib/mockhttp_harness.h"
#include "tests/lib/test_assert.h"

#define PROVIDERS "tests/data/mockhttp/providers.json"
#define ANY_KEY "Authorization: Bearer sk-any"

static mh_server srv;

static int start(void **state)
{
    (void)state;
    const char *args[] = {PROVIDERS, "--port", "0", NULL};
    return mh_start(&srv, args);
}

static int stop(void **state)
{
    (void)state;
    return mh_stop(&srv) == 0 ? 0 : -1;
}

static cJSON *post(const char *path, const char *key, const char *body, mh_resp *r)
{
    mh_request(&srv, "POST", path, key, body, 5000, r);
    assert_int_equal(r->rc, CURLE_OK);
    cJSON *j = cJSON_Parse(r->body);
    if (!j)
        fail_msg("not JSON: %s", r->body);
    return j;
}

static const char *str(const cJSON *j, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *v = j;
    for (char *part = strtok(buf, "."); part && v; part = strtok(NULL, "."))
        v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, atoi(part)) : cJSON_GetObjectItem(v, part);
    return cJSON_IsString(v) ? v->valuestring : "(none)";
}

static double num(const cJSON *j, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, a), b);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void hdr_is(const mh_resp *r, const char *name, const char *want)
{
    char v[256];
    if (mh_header(r, name, v, sizeof v) != 0)
        snprintf(v, sizeof v, "(absent)");
    assert_string_equal(v, want);
}

static void openai_request_ids_and_429(void **state)
{
    (void)state;
    mh_resp *r = malloc(sizeof *r);
    const char *key = "Authorization: Bearer sk-test-oa";
    char id1[64], id2[64];
    cJSON_Delete(post("/oa/v1/chat/completions", key, MH_CHAT("gpt-4o-mini"), r));
    assert_int_equal(mh_header(r, "x-request-id", id1, sizeof id1), 0);
    assert_int_equal(strlen(id1), 28);
    cJSON_Delete(post("/oa/v1/chat/completions", key, MH_CHAT("gpt-4o-mini"), r));
    assert_int_equal(mh_header(r, "x-request-id", id2, sizeof id2), 0);
    assert_string_not_equal(id1, id2);
    cJSON *j = post("/oa/v1/chat/completions", key, MH_CHAT("gpt-4o-mini"), r);
    assert_int_equal(r->status, 429);
    assert_string_equal(str(j, "error.type"), "requests");
    assert_string_equal(str(j, "error.code"), "rate_limit_exceeded");
    assert_non_null(strstr(str(j, "error.message"), "in organization org-acme on requests per min "
                                                    "(RPM): Limit 2, Used 2, Requested 1. Please "
                                                    "try again in "));
    cJSON_Delete(j);
    free(r);
}

static void anthropic_529_with_request_id(void **state)
{
    (void)state;
    mh_resp *r = malloc(sizeof *r);
    cJSON *j = post("/an/v1/messages", "x-api-key: sk-ant-test",
                    "{\"model\":\"busy\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
                    "\"content\":\"hi\"}]}",
                    r);
    assert_int_equal(r->status, 529);
    char id[64];
    assert_int_equal(mh_header(r, "request-id", id, sizeof id), 0);
    assert_memory_equal(id, "req_", 4);
    assert_string_equal(str(j, "type"), "error");
    assert_string_equal(str(j, "error.type"), "overloaded_error");
    assert_string_equal(str(j, "request_id"), id);
    cJSON_Delete(j);
    free(r);
}

static void moonshot_and_openrouter_plain_headers(void **state)
{
    (void)state;
    mh_resp *r = malloc(sizeof *r);
    cJSON_Delete(post("/ms/v1/chat/completions", ANY_KEY, MH_CHAT("kimi"), r));
    hdr_is(r, "X-RateLimit-Limit", "1");
    hdr_is(r, "X-RateLimit-Remaining", "0");
    hdr_is(r, "X-RateLimit-Reset", "60");
    hdr_is(r, "x-ratelimit-limit-requests", "(absent)");
    cJSON *j = post("/ms/v1/chat/completions", ANY_KEY, MH_CHAT("kimi"), r);
    assert_int_equal(r->status, 429);
    assert_string_equal(str(j, "error.type"), "rate_limit_reached_error");
    assert_non_null(strstr(str(j, "error.message"),
                           "request reached organization max RPM: 1, please try again after"));
    cJSON_Delete(j);
    cJSON_Delete(post("/or/v1/chat/completions", ANY_KEY, MH_CHAT("llama:free"), r));
    char id[64], reset[32];
    assert_int_equal(mh_header(r, "X-Generation-Id", id, sizeof id), 0);
    assert_memory_equal(id, "gen-", 4);
    assert_int_equal(mh_header(r, "X-RateLimit-Reset", reset, sizeof reset), 0);
    assert_int_equal(strlen(reset), 13); /* Unix milliseconds */
    j = post("/or/v1/chat/completions", ANY_KEY, MH_CHAT("llama:free"), r);
    assert_int_equal(r->status, 429);
    assert_num_equal(num(j, "error", "code"), 429);
    assert_string_equal(str(j, "error.metadata.error_type"), "rate_limit_exceeded");
    cJSON_Delete(j);
    free(r);
}

static void azure_both_retry_after_headers(void **state)
{
    (void)state;
    mh_resp *r = malloc(sizeof *r);
    cJSON_Delete(post("/az/v1/chat/completions", ANY_KEY, MH_CHAT("gpt-4o"), r));
    cJSON_Delete(post("/az/v1/chat/completions", ANY_KEY, MH_CHAT("gpt-4o"), r));
    assert_int_equal(r->status, 429);
    char s[32], ms[32];
    assert_int_equal(mh_header(r, "Retry-After", s, sizeof s), 0);
    assert_int_equal(mh_header(r, "retry-after-ms", ms, sizeof ms), 0);
    long sv = strtol(s, NULL, 10), msv = strtol(ms, NULL, 10);
    assert_true(msv > 9000 && msv <= 10000);
    assert_int_equal(sv, (msv + 999) / 1000);
    free(r);
}

static void gemini_retry_info_and_bad_key(void **state)
{
    (void)state;
    mh_resp *r = malloc(sizeof *r);
    const char *key = "Authorization: Bearer AIza-test";
    cJSON_Delete(post("/gem/v1/chat/completions", key, MH_CHAT("gemini-2.5-flash"), r));
    cJSON *j = post("/gem/v1/chat/completions", key, MH_CHAT("gemini-2.5-flash"), r);
    assert_int_equal(r->status, 429);
    hdr_is(r, "Retry-After", "(absent)");
    assert_num_equal(num(j, "error", "code"), 429);
    assert_string_equal(str(j, "error.status"), "RESOURCE_EXHAUSTED");
    assert_string_equal(str(j, "error.details.1.@type"),
                        "type.googleapis.com/google.rpc.RetryInfo");
    const char *delay = str(j, "error.details.1.retryDelay");
    double d = strtod(delay, NULL);
    assert_true(d > 58 && d <= 60 && delay[strlen(delay) - 1] == 's');
    cJSON_Delete(j);
    j = post("/gem/v1/chat/completions", "Authorization: Bearer AIza-wrong",
             MH_CHAT("gemini-2.5-flash"), r);
    assert_int_equal(r->status, 400);
    assert_string_equal(str(j, "error.status"), "INVALID_ARGUMENT");
    assert_string_equal(str(j, "error.details.0.reason"), "API_KEY_INVALID");
    cJSON_Delete(j);
    /* The front's own 400 (bad JSON) in the provider's style too. */
    j = post("/gem/v1/chat/completions", key, "{not json", r);
    assert_int_equal(r->status, 400);
    assert_string_equal(str(j, "error.status"), "INVALID_ARGUMENT");
    cJSON_Delete(j);
    free(r);
}

static void responses_endpoint(void **state)
{
    (void)state;
    mh_resp *r = malloc(sizeof *r);
    const char *key = "Authorization: Bearer sk-any";
    cJSON *j = post("/az/v1/responses", key,
                    "{\"model\":\"gpt-4o\",\"input\":\"Say hi\",\"max_output_tokens\":20}", r);
    if (r->status == 429) { /* the az window (1 per 10 s) may still be full: reset */
        cJSON_Delete(j);
        mh_request(&srv, "POST", "/__admin/reset", NULL, "", 5000, r);
        j = post("/az/v1/responses", key,
                 "{\"model\":\"gpt-4o\",\"input\":\"Say hi\",\"max_output_tokens\":20}", r);
    }
    assert_int_equal(r->status, 200);
    assert_string_equal(str(j, "object"), "response");
    assert_string_equal(str(j, "status"), "completed");
    assert_string_equal(str(j, "model"), "gpt-4o");
    assert_memory_equal(str(j, "id"), "resp_", 5);
    assert_string_equal(str(j, "output.0.type"), "message");
    assert_string_equal(str(j, "output.0.content.0.type"), "output_text");
    assert_non_null(strstr(str(j, "output.0.content.0.text"), "Mock reply"));
    static const char *const required[] = {
        "id",       "object",      "created_at",  "error",        "incomplete_details",
        "model",    "tools",       "output",      "instructions", "parallel_tool_calls",
        "metadata", "tool_choice", "temperature", "top_p",        "usage",
        NULL};
    for (int i = 0; required[i]; i++)
        assert_non_null(cJSON_GetObjectItem(j, required[i]));
    assert_true(num(j, "usage", "output_tokens") > 0);
    cJSON_Delete(j);
    /* Streamed: the typed events of the Responses API, ending in response.completed. */
    mh_request(&srv, "POST", "/oa/v1/responses", "Authorization: Bearer sk-test-oa",
               "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"stream\":true}", 5000, r);
    assert_int_equal(r->status, 200);
    char type[64];
    assert_int_equal(mh_header(r, "Content-Type", type, sizeof type), 0);
    assert_memory_equal(type, "text/event-stream", 17);
    assert_non_null(strstr(r->body, "event: response.created\n"));
    assert_non_null(strstr(r->body, "event: response.output_text.delta\n"));
    assert_non_null(strstr(r->body, "event: response.completed\n"));
    mh_request(&srv, "POST", "/oa/v1/responses", "Authorization: Bearer sk-test-oa",
               "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"stream\":\"yes\"}", 5000, r);
    assert_int_equal(r->status, 400);
    j = post("/oa/v1/responses", "Authorization: Bearer sk-test-oa",
             "{\"model\":\"gpt-4o-mini\",\"messages\":[]}", r);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(str(j, "error.message"), "input"));
    cJSON_Delete(j);
    /* An Anthropic-shape provider has no /v1/responses. */
    j = post("/an/v1/responses", "x-api-key: sk-ant-test",
             "{\"model\":\"sonnet\",\"input\":\"hi\"}", r);
    assert_int_equal(r->status, 404);
    cJSON_Delete(j);
    free(r);
}

/* The gemini-free profile on Gemini's OpenAI-compatible path: 15 RPM for
 * gemini-2.0-flash, no limit headers, RetryInfo in the 429. */
static void gemini_profile_on_its_compatible_path(void **state)
{
    (void)state;
    mh_resp *r = malloc(sizeof *r);
    const char *key = "Authorization: Bearer AIza-free";
    for (int i = 0; i < 15; i++) {
        cJSON_Delete(
            post("/gemf/v1beta/openai/chat/completions", key, MH_CHAT("gemini-2.0-flash"), r));
        assert_int_equal(r->status, 200);
    }
    hdr_is(r, "x-ratelimit-limit-requests", "(absent)");
    cJSON *j = post("/gemf/v1beta/openai/chat/completions", key, MH_CHAT("gemini-2.0-flash"), r);
    assert_int_equal(r->status, 429);
    assert_string_equal(str(j, "error.status"), "RESOURCE_EXHAUSTED");
    assert_string_equal(str(j, "error.details.0.violations.0.quotaId"),
                        "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
    assert_string_equal(str(j, "error.details.1.@type"),
                        "type.googleapis.com/google.rpc.RetryInfo");
    cJSON_Delete(j);
    free(r);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(openai_request_ids_and_429),
        cmocka_unit_test(anthropic_529_with_request_id),
        cmocka_unit_test(moonshot_and_openrouter_plain_headers),
        cmocka_unit_test(azure_both_retry_after_headers),
        cmocka_unit_test(gemini_retry_info_and_bad_key),
        cmocka_unit_test(responses_endpoint),
        cmocka_unit_test(gemini_profile_on_its_compatible_path),
    };
    int rc = cmocka_run_group_tests(tests, start, stop);
    curl_global_cleanup();
    return rc;
}
