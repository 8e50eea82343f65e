/* test_engine_stream.c: the policy's "stream" section. Attempts ask for a
 * stream with the idle timeout; a 2xx stream that did not complete is a
 * failure, decided by before_first_token / after_first_token (defaults:
 * retry, fail, as applications and the SDKs do); resume asks the next
 * attempt for what is still missing; the metrics count tokens and the
 * tokens of failed streams as wasted; bad sections are refused by name. */
#include "tests/lib/engine_fixture.h"

#define ONE_CAND                                                                                   \
    "\"candidates\":[{\"provider\":\"a\",\"model\":\"m1\",\"keys\":[\"K\"]},"                      \
    "{\"provider\":\"a\",\"model\":\"m2\",\"keys\":[\"K\"]}],"                                     \
    "\"backoff\":{\"kind\":\"constant\",\"base_s\":1}"

static void a_complete_stream_succeeds_and_sends_ask_for_streams(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f,
            "{\"kind\":\"policy\",\"name\":\"s\"," ONE_CAND ",\"stream\":{\"idle_timeout_s\":30}}");
    fx_outcome ok = {200, RL_TE_NONE, {{NULL, NULL}}};
    fx_stream whole = {RL_STREAM_COMPLETE, 40};
    fx_trail tr;
    fx_drive_streams(&f, &ok, &whole, 1, &tr);
    assert_true(tr.ok);
    assert_int_equal(tr.nsends, 1);
    assert_true(tr.stream[0]);
    assert_int_equal(tr.idle_timeout[0], 30 * CM_US_PER_S);
    fx_free(&f);
}

static void failures_before_the_first_token_retry_after_it_fail(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, "{\"kind\":\"policy\",\"name\":\"s\"," ONE_CAND ",\"stream\":{}}");
    fx_outcome ok[] = {{200, RL_TE_NONE, {{NULL, NULL}}},
                       {200, RL_TE_NONE, {{NULL, NULL}}},
                       {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_stream before[] = {{RL_STREAM_ERROR, 0}, {RL_STREAM_CUT, 0}, {RL_STREAM_COMPLETE, 40}};
    fx_trail tr;
    fx_drive_streams(&f, ok, before, 3, &tr);
    assert_true(tr.ok);
    assert_int_equal(tr.nsends, 3);
    assert_int_equal(tr.cand[1], 0); /* retried on the same candidate */
    fx_stream after = {RL_STREAM_ERROR, 12};
    fx_drive_streams(&f, ok, &after, 1, &tr);
    assert_false(tr.ok);
    assert_int_equal(tr.nsends, 1);
    assert_non_null(strstr(tr.message, "a stream that broke off"));
    fx_free(&f);
}

static void after_the_first_token_a_policy_may_rotate_and_resume(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, "{\"kind\":\"policy\",\"name\":\"s\",\"candidates\":["
                "{\"provider\":\"a\",\"model\":\"m1\",\"keys\":[\"K\"]},"
                "{\"provider\":\"a\",\"model\":\"m2\",\"keys\":[\"K\"]},"
                "{\"provider\":\"a\",\"model\":\"m3\",\"keys\":[\"K\"]}],"
                "\"stream\":{\"after_first_token\":\"rotate\",\"resume\":true}}");
    fx_outcome ok[] = {{200, RL_TE_NONE, {{NULL, NULL}}},
                       {200, RL_TE_NONE, {{NULL, NULL}}},
                       {200, RL_TE_NONE, {{NULL, NULL}}}};
    fx_stream s[] = {{RL_STREAM_STALLED, 7}, {RL_STREAM_ERROR, 5}, {RL_STREAM_COMPLETE, 28}};
    fx_trail tr;
    fx_drive_streams(&f, ok, s, 3, &tr);
    assert_true(tr.ok);
    assert_int_equal(tr.nsends, 3);
    assert_int_equal(tr.cand[0], 0);
    assert_int_equal(tr.cand[1], 1); /* rotated */
    assert_int_equal(tr.cand[2], 2);
    assert_int_equal(tr.resume_from[0], 0);
    assert_int_equal(tr.resume_from[1], 7);
    assert_int_equal(tr.resume_from[2], 12);
    cJSON *j = rl_run_summary_json(f.run, 0);
    const cJSON *cands = cJSON_GetObjectItem(j, "candidates");
    const cJSON *c0 = cJSON_GetArrayItem(cands, 0), *c2 = cJSON_GetArrayItem(cands, 2);
    assert_int_equal(cJSON_GetObjectItem(c0, "streams")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(c0, "tokens")->valueint, 7);
    assert_int_equal(cJSON_GetObjectItem(c0, "tokens_wasted")->valueint, 7);
    assert_int_equal(cJSON_GetObjectItem(c0, "failures")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(c2, "tokens")->valueint, 28);
    assert_int_equal(cJSON_GetObjectItem(c2, "tokens_wasted")->valueint, 0);
    assert_int_equal(cJSON_GetObjectItem(c2, "successes")->valueint, 1);
    cJSON_Delete(j);
    fx_free(&f);
}

static void without_a_stream_section_nothing_streams(void **state)
{
    (void)state;
    fx_policy f;
    fx_load(&f, "{\"kind\":\"policy\",\"name\":\"s\"," ONE_CAND "}");
    fx_outcome ok = {200, RL_TE_NONE, {{NULL, NULL}}};
    fx_trail tr;
    fx_drive(&f, &ok, 1, &tr);
    assert_true(tr.ok);
    assert_false(tr.stream[0]);
    cJSON *j = rl_run_summary_json(f.run, 0);
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "candidates"), 0);
    assert_null(cJSON_GetObjectItem(c0, "streams"));
    cJSON_Delete(j);
    fx_free(&f);
}

static void bad_stream_sections_are_refused(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"{\"idle_timeout_s\":-1}", "stream.idle_timeout_s"},
        {"{\"after_first_token\":\"later\"}", "stream.after_first_token"},
        {"{\"resumes\":true}", "stream.resumes"},
        {"{\"enabled\":\"yes\"}", "stream.enabled"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"kind\":\"policy\",\"name\":\"s\"," ONE_CAND ",\"stream\":%s}", bad[i][0]);
        cm_err err = {{0}};
        cm_json *doc = cm_json_parse("p.json", text, strlen(text), &err);
        assert_non_null(doc);
        rl_policy *p = NULL;
        assert_int_equal(rl_policy_from_json(doc, &p, &err), -1);
        if (!strstr(err.msg, bad[i][1]))
            fail_msg("%s: %s", bad[i][0], err.msg);
        cm_json_free(doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_complete_stream_succeeds_and_sends_ask_for_streams),
        cmocka_unit_test(failures_before_the_first_token_retry_after_it_fail),
        cmocka_unit_test(after_the_first_token_a_policy_may_rotate_and_resume),
        cmocka_unit_test(without_a_stream_section_nothing_streams),
        cmocka_unit_test(bad_stream_sections_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
