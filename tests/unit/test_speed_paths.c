/* test_speed_paths.c: the hand-written fast paths the simulation relies on
 * give exactly what the slow, obvious code gives: cm_sbuf against snprintf,
 * the timer heap against a brute-force minimum under interleaved
 * pushes and pops, the model's time formats against gmtime_r + snprintf,
 * and the IMF-fixdate fast path against dates the general parser reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "common/heap.h"
#include "common/rng.h"
#include "common/sbuf.h"
#include "common/timefmt.h"

static void sbuf_matches_snprintf_and_cuts_like_it(void **state)
{
    (void)state;
    const int64_t ints[] = {0, 7, -7, 42, 100, 999999, INT64_MAX, INT64_MIN, -1000000};
    for (size_t size = 0; size < 24; size++) {
        for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
            char want[32], got[32];
            memset(want, 'x', sizeof want);
            memset(got, 'x', sizeof got);
            snprintf(want, size, "a%lld:%06llu/%08x", (long long)ints[i],
                     (unsigned long long)(ints[i] & 0xffff), (unsigned)(ints[i] & 0xfffff));
            cm_sbuf b;
            cm_sbuf_init(&b, got, size);
            cm_sbuf_char(&b, 'a');
            cm_sbuf_i64(&b, ints[i]);
            cm_sbuf_str(&b, ":");
            cm_sbuf_u64_pad(&b, (uint64_t)(ints[i] & 0xffff), 6);
            cm_sbuf_mem(&b, "/", 1);
            cm_sbuf_hex(&b, (uint64_t)(ints[i] & 0xfffff), 8);
            assert_memory_equal(want, got, sizeof want);
        }
    }
}

static void sbuf_g_matches_percent_g(void **state)
{
    (void)state;
    const double vals[] = {0, -0.0, 1, 60, 0.5, 1e5, 999999, 1e6, 1234567, -3, 2.5e-7, 1e300};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char want[40], got[40];
        snprintf(want, sizeof want, "%g", vals[i]);
        cm_sbuf b;
        cm_sbuf_init(&b, got, sizeof got);
        cm_sbuf_g(&b, vals[i]);
        assert_string_equal(want, got);
    }
}

/* The earliest of v[0..n) by (at, seq); its index. */
static size_t brute_min(const cm_timer *v, size_t n)
{
    size_t m = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i].at < v[m].at || (v[i].at == v[m].at && v[i].seq < v[m].seq))
            m = i;
    return m;
}

static void heap_interleaved_matches_brute_force(void **state)
{
    (void)state;
    enum { N = 3000 };
    static cm_timer shadow[N];
    size_t ns = 0;
    uint64_t seq = 0;
    cm_heap h;
    cm_heap_init(&h);
    cm_rng rng;
    cm_rng_seed(&rng, 7);
    for (int step = 0; step < 20000; step++) {
        bool push = ns == 0 || (ns < N && cm_rng_next(&rng) % 3 != 0);
        if (push) {
            int64_t at = (int64_t)(cm_rng_next(&rng) % 50); /* many ties */
            void *id = (void *)(intptr_t)step;
            assert_int_equal(cm_heap_push(&h, at, id), 0);
            shadow[ns++] = (cm_timer){at, seq++, id};
            continue;
        }
        size_t m = brute_min(shadow, ns);
        cm_timer got;
        assert_true(cm_heap_pop(&h, &got));
        assert_int_equal(got.at, shadow[m].at);
        assert_int_equal((intptr_t)got.data, (intptr_t)shadow[m].data);
        shadow[m] = shadow[--ns];
        assert_int_equal(cm_heap_size(&h), ns);
    }
    cm_heap_free(&h);
}

/* The formats as the model wrote them before the fast paths: libc's gmtime_r. */
static void slow_formats(int64_t unix_s, char *date, size_t dsize, char *rfc, size_t rsize)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t u = (time_t)unix_s;
    struct tm tm;
    gmtime_r(&u, &tm);
    snprintf(date, dsize, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    snprintf(rfc, rsize, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void model_dates_match_gmtime_and_parse_back(void **state)
{
    (void)state;
    cm_rng rng;
    cm_rng_seed(&rng, 11);
    for (int i = 0; i < 200000; i++) {
        /* whole seconds from the scenario epoch to 100 years on, leap days included */
        cm_us t = (cm_us)(cm_rng_next(&rng) % (uint64_t)(CM_US_MAX / CM_US_PER_S)) * CM_US_PER_S;
        char want_date[40], want_rfc[40], date[40], rfc[40];
        slow_formats(CM_SCENARIO_EPOCH + t / CM_US_PER_S, want_date, sizeof want_date, want_rfc,
                     sizeof want_rfc);
        cm_fmt_http_date(t, date, sizeof date);
        cm_fmt_rfc3339(t, rfc, sizeof rfc);
        assert_string_equal(want_date, date);
        assert_string_equal(want_rfc, rfc);
        int64_t back_s = -1, back_us = -1;
        assert_int_equal(cm_http_date_parse(date, strlen(date), &back_s), 0);
        assert_int_equal(back_s, CM_SCENARIO_EPOCH + t / CM_US_PER_S);
        assert_int_equal(cm_rfc3339_parse(rfc, strlen(rfc), &back_us), 0);
        assert_int_equal(back_us, (CM_SCENARIO_EPOCH + t / CM_US_PER_S) * CM_US_PER_S);
    }
}

static void fixdate_fast_path_refuses_what_the_general_parser_refuses(void **state)
{
    (void)state;
    const char *bad[] = {"Sun, 31 Feb 2026 00:00:00 GMT", "Sun, 01 Jan 2026 24:00:00 GMT",
                         "Sun, 01 Jan 2026 00:60:00 GMT", "Xyz, 01 Jan 2026 00:00:00 GMT",
                         "Sun, 01 Foo 2026 00:00:00 GMT", "Sun, 01 Jan 2026 00:00:00 UTX",
                         "Sun, 0a Jan 2026 00:00:00 GMT", "Sun, 00 Jan 2026 00:00:00 GMT"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 123;
        assert_int_equal(cm_http_date_parse(bad[i], strlen(bad[i]), &v), -1);
        assert_int_equal(v, 123);
    }
    /* Forms the fast path leaves to the general parser still parse. */
    const char *good[] = {"sun, 01 jan 2026 00:00:00 gmt",    "Thu, 01 Jan 2026 00:00:00 UTC",
                          "Thursday, 01-Jan-26 00:00:00 GMT", "Thu Jan  1 00:00:00 2026",
                          "Thu, 1 Jan 2026 00:00:00 GMT",     "Thu, 01 Jan 2026 00:00:60 GMT"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t v = 0;
        assert_int_equal(cm_http_date_parse(good[i], strlen(good[i]), &v), 0);
        assert_true(v >= CM_SCENARIO_EPOCH && v <= CM_SCENARIO_EPOCH + 60);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sbuf_matches_snprintf_and_cuts_like_it),
        cmocka_unit_test(sbuf_g_matches_percent_g),
        cmocka_unit_test(heap_interleaved_matches_brute_force),
        cmocka_unit_test(model_dates_match_gmtime_and_parse_back),
        cmocka_unit_test(fixdate_fast_path_refuses_what_the_general_parser_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
