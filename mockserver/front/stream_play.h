/* stream_play.h: plays a planned stream (model/stream.h) over one
 * connection: the bytes of each event (front/sse.c) go out at the time the
 * timeline gives it, measured from when the response started, on the
 * server's scaled clock. Between events the connection is suspended on the
 * waker's timer (no thread per stream, no polling); a stall that lasts until
 * the client leaves hangs the connection as a hang fault does; a cut closes
 * it in the middle of the chunked body.
 *
 * The server makes a player when a plan says stream.on, and hands
 * mock_play_read to libmicrohttpd as the response's content reader. */
#ifndef MOCK_STREAM_PLAY_H
#define MOCK_STREAM_PLAY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mockserver/front/clock.h"
#include "mockserver/front/sse.h"
#include "mockserver/front/textbuf.h"
#include "mockserver/front/waker.h"

typedef enum mock_play_stage {
    MOCK_PLAY_OPENING, /* the events that go with the headers */
    MOCK_PLAY_TOKENS,  /* one event per token, each at its time */
    MOCK_PLAY_FAULT,   /* the fault's event (or its cut, or its stall) */
    MOCK_PLAY_ENDING,  /* the events after the last token */
    MOCK_PLAY_DONE,
} mock_play_stage;

typedef struct mock_player {
    mock_stream stream; /* the plan's timeline (a copy) */
    mock_sse_ctx ctx;   /* how its events are written (ctx.stream points at `stream`) */
    char model[128];
    const mock_clock *clock;
    mock_waker *waker;
    void *item;       /* what the waker suspends and resumes: the server's request */
    int fd;           /* the connection's socket, for a stall until the client leaves */
    int64_t start_us; /* wall microsecond the response started */
    mock_play_stage stage;
    uint32_t next;    /* the next token to send */
    bool hung;        /* stalled until the client leaves */
    bool stopping;    /* the server stops: the rest goes at once */
    bool gone;        /* the client left while the stream stalled */
    bool planned_end; /* the stream ended as planned in a way the connection shows as an
                         error: a cut, or a stall held until the client left */
    mock_buf out;     /* bytes written but not yet handed to libmicrohttpd */
    size_t sent;      /* of out, bytes handed over */
} mock_player;

/* Starts a player for `stream` in `format` at wall time start_us. The
 * caller owns it (mock_play_free). */
void mock_play_init(mock_player *pl, const mock_stream *stream, mock_sse_format format,
                    const char *model, uint64_t id, int64_t created_unix, int64_t tokens_in,
                    const mock_clock *clock, mock_waker *waker, void *item, int fd,
                    int64_t start_us);
void mock_play_free(mock_player *pl);

/* The waker resumed the connection (its timer came, or the client left, or
 * the server stops): the next read goes on. */
void mock_play_woken(mock_player *pl, mock_wake_reason why);

/* libmicrohttpd's content reader (cls: the player): bytes now, 0 after
 * suspending the connection until the next event is due, or the end of the
 * stream (MHD_CONTENT_READER_END_OF_STREAM, or END_WITH_ERROR for a cut). */
ssize_t mock_play_read(void *cls, uint64_t pos, char *buf, size_t max);

#endif
