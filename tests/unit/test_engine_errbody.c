/* test_engine_errbody.c: what an error body tells the engine. The two delay
 * readers (a delay named in the message, in every form seen from OpenAI,
 * Gemini, Moonshot and Azure, and Gemini's RetryInfo duration), and
 * classification by the body's type and code through rl_task_next: a 429
 * saying insufficient_quota fails at once by default while a plain 429
 * retries; type:/code: rules; classify.error_body false; x-should-retry
 * still first; the policy's body reads (rl_policy_body_reads). */
#include "tests/lib/engine_fixture.h"

#include "engine/core/policy.h"

#define S(x) ((cm_us)((x)*1000000.0))

static cm_us msg(const char *m)
{
    return rl_message_delay(m, strlen(m));
}

static void message_delays(void **state)
{
    (void)state;
    struct {
        const char *text;
        cm_us want;
    } cases[] = {
        {"Rate limit reached for gpt-4o-mini in organization org-XXXX on requests per min (RPM): "
         "Limit 3, Used 3, Requested 1. Please try again in 20s. Visit "
         "https://platform.openai.com/account/rate-limits to learn more.",
         S(20)},
        {"Please try again in 2m13s.", S(133)},
        {"try again in 1.5s", S(1.5)},
        {"Please try again in 250ms.", S(0.25)},
        {"Please try again in 6m0s", S(360)},
        {"Quota exceeded for metric: x, limit: 0. Please retry in 55.576865699s.", 55576866},
        {"request reached max organization concurrency: 1, please try again after 0 seconds", 0},
        {"exceeded token rate limit of your current AIServices S0 pricing tier. Please retry "
         "after 37 seconds.",
         S(37)},
        {"TRY AGAIN IN 3 Minutes", S(180)},
        {"retry in 10sec", S(10)},
        {"retry in 500 milliseconds", S(0.5)},
        /* the first phrase with a readable delay wins */
        {"please try again in a moment; or retry in 4s", S(4)},
        {"Please try again later.", -1},
        {"Please try again in a few minutes.", -1},
        {"try again in 5", -1}, /* a number without a unit */
        {"try again in 5 fortnights", -1},
        {"try again in", -1},
        {"", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("%s\n", cases[i].text);
        assert_int_equal(msg(cases[i].text), cases[i].want);
    }
    assert_int_equal(rl_message_delay(NULL, 10), -1);
    /* Only len bytes are read. */
    assert_int_equal(rl_message_delay("try again in 20s", 14), -1);
    static char big[20000];
    memset(big, 'r', sizeof big - 1);
    assert_int_equal(msg(big), -1);
}

static void proto_durations(void **state)
{
    (void)state;
    assert_int_equal(rl_proto_duration("26s", 3), S(26));
    assert_int_equal(rl_proto_duration("0.5s", 4), S(0.5));
    assert_int_equal(rl_proto_duration("1.000340012s", 12), 1000340);
    assert_int_equal(rl_proto_duration("0s", 2), 0);
    const char *bad[] = {"-1s", "1m", "s", "1.s", ".5s", "1.0000000001s", "26", "2 6s", "1e3s", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        print_message("%s\n", bad[i]);
        assert_int_equal(rl_proto_duration(bad[i], strlen(bad[i])), -1);
    }
    assert_int_equal(rl_proto_duration(NULL, 3), -1);
}

/* A one-candidate policy with `classify` (may be "{}"). */
static void load_classify(fx_policy *f, const char *classify)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"kind\":\"policy\",\"name\":\"b\",\"candidates\":[{\"provider\":\"openai\","
             "\"model\":\"gpt-4o\"}],\"backoff\":{\"kind\":\"constant\",\"base_s\":1},"
             "\"limits\":{\"max_attempts\":3},\"classify\":%s}",
             classify);
    fx_load(f, json);
}

static rl_error_body body(const char *type, const char *code)
{
    rl_error_body b;
    rl_error_body_clear(&b);
    b.type = type;
    b.code = code;
    return b;
}

/* Sends until DONE, every answer `status` with error body b (and
 * x-should-retry when xsr is not NULL); returns the number of sends. */
static size_t sends_for(const char *classify, int status, const rl_error_body *b, const char *xsr,
                        bool *ok)
{
    fx_policy f;
    load_classify(&f, classify);
    fx_outcome s[] = {{status, RL_TE_NONE, {{xsr ? "x-should-retry" : NULL, xsr}}}};
    const rl_error_body *bodies[] = {b};
    cm_rng rng;
    cm_rng_seed(&rng, 1);
    fx_trail tr;
    fx_drive_body(&f, 0, 0, s, bodies, 1, 0, &rng, &tr);
    *ok = tr.ok;
    fx_free(&f);
    return tr.nsends;
}

