/* heap.h: the timer min-heap of the HTTP runner and the mockserver's waker
 * (the simulation's queue, engine/sim/queue.h, pops in exactly its order).
 * Ordered by time, ties broken by insertion order (a sequence number), so
 * equal times pop first-in first-out: deterministic. */
#ifndef CM_HEAP_H
#define CM_HEAP_H
#include <stddef.h>
#include <stdint.h>

typedef struct cm_timer {
    int64_t at;   /* when it fires (scenario or wall microseconds: the caller's choice) */
    uint64_t seq; /* insertion order, for the tie-break */
    void *data;   /* the caller's; never dereferenced here */
} cm_timer;

typedef struct cm_heap {
    cm_timer *v;
    size_t n, cap;
    uint64_t next_seq;
} cm_heap;

void cm_heap_init(cm_heap *h);
/* Frees the array; the data pointers are the caller's. */
void cm_heap_free(cm_heap *h);
/* Grows capacity to at least n; 0 or -1 when out of memory. */
int cm_heap_reserve(cm_heap *h, size_t n);
/* Adds a timer: 0, or -1 when out of memory (heap unchanged). */
int cm_heap_push(cm_heap *h, int64_t at, void *data);
/* The earliest timer into *out: 1, or 0 when empty. */
int cm_heap_peek(const cm_heap *h, cm_timer *out);
/* Removes the earliest timer into *out: 1, or 0 when empty. */
int cm_heap_pop(cm_heap *h, cm_timer *out);
static inline size_t cm_heap_size(const cm_heap *h)
{
    return h->n;
}

#endif
