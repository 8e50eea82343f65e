/* heap.c: binary min-heap over (at, seq). */
#include "common/heap.h"

#include <stdlib.h>

static int before(const cm_timer *a, const cm_timer *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

void cm_heap_init(cm_heap *h)
{
    h->v = NULL;
    h->n = h->cap = 0;
    h->next_seq = 0;
}

void cm_heap_free(cm_heap *h)
{
    free(h->v);
    cm_heap_init(h);
}

int cm_heap_reserve(cm_heap *h, size_t n)
{
    if (n <= h->cap)
        return 0;
    size_t cap = h->cap ? h->cap : 16;
    while (cap < n)
        cap *= 2;
    cm_timer *v = realloc(h->v, cap * sizeof *v);
    if (!v)
        return -1;
    h->v = v;
    h->cap = cap;
    return 0;
}

int cm_heap_push(cm_heap *h, int64_t at, void *data)
{
    if (cm_heap_reserve(h, h->n + 1) != 0)
        return -1;
    size_t i = h->n++;
    cm_timer t = {at, h->next_seq++, data};
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&t, &h->v[parent]))
            break;
        h->v[i] = h->v[parent];
        i = parent;
    }
    h->v[i] = t;
    return 0;
}

int cm_heap_peek(const cm_heap *h, cm_timer *out)
{
    if (h->n == 0)
        return 0;
    *out = h->v[0];
    return 1;
}

/* Pop without comparing against the moved last element on the way down
 * (Floyd's bottom-up variant): the hole left at the root goes down to a leaf
 * along the earlier child of each pair, one comparison per level, and the
 * last element then climbs from there; it belongs near the bottom, so that
 * climb is short. About half the comparisons of the textbook sift-down. */
int cm_heap_pop(cm_heap *h, cm_timer *out)
{
    if (h->n == 0)
        return 0;
    *out = h->v[0];
    size_t n = --h->n;
    if (n == 0)
        return 1;
    cm_timer *v = h->v;
    size_t i = 0, l;
    while ((l = 2 * i + 1) < n) {
        size_t m = l + 1 < n && before(&v[l + 1], &v[l]) ? l + 1 : l;
        v[i] = v[m];
        i = m;
    }
    cm_timer last = v[n];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&last, &v[parent]))
            break;
        v[i] = v[parent];
        i = parent;
    }
    v[i] = last;
    return 1;
}
