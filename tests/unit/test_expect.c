/* test_expect.c: common/expect: a full expect file parses into the right
 * values, one inside a scenario-like document, and every bad file under
 * tests/data/expect/bad/ fails with "file:line:col: field: message". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/expect.h"
#include "tests/lib/test_assert.h"

static void full_file_parses_every_key(void **state)
{
    (void)state;
    cm_expect e;
    cm_err err = {{0}};
    int rc = cm_expect_load("tests/data/expect/good/full.json", &e, &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(e.n_ladders, 2);
    assert_int_equal(e.ladders[0].n_waits, 6);
    assert_num_equal(e.ladders[0].waits_s[5], 640);
    assert_num_equal(e.ladders[0].tolerance, 0.01);
    assert_num_equal(e.ladders[0].abs_tolerance_s, 0.001);
    assert_int_equal(e.ladders[0].field, CM_EXPECT_DELAY);
    assert_int_equal(e.ladders[1].task, 1);
    assert_int_equal(e.ladders[1].field, CM_EXPECT_OBSERVED);
    assert_true(e.ladders[1].prefix);
    assert_true(e.has_rate_min && e.has_rate_max && e.has_rate_claimed);
    assert_num_equal(e.rate_claimed, 0.95);
    assert_string_equal(e.rate_source, "001_9d9c9546c3930c83.txt");
    assert_true(e.has_max_attempts);
    assert_int_equal(e.max_attempts, 7);
    assert_true(e.has_max_total_wait && e.max_total_wait_s == 1300);
    assert_true(e.has_max_calls_per_success && e.max_calls_per_success == 8);
    assert_int_equal(e.n_used, 1);
    assert_string_equal(e.used[0], "moonshot/kimi");
    assert_int_equal(e.n_not_used, 1);
    assert_int_equal(e.n_messages, 1);
    assert_string_equal(e.messages[0].contains, "rate limited");
    assert_int_equal(e.n_rotations, 1);
    assert_int_equal(e.rotations[0].n, 2);
    assert_string_equal(e.rotations[0].candidates[1], "openai/b");
    assert_true(e.has_max_task_duration && e.max_task_duration_s == 3600);
    assert_int_equal(e.n_counts, 2);
    assert_string_equal(e.counts[0].candidate, "groq/a");
    assert_true(e.counts[0].has_min && e.counts[0].has_max);
    assert_int_equal(e.counts[0].min, 5);
    assert_int_equal(e.counts[0].max, 6);
    assert_false(e.counts[1].has_min);
    assert_int_equal(e.counts[1].max, 10);
    assert_false(cm_expect_empty(&e));
    cm_expect_free(&e);
    assert_null(e.ladders);
    assert_true(cm_expect_empty(&e));
}

static void expect_inside_scenario_uses_its_path(void **state)
{
    (void)state;
    const char *text = "{\"kind\": \"scenario\",\n"
                       " \"expect\": {\"max_attempts\": 3,\n"
                       "   \"ladder\": {\"task\": 0, \"waits_s\": [1, \"x\"]}}}";
    cm_err err = {{0}};
    cm_json *doc = cm_json_parse("sc.json", text, strlen(text), &err);
    assert_non_null(doc);
    cm_expect e;
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(cm_json_root(doc), "expect");
    int rc = cm_expect_parse(doc, node, "expect", &e, &err);
    cm_json_free(doc);
    assert_int_equal(rc, -1);
    assert_string_equal(err.msg, "sc.json:3:41: expect.ladder.waits_s[1]: must be a number of "
                                 "seconds from 0 to 1e+09");
    assert_true(cm_expect_empty(&e));
    cm_expect_free(&e);
}

static void empty_expect_asserts_nothing(void **state)
{
    (void)state;
    const char *text = "{}";
    cm_err err = {{0}};
    cm_json *doc = cm_json_parse("e.json", text, strlen(text), &err);
    cm_expect e;
    assert_int_equal(cm_expect_parse(doc, cm_json_root(doc), NULL, &e, &err), 0);
    assert_true(cm_expect_empty(&e));
    assert_false(e.has_rate_min);
    cm_expect_free(&e);
    cm_json_free(doc);
}

struct bad_case {
    const char *file;
    const char *starts; /* the whole "file:line:col: field" prefix */
    const char *says;   /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
    {"unknown_field.json", ":3:60: ladder.tolerence", "unknown field"},
    {"negative_wait.json", ":3:42: ladder.waits_s[1]", "number of seconds"},
    {"rate_min_above_max.json", ":3:19: success_rate", "min (0.9) is above max (0.5)"},
    {"candidate_without_slash.json", ":3:40: candidates_used[1]", "provider/model"},
    {"both_attempt_keys.json", ":4:28: max_attempts_per_task", "only one"},
    {"wrong_kind.json", ":2:11: kind", "not one of: expect"},
    {"syntax_error.json", ":3:22: ", "JSON syntax error"},
    {"message_not_string.json", ":3:92: final_message[1].contains", "must be a string"},
    {"rate_out_of_range.json", ":3:28: success_rate.min", "between 0 and 1"},
    {"missing_kind.json", ":1:1: kind", "required"},
    {"duration_negative.json", ":3:26: max_task_duration_s", "between 0 and"},
    {"requests_min_above_max.json", ":3:26: candidate_requests[0]", "min (7) is above max (6)"},
    {"requests_no_bound.json", ":3:25: candidate_requests", "min, max or both"},
    {"requests_bad_candidate.json", ":3:40: candidate_requests[0].candidate", "provider/model"},
    {"requests_no_candidate.json", ":3:26: candidate_requests[0].candidate", "required"},
    {"requests_unknown_field.json", ":3:71: candidate_requests[0].maximum", "unknown field"},
};

static void bad_files_fail_with_position(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        char path[256], want[300];
        snprintf(path, sizeof path, "tests/data/expect/bad/%s", bad_cases[i].file);
        snprintf(want, sizeof want, "%s%s", path, bad_cases[i].starts);
        cm_expect e;
        cm_err err = {{0}};
        assert_int_equal(cm_expect_load(path, &e, &err), -1);
        if (strncmp(err.msg, want, strlen(want)) != 0 || !strstr(err.msg, bad_cases[i].says))
            fail_msg("%s: got \"%s\", want prefix \"%s\" and \"%s\"", bad_cases[i].file, err.msg,
                     want, bad_cases[i].says);
        assert_true(cm_expect_empty(&e));
        cm_expect_free(&e);
    }
}

static void missing_file_is_an_error(void **state)
{
    (void)state;
    cm_expect e;
    cm_err err = {{0}};
    assert_int_equal(cm_expect_load("tests/data/expect/no-such-file.json", &e, &err), -1);
    assert_non_null(strstr(err.msg, "no-such-file.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_file_parses_every_key),
        cmocka_unit_test(expect_inside_scenario_uses_its_path),
        cmocka_unit_test(empty_expect_asserts_nothing),
        cmocka_unit_test(bad_files_fail_with_position),
        cmocka_unit_test(missing_file_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
