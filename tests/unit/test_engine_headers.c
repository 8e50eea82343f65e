/* test_engine_headers.c: engine/headers.c and common/timefmt.c's parsers: Retry-After
 * in every form, each of its two headers on its own (ra_ms, ra_header and its form),
 * hostile values with their clamped results and notes, x-should-retry, OpenAI
 * durations, Anthropic RFC 3339 resets, the plain X-RateLimit-* family (every reset
 * form), IETF RateLimit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>
#include <cmocka.h>

#include "common/timefmt.h"
#include "engine/core/headers.h"

#define S(x) ((cm_us)((x)*1000000.0))
/* "Sun, 06 Nov 1994 08:49:37 GMT" as Unix seconds. */
#define RFC_EXAMPLE INT64_C(784111777)
/* 2026-01-01T00:00:00Z, a Thursday. */
#define Y2026 INT64_C(1767225600)

/* Parses name/value pairs (NULL-terminated list) at now = now_unix_s. */
static rl_signals parse_at(int64_t now_unix_s, const char *const *kv)
{
    rl_header h[16];
    size_t n = 0;
    for (; kv[2 * n] && n < 16; n++)
        h[n] = (rl_header){kv[2 * n], kv[2 * n + 1]};
    rl_signals s;
    rl_headers_parse(h, n, now_unix_s * CM_US_PER_S, &s);
    return s;
}

/* A lone Retry-After value at 2026-01-01. */
static rl_signals retry_after(const char *value)
{
    return parse_at(Y2026, (const char *const[]){"Retry-After", value, NULL});
}

static void assert_note(const rl_signals *s, const char *note)
{
    if (!note) {
        assert_null(s->retry_after_note);
        return;
    }
    assert_non_null(s->retry_after_note);
    assert_string_equal(s->retry_after_note, note);
}

static void retry_after_delta_seconds(void **state)
{
    (void)state;
    rl_signals s = retry_after("120");
    assert_true(s.has_retry_after);
    assert_int_equal(s.retry_after, S(120));
    assert_note(&s, NULL);
    s = retry_after("1.5");
    assert_int_equal(s.retry_after, S(1.5));
    s = retry_after("  7  ");
    assert_int_equal(s.retry_after, S(7));
    s = retry_after("0");
    assert_true(s.has_retry_after);
    assert_int_equal(s.retry_after, 0);
    assert_note(&s, NULL);
}

static void retry_after_http_dates_against_date_header(void **state)
{
    (void)state;
    const char *forms[] = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                           "Sun Nov  6 08:49:37 1994"};
    for (int i = 0; i < 3; i++) {
        /* The Date header is 37 s earlier; "now" is far away and must not matter. */
        rl_signals s =
            parse_at(Y2026, (const char *const[]){"Retry-After", forms[i], "Date",
                                                  "Sun, 06 Nov 1994 08:49:00 GMT", NULL});
        assert_true(s.has_retry_after);
        assert_int_equal(s.date_unix, RFC_EXAMPLE - 37);
        assert_int_equal(s.retry_after, S(37));
        assert_note(&s, NULL);
    }
}

static void retry_after_date_one_second_past(void **state)
{
    (void)state;
    rl_signals s =
        parse_at(Y2026, (const char *const[]){"Retry-After", "Thu, 01 Jan 2026 00:00:00 GMT",
                                              "Date", "Thu, 01 Jan 2026 00:00:01 GMT", NULL});
    assert_true(s.has_retry_after);
    assert_int_equal(s.retry_after, 0);
    assert_note(&s, "date in the past");
    s = parse_at(Y2026, (const char *const[]){"Retry-After", "Thu, 01 Jan 2026 00:00:01 GMT",
                                              "Date", "Thu, 01 Jan 2026 00:00:01 GMT", NULL});
    assert_int_equal(s.retry_after, 0);
    assert_note(&s, NULL);
}

static void retry_after_http_dates_against_now(void **state)
{
    (void)state;
    const char *forms[] = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                           "Sun Nov  6 08:49:37 1994"};
    for (int i = 0; i < 3; i++) {
        rl_signals s =
            parse_at(RFC_EXAMPLE - 10, (const char *const[]){"retry-after", forms[i], NULL});
        assert_true(s.has_retry_after);
        assert_int_equal(s.date_unix, -1);
        assert_int_equal(s.retry_after, S(10));
    }
}

