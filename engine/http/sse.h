/* sse.h: what the HTTP runner reads from a streamed answer (Server-Sent
 * Events), as the bytes arrive: the time of the first token, the tokens
 * received, and how the stream ended. One reader per transfer; it keeps
 * only the event being read (at most RL_SSE_EVENT_MAX bytes) and counts.
 *
 * The wire formats (sources: openai-node 7.60.0 src/core/streaming.ts,
 * @anthropic-ai/sdk 1.17.0 src/core/streaming.ts, and the API references;
 * read 2026-12-04):
 * - OpenAI chat completions: data-only events, each a chat.completion.chunk
 *   whose choices[0].delta.content is a token; `data: [DONE]` ends it; a
 *   JSON object with an "error" member is an error (openai-node throws).
 * - OpenAI Responses: `event: response.output_text.delta` carries a token;
 *   `response.completed` ends it; `error` and `response.failed` are errors.
 * - Anthropic messages: `event: content_block_delta` carries a token;
 *   `message_stop` ends it; `event: error` with {"error":{"type":...}} is an
 *   error (the SDKs throw an APIError whose type is that type).
 * Comment lines (": keep-alive") are ignored, as the SDKs do. */
#ifndef RL_SSE_H
#define RL_SSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeu.h"
#include "engine/core/engine.h" /* rl_stream_end */

/* The most bytes of one event's data kept. A longer event (a Responses
 * stream's final response.completed can hold the whole answer) is judged by
 * its name, and by what its first RL_SSE_EVENT_MAX bytes say. */
#define RL_SSE_EVENT_MAX 16384

typedef enum rl_sse_format {
    RL_SSE_OPENAI_CHAT,
    RL_SSE_OPENAI_RESPONSES,
    RL_SSE_ANTHROPIC,
} rl_sse_format;

typedef struct rl_sse {
    rl_sse_format format;
    rl_stream_end end;
    uint32_t tokens;     /* token events received */
    uint32_t events;     /* events received */
    bool first_token;    /* a token has arrived (its time is the caller's) */
    char error_type[48]; /* RL_STREAM_ERROR: the error's type (or code), "" when none */
    /* the event being read */
    char name[64]; /* its `event:` name */
    size_t len;    /* bytes of its data kept in buf */
    bool too_long; /* its data passed RL_SSE_EVENT_MAX */
    bool has_data; /* a data line arrived */
    /* the line being read: a field name and value up to 63 bytes in `line`;
     * the value of a data line goes to buf as it comes */
    char line[64];
    size_t line_len;
    bool in_data;   /* the line is a data line: its bytes go to buf */
    bool skip_line; /* the rest of the line is ignored */
    bool after_cr;  /* the last byte was \r (a \n after it ends nothing) */
    char buf[RL_SSE_EVENT_MAX + 1];
} rl_sse;

/* Starts a reader for `format`. */
void rl_sse_init(rl_sse *s, rl_sse_format format);

/* Reads n more bytes of the body. Returns the number of tokens that arrived
 * in them (the caller stamps the first token's time). After an end other
 * than NONE, further bytes are ignored. */
uint32_t rl_sse_feed(rl_sse *s, const char *p, size_t n);

/* The body ended (the transfer is over): a stream without its terminal
 * event is CUT (or keeps the end it had). */
void rl_sse_finish(rl_sse *s);

#endif
