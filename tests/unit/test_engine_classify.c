/* test_engine_classify.c: message templates (every variable, unknown ones
 * refused at load, other braces kept, braces without a close, truncation at the buffer's size) and
 * the lookup order reason > exact status > class > transport error > default. */
#include "tests/lib/engine_fixture.h"

#include "engine/core/policy.h"

static rl_message_vars vars(int status, const char *error, rl_fail_reason why)
{
    return (rl_message_vars){.status = status,
                             .error = error,
                             .attempts = 3,
                             .provider = "groq",
                             .model = "llama",
                             .retry_after_s = 42.4,
                             .available = "groq: 0, openai: 1",
                             .reason = why};
}

static void load_messages(fx_policy *f, const char *messages)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"kind\":\"policy\",\"name\":\"m\",\"candidates\":[{\"provider\":\"p\","
             "\"model\":\"m\"}],\"messages\":%s}",
             messages);
    fx_load(f, json);
}

static void every_variable(void **state)
{
    (void)state;
    fx_policy f;
    load_messages(&f, "{\"default\":\"{status}|{error}|{attempts}|{provider}|{model}|"
                      "{retry_after}|{available}|{reason}|{Nope}|{unclosed\"}");
    char out[256];
    rl_message_vars v = vars(503, "none", RL_FAIL_MAX_ATTEMPTS);
    rl_classify_message(&f.p->classify, &v, out, sizeof out);
    assert_string_equal(out, "503|none|3|groq|llama|42|groq: 0, openai: 1|max_attempts|{Nope}|"
                             "{unclosed");
    /* Into every smaller buffer: the same text cut at size - 1, as snprintf
     * cuts, never past the end (the canary after it stays). */
    size_t whole = strlen(out);
    for (size_t size = 1; size <= whole + 1; size++) {
        char small[257];
        memset(small, '#', sizeof small);
        rl_classify_message(&f.p->classify, &v, small, size);
        assert_int_equal(strlen(small), size - 1);
        assert_memory_equal(small, out, size - 1);
        assert_int_equal(small[size], '#');
    }
    fx_free(&f);
}

/* A {word} that names no variable is refused where it stands (a typo such as
 * {retry_afer} would otherwise reach users as it is); braces around anything
 * that is not a lower-case word are literal text. */
static void unknown_variable_refused(void **state)
{
    (void)state;
    const char *json = "{\"kind\":\"policy\",\"name\":\"m\",\"candidates\":[{\"provider\":"
                       "\"p\",\"model\":\"m\"}],\n\"messages\":{\"429\":\"{\\\"a\\\": 1}\","
                       "\"max_attempts\":\"back in {retry_afer} s\"}}";
    cm_err err = {{0}};
    cm_json *doc = cm_json_parse("p.json", json, strlen(json), &err);
    assert_non_null(doc);
    rl_policy *p = NULL;
    assert_int_equal(rl_policy_from_json(doc, &p, &err), -1);
    assert_non_null(strstr(err.msg, "p.json:2:"));
    assert_non_null(strstr(err.msg, "messages.max_attempts: unknown variable {retry_afer}"));
    cm_json_free(doc);
    fx_policy f; /* literal JSON braces and a capitalised word load */
    load_messages(&f, "{\"429\":\"got {\\\"a\\\": 1} and {Status}\"}");
    fx_free(&f);
}

static void lookup_order(void **state)
{
    (void)state;
    fx_policy f;
    load_messages(&f, "{\"default\":\"D\",\"5xx\":\"C\",\"503\":\"S\",\"timeout\":\"T\","
                      "\"budget\":\"B\"}");
    char out[64];
    rl_message_vars v = vars(503, "none", RL_FAIL_OUTCOME);
    rl_classify_message(&f.p->classify, &v, out, sizeof out);
    assert_string_equal(out, "S");
    v.status = 500;
    rl_classify_message(&f.p->classify, &v, out, sizeof out);
    assert_string_equal(out, "C");
    v.status = 404;
    rl_classify_message(&f.p->classify, &v, out, sizeof out);
    assert_string_equal(out, "D");
    v = vars(0, "timeout", RL_FAIL_DEADLINE);
    rl_classify_message(&f.p->classify, &v, out, sizeof out);
    assert_string_equal(out, "T");
    v.reason = RL_FAIL_BUDGET;
    rl_classify_message(&f.p->classify, &v, out, sizeof out);
    assert_string_equal(out, "B");
    fx_free(&f);
}

/* The cooldown snapshot is built only for a message that names {available}. */
static void names_available_only_when_it_does(void **state)
{
    (void)state;
    fx_policy f;
    load_messages(&f, "{\"503\":\"busy ({available})\",\"5xx\":\"server {status}\"}");
    rl_message_vars v = vars(503, "none", RL_FAIL_OUTCOME);
    assert_true(rl_classify_message_names_available(&f.p->classify, &v));
    v.status = 500;
    assert_false(rl_classify_message_names_available(&f.p->classify, &v));
    v = vars(429, "none", RL_FAIL_ALL_COOLING); /* the built-in sentence names it */
    assert_true(rl_classify_message_names_available(&f.p->classify, &v));
    v.reason = RL_FAIL_MAX_ATTEMPTS;
    assert_false(rl_classify_message_names_available(&f.p->classify, &v));
    fx_free(&f);
}

static void builtin_and_truncation(void **state)
{
    (void)state;
    fx_policy f;
    load_messages(&f, "{\"401\":\"{available}{available}{available}{available}{available}\"}");
    char out[256], small[20];
    rl_message_vars v = vars(429, "none", RL_FAIL_EXHAUSTED);
    rl_classify_message(&f.p->classify, &v, out, sizeof out);
    assert_string_equal(out, "failed after 3 attempts (exhausted): last status 429 on groq/llama");
    v = vars(0, "reset", RL_FAIL_MAX_ATTEMPTS);
    rl_classify_message(&f.p->classify, &v, out, sizeof out);
    assert_string_equal(out, "failed after 3 attempts (max_attempts): last error reset on "
                             "groq/llama");
    v = vars(401, "none", RL_FAIL_OUTCOME);
    rl_classify_message(&f.p->classify, &v, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, "groq: 0, openai: 1g", sizeof small - 1);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_variable),
        cmocka_unit_test(unknown_variable_refused),
        cmocka_unit_test(lookup_order),
        cmocka_unit_test(names_available_only_when_it_does),
        cmocka_unit_test(builtin_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
