/* sse.h: the Server-Sent Events of a planned stream (model/stream.h), in
 * the wire format of each API, as the official SDKs read them. Pure: the
 * front decides when each piece goes; this file only writes its bytes.
 *
 * A stream is: its opening (what goes with the headers, before the first
 * token), one event per token, and either its ending or its fault's event.
 * Formats (sources: openai-node 7.60.0 src/core/streaming.ts and
 * tests/lib/__snapshots__/ChatCompletionStream.test.ts.snap; the OpenAI API
 * reference's ResponseStreamEvent schemas; @anthropic-ai/sdk 1.17.0
 * src/resources/messages/messages.ts and anthropic-sdk-python
 * tests/lib/streaming/fixtures/basic_response.txt; read 2026-12-04):
 * - chat: data-only chat.completion.chunk events; the first carries the
 *   role, the last the finish_reason; with usage a chunk with empty choices
 *   and the totals; then `data: [DONE]`. An error is a chunk with an
 *   "error" member, which both OpenAI SDKs raise.
 * - responses: named events with a sequence_number: response.created,
 *   response.in_progress, output_item.added, content_part.added, one
 *   response.output_text.delta per token, then output_text.done,
 *   content_part.done, output_item.done, response.completed. An error is
 *   `event: error` with a flat {"type":"error","code",...} (the reference's
 *   shape; openai-node raises on the event name).
 * - anthropic: message_start, content_block_start, ping, one
 *   content_block_delta per token, content_block_stop, message_delta,
 *   message_stop; an error is `event: error` with
 *   {"type":"error","error":{"type":"overloaded_error",...}}. */
#ifndef MOCK_SSE_H
#define MOCK_SSE_H
#include <stdint.h>

#include "mockserver/front/textbuf.h"
#include "mockserver/model/stream.h"

typedef enum mock_sse_format {
    MOCK_SSE_CHAT,      /* OpenAI /v1/chat/completions */
    MOCK_SSE_RESPONSES, /* OpenAI /v1/responses */
    MOCK_SSE_ANTHROPIC, /* Anthropic /v1/messages */
} mock_sse_format;

typedef struct mock_sse_ctx {
    mock_sse_format format;
    const mock_stream *stream;
    const char *model;
    uint64_t id;          /* makes the stream's ids unique */
    int64_t created_unix; /* "created" / "created_at" */
    int64_t tokens_in;    /* the prompt's tokens, for usage */
} mock_sse_ctx;

/* The events that go with the headers. */
void mock_sse_opening(const mock_sse_ctx *c, mock_buf *b);
/* Token i's event (i from 0). */
void mock_sse_token(const mock_sse_ctx *c, uint32_t i, mock_buf *b);
/* The events after the last token, `sent` tokens having gone. */
void mock_sse_ending(const mock_sse_ctx *c, uint32_t sent, mock_buf *b);
/* The fault's event after `sent` tokens: the error event, or a malformed
 * one (CUT and STALL send nothing). */
void mock_sse_fault(const mock_sse_ctx *c, uint32_t sent, mock_buf *b);

/* The text of token i: words of a fixed sentence, in turn. */
const char *mock_sse_token_text(uint32_t i);

#endif
