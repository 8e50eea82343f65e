/* timefmt.c: Go durations, RFC 3339 and IMF-fixdate for scenario times,
 * formatted by hand so that no locale or time zone can change them (and
 * without snprintf: the simulation formats these for every attempt). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/sbuf.h"
#include "mockserver/timefmt.h"

/* Scenario time -> Unix seconds, rounding a partial second up (a client that
 * waits until then is never early). */
static int64_t unix_of(cm_us t)
{
    int64_t s = t / CM_US_PER_S + (t % CM_US_PER_S > 0 ? 1 : 0);
    return CM_SCENARIO_EPOCH + s;
}

/* Appends fraction `frac` of `unit` as ".5", ".25" (trailing zeros trimmed). */
static void fraction(cm_sbuf *b, int64_t frac, int64_t unit)
{
    if (frac <= 0)
        return;
    int digits = unit == CM_US_PER_S ? 6 : 3;
    frac %= unit;
    while (digits > 1 && frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    cm_sbuf_char(b, '.');
    cm_sbuf_u64_pad(b, (uint64_t)frac, digits);
}

void mock_fmt_go_duration(cm_us d, char *buf, size_t size)
{
    cm_sbuf b;
    cm_sbuf_init(&b, buf, size);
    if (d <= 0) {
        cm_sbuf_str(&b, "0s");
    } else if (d < CM_US_PER_MS) {
        cm_sbuf_i64(&b, d);
        cm_sbuf_str(&b, "\xc2\xb5s");
    } else if (d < CM_US_PER_S) {
        cm_sbuf_i64(&b, d / CM_US_PER_MS);
        fraction(&b, d % CM_US_PER_MS, CM_US_PER_MS);
        cm_sbuf_str(&b, "ms");
    } else {
        int64_t s = d / CM_US_PER_S, h = s / 3600, m = (s / 60) % 60;
        if (h) {
            cm_sbuf_i64(&b, h);
            cm_sbuf_char(&b, 'h');
        }
        if (h || m) {
            cm_sbuf_i64(&b, m);
            cm_sbuf_char(&b, 'm');
        }
        cm_sbuf_i64(&b, s % 60);
        fraction(&b, d % CM_US_PER_S, CM_US_PER_S);
        cm_sbuf_char(&b, 's');
    }
}

/* A UTC calendar date and time of day. */
typedef struct civil {
    int64_t year;
    int month, day, wday, hour, min, sec; /* month 1..12, wday 0 = Sunday */
} civil;

/* Unix seconds -> civil time (proleptic Gregorian), by counting 400-year
 * eras from 0000-03-01 so that the leap day ends each year. */
static civil civil_of(int64_t u)
{
    civil c;
    int64_t days = u / 86400, rem = u % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    c.hour = (int)(rem / 3600);
    c.min = (int)(rem / 60 % 60);
    c.sec = (int)(rem % 60);
    c.wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday (4) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                     /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);              /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                                   /* 0 = March */
    c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2);
    return c;
}

/* Whether the hand-made civil time is the one gmtime would give and fits the
 * four-digit formats; beyond that the libc path keeps the old output. */
static bool fast_range(int64_t u)
{
    return u >= 0 && u <= INT64_C(253402300799); /* 1970 .. 9999-12-31T23:59:59Z */
}

/* Two and four digits at `at` (callers pass values in range). */
static void digits2(char *at, int v)
{
    at[0] = (char)('0' + v / 10);
    at[1] = (char)('0' + v % 10);
}

static void digits4(char *at, int64_t v)
{
    digits2(at, (int)(v / 100));
    digits2(at + 2, (int)(v % 100));
}

/* "HH:MM:SS" at `at`. */
static void put_clock(char *at, const civil *c)
{
    digits2(at, c->hour);
    at[2] = ':';
    digits2(at + 3, c->min);
    at[5] = ':';
    digits2(at + 6, c->sec);
}

/* Copies the finished text into buf[0..size) as snprintf would cut it. */
static void emit(char *buf, size_t size, const char *text, size_t n)
{
    cm_sbuf b;
    cm_sbuf_init(&b, buf, size);
    cm_sbuf_mem(&b, text, n);
}

void mock_fmt_rfc3339(cm_us t, char *buf, size_t size)
{
    int64_t u = unix_of(t);
    if (!fast_range(u)) {
        time_t tt = (time_t)u;
        struct tm tm;
        gmtime_r(&tt, &tm);
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        return;
    }
    civil c = civil_of(u);
    char text[] = "YYYY-MM-DDTHH:MM:SSZ";
    digits4(text, c.year);
    digits2(text + 5, c.month);
    digits2(text + 8, c.day);
    put_clock(text + 11, &c);
    emit(buf, size, text, sizeof text - 1);
}

static const char days_of_week[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char month_names[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void mock_fmt_http_date(cm_us t, char *buf, size_t size)
{
    int64_t u = unix_of(t);
    if (!fast_range(u)) {
        time_t tt = (time_t)u;
        struct tm tm;
        gmtime_r(&tt, &tm);
        snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days_of_week[tm.tm_wday % 7],
                 tm.tm_mday, month_names[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
                 tm.tm_min, tm.tm_sec);
        return;
    }
    civil c = civil_of(u);
    char text[] = "Ddd, DD Mmm YYYY HH:MM:SS GMT";
    memcpy(text, days_of_week[c.wday], 3);
    digits2(text + 5, c.day);
    memcpy(text + 8, month_names[c.month - 1], 3);
    digits4(text + 12, c.year);
    put_clock(text + 17, &c);
    emit(buf, size, text, sizeof text - 1);
}
