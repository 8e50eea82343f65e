/* test_trace.c: the trace writer (every line parses, contract field names,
 * exact times, keys hashed, whole lines only) and summary.json (fields,
 * extra members, atomic write). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "common/keyid.h"
#include "engine/driver/summary.h"
#include "engine/driver/trace.h"
#include "tests/lib/test_assert.h"
#include "tests/lib/test_file.h"

#define SECRET "sk-test-very-secret-value"

static void tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "/tmp/rl-test-trace-%d-%s", (int)getpid(), name);
}

/* Parses every line of `path` into out[] (max n); returns the line count. */
static size_t parse_lines(const char *path, cJSON **out, size_t n)
{
    char *text = tf_slurp(path, NULL);
    size_t count = 0;
    for (char *line = text, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl); /* every line ends with a newline */
        *nl = 0;
        cJSON *j = cJSON_Parse(line);
        if (!j)
            fail_msg("line does not parse: %s", line);
        assert_true(count < n);
        out[count++] = j;
    }
    free(text);
    return count;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v))
        fail_msg("field %s missing or not a number", k);
    return v->valuedouble;
}

static void write_sample(rl_trace *tr)
{
    rl_trace_start_info si = {.scenario = "scenarios/x.json",
                              .scenario_name = "x \"quoted\"",
                              .policy = "p.json",
                              .policy_name = "p",
                              .seed = 42,
                              .mode = "sim",
                              .time_scale = 1,
                              .scenario_digest = "fnv1a64:00",
                              .tasks = 1};
    rl_trace_start(tr, &si);
    char id[CM_KEYID_LEN];
    cm_keyid(SECRET, id);
    rl_trace_who who = {
        .task = 0, .attempt = 1, .provider = "groq", .model = "llama", .key_id = id};
    rl_trace_send(tr, 0, &who, 30 * CM_US_PER_S);
    rl_trace_reply r;
    rl_trace_reply_init(&r);
    r.status = 429;
    r.latency = 250000;
    r.retry_after = 20 * CM_US_PER_S;
    r.limit = 3;
    r.remaining = 0;
    r.reset = 1500;
    r.tier = "free";
    rl_trace_response(tr, 250000, &who, &r);
    rl_trace_wait(tr, 250000, &who, 20 * CM_US_PER_S, -1, "retry_after", "");
    who.attempt = 2;
    who.key_id = SECRET; /* a value passed by mistake is hashed, never written */
    rl_trace_send(tr, 20250000, &who, 0);
    rl_trace_reply_init(&r);
    r.status = 0;
    r.error = "timeout";
    r.latency = 30 * CM_US_PER_S;
    rl_trace_response(tr, 50250000, &who, &r);
    rl_trace_done(tr, 50250000, 0, 2, false, 20 * CM_US_PER_S, "rate limited: try later\n");
}

static void trace_lines_parse_with_contract_fields(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "a.jsonl");
    rl_trace *tr = NULL;
    cm_err err;
    assert_int_equal(rl_trace_open(path, &tr, &err), 0);
    write_sample(tr);
    assert_int_equal(rl_trace_lines(tr), 7);
    assert_int_equal(rl_trace_close(tr), 0);
    cJSON *ev[16];
    size_t n = parse_lines(path, ev, 16);
    assert_int_equal(n, 7);
    const char *events[] = {"start", "send", "response", "wait", "send", "response", "done"};
    for (size_t i = 0; i < n; i++)
        assert_string_equal(str(ev[i], "event"), events[i]);
    assert_string_equal(str(ev[0], "scenario_name"), "x \"quoted\"");
    assert_string_equal(str(ev[0], "mode"), "sim");
    assert_int_equal((int)num(ev[0], "seed"), 42);
    assert_non_null(cJSON_GetObjectItem(ev[0], "digests"));
    assert_int_equal((int)num(ev[2], "status"), 429);
    assert_num_equal(num(ev[2], "retry_after"), 20.0);
    assert_num_equal(num(ev[2], "latency"), 0.25);
    assert_num_equal(num(ev[2], "reset"), 0.0015);
    assert_string_equal(str(ev[2], "tier"), "free");
    assert_string_equal(str(ev[3], "reason"), "retry_after");
    assert_null(cJSON_GetObjectItem(ev[3], "note"));
    assert_null(cJSON_GetObjectItem(ev[3], "observed"));
    assert_num_equal(num(ev[4], "t"), 20.25);
    assert_int_equal((int)num(ev[5], "status"), 0);
    assert_string_equal(str(ev[5], "error"), "timeout");
    assert_string_equal(str(ev[6], "outcome"), "failure");
    assert_string_equal(str(ev[6], "message"), "rate limited: try later\n");
    assert_int_equal((int)num(ev[6], "attempts"), 2);
    assert_num_equal(num(ev[6], "total_wait"), 20.0);
    char id[CM_KEYID_LEN];
    cm_keyid(SECRET, id);
    assert_string_equal(str(ev[1], "key"), id);
    assert_string_equal(str(ev[4], "key"), id);
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(ev[i]);
    char *text = tf_slurp(path, NULL);
    assert_null(strstr(text, SECRET));
    free(text);
    unlink(path);
}

