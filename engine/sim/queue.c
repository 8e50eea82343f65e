/* sim_queue.c: radix heap over monotone times with first-in first-out ties.
 *
 * Why the order is exactly the binary heap's (time, then push order): an
 * item's bucket is the highest bit where its key differs from `last`, and
 * stays so while `last` grows (last only moves to the minimum of the lowest
 * non-empty bucket), so equal keys always share a bucket. A bucket is only
 * refilled from a higher one when every lower bucket is empty, in that
 * bucket's order, and pushes append; so within a bucket equal keys stay in
 * push order, and bucket 0 (key == last) pops from its front. */
#include "engine/sim/queue.h"

#include <stdlib.h>

#define SIGN_BIT ((uint64_t)1 << 63)

void rl_simq_init(rl_simq *q)
{
    q->last = 0;
    q->nonempty = 0;
    q->size = 0;
    for (size_t i = 0; i < RL_SIMQ_BUCKETS; i++)
        q->b[i] = (rl_simq_bucket){NULL, 0, 0, 0};
}

void rl_simq_free(rl_simq *q)
{
    for (size_t i = 0; i < RL_SIMQ_BUCKETS; i++)
        free(q->b[i].v);
    rl_simq_init(q);
}

/* The bucket of a key relative to `last`: 0 when equal, else 1 + the index
 * of the highest differing bit. */
static unsigned bucket_of(uint64_t key, uint64_t last)
{
    uint64_t x = key ^ last;
    return x ? 64u - (unsigned)__builtin_clzll(x) : 0u;
}

/* Room for `extra` more items in b: 0, or -1 when out of memory. */
static int reserve(rl_simq_bucket *b, uint32_t extra)
{
    if (b->cap - b->n >= extra)
        return 0;
    if (b->head > b->cap / 2) { /* bucket 0: reuse its popped front when that is half */
        for (uint32_t i = b->head; i < b->n; i++)
            b->v[i - b->head] = b->v[i];
        b->n -= b->head;
        b->head = 0;
        if (b->cap - b->n >= extra)
            return 0;
    }
    uint64_t cap = b->cap ? (uint64_t)b->cap * 2 : 64;
    if (cap < (uint64_t)b->n + extra)
        cap = (uint64_t)b->n + extra;
    rl_simq_item *v = cap <= UINT32_MAX ? realloc(b->v, (size_t)cap * sizeof *v) : NULL;
    if (!v)
        return -1;
    b->v = v;
    b->cap = (uint32_t)cap;
    return 0;
}

int rl_simq_push(rl_simq *q, int64_t at, uint64_t data)
{
    uint64_t key = (uint64_t)at ^ SIGN_BIT;
    if (key < q->last)
        return RL_SIMQ_PAST;
    unsigned b = bucket_of(key, q->last);
    rl_simq_bucket *dst = &q->b[b];
    if (dst->n == dst->cap && reserve(dst, 1) != 0)
        return -1;
    dst->v[dst->n++] = (rl_simq_item){key, data};
    if (b > 0)
        q->nonempty |= (uint64_t)1 << (b - 1);
    q->size++;
    return 0;
}

/* Bucket 0 is empty and the queue is not: moves the lowest non-empty
 * bucket's items down, relative to its smallest key, which becomes `last`.
 * 0, or -1 when out of memory (nothing moved). */
static int settle(rl_simq *q)
{
    unsigned bi = 1u + (unsigned)__builtin_ctzll(q->nonempty);
    rl_simq_bucket *src = &q->b[bi];
    uint64_t m = src->v[src->head].key;
    for (uint32_t i = src->head + 1; i < src->n; i++)
        m = src->v[i].key < m ? src->v[i].key : m;
    /* Every lower bucket is empty and gets room for all of them, not counted
     * per bucket: a bucket's capacity never exceeds the queue's largest size,
     * and after the first passes nothing is allocated. */
    uint32_t total = src->n - src->head;
    for (unsigned b = 0; b < bi; b++)
        if (q->b[b].cap < total && reserve(&q->b[b], total) != 0)
            return -1;
    q->last = m;
    for (uint32_t i = src->head; i < src->n; i++) {
        unsigned b = bucket_of(src->v[i].key, m);
        q->b[b].v[q->b[b].n++] = src->v[i];
        if (b > 0)
            q->nonempty |= (uint64_t)1 << (b - 1);
    }
    src->head = src->n = 0;
    q->nonempty &= ~((uint64_t)1 << (bi - 1));
    return 0;
}

int rl_simq_front(const rl_simq *q, int64_t *at, uint64_t *data)
{
    const rl_simq_bucket *b0 = &q->b[0];
    if (b0->head == b0->n)
        return 0;
    *at = (int64_t)(b0->v[b0->head].key ^ SIGN_BIT);
    *data = b0->v[b0->head].data;
    return 1;
}

int rl_simq_pop(rl_simq *q, int64_t *at, uint64_t *data)
{
    if (q->size == 0)
        return 0;
    rl_simq_bucket *b0 = &q->b[0];
    if (b0->head == b0->n && settle(q) != 0)
        return -1;
    rl_simq_item it = b0->v[b0->head];
    *at = (int64_t)(it.key ^ SIGN_BIT);
    *data = it.data;
    if (++b0->head == b0->n)
        b0->head = b0->n = 0;
    q->size--;
    return 1;
}
