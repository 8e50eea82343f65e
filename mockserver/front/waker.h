/* waker.h: suspended connections and the one timer thread that resumes
 * them. A delayed response (latency, a slow body's next chunk) sleeps until
 * a wall time on the shared timer heap (common/heap.h); a hang waits until
 * its client goes away (the thread checks hung sockets a few times a second)
 * or the server stops. No thread ever blocks per request. */
#ifndef MOCK_WAKER_H
#define MOCK_WAKER_H
#include <stddef.h>
#include <stdint.h>

typedef enum mock_wake_reason {
    MOCK_WAKE_TIMER, /* the sleep's time came */
    MOCK_WAKE_GONE,  /* a hung connection's client closed it */
    MOCK_WAKE_STOP,  /* the server is stopping: finish or drop now */
} mock_wake_reason;

typedef struct mock_waker_ops {
    /* Suspends `item` (called with the waker's lock held, from the thread
     * that calls mock_waker_sleep/hang). */
    void (*suspend)(void *item);
    /* Resumes `item` (called without the lock, from the timer thread or
     * mock_waker_stop). Called exactly once per successful sleep/hang. */
    void (*resume)(void *item, mock_wake_reason why);
} mock_waker_ops;

typedef struct mock_waker mock_waker;

/* Starts the timer thread. `max_hung` caps hanging items. NULL on failure. */
mock_waker *mock_waker_start(const mock_waker_ops *ops, size_t max_hung);

/* Suspends `item` and resumes it at `wall_at_us` (CLOCK_MONOTONIC
 * microseconds). 0 on success; -1 when the waker is stopping or out of
 * memory: then nothing was suspended and the caller answers at once. */
int mock_waker_sleep(mock_waker *w, int64_t wall_at_us, void *item);

/* Suspends `item` until the peer of socket `fd` closes (MOCK_WAKE_GONE) or
 * the waker stops. 0 on success; 1 when max_hung items already hang (counted
 * as rejected, nothing suspended); -1 when stopping or out of memory. */
int mock_waker_hang(mock_waker *w, void *item, int fd);

/* Refuses new sleeps and hangs, resumes every suspended item with
 * MOCK_WAKE_STOP and joins the thread. Idempotent. */
void mock_waker_stop(mock_waker *w);
/* Stops (if needed) and frees. */
void mock_waker_free(mock_waker *w);

typedef struct mock_waker_counts {
    size_t sleeping, hung;
    uint64_t hung_rejected;
} mock_waker_counts;
void mock_waker_counts_get(mock_waker *w, mock_waker_counts *out);

#endif