static void trace_times_are_exact_microseconds(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "b.jsonl");
    rl_trace *tr = NULL;
    cm_err err;
    assert_int_equal(rl_trace_open(path, &tr, &err), 0);
    rl_trace_who who = {.task = 7, .attempt = 3};
    rl_trace_wait(tr, 1260000001, &who, 640000001, 640000123, "backoff", "clamped");
    rl_trace_wait(tr, 5, &who, 0, -1, "backoff", NULL);
    assert_int_equal(rl_trace_close(tr), 0);
    char *text = tf_slurp(path, NULL);
    assert_string_equal(text, "{\"t\":1260.000001,\"event\":\"wait\",\"task\":7,\"attempt\":3,"
                              "\"delay\":640.000001,\"observed\":640.000123,\"reason\":\"backoff\","
                              "\"note\":\"clamped\"}\n"
                              "{\"t\":0.000005,\"event\":\"wait\",\"task\":7,\"attempt\":3,"
                              "\"delay\":0.000000,\"reason\":\"backoff\"}\n");
    free(text);
    unlink(path);
}

/* The trace text of one failed done event carrying `message`. Caller frees. */
static char *done_line(const char *message)
{
    char path[256];
    tmp_path(path, sizeof path, "u.jsonl");
    rl_trace *tr = NULL;
    cm_err err;
    assert_int_equal(rl_trace_open(path, &tr, &err), 0);
    rl_trace_done(tr, 0, 0, 1, false, 0, message);
    assert_int_equal(rl_trace_close(tr), 0);
    char *text = tf_slurp(path, NULL);
    unlink(path);
    return text;
}

/* A string longer than the trace keeps (1,024 bytes) is cut before the
 * character that would be split, so the line stays valid UTF-8. */
