/* test_mock_robust.c: bad input never crashes the loader or the model: the
 * reference example cut at every byte and with single bytes replaced either
 * loads or fails with a "file:line:col:" message; hostile requests (NULL
 * fields, negative tokens and times, huge times) get a plan. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/lib/mock_test_util.h"

static char text[1 << 16];
static size_t text_len;

static void read_example(void)
{
    FILE *f = fopen("tests/data/scenarios/good/reference_example.json", "rb");
    assert_non_null(f);
    text_len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    assert_true(text_len > 1000);
}

/* Loads buf; on success answers a few requests; on failure checks the message form. */
static int try_load(const char *buf, size_t len)
{
    mock_scenario *sc = NULL;
    cm_err err = {{0}};
    if (mock_scenario_parse("x.json", buf, len, &sc, &err) != 0) {
        if (strncmp(err.msg, "x.json:", 7) != 0)
            fail_msg("message without file:line:col: %s", err.msg);
        assert_null(sc);
        return 0;
    }
    mock_model *m = mock_model_new(sc);
    assert_non_null(m);
    mock_request req = {.provider = "moonshot",
                        .endpoint = MOCK_EP_CHAT,
                        .model = "kimi",
                        .key = "sk-test-1",
                        .tokens = 300};
    mock_plan p;
    for (int i = 0; i < 5; i++) {
        req.now = cm_us_from_s(i * 50.0);
        mock_model_respond(m, &req, &p);
        assert_in_range(p.status, 100, 599);
    }
    mock_model_free(m);
    mock_scenario_free(sc);
    return 1;
}

static void every_truncation_fails_cleanly(void **state)
{
    (void)state;
    read_example();
    size_t end = text_len;
    while (end > 0 && text[end - 1] != '}')
        end--;
    int loaded = 0;
    for (size_t n = 0; n < end; n++)
        loaded += try_load(text, n);
    assert_int_equal(loaded, 0); /* nothing short of the closing brace is a whole object */
    assert_int_equal(try_load(text, text_len), 1);
}

static void replaced_bytes_never_crash(void **state)
{
    (void)state;
    read_example();
    const char subs[] = {'0', '-', '"', '}', ']', 'x', ',', '9'};
    static char buf[1 << 16];
    int loaded = 0, refused = 0;
    for (size_t i = 0; i < text_len; i += 3) {
        memcpy(buf, text, text_len);
        buf[i] = subs[i % sizeof subs];
        int ok = try_load(buf, text_len);
        loaded += ok;
        refused += !ok;
    }
    assert_true(refused > 0 && loaded > 0);
}

static void hostile_requests_get_a_plan(void **state)
{
    (void)state;
    read_example();
    mock_scenario *sc = NULL;
    cm_err err = {{0}};
    assert_int_equal(mock_scenario_parse("x.json", text, text_len, &sc, &err), 0);
    mock_model *m = mock_model_new(sc);
    mock_request reqs[] = {
        {.provider = NULL, .model = NULL, .key = NULL},
        {.provider = "moonshot", .endpoint = MOCK_EP_CHAT, .model = NULL, .key = "sk-test-1"},
        {.provider = "moonshot",
         .endpoint = (mock_endpoint)99,
         .model = "kimi",
         .key = "sk-test-1"},
        {.provider = "moonshot",
         .endpoint = MOCK_EP_CHAT,
         .model = "kimi",
         .key = "sk-test-1",
         .tokens = -5,
         .now = -1000000},
        {.provider = "moonshot",
         .endpoint = MOCK_EP_CHAT,
         .model = "kimi",
         .key = "sk-test-1",
         .tokens = INT64_MAX,
         .now = CM_US_MAX},
        {.provider = "anthropic",
         .endpoint = MOCK_EP_MESSAGES,
         .model = "claude-sonnet-4",
         .key = "sk-ant-test",
         .tokens = INT64_MAX,
         .now = INT64_MAX},
    };
    int want[] = {404, 404, 404, 0, 0, 0};
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        mock_plan p;
        mock_model_respond(m, &reqs[i], &p);
        if (want[i])
            assert_int_equal(p.status, want[i]);
        assert_in_range(p.status, 100, 599);
        assert_true(p.latency >= 0 && p.latency <= CM_US_MAX);
    }
    cJSON *st = mock_model_state_json(m, INT64_MAX);
    assert_non_null(st);
    cJSON_Delete(st);
    mock_model_free(m);
    mock_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_truncation_fails_cleanly),
        cmocka_unit_test(replaced_bytes_never_crash),
        cmocka_unit_test(hostile_requests_get_a_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
