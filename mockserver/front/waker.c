/* waker.c: the timer thread that resumes suspended connections. */
#include "mockserver/front/waker.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "common/heap.h"
#include "mockserver/front/clock.h"

/* How often hung sockets are checked for a closed peer. */
#define SWEEP_US 200000
/* The thread wakes on a grid of this many microseconds: the timers due in
 * one step of it are resumed together, up to GRID_US late, never early.
 * libmicrohttpd walks its whole list of suspended connections for every
 * batch of resumes it is woken for (libmicrohttpd 0.9.75 daemon.c,
 * resume_suspended_connections), so with thousands of streams suspended
 * between tokens, one batch per step instead of one per token is most of
 * the front's CPU (bench/stream.sh). */
#define GRID_US 1000
#define BATCH 256

typedef struct hung_item {
    void *item;
    int fd;
} hung_item;

struct mock_waker {
    mock_waker_ops ops;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool stopping, joined;
    cm_heap timers; /* at = wall us, data = item */
    hung_item *hung;
    size_t nhung, max_hung;
    uint64_t rejected;
    int64_t next_sweep;
};

static void *run(void *arg);

mock_waker *mock_waker_start(const mock_waker_ops *ops, size_t max_hung)
{
    mock_waker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->ops = *ops;
    w->max_hung = max_hung;
    w->hung = calloc(max_hung ? max_hung : 1, sizeof *w->hung);
    cm_heap_init(&w->timers);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (!w->hung || pthread_create(&w->thread, NULL, run, w) != 0) {
        w->joined = true;
        mock_waker_free(w);
        return NULL;
    }
    return w;
}

int mock_waker_sleep(mock_waker *w, int64_t wall_at_us, void *item)
{
    pthread_mutex_lock(&w->mu);
    int rc = -1;
    if (!w->stopping && cm_heap_reserve(&w->timers, cm_heap_size(&w->timers) + 1) == 0) {
        w->ops.suspend(item);
        cm_timer first;
        /* The thread sleeps until the earliest timer: it needs waking only
         * when this one comes before it (many streams: rarely). */
        bool earlier = !cm_heap_peek(&w->timers, &first) || wall_at_us < first.at;
        cm_heap_push(&w->timers, wall_at_us, item);
        if (earlier)
            pthread_cond_signal(&w->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int mock_waker_hang(mock_waker *w, void *item, int fd)
{
    pthread_mutex_lock(&w->mu);
    int rc = -1;
    if (!w->stopping && w->nhung >= w->max_hung) {
        w->rejected++;
        rc = 1;
    } else if (!w->stopping) {
        w->ops.suspend(item);
        w->hung[w->nhung++] = (hung_item){item, fd};
        rc = 0;
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* True when the peer of fd has closed or reset the connection (even with
 * unread bytes still queued, which a plain recv() peek would report first). */
static bool peer_gone(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
    if (poll(&p, 1, 0) <= 0)
        return false;
    if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
        return true;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Moves due timers and gone hangs into batch (lock held); returns how many. */
static size_t collect(mock_waker *w, int64_t now, void **batch, mock_wake_reason *why)
{
    size_t n = 0;
    cm_timer t;
    while (n < BATCH && cm_heap_peek(&w->timers, &t) && t.at <= now) {
        cm_heap_pop(&w->timers, &t);
        why[n] = MOCK_WAKE_TIMER;
        batch[n++] = t.data;
    }
    if (now < w->next_sweep)
        return n;
    w->next_sweep = now + SWEEP_US;
    for (size_t i = 0; i < w->nhung && n < BATCH;) {
        if (!peer_gone(w->hung[i].fd)) {
            i++;
            continue;
        }
        why[n] = MOCK_WAKE_GONE;
        batch[n++] = w->hung[i].item;
        w->hung[i] = w->hung[--w->nhung];
    }
    return n;
}

static void wait_next(mock_waker *w, int64_t now)
{
    int64_t until = w->nhung ? w->next_sweep : now + 1000000;
    cm_timer t;
    if (cm_heap_peek(&w->timers, &t) && t.at < until)
        until = t.at <= now ? now : t.at + (GRID_US - t.at % GRID_US) % GRID_US;
    if (until <= now)
        return;
    struct timespec ts = {.tv_sec = until / 1000000, .tv_nsec = (long)(until % 1000000) * 1000};
    pthread_cond_timedwait(&w->cv, &w->mu, &ts);
}

static void *run(void *arg)
{
    mock_waker *w = arg;
    void *batch[BATCH];
    mock_wake_reason why[BATCH];
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        size_t n = collect(w, mock_wall_now_us(), batch, why);
        if (n == 0) {
            wait_next(w, mock_wall_now_us());
            continue;
        }
        pthread_mutex_unlock(&w->mu);
        for (size_t i = 0; i < n; i++)
            w->ops.resume(batch[i], why[i]);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Takes one suspended item out (lock held): 1, or 0 when none is left. */
static int take_any(mock_waker *w, void **item)
{
    cm_timer t;
    if (cm_heap_pop(&w->timers, &t)) {
        *item = t.data;
        return 1;
    }
    if (w->nhung) {
        *item = w->hung[--w->nhung].item;
        return 1;
    }
    return 0;
}

void mock_waker_stop(mock_waker *w)
{
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->cv);
    bool join = !w->joined;
    w->joined = true;
    pthread_mutex_unlock(&w->mu);
    if (join)
        pthread_join(w->thread, NULL);
    for (;;) {
        void *item;
        pthread_mutex_lock(&w->mu);
        int got = take_any(w, &item);
        pthread_mutex_unlock(&w->mu);
        if (!got)
            break;
        w->ops.resume(item, MOCK_WAKE_STOP);
    }
}

void mock_waker_free(mock_waker *w)
{
    if (!w)
        return;
    mock_waker_stop(w);
    cm_heap_free(&w->timers);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w->hung);
    free(w);
}

void mock_waker_counts_get(mock_waker *w, mock_waker_counts *out)
{
    pthread_mutex_lock(&w->mu);
    out->sleeping = cm_heap_size(&w->timers);
    out->hung = w->nhung;
    out->hung_rejected = w->rejected;
    pthread_mutex_unlock(&w->mu);
}