static void long_strings_are_cut_between_characters(void **state)
{
    (void)state;
    static const char *const tails[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    char msg[1100];
    for (size_t k = 0; k < 3; k++) {
        size_t len = strlen(tails[k]);
        memset(msg, 'a', sizeof msg);
        memcpy(msg + 1023, tails[k], len); /* the character straddles byte 1,024 */
        msg[1023 + len] = '\0';
        char *text = done_line(msg);
        cJSON *j = cJSON_Parse(text);
        assert_non_null(j);
        const char *got = cJSON_GetObjectItem(j, "message")->valuestring;
        assert_int_equal(strlen(got), 1023);
        assert_int_equal(strspn(got, "a"), 1023);
        cJSON_Delete(j);
        free(text);
    }
    /* A character that ends at byte 1,024 is kept whole. */
    memset(msg, 'a', 1022);
    memcpy(msg + 1022, "\xc3\xa9", 3);
    char *text = done_line(msg);
    assert_non_null(strstr(text, "a\xc3\xa9\""));
    free(text);
}

static void trace_file_holds_whole_lines_before_close(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "c.jsonl");
    rl_trace *tr = NULL;
    cm_err err;
    assert_int_equal(rl_trace_open(path, &tr, &err), 0);
    rl_trace_who who = {.task = 1, .attempt = 1, .provider = "p", .model = "m", .key_id = "k-none"};
    for (int i = 0; i < 20000; i++) /* several buffer flushes */
        rl_trace_send(tr, i, &who, 0);
    size_t len = 0;
    char *text = tf_slurp(path, &len); /* read while the writer is still open */
    assert_true(len > 0);
    assert_int_equal(text[len - 1], '\n');
    free(text);
    rl_trace_done(tr, 20000, 1, 1, true, 0, NULL);
    assert_int_equal(rl_trace_flush(tr), 0);
    text = tf_slurp(path, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    assert_int_equal(lines, 20001);
    free(text);
    assert_int_equal(rl_trace_close(tr), 0);
    unlink(path);
}

static void trace_open_failure_names_the_file(void **state)
{
    (void)state;
    rl_trace *tr = NULL;
    cm_err err;
    assert_int_equal(rl_trace_open("/nonexistent-dir/trace.jsonl", &tr, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/trace.jsonl: cannot create"));
    assert_null(tr);
}

static void trace_digest_is_stable_and_content_based(void **state)
{
    (void)state;
    char a[256], b[256];
    tmp_path(a, sizeof a, "d1");
    tmp_path(b, sizeof b, "d2");
    FILE *f = fopen(a, "w");
    fputs("{\"kind\":\"policy\"}", f);
    fclose(f);
    f = fopen(b, "w");
    fputs("{\"kind\":\"policy\" }", f);
    fclose(f);
    char da[RL_DIGEST_LEN], da2[RL_DIGEST_LEN], db[RL_DIGEST_LEN];
    assert_int_equal(rl_trace_digest_file(a, da), 0);
    assert_int_equal(rl_trace_digest_file(a, da2), 0);
    assert_int_equal(rl_trace_digest_file(b, db), 0);
    assert_string_equal(da, da2);
    assert_string_not_equal(da, db);
    assert_int_equal(strncmp(da, "fnv1a64:", 8), 0);
    assert_int_equal(rl_trace_digest_file("/nonexistent", db), -1);
    unlink(a);
    unlink(b);
}

static void summary_has_totals_and_extra_members(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "summary.json");
    rl_summary s = {.tasks = 4,
                    .tasks_done = 4,
                    .successes = 3,
                    .attempts = 9,
                    .total_wait = 1500000,
                    .scenario_time = 9 * CM_US_PER_S,
                    .partial = false,
                    .seed = 3,
                    .scenario = "s.json",
                    .scenario_name = "s",
                    .policy = "p.json",
                    .policy_name = "p",
                    .mode = "sim",
                    .time_scale = 1,
                    .wall_s = 0.01};
    cJSON *extra = cJSON_CreateObject();
    cJSON_AddItemToObject(extra, "candidates", cJSON_CreateArray());
    cJSON_AddNumberToObject(extra, "tasks", 999); /* must not override the run's own */
    cm_err err;
    assert_int_equal(rl_summary_write(path, &s, extra, &err), 0);
    cJSON_Delete(extra);
    char *text = tf_slurp(path, NULL);
    cJSON *o = cJSON_Parse(text);
    free(text);
    assert_non_null(o);
    assert_int_equal((int)num(o, "tasks"), 4);
    assert_int_equal((int)num(o, "successes"), 3);
    assert_num_equal(num(o, "success_rate"), 0.75);
    assert_int_equal((int)num(o, "attempts"), 9);
    assert_num_equal(num(o, "total_wait_s"), 1.5);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "partial")));
    assert_int_equal((int)num(o, "seed"), 3);
    assert_string_equal(str(o, "scenario"), "s.json");
    assert_string_equal(str(o, "policy"), "p.json");
    assert_string_equal(str(o, "mode"), "sim");
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(o, "candidates")));
    cJSON_Delete(o);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_not_equal(access(tmp, F_OK), 0);
    unlink(path);
}

static void summary_partial_and_zero_tasks(void **state)
{
    (void)state;
    rl_summary s = {.tasks = 0, .partial = true, .mode = "mock"};
    cJSON *o = rl_summary_json(&s, NULL);
    assert_non_null(o);
    assert_num_equal(num(o, "success_rate"), 0.0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "partial")));
    assert_null(cJSON_GetObjectItem(o, "scenario"));
    cJSON_Delete(o);
    cm_err err;
    assert_int_equal(rl_summary_write("/nonexistent-dir/summary.json", &s, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "cannot write"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trace_lines_parse_with_contract_fields),
        cmocka_unit_test(trace_times_are_exact_microseconds),
        cmocka_unit_test(long_strings_are_cut_between_characters),
        cmocka_unit_test(trace_file_holds_whole_lines_before_close),
        cmocka_unit_test(trace_open_failure_names_the_file),
        cmocka_unit_test(trace_digest_is_stable_and_content_based),
        cmocka_unit_test(summary_has_totals_and_extra_members),
        cmocka_unit_test(summary_partial_and_zero_tasks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