static void retry_after_ms_forms(void **state)
{
    (void)state;
    rl_signals s = parse_at(Y2026, (const char *const[]){"retry-after-ms", "1500", NULL});
    assert_true(s.has_retry_after);
    assert_int_equal(s.retry_after, S(1.5));
    s = parse_at(Y2026, (const char *const[]){"retry-after-ms", "0", NULL});
    assert_true(s.has_retry_after);
    assert_int_equal(s.retry_after, 0);
    s = parse_at(Y2026, (const char *const[]){"retry-after-ms", "2.5", NULL});
    assert_int_equal(s.retry_after, 2500);
    /* Both at once: retry-after-ms wins, whichever comes first. */
    s = parse_at(Y2026, (const char *const[]){"Retry-After", "30", "Retry-After-Ms", "1500", NULL});
    assert_int_equal(s.retry_after, S(1.5));
    s = parse_at(Y2026, (const char *const[]){"retry-after-ms", "250", "retry-after", "30", NULL});
    assert_int_equal(s.retry_after, 250000);
    /* A hostile retry-after-ms falls back to Retry-After, noted. */
    s = parse_at(Y2026, (const char *const[]){"retry-after-ms", "-1", "retry-after", "5", NULL});
    assert_true(s.has_retry_after);
    assert_int_equal(s.retry_after, S(5));
    assert_note(&s, "retry-after-ms unusable");
}

/* Each header is also kept on its own, with how Retry-After was written. */
static void retry_after_each_header_alone(void **state)
{
    (void)state;
    rl_signals s =
        parse_at(Y2026, (const char *const[]){"retry-after-ms", "250", "retry-after", "30", NULL});
    assert_int_equal(s.ra_ms, 250000);
    assert_int_equal(s.ra_header, S(30));
    assert_int_equal(s.ra_header_form, RL_RA_FORM_SECONDS);
    s = parse_at(Y2026, (const char *const[]){"retry-after-ms", "-1", "retry-after", "5", NULL});
    assert_int_equal(s.ra_ms, -1);
    assert_int_equal(s.ra_header, S(5));
    assert_int_equal(s.ra_date_unix, -1);
    rl_signals_date_from_clock(&s, 0); /* not a date: nothing changes */
    assert_int_equal(s.ra_header, S(5));
    s = parse_at(Y2026, (const char *const[]){"retry-after-ms", "0", NULL});
    assert_int_equal(s.ra_ms, 0);
    assert_int_equal(s.ra_header, -1);
    assert_int_equal(s.ra_header_form, RL_RA_FORM_NONE);
    s = parse_at(Y2026, (const char *const[]){"Retry-After", "Thu, 01 Jan 2026 00:00:09 GMT",
                                              "Date", "Thu, 01 Jan 2026 00:00:01 GMT", NULL});
    assert_int_equal(s.ra_header, S(8));
    assert_int_equal(s.ra_header_form, RL_RA_FORM_DATE);
    assert_int_equal(s.ra_date_unix, Y2026 + 9);
    /* The same date read against a clock at 00:00:04.5 instead of the Date header. */
    rl_signals_date_from_clock(&s, Y2026 * CM_US_PER_S + S(4.5));
    assert_int_equal(s.ra_header, S(4.5));
    assert_int_equal(s.retry_after, S(4.5));
    rl_signals_date_from_clock(&s, Y2026 * CM_US_PER_S + S(10));
    assert_int_equal(s.ra_header, 0);
    assert_int_equal(s.ra_header_form, RL_RA_FORM_PAST_DATE);
    assert_note(&s, "date in the past");
    s = parse_at(Y2026, (const char *const[]){"Retry-After", "Thu, 01 Jan 2026 00:00:00 GMT",
                                              "Date", "Thu, 01 Jan 2026 00:00:01 GMT", NULL});
    assert_int_equal(s.ra_header, 0);
    assert_int_equal(s.ra_header_form, RL_RA_FORM_PAST_DATE);
    s = parse_at(Y2026, (const char *const[]){"Retry-After", "soon", NULL});
    assert_int_equal(s.ra_header, -1);
    assert_int_equal(s.ra_header_form, RL_RA_FORM_NONE);
}

