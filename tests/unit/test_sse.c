/* test_sse.c: the runner's stream reader (engine/http/sse.c) on the wire
 * formats of OpenAI chat completions, OpenAI Responses and Anthropic
 * messages: tokens counted, terminal events, error events with their type,
 * malformed and cut streams, whatever way the bytes are split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/http/sse.h"

#define CHUNK(text)                                                                                \
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","     \
    "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" text "\"},\"finish_reason\":null}]}\n\n"

static const char chat_ok[] =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
    "\"finish_reason\":null}]}\n\n" CHUNK("Hel") CHUNK("lo")
        CHUNK(" there") "data: "
                        "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        "\"model\":\"m\","
                        "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                        ": keep-alive comment\n\n"
                        "data: [DONE]\n\n";

static const char anthropic_ok[] =
    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\","
    "\"content\":[]}}\n\n"
    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
    "event: ping\ndata: {\"type\": \"ping\"}\n\n"
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
    "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
    "\"text\":\"unnamed: the SDKs skip it\"}}\n\n"
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
    "\"delta\":{\"type\":\"text_delta\",\"text\":\" there\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
    "\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

static const char responses_ok[] =
    "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,"
    "\"response\":{\"id\":\"r\",\"status\":\"in_progress\"}}\n\n"
    "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
    "\"sequence_number\":1,\"delta\":\"Hi\"}\n\n"
    "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
    "\"sequence_number\":2,\"delta\":\" you\"}\n\n"
    "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":3,"
    "\"response\":{\"id\":\"r\",\"status\":\"completed\"}}\n\n";

/* Feeds text in pieces of `step` bytes (0: all at once), then finishes. */
static void read_all(rl_sse *s, rl_sse_format f, const char *text, size_t step)
{
    rl_sse_init(s, f);
    size_t n = strlen(text);
    for (size_t at = 0; at < n; at += step ? step : n)
        rl_sse_feed(s, text + at, step && n - at > step ? step : n - at);
    rl_sse_finish(s);
}

static void every_split(rl_sse_format f, const char *text, rl_stream_end end, uint32_t tokens)
{
    rl_sse *s = malloc(sizeof *s);
    assert_non_null(s);
    for (size_t step = 0; step < 40; step++) {
        read_all(s, f, text, step);
        assert_string_equal(rl_stream_end_name(s->end), rl_stream_end_name(end));
        assert_int_equal(s->tokens, tokens);
        assert_int_equal(s->first_token, tokens > 0);
    }
    free(s);
}

static void complete_streams_count_their_tokens(void **state)
{
    (void)state;
    every_split(RL_SSE_OPENAI_CHAT, chat_ok, RL_STREAM_COMPLETE, 3);
    every_split(RL_SSE_ANTHROPIC, anthropic_ok, RL_STREAM_COMPLETE, 2);
    every_split(RL_SSE_OPENAI_RESPONSES, responses_ok, RL_STREAM_COMPLETE, 2);
}

static void crlf_lines_read_alike(void **state)
{
    (void)state;
    char crlf[4096];
    size_t n = 0;
    for (const char *p = anthropic_ok; *p && n + 2 < sizeof crlf; p++) {
        if (*p == '\n')
            crlf[n++] = '\r';
        crlf[n++] = *p;
    }
    crlf[n] = '\0';
    every_split(RL_SSE_ANTHROPIC, crlf, RL_STREAM_COMPLETE, 2);
}

static void error_events_say_their_type(void **state)
{
    (void)state;
    every_split(RL_SSE_ANTHROPIC,
                "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                "\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}\n\n"
                "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                "\"message\":\"Overloaded\"}}\n\n",
                RL_STREAM_ERROR, 1);
    rl_sse *s = malloc(sizeof *s);
    assert_non_null(s);
    read_all(s, RL_SSE_OPENAI_CHAT,
             CHUNK("a") "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\","
                        "\"param\":null,\"code\":null}}\n\n",
             0);
    assert_int_equal(s->end, RL_STREAM_ERROR);
    assert_string_equal(s->error_type, "server_error");
    read_all(s, RL_SSE_OPENAI_RESPONSES,
             "event: error\ndata: {\"type\":\"error\",\"sequence_number\":5,\"code\":"
             "\"server_error\",\"message\":\"x\",\"param\":null}\n\n",
             0);
    assert_int_equal(s->end, RL_STREAM_ERROR);
    assert_string_equal(s->error_type, "server_error");
    read_all(s, RL_SSE_OPENAI_RESPONSES,
             "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":"
             "{\"status\":\"failed\",\"error\":{\"code\":\"server_is_overloaded\",\"message\":"
             "\"m\"}}}\n\n",
             0);
    assert_int_equal(s->end, RL_STREAM_ERROR);
    assert_string_equal(s->error_type, "server_is_overloaded");
    free(s);
}

static void malformed_and_cut_streams(void **state)
{
    (void)state;
    every_split(RL_SSE_OPENAI_CHAT, CHUNK("a") "data: {\"id\": oops}\n\n" CHUNK("b"),
                RL_STREAM_MALFORMED, 1);
    every_split(RL_SSE_OPENAI_CHAT, CHUNK("a") CHUNK("b"), RL_STREAM_CUT, 2);
    /* a last event without its blank line still counts (openai-node flushes it) */
    every_split(RL_SSE_OPENAI_CHAT, CHUNK("a") "data: [DONE]", RL_STREAM_COMPLETE, 1);
    every_split(RL_SSE_ANTHROPIC, "", RL_STREAM_CUT, 0);
}

static void a_long_event_is_judged_by_its_name(void **state)
{
    (void)state;
    size_t big = 3 * RL_SSE_EVENT_MAX;
    char *text = malloc(big + 512);
    assert_non_null(text);
    int n = snprintf(text, 512,
                     "event: response.output_text.delta\ndata: {\"type\":"
                     "\"response.output_text.delta\",\"delta\":\"x\"}\n\n"
                     "event: response.completed\ndata: {\"type\":\"response.completed\","
                     "\"text\":\"");
    memset(text + n, 'y', big);
    strcpy(text + n + big, "\"}\n\n");
    every_split(RL_SSE_OPENAI_RESPONSES, text, RL_STREAM_COMPLETE, 1);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(complete_streams_count_their_tokens),
        cmocka_unit_test(crlf_lines_read_alike),
        cmocka_unit_test(error_events_say_their_type),
        cmocka_unit_test(malformed_and_cut_streams),
        cmocka_unit_test(a_long_event_is_judged_by_its_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
