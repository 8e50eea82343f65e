/* stream.h: a streamed answer as the provider model plans it: a timeline
 * that the HTTP front plays as Server-Sent Events and the simulation reads
 * as numbers, so that both mean the same stream. Pure.
 *
 * Times are scenario time from the moment the response starts (its headers
 * and the events before the first token go then): token i (from 0) goes at
 * first + i * every; the ending events go with the last token. A fault
 * replaces token `fault_after` (it happens at that token's time): an error
 * event, a cut connection, a malformed event, or a stall (no byte for
 * `stall`, then the stream goes on; stall < 0: until the client leaves). */
#ifndef MOCK_STREAM_H
#define MOCK_STREAM_H
#include <stdbool.h>
#include <stdint.h>

#include "common/timeu.h"

#define MOCK_STREAM_FAULTS(X)                                                                      \
    X(NONE, "none")                                                                                \
    X(ERROR, "error")         /* an error event in the shape's format */                           \
    X(CUT, "cut")             /* the connection closes */                                          \
    X(STALL, "stall")         /* no byte for a while, the socket open */                           \
    X(MALFORMED, "malformed") /* an event that is not valid JSON */
typedef enum mock_stream_fault {
#define X(name, text) MOCK_STREAM_##name,
    MOCK_STREAM_FAULTS(X)
#undef X
} mock_stream_fault;
const char *mock_stream_fault_name(mock_stream_fault f);
/* The fault named `name`: 0 and *out, or -1. */
int mock_stream_fault_parse(const char *name, mock_stream_fault *out);

typedef struct mock_stream {
    bool on;         /* the answer is a 200 stream */
    bool usage;      /* OpenAI stream_options.include_usage: a usage chunk at the end */
    uint32_t tokens; /* tokens the stream would carry without a fault */
    cm_us first;     /* from the start of the response to the first token */
    cm_us every;     /* between tokens */
    mock_stream_fault fault;
    uint32_t fault_after; /* tokens sent before the fault (< tokens when there is one) */
    cm_us stall;
    char error_type[48];
} mock_stream;

/* When token i goes (scenario time from the start of the response): after
 * a stall that ends, the tokens from the fault on go that much later. */
static inline cm_us mock_stream_token_at(const mock_stream *s, uint32_t i)
{
    cm_us at = cm_us_add(s->first, (cm_us)i * s->every);
    if (s->fault == MOCK_STREAM_STALL && s->stall > 0 && i >= s->fault_after)
        at = cm_us_add(at, s->stall);
    return at;
}

/* Tokens the client receives: all of them, or those before the fault (a
 * stall delays, it takes nothing away unless it never ends). */
uint32_t mock_stream_delivered(const mock_stream *s);

/* When the stream's last byte goes: the last token's time (the ending events
 * go with it), the fault's time, or after a stall. -1 when it never ends (a
 * stall until the client leaves). */
cm_us mock_stream_end_at(const mock_stream *s);

#endif