typedef struct hostile_case {
    const char *value;
    bool usable;
    cm_us expect; /* when usable */
    const char *note;
} hostile_case;

static void retry_after_hostile_values(void **state)
{
    (void)state;
    static char very_long[5000];
    memset(very_long, '9', sizeof very_long - 1);
    const hostile_case cases[] = {
        {"-5", false, 0, "negative"},
        {"-0.5", false, 0, "negative"},
        {"abc", false, 0, "not a number or date"},
        {"NaN", false, 0, "not a number or date"},
        {"inf", false, 0, "not a number or date"},
        {"1e9", false, 0, "not a number"},
        {"0x10", false, 0, "not a number"},
        {"12abc", false, 0, "not a number"},
        {"1.2.3", false, 0, "not a number"},
        {".", false, 0, "not a number"},
        {"", false, 0, "empty"},
        {"   ", false, 0, "empty"},
        {very_long, false, 0, "too long"},
        {"99999999999999999999", true, CM_US_MAX, "too large, clamped"},
        {"315360000", true, S(315360000), "longer than a year"}, /* ten years, kept */
        {"Sun, 06 Nov 1994 08:49:37 GMT", true, 0, "date in the past"},
        {"Fri, 31 Dec 9999 23:59:59 GMT", true, CM_US_MAX, "too large, clamped"},
        {"Sun, 32 Nov 2026 08:49:37 GMT", false, 0, "not a number or date"},
        {"Sat, 29 Feb 2025 00:00:00 GMT", false, 0, "not a number or date"},
        {"Sun, 06 Nov 2026 25:00:00 GMT", false, 0, "not a number or date"},
        {"Sun, 06 Nov 2026 08:49:37 PST", false, 0, "not a number or date"},
        {"Funday, 06-Nov-26 08:49:37 GMT", false, 0, "not a number or date"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rl_signals s = retry_after(cases[i].value);
        print_message("case %zu: %.40s\n", i, cases[i].value);
        assert_int_equal(s.has_retry_after, cases[i].usable);
        if (cases[i].usable)
            assert_int_equal(s.retry_after, cases[i].expect);
        else
            assert_int_equal(s.retry_after, -1);
        assert_note(&s, cases[i].note);
    }
}

static void hostile_headers_do_not_crash(void **state)
{
    (void)state;
    rl_header h[] = {{NULL, "5"},
                     {"Retry-After", NULL},
                     {"x-ratelimit-reset-requests", "1h1h1h1h"},
                     {"RateLimit", "\"a\";r=;t=,,,;;"},
                     {"RateLimit-Policy", "\"unterminated"},
                     {"anthropic-ratelimit-requests-reset", "2026-13-01T00:00:00Z"},
                     {"x-ratelimit-limit-requests", "99999999999999999999"}};
    rl_signals s;
    rl_headers_parse(h, sizeof h / sizeof h[0], Y2026 * CM_US_PER_S, &s);
    assert_false(s.has_retry_after);
    assert_int_equal(s.reset_requests, S(3 * 3600 + 3600));
    assert_int_equal(s.limit_requests, -1);
    rl_headers_parse(NULL, 0, 0, &s);
    assert_int_equal(s.should_retry, -1);
    assert_null(s.ratelimit_source);
}

static void should_retry_values(void **state)
{
    (void)state;
    assert_int_equal(
        parse_at(Y2026, (const char *const[]){"x-should-retry", "true", NULL}).should_retry, 1);
    assert_int_equal(
        parse_at(Y2026, (const char *const[]){"X-Should-Retry", " FALSE ", NULL}).should_retry, 0);
    assert_int_equal(
        parse_at(Y2026, (const char *const[]){"x-should-retry", "maybe", NULL}).should_retry, -1);
    assert_int_equal(parse_at(Y2026, (const char *const[]){"other", "true", NULL}).should_retry,
                     -1);
}

static cm_us duration(const char *text)
{
    cm_us d = -42;
    if (cm_duration_parse(text, strlen(text), &d) != 0)
        return -1;
    return d;
}

static void go_durations(void **state)
{
    (void)state;
    assert_int_equal(duration("6m0s"), S(360));
    assert_int_equal(duration("1s"), S(1));
    assert_int_equal(duration("20ms"), 20000);
    assert_int_equal(duration("1h2m3.5s"), S(3723.5));
    assert_int_equal(duration("0.5s"), 500000);
    assert_int_equal(duration("1m30.123s"), 90123000);
    assert_int_equal(duration("7"), S(7));
    assert_int_equal(duration("1.5"), S(1.5));
    assert_int_equal(duration("1.5h"), S(5400));
    assert_int_equal(duration("250us"), 250);
    assert_int_equal(duration("3\xc2\xb5s"), 3);
    assert_int_equal(duration("1500ns"), 2);
    assert_int_equal(duration("99999999999999h"), CM_US_MAX);
    const char *bad[] = {"", "s", "-1s", "1x", "1s2", "bogus", "1..5s", "1 s", "7m-3s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        print_message("bad duration %s\n", bad[i]);
        assert_int_equal(duration(bad[i]), -1);
    }
}

static void openai_headers(void **state)
{
    (void)state;
    rl_signals s = parse_at(Y2026, (const char *const[]){"x-ratelimit-limit-requests", "3",
                                                         "x-ratelimit-remaining-requests", "0",
                                                         "x-ratelimit-reset-requests", "6m0s",
                                                         "x-ratelimit-limit-tokens", "40000",
                                                         "x-ratelimit-remaining-tokens", "39950",
                                                         "x-ratelimit-reset-tokens", "20ms", NULL});
    assert_int_equal(s.limit_requests, 3);
    assert_int_equal(s.remaining_requests, 0);
    assert_int_equal(s.reset_requests, S(360));
    assert_int_equal(s.limit_tokens, 40000);
    assert_int_equal(s.remaining_tokens, 39950);
    assert_int_equal(s.reset_tokens, 20000);
    assert_string_equal(s.ratelimit_source, "openai");
    assert_false(s.has_retry_after);
}

static void anthropic_rfc3339_resets(void **state)
{
    (void)state;
    rl_signals s = parse_at(
        0, (const char *const[]){"anthropic-ratelimit-requests-limit", "50",
                                 "anthropic-ratelimit-requests-remaining", "49",
                                 "anthropic-ratelimit-requests-reset", "2026-01-01T00:01:00Z",
                                 "anthropic-ratelimit-tokens-reset", "2026-01-01T02:00:30.5+02:00",
                                 "Date", "Thu, 01 Jan 2026 00:00:00 GMT", NULL});
    assert_int_equal(s.date_unix, Y2026);
    assert_int_equal(s.limit_requests, 50);
    assert_int_equal(s.remaining_requests, 49);
    assert_int_equal(s.reset_requests, S(60));
    assert_int_equal(s.reset_tokens, S(30.5));
    assert_string_equal(s.ratelimit_source, "anthropic");
    /* No Date: against now. A reset in the past gives 0. */
    s = parse_at(Y2026 + 30,
                 (const char *const[]){"anthropic-ratelimit-requests-reset", "2026-01-01T00:01:00Z",
                                       "anthropic-ratelimit-tokens-reset",
                                       "2025-12-31T23:00:00-05:00", NULL});
    assert_int_equal(s.reset_requests, S(30));
    assert_int_equal(s.reset_tokens, S(3600 * 4 - 30));
    s = parse_at(Y2026 + 30, (const char *const[]){"anthropic-ratelimit-requests-reset",
                                                   "2025-12-31T23:59:00Z", NULL});
    assert_int_equal(s.reset_requests, 0);
}

static void anthropic_input_tokens_only_when_plain_absent(void **state)
{
    (void)state;
    rl_signals s = parse_at(
        Y2026, (const char *const[]){"anthropic-ratelimit-input-tokens-limit", "20000",
                                     "anthropic-ratelimit-input-tokens-remaining", "100",
                                     "anthropic-ratelimit-output-tokens-limit", "4000", NULL});
    assert_int_equal(s.limit_tokens, 20000);
    assert_int_equal(s.remaining_tokens, 100);
    s = parse_at(Y2026, (const char *const[]){"anthropic-ratelimit-input-tokens-limit", "20000",
                                              "anthropic-ratelimit-tokens-limit", "80000", NULL});
    assert_int_equal(s.limit_tokens, 80000);
    s = parse_at(Y2026,
                 (const char *const[]){"anthropic-ratelimit-output-tokens-remaining", "17", NULL});
    assert_int_equal(s.remaining_tokens, 17);
}

static void rfc3339_parser(void **state)
{
    (void)state;
    int64_t us = 0;
    const char *t = "2026-01-01T00:01:00.123456789Z";
    assert_int_equal(cm_rfc3339_parse(t, strlen(t), &us), 0);
    assert_int_equal(us, (Y2026 + 60) * CM_US_PER_S + 123456);
    t = "2024-02-29t12:00:00-05:30";
    assert_int_equal(cm_rfc3339_parse(t, strlen(t), &us), 0);
    assert_int_equal(us, (INT64_C(1709208000) + 5 * 3600 + 1800) * CM_US_PER_S);
    const char *bad[] = {"2023-02-29T00:00:00Z", "2026-01-01T00:00:00",      "2026-01-01",
                         "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+2:00", "x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cm_rfc3339_parse(bad[i], strlen(bad[i]), &us), -1);
}

static void ietf_structured_fields(void **state)
{
    (void)state;
    rl_signals s =
        parse_at(Y2026, (const char *const[]){"RateLimit-Policy", "\"default\";q=100;w=60",
                                              "RateLimit", "\"default\";r=50;t=30", NULL});
    assert_int_equal(s.limit_requests, 100);
    assert_int_equal(s.remaining_requests, 50);
    assert_int_equal(s.reset_requests, S(30));
    assert_int_equal(s.ietf_window, S(60));
    assert_string_equal(s.ratelimit_source, "ietf");
    /* Two policies: the one with the least remaining binds. */
    s = parse_at(Y2026, (const char *const[]){
                            "ratelimit-policy", "\"burst\";q=100;w=1, \"day\";q=1000;w=86400",
                            "ratelimit", "\"burst\";r=80;t=1, \"day\";r=5;t=3600", NULL});
    assert_int_equal(s.limit_requests, 1000);
    assert_int_equal(s.remaining_requests, 5);
    assert_int_equal(s.reset_requests, S(3600));
    assert_int_equal(s.ietf_window, S(86400));
    /* The older dictionary form of RateLimit. */
    s = parse_at(Y2026, (const char *const[]){"RateLimit", "limit=10, remaining=3, reset=5", NULL});
    assert_int_equal(s.limit_requests, 10);
    assert_int_equal(s.remaining_requests, 3);
    assert_int_equal(s.reset_requests, S(5));
}

static void ietf_separate_headers_and_precedence(void **state)
{
    (void)state;
    rl_signals s = parse_at(Y2026, (const char *const[]){"RateLimit-Limit", "100, 100;w=60",
                                                         "RateLimit-Remaining", "7",
                                                         "RateLimit-Reset", "12", NULL});
    assert_int_equal(s.limit_requests, 100);
    assert_int_equal(s.remaining_requests, 7);
    assert_int_equal(s.reset_requests, S(12));
    assert_int_equal(s.ietf_window, -1);
    /* OpenAI wins; the IETF values stay in their own fields. */
    s = parse_at(Y2026, (const char *const[]){"RateLimit-Limit", "100", "RateLimit-Remaining", "7",
                                              "x-ratelimit-limit-requests", "3", NULL});
    assert_int_equal(s.limit_requests, 3);
    assert_int_equal(s.remaining_requests, 7);
    assert_int_equal(s.ietf_limit, 100);
    assert_string_equal(s.ratelimit_source, "openai");
}

/* X-RateLimit-Limit / -Remaining / -Reset (Moonshot, OpenRouter): counts
 * of requests; the reset in every form a plain number or text can take. */
static void plain_x_ratelimit_headers(void **state)
{
    (void)state;
    const char *const base[] = {
        "X-RateLimit-Limit", "200", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "30", NULL};
    rl_signals s = parse_at(Y2026, base);
    assert_int_equal(s.limit_requests, 200);
    assert_int_equal(s.remaining_requests, 0);
    assert_int_equal(s.reset_requests, S(30));
    assert_int_equal(s.limit_tokens, -1);
    assert_string_equal(s.ratelimit_source, "plain");
    struct {
        const char *reset;
        cm_us want;
    } forms[] = {
        {"1.5", S(1.5)},                          /* seconds until the reset */
        {"999999999", S(999999999)},              /* still seconds: below 1e9 */
        {"1767225645", S(45)},                    /* Unix seconds, 45 s after now */
        {"1767225600500", 500000},                /* Unix milliseconds */
        {"1767225500", 0},                        /* Unix seconds in the past */
        {"1m30s", S(90)},                         /* a Go duration */
        {"2026-01-01T00:02:00Z", S(120)},         /* RFC 3339 */
        {"Thu, 01 Jan 2026 00:00:10 GMT", S(10)}, /* HTTP-date */
        {"soon", -1},                             /* unreadable */
        {"-5", -1},                               /* negative */
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        print_message("reset %s\n", forms[i].reset);
        s = parse_at(Y2026, (const char *const[]){"x-ratelimit-reset", forms[i].reset, NULL});
        assert_int_equal(s.reset_requests, forms[i].want);
    }
    /* A Date header is the reference for a Unix time, as for other dates. */
    s = parse_at(0, (const char *const[]){"x-ratelimit-reset", "1767225645", "Date",
                                          "Thu, 01 Jan 2026 00:00:40 GMT", NULL});
    assert_int_equal(s.reset_requests, S(5));
    /* The OpenAI family wins field by field; IETF loses to plain. */
    s = parse_at(Y2026, (const char *const[]){"X-RateLimit-Limit", "200", "X-RateLimit-Remaining",
                                              "9", "x-ratelimit-limit-requests", "3", NULL});
    assert_int_equal(s.limit_requests, 3);
    assert_int_equal(s.remaining_requests, 9);
    assert_string_equal(s.ratelimit_source, "openai");
    s = parse_at(Y2026,
                 (const char *const[]){"RateLimit-Limit", "100", "X-RateLimit-Limit", "200", NULL});
    assert_int_equal(s.limit_requests, 200);
    assert_int_equal(s.ietf_limit, 100);
    assert_string_equal(s.ratelimit_source, "plain");
}

static void http_date_parser_edges(void **state)
{
    (void)state;
    int64_t t = 0;
    const char *d = "Sunday, 06-Nov-04 08:49:37 GMT"; /* two-digit year < 70: 2004 */
    assert_int_equal(cm_http_date_parse(d, strlen(d), &t), 0);
    assert_int_equal(t, RFC_EXAMPLE +
                            INT64_C(3653) * 86400); /* 1994 -> 2004: 10 x 365 + 3 leap days */
    d = "Thu, 01 Jan 2026 00:00:00 GMT";
    assert_int_equal(cm_http_date_parse(d, strlen(d), &t), 0);
    assert_int_equal(t, Y2026);
    assert_int_equal(cm_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(cm_days_from_civil(1969, 12, 31), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retry_after_delta_seconds),
        cmocka_unit_test(retry_after_http_dates_against_date_header),
        cmocka_unit_test(retry_after_http_dates_against_now),
        cmocka_unit_test(retry_after_date_one_second_past),
        cmocka_unit_test(retry_after_ms_forms),
        cmocka_unit_test(retry_after_each_header_alone),
        cmocka_unit_test(plain_x_ratelimit_headers),
        cmocka_unit_test(retry_after_hostile_values),
        cmocka_unit_test(hostile_headers_do_not_crash),
        cmocka_unit_test(should_retry_values),
        cmocka_unit_test(go_durations),
        cmocka_unit_test(openai_headers),
        cmocka_unit_test(anthropic_rfc3339_resets),
        cmocka_unit_test(anthropic_input_tokens_only_when_plain_absent),
        cmocka_unit_test(rfc3339_parser),
        cmocka_unit_test(ietf_structured_fields),
        cmocka_unit_test(ietf_separate_headers_and_precedence),
        cmocka_unit_test(http_date_parser_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
