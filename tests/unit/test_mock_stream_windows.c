/* test_mock_stream_windows.c: output_tokens windows count the tokens a
 * streamed answer delivers: a whole stream its length, a stream that ends
 * in an error, a cut or a malformed event after N tokens N, a resumed
 * stream the rest it brings. The admission checks the planned length. */
#include "tests/lib/mock_test_util.h"

#include <stdlib.h>

/* An Anthropic provider (its output-tokens headers show the window) whose
 * model streams 10 tokens; faults by model name: "cut3" cuts after 3,
 * "err4" sends an error event after 4, "mal2" a malformed event after 2,
 * "stall5" stalls for good after 5, "stallok" stalls 1 s after 5. */
#define MODEL(n) "{\"name\":\"" n "\",\"output_tokens\":16,\"stream\":{\"tokens\":10}},"
#define FAULT(m, kind, more)                                                                       \
    "{\"model\":\"" m "\",\"probability\":1,\"stream_fault\":{\"kind\":\"" kind "\"" more "}},"
static const char *const scenario =
    "{\"kind\":\"scenario\",\"providers\":[{\"name\":\"a\",\"shape\":\"anthropic\","
    "\"keys\":{\"K\":\"sk-k\"},\"models\":["
    /* clang-format off */
    MODEL("whole") MODEL("cut3") MODEL("err4") MODEL("mal2") MODEL("stall5") MODEL("stallok")
    "{\"name\":\"spare\"}],"
    "\"windows\":[{\"unit\":\"output_tokens\",\"limit\":100,\"period_s\":60}],"
    "\"faults\":["
    FAULT("cut3", "cut", ",\"after_tokens\":3")
    FAULT("err4", "error", ",\"after_tokens\":4")
    FAULT("mal2", "malformed", ",\"after_tokens\":2")
    FAULT("stall5", "stall", ",\"after_tokens\":5")
    FAULT("stallok", "stall", ",\"after_tokens\":5,\"stall_s\":1")
    "{\"model\":\"spare\",\"probability\":0,\"status\":500}]}]}";
/* clang-format on */

/* The output tokens left after one request for `model` at t = 0. */
static long left_after(const char *model, bool stream, uint32_t resume_from)
{
    fixture fx;
    fx_open(&fx, scenario);
    mock_request req = {.provider = "a",
                        .endpoint = MOCK_EP_MESSAGES,
                        .model = model,
                        .key = "sk-k",
                        .tokens = 100,
                        .stream = stream,
                        .resume_from = resume_from};
    mock_plan p;
    mock_model_respond(fx.m, &req, &p);
    assert_int_equal(p.status, 200);
    assert_int_equal(p.stream.on, stream);
    const char *v = hdr(&p, "anthropic-ratelimit-output-tokens-remaining");
    long left = strtol(v, NULL, 10);
    if (stream)
        assert_int_equal(100 - left, p.tokens_out); /* charged what the answer reports */
    fx_close(&fx);
    return left;
}

static void a_whole_stream_counts_its_length(void **state)
{
    (void)state;
    assert_int_equal(left_after("whole", true, 0), 90);
    assert_int_equal(left_after("whole", false, 0), 84); /* not streamed: output_tokens */
}

static void a_stream_that_breaks_off_counts_what_it_sent(void **state)
{
    (void)state;
    assert_int_equal(left_after("cut3", true, 0), 97);
    assert_int_equal(left_after("err4", true, 0), 96);
    assert_int_equal(left_after("mal2", true, 0), 98);
    assert_int_equal(left_after("stall5", true, 0), 95);  /* stalled until the client left */
    assert_int_equal(left_after("stallok", true, 0), 90); /* a stall that ends sends all */
}

static void a_resumed_stream_counts_the_rest(void **state)
{
    (void)state;
    assert_int_equal(left_after("whole", true, 4), 94);
    assert_int_equal(left_after("cut3", true, 4), 97); /* 6 left, cut after 3 */
}

/* Admission checks the planned length: 9 tokens left refuse a 10-token
 * stream although it would be cut after 3. */
static void admission_checks_the_planned_length(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, scenario);
    mock_request req = {.provider = "a",
                        .endpoint = MOCK_EP_MESSAGES,
                        .model = "whole",
                        .key = "sk-k",
                        .tokens = 100,
                        .stream = true};
    mock_plan p;
    for (int i = 0; i < 9; i++) {
        mock_model_respond(fx.m, &req, &p);
        assert_int_equal(p.status, 200);
    }
    req.model = "cut3";
    mock_model_respond(fx.m, &req, &p); /* 10 left: admitted, charged 3 */
    assert_int_equal(p.status, 200);
    assert_string_equal(hdr(&p, "anthropic-ratelimit-output-tokens-remaining"), "7");
    mock_model_respond(fx.m, &req, &p); /* 7 left < 10 planned */
    assert_int_equal(p.status, 429);
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_whole_stream_counts_its_length),
        cmocka_unit_test(a_stream_that_breaks_off_counts_what_it_sent),
        cmocka_unit_test(a_resumed_stream_counts_the_rest),
        cmocka_unit_test(admission_checks_the_planned_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
