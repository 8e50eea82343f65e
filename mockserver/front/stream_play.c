/* stream_play.c: a planned stream, event by event, at its times. */
#include "mockserver/front/stream_play.h"

#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Bytes of one event are small; a whole opening or ending fits many times. */
#define PLAY_BUF_MAX (1u << 20)
/* A stream waits for its next event in naps of at most this long, and
 * looks at its client after each: a client that leaves during a long wait
 * (a slow first token, a stall) frees its connection within a nap, not at
 * the next event. Events closer together than a nap cost no extra wake. */
#define PLAY_NAP_US 100000

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

/* True when the peer of fd has closed its side (FIN) or reset the
 * connection: a client that sent its whole request and then closes has
 * left the stream. */
static bool client_left(int fd)
{
    if (fd < 0)
        return false;
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
    if (poll(&p, 1, 0) <= 0)
        return false;
    if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
        return true;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Waits for scenario time `at` of the stream: 1 the connection is suspended
 * (until `at`, or for a nap; the read returns 0 and is called again), 0 it
 * is due now (or the server is stopping, or nothing can be suspended), -1
 * the client left during a nap. */
static int wait_until(mock_player *pl, cm_us at)
{
    int64_t due = pl->start_us + mock_clock_wall_us(pl->clock, at);
    int64_t now = mock_wall_now_us();
    if (pl->stopping || now >= due)
        return 0;
    if (pl->napped && client_left(pl->fd))
        return -1;
    pl->napped = due - now > PLAY_NAP_US;
    return mock_waker_sleep(pl->waker, pl->napped ? now + PLAY_NAP_US : due, pl->item) == 0;
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
    int w = wait_until(pl, mock_stream_token_at(st, st->fault_after));
    if (w != 0)
        return w > 0 ? 0 : -1;
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
        case MOCK_PLAY_TOKENS: {
            if (pl->next >= to_send(&pl->stream)) {
                pl->stage =
                    to_send(&pl->stream) < pl->stream.tokens ? MOCK_PLAY_FAULT : MOCK_PLAY_ENDING;
                break;
            }
            int w = wait_until(pl, mock_stream_token_at(&pl->stream, pl->next));
            if (w != 0)
                return w > 0 ? 0 : MHD_CONTENT_READER_END_WITH_ERROR;
            mock_sse_token(&pl->ctx, pl->next++, &pl->out);
            break;
        }
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