static void insufficient_quota_fails_at_once(void **state)
{
    (void)state;
    bool ok;
    rl_error_body quota = body("insufficient_quota", "insufficient_quota");
    rl_error_body quota_type = body("insufficient_quota", "credit_balance_exhausted");
    rl_error_body rate = body("requests", "rate_limit_exceeded");
    rl_error_body spend = body("rate_limit_error", "enforced_spend_limit_reached");
    assert_int_equal(sends_for("{}", 429, &quota, NULL, &ok), 1);
    assert_false(ok);
    assert_int_equal(sends_for("{}", 429, &quota_type, NULL, &ok), 1);
    assert_int_equal(sends_for("{}", 429, &spend, NULL, &ok), 1);
    /* A plain 429, with a body or none, retries. */
    assert_int_equal(sends_for("{}", 429, &rate, NULL, &ok), 3);
    assert_int_equal(sends_for("{}", 429, NULL, NULL, &ok), 3);
    /* A status rule does not undo it; a body rule does. */
    assert_int_equal(sends_for("{\"429\":\"retry\"}", 429, &quota, NULL, &ok), 1);
    assert_int_equal(sends_for("{\"code:insufficient_quota\":\"retry\"}", 429, &quota, NULL, &ok),
                     3);
    /* A body that does not read: the status decides. */
    assert_int_equal(sends_for("{\"error_body\":false}", 429, &quota, NULL, &ok), 3);
    /* The server's x-should-retry still comes first. */
    assert_int_equal(sends_for("{}", 429, &quota, "true", &ok), 3);
}

static void body_rules(void **state)
{
    (void)state;
    bool ok;
    rl_error_body tokens = body("tokens", "rate_limit_exceeded");
    rl_error_body requests = body("requests", "rate_limit_exceeded");
    /* A body rule beats a status rule, whatever the order. */
    const char *cl = "{\"429\":\"retry\",\"type:tokens\":\"fail\"}";
    assert_int_equal(sends_for(cl, 429, &tokens, NULL, &ok), 1);
    assert_int_equal(sends_for(cl, 429, &requests, NULL, &ok), 3);
    /* Between body rules, the first listed. */
    cl = "{\"code:rate_limit_exceeded\":\"retry\",\"type:tokens\":\"fail\"}";
    assert_int_equal(sends_for(cl, 429, &tokens, NULL, &ok), 3);
    /* A body rule matches whatever the status. */
    assert_int_equal(sends_for("{\"type:overloaded_error\":\"fail\"}", 529,
                               &(rl_error_body){"overloaded_error", NULL, -1, -1}, NULL, &ok),
                     1);
    /* A 2xx is a success whatever a body says. */
    assert_int_equal(sends_for("{\"type:tokens\":\"fail\"}", 200, &tokens, NULL, &ok), 1);
    assert_true(ok);
}

static void body_rules_refused_at_load(void **state)
{
    (void)state;
    const char *bad[][2] = {
        {"{\"type:\":\"fail\"}", "classify.type:: unknown field"},
        {"{\"error_body\":false,\"code:x\":\"fail\"}", "classify.error_body: false, but a "
                                                       "type:/code: rule needs the error body"},
        {"{\"error_body\":\"no\"}", "classify.error_body: must be true or false"},
        {"{\"status:x\":\"fail\"}", "classify.status:x: unknown field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[512];
        snprintf(json, sizeof json,
                 "{\"kind\":\"policy\",\"name\":\"b\",\"candidates\":[{\"provider\":\"p\","
                 "\"model\":\"m\"}],\"classify\":%s}",
                 bad[i][0]);
        cm_err err = {{0}};
        cm_json *doc = cm_json_parse("t.json", json, strlen(json), &err);
        rl_policy *p = NULL;
        assert_non_null(doc);
        assert_int_equal(rl_policy_from_json(doc, &p, &err), -1);
        print_message("%s\n", err.msg);
        assert_non_null(strstr(err.msg, bad[i][1]));
        cm_json_free(doc);
    }
    /* Messages take no body patterns. */
    const char *json = "{\"kind\":\"policy\",\"name\":\"b\",\"candidates\":[{\"provider\":\"p\","
                       "\"model\":\"m\"}],\"messages\":{\"type:x\":\"no\"}}";
    cm_err err = {{0}};
    cm_json *doc = cm_json_parse("t.json", json, strlen(json), &err);
    rl_policy *p = NULL;
    assert_int_equal(rl_policy_from_json(doc, &p, &err), -1);
    cm_json_free(doc);
}

static unsigned reads_of(const char *sections)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"kind\":\"policy\",\"name\":\"b\",\"candidates\":[{\"provider\":\"p\","
             "\"model\":\"m\"}]%s}",
             sections);
    fx_policy f;
    fx_load(&f, json);
    unsigned r = rl_policy_body_reads(f.p);
    fx_free(&f);
    return r;
}

static void body_reads(void **state)
{
    (void)state;
    assert_int_equal(reads_of(""), RL_BODY_QUOTA);
    assert_int_equal(reads_of(",\"classify\":{\"error_body\":false}"), 0);
    assert_int_equal(reads_of(",\"classify\":{\"type:x\":\"fail\"}"), RL_BODY_RULES);
    assert_int_equal(
        reads_of(",\"classify\":{\"error_body\":false},\"retry_after\":{\"from\":[\"message\"]}"),
        RL_BODY_MESSAGE);
    assert_int_equal(reads_of(",\"retry_after\":{\"mode\":\"ignore\",\"from\":[\"headers\","
                              "\"retry_info\",\"message\"]}"),
                     RL_BODY_QUOTA | RL_BODY_MESSAGE | RL_BODY_RETRY_INFO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(message_delays),
        cmocka_unit_test(proto_durations),
        cmocka_unit_test(insufficient_quota_fails_at_once),
        cmocka_unit_test(body_rules),
        cmocka_unit_test(body_rules_refused_at_load),
        cmocka_unit_test(body_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
