/* test_mock_timefmt.c: the header time formats of the provider model
 * (common/timefmt.c): Go
 * durations as Go prints them, RFC 3339 and IMF-fixdate at scenario time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/timefmt.h"

static void go_durations(void **state)
{
    (void)state;
    struct {
        cm_us in;
        const char *want;
    } cases[] = {
        {0, "0s"},
        {-5, "0s"},
        {999, "999\xc2\xb5s"},
        {1500, "1.5ms"},
        {20000, "20ms"},
        {CM_US_PER_S, "1s"},
        {1500000, "1.5s"},
        {59999000, "59.999s"},
        {60 * CM_US_PER_S, "1m0s"},
        {360 * CM_US_PER_S, "6m0s"},
        {3600 * CM_US_PER_S, "1h0m0s"},
        {3661500000, "1h1m1.5s"},
        {250 * 3600 * CM_US_PER_S, "250h0m0s"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cm_fmt_go_duration(cases[i].in, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
    char tiny[4];
    cm_fmt_go_duration(3661500000, tiny, sizeof tiny); /* truncates, stays terminated */
    assert_int_equal(tiny[3], '\0');
}

static void dates_at_scenario_time(void **state)
{
    (void)state;
    char buf[40];
    cm_fmt_http_date(0, buf, sizeof buf);
    assert_string_equal(buf, "Thu, 01 Jan 2026 00:00:00 GMT");
    cm_fmt_http_date(100000, buf, sizeof buf); /* a partial second rounds up */
    assert_string_equal(buf, "Thu, 01 Jan 2026 00:00:01 GMT");
    cm_fmt_http_date((int64_t)59 * 86400 * CM_US_PER_S, buf, sizeof buf);
    assert_string_equal(buf, "Sun, 01 Mar 2026 00:00:00 GMT");
    cm_fmt_rfc3339(90 * CM_US_PER_S, buf, sizeof buf);
    assert_string_equal(buf, "2026-01-01T00:01:30Z");
    cm_fmt_rfc3339((int64_t)365 * 86400 * CM_US_PER_S + 1, buf, sizeof buf);
    assert_string_equal(buf, "2027-01-01T00:00:01Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(go_durations),
        cmocka_unit_test(dates_at_scenario_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
