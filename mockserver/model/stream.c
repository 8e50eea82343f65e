/* stream.c: the timeline of a planned stream. */
#include "mockserver/model/stream.h"

#include <string.h>

static const char *const fault_names[] = {
#define X(name, text) text,
    MOCK_STREAM_FAULTS(X)
#undef X
};

const char *mock_stream_fault_name(mock_stream_fault f)
{
    return (unsigned)f < sizeof fault_names / sizeof *fault_names ? fault_names[f] : "?";
}

int mock_stream_fault_parse(const char *name, mock_stream_fault *out)
{
    for (unsigned i = 0; i < sizeof fault_names / sizeof *fault_names; i++)
        if (strcmp(name, fault_names[i]) == 0) {
            *out = (mock_stream_fault)i;
            return 0;
        }
    return -1;
}

uint32_t mock_stream_delivered(const mock_stream *s)
{
    if (s->fault == MOCK_STREAM_NONE || (s->fault == MOCK_STREAM_STALL && s->stall >= 0))
        return s->tokens;
    return s->fault_after < s->tokens ? s->fault_after : s->tokens;
}

cm_us mock_stream_end_at(const mock_stream *s)
{
    uint32_t last = s->tokens ? s->tokens - 1 : 0;
    switch (s->fault) {
    case MOCK_STREAM_NONE:
        return mock_stream_token_at(s, last);
    case MOCK_STREAM_STALL:
        return s->stall < 0 ? -1 : mock_stream_token_at(s, last);
    case MOCK_STREAM_ERROR:
    case MOCK_STREAM_CUT:
    case MOCK_STREAM_MALFORMED:
        return mock_stream_token_at(s, s->fault_after < s->tokens ? s->fault_after : last);
    }
    return -1;
}
