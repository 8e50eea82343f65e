/* grow.h: room for one more element in a growable array (reports/ keeps its
 * verdicts, candidates and events in such arrays). */
#ifndef REP_GROW_H
#define REP_GROW_H
#include <stdlib.h>

/* The array `v` of `n` elements of `elem` bytes, with room for *cap, made
 * able to take one more: `v` itself when it has room, else a realloc'd
 * copy with twice the room (`first` for an empty array) and *cap updated.
 * NULL when out of memory: then `v` and *cap are unchanged, still the
 * caller's. */
static inline void *rep_grow(void *v, size_t n, size_t *cap, size_t elem, size_t first)
{
    if (n < *cap)
        return v;
    size_t want = *cap ? *cap * 2 : first;
    void *grown = realloc(v, want * elem);
    if (grown)
        *cap = want;
    return grown;
}

#endif
