/* sim_queue.h: the simulation's event queue: a radix heap for times that
 * never go back (every push at or after the last time popped), popping in
 * exactly the order of common/heap.h: earliest time first, equal times first
 * in first out. Cheaper than the binary heap at 10,000 events in flight: an
 * event moves between a few buckets in sequence, never down 13 levels. */
#ifndef RL_SIM_QUEUE_H
#define RL_SIM_QUEUE_H
#include <stddef.h>
#include <stdint.h>

/* One bucket per highest bit in which a time differs from the last popped
 * (0: equal to it), each a first-in first-out array. */
#define RL_SIMQ_BUCKETS 65

typedef struct rl_simq_item {
    uint64_t key;  /* the time, order-preserving as unsigned */
    uint64_t data; /* the caller's */
} rl_simq_item;

typedef struct rl_simq_bucket {
    rl_simq_item *v;
    uint32_t head, n, cap; /* items v[head..n) are queued */
} rl_simq_bucket;

typedef struct rl_simq {
    uint64_t last;     /* key of the last item popped (or settled on) */
    uint64_t nonempty; /* bit i: bucket i + 1 holds items (bucket 0 is not here) */
    size_t size;
    rl_simq_bucket b[RL_SIMQ_BUCKETS];
} rl_simq;

void rl_simq_init(rl_simq *q);
/* Frees the buckets (the data are the caller's). */
void rl_simq_free(rl_simq *q);
/* Queues data at time `at`. 0; -1 when out of memory (queue unchanged);
 * RL_SIMQ_PAST when `at` is before the last time popped (refused: the order
 * would break). */
#define RL_SIMQ_PAST (-2)
int rl_simq_push(rl_simq *q, int64_t at, uint64_t data);
/* The earliest item (ties: the first pushed) into *at, *data when it is known
 * without moving items between buckets (that would raise the floor for
 * pushes): 1, or 0 when the queue is empty or the next pop must look. */
int rl_simq_front(const rl_simq *q, int64_t *at, uint64_t *data);
/* Removes the earliest item into *at, *data: 1, 0 when empty, -1 when out of
 * memory (finding it needed room to move items; the queue is unchanged).
 * Later pushes must be at or after *at. */
int rl_simq_pop(rl_simq *q, int64_t *at, uint64_t *data);
static inline size_t rl_simq_size(const rl_simq *q)
{
    return q->size;
}

#endif
