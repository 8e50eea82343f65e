/* test_sim_queue.c: the sim's radix queue pops in exactly the timer heap's
 * order (time, then push order) under interleaved monotone pushes and pops
 * with many equal times, over the whole int64 range; refuses a time before
 * the last popped; front() agrees with the next pop when it answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/heap.h"
#include "engine/sim/queue.h"

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A time at or after `now`: equal to it, a few fixed steps, a short random
 * step, a long one, or the far end; saturating at INT64_MAX. */
static int64_t later(uint64_t *s, int64_t now)
{
    uint64_t r = next(s);
    uint64_t step;
    switch (r % 8) {
    case 0:
    case 1:
        step = 0;
        break;
    case 2:
        step = 1000000;
        break;
    case 3:
        step = (r >> 8) % 16;
        break;
    case 4:
        step = (r >> 8) % 5000000;
        break;
    case 5:
        step = r >> (8 + (r >> 3) % 50);
        break;
    case 6:
        return INT64_MAX;
    default:
        step = (r >> 8) % 1000;
    }
    uint64_t room = (uint64_t)INT64_MAX - (uint64_t)now; /* exact, now may be negative */
    return step > room ? INT64_MAX : (int64_t)((uint64_t)now + step);
}

/* One run: `n0` items at random times first, then pops each followed by 0-2
 * pushes, compared pop for pop with cm_heap. */
static void run_against_heap(uint64_t seed, int64_t start, size_t n0, size_t pops)
{
    uint64_t s = seed;
    cm_heap h;
    rl_simq q;
    cm_heap_init(&h);
    rl_simq_init(&q);
    uint64_t id = 0;
    for (size_t i = 0; i < n0; i++, id++) {
        int64_t at = later(&s, start);
        assert_int_equal(cm_heap_push(&h, at, (void *)(uintptr_t)id), 0);
        assert_int_equal(rl_simq_push(&q, at, id), 0);
    }
    for (size_t i = 0; i < pops && cm_heap_size(&h) > 0; i++) {
        cm_timer t;
        int64_t at, fat;
        uint64_t data, fdata;
        int front = rl_simq_front(&q, &fat, &fdata);
        assert_int_equal(cm_heap_pop(&h, &t), 1);
        assert_int_equal(rl_simq_pop(&q, &at, &data), 1);
        assert_int_equal(at, t.at);
        assert_int_equal(data, (uintptr_t)t.data);
        if (front) {
            assert_int_equal(fat, at);
            assert_int_equal(fdata, data);
        }
        assert_int_equal(rl_simq_size(&q), cm_heap_size(&h));
        for (uint64_t k = next(&s) % 3; k > 0; k--, id++) {
            int64_t when = later(&s, at);
            assert_int_equal(cm_heap_push(&h, when, (void *)(uintptr_t)id), 0);
            assert_int_equal(rl_simq_push(&q, when, id), 0);
        }
    }
    cm_heap_free(&h);
    rl_simq_free(&q);
}

static void pops_in_heap_order(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        run_against_heap(seed * 0x9e3779b97f4a7c15ULL, 0, 10000, 60000);
        run_against_heap(seed * 0x2545f4914f6cdd1dULL, INT64_MIN, 200, 3000);
        run_against_heap(seed * 0x5851f42d4c957f2dULL, -5000000, 1, 2000);
    }
}

static void refuses_the_past_and_ends_empty(void **state)
{
    (void)state;
    rl_simq q;
    rl_simq_init(&q);
    int64_t at;
    uint64_t data;
    assert_int_equal(rl_simq_pop(&q, &at, &data), 0);
    assert_int_equal(rl_simq_front(&q, &at, &data), 0);
    assert_int_equal(rl_simq_push(&q, 5, 1), 0);
    assert_int_equal(rl_simq_push(&q, INT64_MIN, 2), 0);
    assert_int_equal(rl_simq_push(&q, 5, 3), 0);
    assert_int_equal(rl_simq_pop(&q, &at, &data), 1);
    assert_int_equal(at, INT64_MIN);
    assert_int_equal(data, 2);
    assert_int_equal(rl_simq_pop(&q, &at, &data), 1);
    assert_int_equal(at, 5);
    assert_int_equal(data, 1);
    assert_int_equal(rl_simq_push(&q, 4, 9), -2); /* before the last popped */
    assert_int_equal(rl_simq_push(&q, 5, 4), 0);
    assert_int_equal(rl_simq_pop(&q, &at, &data), 1);
    assert_int_equal(data, 3);
    assert_int_equal(rl_simq_pop(&q, &at, &data), 1);
    assert_int_equal(data, 4);
    assert_int_equal(rl_simq_pop(&q, &at, &data), 0);
    assert_int_equal(rl_simq_size(&q), 0);
    rl_simq_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pops_in_heap_order),
        cmocka_unit_test(refuses_the_past_and_ends_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
