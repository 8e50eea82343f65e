/* test_stream_wire.c: the streams the mockserver writes
 * (mockserver/front/sse.c) read back by the runner's reader
 * (engine/http/sse.c), for each API format: complete streams carry every
 * token, every event but [DONE] is valid JSON, and each fault reads as what
 * it is: an error event with its type, a malformed event, a cut stream. The
 * model's timeline (model/stream.c) puts tokens and faults where it says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "engine/http/sse.h"
#include "mockserver/front/sse.h"

static const mock_sse_format formats[] = {MOCK_SSE_CHAT, MOCK_SSE_RESPONSES, MOCK_SSE_ANTHROPIC};
static const rl_sse_format readers[] = {RL_SSE_OPENAI_CHAT, RL_SSE_OPENAI_RESPONSES,
                                        RL_SSE_ANTHROPIC};

/* The whole stream a front would send for `st`. */
static char *play(mock_sse_format f, const mock_stream *st, size_t *len)
{
    mock_sse_ctx c = {
        .format = f, .stream = st, .model = "m-1", .id = 7, .created_unix = 1, .tokens_in = 12};
    mock_buf b;
    mock_buf_init(&b, 1u << 20);
    mock_sse_opening(&c, &b);
    uint32_t sent = mock_stream_delivered(st);
    for (uint32_t i = 0; i < sent; i++)
        mock_sse_token(&c, i, &b);
    if (st->fault == MOCK_STREAM_NONE || st->fault == MOCK_STREAM_STALL)
        mock_sse_ending(&c, sent, &b);
    else
        mock_sse_fault(&c, sent, &b);
    return mock_buf_take(&b, len);
}

static rl_stream_end read_back(rl_sse_format f, const char *text, size_t len, uint32_t *tokens,
                               char *type)
{
    rl_sse *s = malloc(sizeof *s);
    assert_non_null(s);
    rl_sse_init(s, f);
    rl_sse_feed(s, text, len);
    rl_sse_finish(s);
    rl_stream_end end = s->end;
    *tokens = s->tokens;
    strcpy(type, s->error_type);
    free(s);
    return end;
}

/* Every data line of a stream that is not [DONE] parses as JSON. */
static void all_json(const char *text)
{
    for (const char *p = strstr(text, "data: "); p; p = strstr(p + 1, "\ndata: ")) {
        const char *d = p + (p[0] == '\n' ? 7 : 6);
        const char *e = strchr(d, '\n');
        assert_non_null(e);
        if ((size_t)(e - d) == 6 && memcmp(d, "[DONE]", 6) == 0)
            continue;
        cJSON *j = cJSON_ParseWithLength(d, (size_t)(e - d));
        if (!j)
            fail_msg("not JSON: %.*s", (int)(e - d), d);
        cJSON_Delete(j);
    }
}

static void complete_streams_read_whole(void **state)
{
    (void)state;
    for (int usage = 0; usage < 2; usage++)
        for (size_t f = 0; f < 3; f++) {
            mock_stream st = {.on = true, .usage = usage, .tokens = 25, .every = 1000};
            size_t len;
            char *text = play(formats[f], &st, &len);
            assert_non_null(text);
            all_json(text);
            uint32_t tokens;
            char type[48];
            assert_int_equal(read_back(readers[f], text, len, &tokens, type), RL_STREAM_COMPLETE);
            assert_int_equal(tokens, 25);
            free(text);
        }
}

static void faults_read_as_what_they_are(void **state)
{
    (void)state;
    for (size_t f = 0; f < 3; f++) {
        mock_stream st = {.on = true, .tokens = 40, .fault = MOCK_STREAM_ERROR, .fault_after = 7};
        strcpy(st.error_type, "overloaded_error");
        size_t len;
        uint32_t tokens;
        char type[48];
        char *text = play(formats[f], &st, &len);
        all_json(text);
        assert_int_equal(read_back(readers[f], text, len, &tokens, type), RL_STREAM_ERROR);
        assert_int_equal(tokens, 7);
        assert_string_equal(type, "overloaded_error");
        free(text);
        st.fault = MOCK_STREAM_MALFORMED;
        text = play(formats[f], &st, &len);
        assert_int_equal(read_back(readers[f], text, len, &tokens, type), RL_STREAM_MALFORMED);
        assert_int_equal(tokens, 7);
        free(text);
        st.fault = MOCK_STREAM_CUT;
        text = play(formats[f], &st, &len);
        assert_int_equal(read_back(readers[f], text, len, &tokens, type), RL_STREAM_CUT);
        assert_int_equal(tokens, 7);
        free(text);
    }
}

static void the_timeline_places_tokens_and_faults(void **state)
{
    (void)state;
    mock_stream st = {.on = true, .tokens = 10, .first = 500, .every = 100};
    assert_int_equal(mock_stream_token_at(&st, 0), 500);
    assert_int_equal(mock_stream_token_at(&st, 9), 1400);
    assert_int_equal(mock_stream_end_at(&st), 1400);
    assert_int_equal(mock_stream_delivered(&st), 10);
    st.fault = MOCK_STREAM_ERROR;
    st.fault_after = 4;
    assert_int_equal(mock_stream_end_at(&st), 900); /* at token 4's time */
    assert_int_equal(mock_stream_delivered(&st), 4);
    st.fault = MOCK_STREAM_STALL;
    st.stall = 3000;
    assert_int_equal(mock_stream_token_at(&st, 3), 800);
    assert_int_equal(mock_stream_token_at(&st, 4), 900 + 3000); /* after the stall */
    assert_int_equal(mock_stream_end_at(&st), 1400 + 3000);
    assert_int_equal(mock_stream_delivered(&st), 10);
    st.stall = -1; /* until the client leaves */
    assert_int_equal(mock_stream_end_at(&st), -1);
    assert_int_equal(mock_stream_delivered(&st), 4);
    mock_stream_fault f;
    assert_int_equal(mock_stream_fault_parse("stall", &f), 0);
    assert_int_equal(f, MOCK_STREAM_STALL);
    assert_int_equal(mock_stream_fault_parse("stalls", &f), -1);
    assert_string_equal(mock_stream_fault_name(MOCK_STREAM_MALFORMED), "malformed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(complete_streams_read_whole),
        cmocka_unit_test(faults_read_as_what_they_are),
        cmocka_unit_test(the_timeline_places_tokens_and_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
