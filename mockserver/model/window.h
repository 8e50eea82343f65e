/* window.h: one instance of a rate window (fixed, sliding log, token bucket)
 * counting requests or tokens in scenario time; pure, time passed as `now`. */
#ifndef MOCK_WINDOW_H
#define MOCK_WINDOW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeu.h"
#include "mockserver/scenario/internal.h"

/* Most entries a sliding log keeps; past it new amounts merge into the newest
 * entry (which only makes the window stricter, never looser). */
#define MOCK_WINDOW_MAX_LOG (1u << 20)

typedef struct mock_window {
    const mock_window_def *def;
    bool started;  /* fixed: a window is open; bucket: `last` is set */
    cm_us start;   /* fixed: when the open window began; bucket: last refill */
    int64_t used;  /* fixed: amount used in the open window; sliding: sum of the log */
    double tokens; /* bucket: what is left */
    cm_us *log_t;  /* sliding: ring of (time, amount), owned */
    int64_t *log_n;
    size_t log_cap, log_head, log_len;
    cm_us origin; /* day: a scenario time where a day starts (the model sets it) */
} mock_window;

/* What a window says about a request of `amount` at `now`. */
typedef struct mock_window_view {
    bool admit; /* the amount fits now */
    int64_t limit;
    int64_t remaining; /* after this request when admitted, else now */
    cm_us reset;       /* until the window is back to its full limit */
    cm_us retry_after; /* until the amount would fit (0 when admitted; concurrency: 0,
                          the model knows when slots come back) */
} mock_window_view;

/* Starts an empty window for def (which must outlive it). */
void mock_window_init(mock_window *w, const mock_window_def *def);
/* Frees the sliding log; w may be reused after mock_window_init. */
void mock_window_free(mock_window *w);
/* Expires what `now` has made old, then describes a request of `amount`. */
void mock_window_check(mock_window *w, cm_us now, int64_t amount, mock_window_view *out);
/* Counts `amount` at `now` (after a check that admitted it). Returns -1 when
 * out of memory (the amount is then merged into the newest entry), else 0. */
int mock_window_take(mock_window *w, cm_us now, int64_t amount);
/* Concurrency: gives back one request in flight. */
void mock_window_give_back(mock_window *w);
/* The scenario time where the day containing `now` began, for days that
 * start at `origin` + k days. */
cm_us mock_day_start(cm_us origin, cm_us now);

#endif
