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

/* Parses claims entry `text` (an object) of a one-claim document. */
static int parse_claim(const char *text, cm_claim *c, cm_err *err, cm_json **doc)
{
    *doc = cm_json_parse("c.json", text, strlen(text), err);
    assert_non_null(*doc);
    return cm_claim_parse(*doc, cm_json_root(*doc), "claims[0]", c, err);
}

static void claims_state_their_direction(void **state)
{
    (void)state;
    cm_claim c;
    cm_err err = {{0}};
    cm_json *doc;
    assert_int_equal(parse_claim("{\"source\": \"s\", \"says\": \"85%+\", \"measure\": "
                                 "\"success_rate\", \"at_least\": 0.85}",
                                 &c, &err, &doc),
                     0);
    assert_int_equal(c.measure, CM_CLAIM_SUCCESS_RATE);
    assert_int_equal(c.dir, CM_CLAIM_AT_LEAST);
    assert_true(cm_claim_holds(&c, 0.91)); /* 91% against at least 85% holds */
    assert_false(cm_claim_holds(&c, 0.84));
    cm_json_free(doc);
    assert_int_equal(parse_claim("{\"source\": \"s\", \"says\": \"~21 min\", \"measure\": "
                                 "\"max_total_wait_s\", \"about\": 1260, \"tolerance\": 0.05}",
                                 &c, &err, &doc),
                     0);
    assert_int_equal(c.dir, CM_CLAIM_ABOUT);
    assert_true(cm_claim_holds(&c, 1290));
    assert_false(cm_claim_holds(&c, 945)); /* 15.8 min: not about 21 */
    cm_json_free(doc);
    assert_int_equal(parse_claim("{\"source\": \"s\", \"says\": \"51 min\", \"measure\": "
                                 "\"max_total_wait_s\", \"at_most\": 3060, \"policy\": \"p.json\"}",
                                 &c, &err, &doc),
                     0);
    assert_string_equal(c.policy, "p.json");
    assert_false(cm_claim_holds(&c, 3660));
    assert_true(cm_claim_holds(&c, 3060));
    cm_json_free(doc);
    assert_int_equal(parse_claim("{\"source\": \"s\", \"says\": \"r\", \"measure\": "
                                 "\"success_rate\", \"range\": [0.8, 0.9]}",
                                 &c, &err, &doc),
                     0);
    assert_true(cm_claim_holds(&c, 0.8) && !cm_claim_holds(&c, 0.91));
    cm_json_free(doc);
    assert_int_equal(parse_claim("{\"source\": \"s\", \"says\": \"20..640\", \"measure\": "
                                 "\"ladder\", \"task\": 5, \"waits_s\": [20, 40, 80]}",
                                 &c, &err, &doc),
                     0);
    assert_int_equal(c.dir, CM_CLAIM_WAITS);
    assert_int_equal(c.ladder.task, 5);
    assert_int_equal(c.ladder.n_waits, 3);
    assert_true(c.ladder.tolerance == 0.01);
    cm_json_free(doc);
    assert_int_equal(parse_claim("{\"source\": \"s\", \"says\": \"best\", \"measure\": "
                                 "\"success_rate\", \"best\": true}",
                                 &c, &err, &doc),
                     0);
    assert_int_equal(c.dir, CM_CLAIM_BEST);
    assert_true(cm_claim_more_is_better(c.measure));
    assert_false(cm_claim_more_is_better(CM_CLAIM_MAX_ATTEMPTS));
    cm_json_free(doc);
}

static void claims_without_a_direction_are_refused(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"{\"source\": \"s\", \"says\": \"x\", \"measure\": \"success_rate\"}",
         "c.json:1:41: claims[0].measure: say what the claim claims"},
        {"{\"source\": \"s\", \"says\": \"x\", \"measure\": \"max_attempts\", \"value\": 7}",
         "c.json:1:66: claims[0].value: say what the claim claims instead"},
        {"{\"source\": \"s\", \"says\": \"x\", \"measure\": \"success_rate\", \"at_least\": 0.5, "
         "\"about\": 0.5}",
         "c.json:1:83: claims[0].about: a claim states one of"},
        {"{\"source\": \"s\", \"says\": \"x\", \"at_most\": 3}",
         "c.json:1:41: claims[0].at_most: needs a \"measure\""},
        {"{\"source\": \"s\", \"says\": \"x\", \"measure\": \"success_rate\", \"at_least\": 2}",
         "c.json:1:69: claims[0].at_least: must be"},
        {"{\"source\": \"s\", \"says\": \"x\", \"measure\": \"ladder\", \"at_most\": 2}",
         "c.json:1:62: claims[0].at_most: a ladder claim states"},
        {"{\"source\": \"s\", \"says\": \"x\", \"measure\": \"max_attempts\", \"range\": [5, 3]}",
         "c.json:1:66: claims[0].range: LO (5) is above HI (3)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cm_claim c;
        cm_err err = {{0}};
        cm_json *doc;
        assert_int_equal(parse_claim(bad[i][0], &c, &err, &doc), -1);
        if (strncmp(err.msg, bad[i][1], strlen(bad[i][1])) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err.msg, bad[i][1]);
        cm_json_free(doc);
    }
}

static void ttft_bounds_parse(void **state)
{
    (void)state;
    const char *text = "{\"ttft\": [{\"p\": 50, \"max_s\": 1}, {\"max_s\": 3}], "
                       "\"ttft_p99_max_s\": 2, \"max_resends_after_tokens\": 0}";
    cm_err err = {{0}};
    cm_json *doc = cm_json_parse("e.json", text, strlen(text), &err);
    cm_expect e;
    assert_int_equal(cm_expect_parse(doc, cm_json_root(doc), NULL, &e, &err), 0);
    assert_int_equal(e.n_ttft, 3);
    assert_true(e.ttft[0].p == 50 && e.ttft[0].max_s == 1);
    assert_true(e.ttft[1].p == 99 && e.ttft[1].max_s == 3); /* p defaults to 99 */
    assert_true(e.ttft[2].p == 99 && e.ttft[2].max_s == 2);
    assert_true(e.has_max_resends_after_tokens && e.max_resends_after_tokens == 0);
    assert_false(cm_expect_empty(&e));
    cm_expect_free(&e);
    cm_json_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_file_parses_every_key),
        cmocka_unit_test(expect_inside_scenario_uses_its_path),
        cmocka_unit_test(empty_expect_asserts_nothing),
        cmocka_unit_test(bad_files_fail_with_position),
        cmocka_unit_test(missing_file_is_an_error),
        cmocka_unit_test(claims_state_their_direction),
        cmocka_unit_test(claims_without_a_direction_are_refused),
        cmocka_unit_test(ttft_bounds_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
