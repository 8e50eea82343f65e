/* test_common_timefmt.c: common/timefmt round trips: what the provider model
 * writes (Go durations, RFC 3339, IMF-fixdate) the engine reads back as the
 * same value -- durations exactly, times rounded up to the whole second. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/rng.h"
#include "common/timefmt.h"

static cm_us parse_duration(const char *text)
{
    cm_us d = -1;
    assert_int_equal(cm_duration_parse(text, strlen(text), &d), 0);
    return d;
}

static void go_durations_read_back_exactly(void **state)
{
    (void)state;
    const cm_us fixed[] = {0,          1,          999,        1000,     1500,     20000,
                           999999,     1000000,    1500000,    59999999, 60000000, 360000000,
                           3599999999, 3600000000, 3723500000, CM_US_MAX};
    char buf[48];
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        cm_fmt_go_duration(fixed[i], buf, sizeof buf);
        assert_int_equal(parse_duration(buf), fixed[i]);
    }
    cm_rng rng;
    cm_rng_seed(&rng, 3);
    for (int i = 0; i < 100000; i++) {
        /* every magnitude from microseconds to decades */
        cm_us d = (cm_us)(cm_rng_next(&rng) % (uint64_t)CM_US_MAX) >> (cm_rng_next(&rng) % 50);
        cm_fmt_go_duration(d, buf, sizeof buf);
        assert_int_equal(parse_duration(buf), d);
    }
    cm_fmt_go_duration(-5, buf, sizeof buf);
    assert_string_equal(buf, "0s");
}

static void dates_read_back_rounded_up_to_the_second(void **state)
{
    (void)state;
    cm_rng rng;
    cm_rng_seed(&rng, 5);
    char date[40], rfc[40];
    for (int i = 0; i < 100000; i++) {
        cm_us t = (cm_us)(cm_rng_next(&rng) % (uint64_t)CM_US_MAX);
        int64_t whole = t / CM_US_PER_S + (t % CM_US_PER_S > 0);
        cm_fmt_http_date(t, date, sizeof date);
        cm_fmt_rfc3339(t, rfc, sizeof rfc);
        int64_t s = -1, us = -1;
        assert_int_equal(cm_http_date_parse(date, strlen(date), &s), 0);
        assert_int_equal(s, CM_SCENARIO_EPOCH + whole);
        assert_int_equal(cm_rfc3339_parse(rfc, strlen(rfc), &us), 0);
        assert_int_equal(us, (CM_SCENARIO_EPOCH + whole) * CM_US_PER_S);
    }
    cm_fmt_http_date(0, date, sizeof date);
    assert_string_equal(date, "Thu, 01 Jan 2026 00:00:00 GMT");
    cm_fmt_rfc3339(1, rfc, sizeof rfc);
    assert_string_equal(rfc, "2026-01-01T00:00:01Z");
}

static void short_buffers_are_cut_and_terminated(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'x', sizeof buf);
    cm_fmt_http_date(0, buf, sizeof buf);
    assert_string_equal(buf, "Thu, 01");
    cm_fmt_go_duration(3723500000, buf, 5);
    assert_string_equal(buf, "1h2m");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(go_durations_read_back_exactly),
        cmocka_unit_test(dates_read_back_rounded_up_to_the_second),
        cmocka_unit_test(short_buffers_are_cut_and_terminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
