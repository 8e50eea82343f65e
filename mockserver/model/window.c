/* window.c: rate window instances. Fixed windows open with the first request
 * after the previous one closed; sliding windows keep a log of (time, amount);
 * token buckets refill continuously at limit / period. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mockserver/model/window.h"

void mock_window_init(mock_window *w, const mock_window_def *def)
{
    memset(w, 0, sizeof *w);
    w->def = def;
}

void mock_window_free(mock_window *w)
{
    free(w->log_t);
    free(w->log_n);
    w->log_t = NULL;
    w->log_n = NULL;
    w->log_cap = w->log_head = w->log_len = 0;
    w->used = 0;
}

static size_t log_at(const mock_window *w, size_t i)
{
    return (w->log_head + i) % w->log_cap;
}

#define DAY_US (INT64_C(86400) * CM_US_PER_S)

cm_us mock_day_start(cm_us origin, cm_us now)
{
    cm_us into = (now - origin) % DAY_US;
    if (into < 0)
        into += DAY_US;
    return now - into;
}

static void advance(mock_window *w, cm_us now)
{
    const mock_window_def *d = w->def;
    if (d->algo == MOCK_ALGO_CONCURRENCY)
        return; /* only releases give back */
    if (d->algo == MOCK_ALGO_DAY) {
        if (w->started && mock_day_start(w->origin, now) != w->start) {
            w->started = false;
            w->used = 0;
        }
    } else if (d->algo == MOCK_ALGO_FIXED) {
        if (w->started && now >= cm_us_add(w->start, d->period)) {
            w->started = false;
            w->used = 0;
        }
    } else if (d->algo == MOCK_ALGO_SLIDING) {
        while (w->log_len && cm_us_add(w->log_t[w->log_head], d->period) <= now) {
            w->used -= w->log_n[w->log_head];
            w->log_head = (w->log_head + 1) % w->log_cap;
            w->log_len--;
        }
    } else {
        double limit = (double)d->limit;
        if (!w->started)
            w->tokens = limit;
        else if (now > w->start)
            w->tokens =
                fmin(limit, w->tokens + (double)(now - w->start) * limit / (double)d->period);
        w->started = true;
        w->start = now > w->start ? now : w->start;
    }
}

/* Sliding log: time until enough old entries expire for `amount` to fit. */
static cm_us sliding_wait(const mock_window *w, cm_us now, int64_t amount)
{
    int64_t freed = 0;
    for (size_t i = 0; i < w->log_len; i++) {
        size_t at = log_at(w, i);
        freed += w->log_n[at];
        if (w->used - freed + amount <= w->def->limit)
            return cm_us_add(w->log_t[at], w->def->period) - now;
    }
    return w->def->period;
}

static cm_us bucket_time(const mock_window_def *d, double missing)
{
    if (missing <= 0)
        return 0;
    return (cm_us)ceil(missing * (double)d->period / (double)d->limit);
}

static void view_bucket(const mock_window *w, int64_t amount, mock_window_view *v)
{
    const mock_window_def *d = w->def;
    v->admit = w->tokens >= (double)amount;
    double left = v->admit ? w->tokens - (double)amount : w->tokens;
    v->remaining = (int64_t)floor(left);
    v->reset = bucket_time(d, (double)d->limit - left);
    v->retry_after = v->admit ? 0 : bucket_time(d, (double)amount - w->tokens);
    if (amount > d->limit)
        v->retry_after = d->period;
}

void mock_window_check(mock_window *w, cm_us now, int64_t amount, mock_window_view *v)
{
    const mock_window_def *d = w->def;
    advance(w, now);
    v->limit = d->limit;
    if (d->algo == MOCK_ALGO_BUCKET) {
        view_bucket(w, amount, v);
        return;
    }
    v->admit = w->used + amount <= d->limit;
    v->remaining = d->limit - w->used - (v->admit ? amount : 0);
    if (v->remaining < 0)
        v->remaining = 0;
    v->retry_after = 0;
    if (d->algo == MOCK_ALGO_CONCURRENCY) {
        v->reset = 0;
        return;
    }
    if (d->algo == MOCK_ALGO_DAY) {
        v->reset = cm_us_add(mock_day_start(w->origin, now), DAY_US) - now;
        if (!v->admit)
            v->retry_after = v->reset;
        return;
    }
    if (d->algo == MOCK_ALGO_FIXED) {
        v->reset = w->started ? cm_us_add(w->start, d->period) - now : d->period;
        if (!v->admit)
            v->retry_after = amount > d->limit ? d->period : v->reset;
        return;
    }
    int new_entry = v->admit && amount > 0;
    v->reset = new_entry    ? d->period
               : w->log_len ? cm_us_add(w->log_t[log_at(w, w->log_len - 1)], d->period) - now
                            : 0;
    if (!v->admit)
        v->retry_after = amount > d->limit ? d->period : sliding_wait(w, now, amount);
}

static int log_grow(mock_window *w)
{
    size_t cap = w->log_cap ? w->log_cap * 2 : 16;
    if (cap > MOCK_WINDOW_MAX_LOG)
        return -1;
    cm_us *t = malloc(cap * sizeof *t);
    int64_t *n = malloc(cap * sizeof *n);
    if (!t || !n) {
        free(t);
        free(n);
        return -1;
    }
    for (size_t i = 0; i < w->log_len; i++) {
        t[i] = w->log_t[log_at(w, i)];
        n[i] = w->log_n[log_at(w, i)];
    }
    free(w->log_t);
    free(w->log_n);
    w->log_t = t;
    w->log_n = n;
    w->log_cap = cap;
    w->log_head = 0;
    return 0;
}

static int sliding_take(mock_window *w, cm_us now, int64_t amount)
{
    w->used += amount;
    if (w->log_len && w->log_t[log_at(w, w->log_len - 1)] == now) {
        w->log_n[log_at(w, w->log_len - 1)] += amount;
        return 0;
    }
    if (w->log_len == w->log_cap && log_grow(w) != 0) {
        if (w->log_len == 0) {
            w->used -= amount;
            return -1;
        }
        w->log_n[log_at(w, w->log_len - 1)] += amount;
        return -1;
    }
    size_t at = log_at(w, w->log_len++);
    w->log_t[at] = now;
    w->log_n[at] = amount;
    return 0;
}

int mock_window_take(mock_window *w, cm_us now, int64_t amount)
{
    if (amount <= 0)
        return 0;
    switch (w->def->algo) {
    case MOCK_ALGO_FIXED:
        if (!w->started) {
            w->started = true;
            w->start = now;
        }
        w->used += amount;
        return 0;
    case MOCK_ALGO_SLIDING:
        return sliding_take(w, now, amount);
    case MOCK_ALGO_BUCKET:
        w->tokens -= (double)amount;
        return 0;
    case MOCK_ALGO_DAY:
        if (!w->started) {
            w->started = true;
            w->start = mock_day_start(w->origin, now);
        }
        w->used += amount;
        return 0;
    case MOCK_ALGO_CONCURRENCY:
        w->used += amount;
        return 0;
    }
    return 0;
}

void mock_window_give_back(mock_window *w)
{
    if (w->used > 0)
        w->used--;
}
