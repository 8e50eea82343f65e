/* stream_play.c: a planned stream, event by event, at its times. */
#include "mockserver/front/stream_play.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Bytes of one event are small; a whole opening or ending fits many times. */
#define PLAY_BUF_MAX (1u << 20)

void mock_play_init(mock_player *pl, const mock_stream *stream, mock_sse_format format,
                    const char *model, uint64_t id, int64_t created_unix, int64_t tokens_in,
                    const mock_clock *clock, mock_waker *waker, void *item, int fd,
                    int64_t start_us)
{
    memset(pl, 0, sizeof *pl);
    pl->stream = *stream;
    snprintf(pl->model, sizeof pl->model, "%s", model ? model : "");
    pl->ctx = (mock_sse_ctx){.format = format,
                             .stream = &pl->stream,
                             .model = pl->model,
                             .id = id,
                             .created_unix = created_unix,
                             .tokens_in = tokens_in};
    pl->clock = clock;
    pl->waker = waker;
    pl->item = item;
    pl->fd = fd;
    pl->start_us = start_us;
    pl->stage = MOCK_PLAY_OPENING;
    mock_buf_init(&pl->out, PLAY_BUF_MAX);
}

void mock_play_free(mock_player *pl)
{
    mock_buf_free(&pl->out);
}

void mock_play_woken(mock_player *pl, mock_wake_reason why)
{
    if (why == MOCK_WAKE_STOP)
        pl->stopping = true; /* the rest goes at once: the stream ends, not hangs */
    else if (why == MOCK_WAKE_GONE)
        pl->gone = pl->planned_end = true; /* held until the client left, as planned */
}

/* True when the connection was suspended until wall time `due` (the read
 * returns 0 and is called again when it comes); false when it is due now,
 * or the server is stopping. */
static bool wait_until(mock_player *pl, cm_us at)
{
    int64_t due = pl->start_us + mock_clock_wall_us(pl->clock, at);
    if (pl->stopping || mock_wall_now_us() >= due)
        return false;
    return mock_waker_sleep(pl->waker, due, pl->item) == 0;
}

/* Tokens that go out before the stream's end: all, or those before its fault. */
static uint32_t to_send(const mock_stream *st)
{
    bool faulted =
        st->fault != MOCK_STREAM_NONE && !(st->fault == MOCK_STREAM_STALL && st->stall >= 0);
    return faulted && st->fault_after < st->tokens ? st->fault_after : st->tokens;
}

/* The fault's moment: 1 it was played (its bytes are in pl->out), 0 the
 * connection is suspended (or hung), -1 it ends in error (a cut, or a stall
 * that could not hang). */
static int play_fault(mock_player *pl)
{
    const mock_stream *st = &pl->stream;
    if (st->fault == MOCK_STREAM_STALL) { /* silent until the client leaves */
        if (pl->stopping) {
            pl->stage = MOCK_PLAY_ENDING;
            return 1;
        }
        if (!pl->hung && mock_waker_hang(pl->waker, pl->item, pl->fd) == 0) {
            pl->hung = true;
            return 0;
        }
        return -1;
    }
    if (wait_until(pl, mock_stream_token_at(st, st->fault_after)))
        return 0;
    pl->stage = MOCK_PLAY_DONE;
    if (st->fault == MOCK_STREAM_CUT) {
        /* The peer sees the end now: libmicrohttpd closes a connection whose
         * reader failed only when its loop next runs, which an idle server
         * may not do for a while. */
        if (pl->fd >= 0)
            shutdown(pl->fd, SHUT_RDWR);
        pl->planned_end = true;
        return -1;
    }
    mock_sse_fault(&pl->ctx, pl->next, &pl->out);
    return 1;
}

ssize_t mock_play_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    mock_player *pl = cls;
    (void)pos;
    for (;;) {
        if (pl->gone)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (pl->sent < pl->out.len) {
            size_t n = pl->out.len - pl->sent < max ? pl->out.len - pl->sent : max;
            memcpy(buf, pl->out.p + pl->sent, n);
            pl->sent += n;
            return (ssize_t)n;
        }
        mock_buf_clear(&pl->out);
        pl->sent = 0;
        switch (pl->stage) {
        case MOCK_PLAY_OPENING:
            mock_sse_opening(&pl->ctx, &pl->out);
            pl->stage = MOCK_PLAY_TOKENS;
            break;
        case MOCK_PLAY_TOKENS:
            if (pl->next >= to_send(&pl->stream)) {
                pl->stage =
                    to_send(&pl->stream) < pl->stream.tokens ? MOCK_PLAY_FAULT : MOCK_PLAY_ENDING;
                break;
            }
            if (wait_until(pl, mock_stream_token_at(&pl->stream, pl->next)))
                return 0;
            mock_sse_token(&pl->ctx, pl->next++, &pl->out);
            break;
        case MOCK_PLAY_FAULT: {
            int r = play_fault(pl);
            if (r <= 0)
                return r == 0 ? 0 : MHD_CONTENT_READER_END_WITH_ERROR;
            break;
        }
        case MOCK_PLAY_ENDING:
            mock_sse_ending(&pl->ctx, pl->next, &pl->out);
            pl->stage = MOCK_PLAY_DONE;
            break;
        case MOCK_PLAY_DONE:
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (pl->out.failed)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
}
