/* timefmt.c: the time formats of rate-limit headers, both ways: HTTP-date
 * (IMF-fixdate, RFC 850, asctime), RFC 3339 and Go durations are parsed over
 * (pointer, length) text with range checks, and written for scenario times
 * by hand -- no locale, time zone or snprintf on the fast paths, since the
 * simulation formats and parses them for every attempt. */
#include "common/timefmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/sbuf.h"

/* ---- parsing ---- */

/* A cursor over s[0..len). */
typedef struct tf_scan {
    const char *p, *end;
} tf_scan;

static const char *const tf_month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
/* Weekdays from Sunday (struct tm's tm_wday order), for reading and writing. */
static const char *const tf_day_short[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const tf_day_long[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};

int64_t cm_days_from_civil(int64_t y, int m, int d)
{
    /* Shift the year to start in March so that the leap day ends it. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int tf_days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static void tf_scan_trim(tf_scan *sc, const char *s, size_t len)
{
    sc->p = s;
    sc->end = s + len;
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t'))
        sc->p++;
    while (sc->end > sc->p && (sc->end[-1] == ' ' || sc->end[-1] == '\t'))
        sc->end--;
}

static bool tf_scan_char(tf_scan *sc, char c)
{
    if (sc->p < sc->end && *sc->p == c) {
        sc->p++;
        return true;
    }
    return false;
}

static void tf_scan_spaces(tf_scan *sc)
{
    while (sc->p < sc->end && *sc->p == ' ')
        sc->p++;
}

/* Between min and max decimal digits into *out. */
static bool tf_scan_digits(tf_scan *sc, int min, int max, int64_t *out)
{
    int n = 0;
    int64_t v = 0;
    while (n < max && sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
        v = v * 10 + (*sc->p - '0');
        sc->p++;
        n++;
    }
    *out = v;
    return n >= min;
}

/* A run of letters matching one of names[0..n) case-insensitively; its index. */
static bool tf_scan_word(tf_scan *sc, const char *const *names, int n, int *idx)
{
    const char *q = sc->p;
    while (q < sc->end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
        q++;
    size_t wl = (size_t)(q - sc->p);
    for (int i = 0; i < n; i++) {
        /* The first letter (case folded) turns most names away cheaply. */
        if (wl > 0 && (sc->p[0] | 0x20) == (names[i][0] | 0x20) && strlen(names[i]) == wl &&
            strncasecmp(sc->p, names[i], wl) == 0) {
            sc->p = q;
            *idx = i;
            return true;
        }
    }
    return false;
}

/* "HH:MM:SS" into seconds of the day (a leap second 60 is accepted). */
static bool tf_scan_clock(tf_scan *sc, int64_t *secs)
{
    int64_t h, m, s;
    if (!tf_scan_digits(sc, 2, 2, &h) || !tf_scan_char(sc, ':') || !tf_scan_digits(sc, 2, 2, &m) ||
        !tf_scan_char(sc, ':') || !tf_scan_digits(sc, 2, 2, &s))
        return false;
    if (h > 23 || m > 59 || s > 60)
        return false;
    *secs = h * 3600 + m * 60 + s;
    return true;
}

static bool tf_scan_gmt(tf_scan *sc)
{
    static const char *const zones[] = {"GMT", "UTC"};
    int z;
    return tf_scan_word(sc, zones, 2, &z);
}

/* Unix seconds of a validated civil date and time of day. */
static bool tf_civil_to_unix(int64_t y, int64_t m, int64_t d, int64_t secs, int64_t *out)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > tf_days_in_month(y, (int)m))
        return false;
    *out = cm_days_from_civil(y, (int)m, (int)d) * 86400 + secs;
    return true;
}

/* After "Day,": "06 Nov 1994 08:49:37 GMT" or "06-Nov-94 08:49:37 GMT". */
static bool tf_parse_after_comma(tf_scan *sc, int64_t *unix_s)
{
    int64_t d, y, secs;
    int mon;
    tf_scan_spaces(sc);
    if (!tf_scan_digits(sc, 1, 2, &d))
        return false;
    bool dashed = tf_scan_char(sc, '-');
    if (!dashed && !tf_scan_char(sc, ' '))
        return false;
    if (!tf_scan_word(sc, tf_month_names, 12, &mon))
        return false;
    if (dashed ? !tf_scan_char(sc, '-') : !tf_scan_char(sc, ' '))
        return false;
    const char *ys = sc->p;
    if (!tf_scan_digits(sc, 2, 4, &y) || sc->p - ys == 3)
        return false;
    if (sc->p - ys == 2)
        y += y < 70 ? 2000 : 1900;
    if (!tf_scan_char(sc, ' ') || !tf_scan_clock(sc, &secs))
        return false;
    tf_scan_spaces(sc);
    if (!tf_scan_gmt(sc) || sc->p != sc->end)
        return false;
    return tf_civil_to_unix(y, mon + 1, d, secs, unix_s);
}

/* After "Day ": "Nov  6 08:49:37 1994" (asctime). */
static bool tf_parse_asctime(tf_scan *sc, int64_t *unix_s)
{
    int64_t d, y, secs;
    int mon;
    if (!tf_scan_word(sc, tf_month_names, 12, &mon))
        return false;
    tf_scan_spaces(sc);
    if (!tf_scan_digits(sc, 1, 2, &d) || !tf_scan_char(sc, ' ') || !tf_scan_clock(sc, &secs))
        return false;
    tf_scan_spaces(sc);
    if (!tf_scan_digits(sc, 4, 4, &y) || sc->p != sc->end)
        return false;
    return tf_civil_to_unix(y, mon + 1, d, secs, unix_s);
}

/* Index of the 3-letter name at s among names[0..n) (exact case), or -1. */
static int tf_find3(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (names[i][0] == s[0] && names[i][1] == s[1] && names[i][2] == s[2])
            return i;
    return -1;
}

/* Exactly `n` decimal digits at s into *out. */
static bool tf_digits_at(const char *s, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The IMF-fixdate exactly as servers send it, "Sun, 06 Nov 1994 08:49:37
 * GMT", read at fixed offsets. Why: every response carries a Date header and
 * the simulation parses hundreds of thousands of them. Returns false on any
 * deviation (the general parser then decides); when it returns true, the
 * general parser would have given the same value. */
static bool tf_imf_fixdate_fast(const char *s, size_t len, int64_t *unix_s)
{
    if (len != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s[19] != ':' || s[22] != ':' || s[25] != ' ' || memcmp(s + 26, "GMT", 3) != 0)
        return false;
    int mon = tf_find3(tf_month_names, 12, s + 8);
    int64_t d, y, h, m, sec;
    if (tf_find3(tf_day_short, 7, s) < 0 || mon < 0 || !tf_digits_at(s + 5, 2, &d) ||
        !tf_digits_at(s + 12, 4, &y) || !tf_digits_at(s + 17, 2, &h) ||
        !tf_digits_at(s + 20, 2, &m) || !tf_digits_at(s + 23, 2, &sec))
        return false;
    if (h > 23 || m > 59 || sec > 60)
        return false;
    return tf_civil_to_unix(y, mon + 1, d, h * 3600 + m * 60 + sec, unix_s);
}

int cm_http_date_parse(const char *s, size_t len, int64_t *unix_s)
{
    if (!s)
        return -1;
    if (tf_imf_fixdate_fast(s, len, unix_s))
        return 0;
    tf_scan sc;
    tf_scan_trim(&sc, s, len);
    int wd;
    if (!tf_scan_word(&sc, tf_day_long, 7, &wd) && !tf_scan_word(&sc, tf_day_short, 7, &wd))
        return -1;
    int64_t v;
    bool ok;
    if (tf_scan_char(&sc, ','))
        ok = tf_parse_after_comma(&sc, &v);
    else if (tf_scan_char(&sc, ' '))
        ok = tf_parse_asctime(&sc, &v);
    else
        ok = false;
    if (!ok)
        return -1;
    *unix_s = v;
    return 0;
}

/* ".123456789" -> microseconds (digits past the sixth are dropped). */
static bool tf_scan_fraction_us(tf_scan *sc, int64_t *us)
{
    int n = 0;
    int64_t v = 0;
    while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
        if (n < 6)
            v = v * 10 + (*sc->p - '0');
        n++;
        sc->p++;
    }
    if (n == 0)
        return false;
    for (int i = n; i < 6; i++)
        v *= 10;
    *us = v;
    return true;
}

/* "Z" or "+HH:MM" / "-HH:MM" -> offset east of UTC in seconds. */
static bool tf_scan_offset(tf_scan *sc, int64_t *off)
{
    if (tf_scan_char(sc, 'Z') || tf_scan_char(sc, 'z')) {
        *off = 0;
        return true;
    }
    int sign = tf_scan_char(sc, '+') ? 1 : tf_scan_char(sc, '-') ? -1 : 0;
    int64_t h, m;
    if (!sign || !tf_scan_digits(sc, 2, 2, &h) || !tf_scan_char(sc, ':') ||
        !tf_scan_digits(sc, 2, 2, &m) || h > 23 || m > 59)
        return false;
    *off = sign * (h * 3600 + m * 60);
    return true;
}

int cm_rfc3339_parse(const char *s, size_t len, int64_t *unix_us)
{
    if (!s)
        return -1;
    tf_scan sc;
    tf_scan_trim(&sc, s, len);
    int64_t y, mo, d, secs, frac = 0, off, base;
    if (!tf_scan_digits(&sc, 4, 4, &y) || !tf_scan_char(&sc, '-') ||
        !tf_scan_digits(&sc, 2, 2, &mo) || !tf_scan_char(&sc, '-') ||
        !tf_scan_digits(&sc, 2, 2, &d))
        return -1;
    if (!tf_scan_char(&sc, 'T') && !tf_scan_char(&sc, 't') && !tf_scan_char(&sc, ' '))
        return -1;
    if (!tf_scan_clock(&sc, &secs))
        return -1;
    if (tf_scan_char(&sc, '.') && !tf_scan_fraction_us(&sc, &frac))
        return -1;
    if (!tf_scan_offset(&sc, &off) || sc.p != sc.end)
        return -1;
    if (y < 1 || !tf_civil_to_unix(y, mo, d, secs, &base))
        return -1;
    *unix_us = (base - off) * CM_US_PER_S + frac;
    return 0;
}

/* The unit after a duration's number, in nanoseconds; 0 when unknown. */
static int64_t tf_scan_unit_ns(tf_scan *sc)
{
    static const struct {
        const char *name;
        int64_t ns;
    } units[] = {/* "ms" before "m" so that "m" does not take the m of "ms" */
                 {"ns", 1},       {"us", 1000},      {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000},
                 {"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000},  {"h", 3600000000000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t n = strlen(units[i].name);
        if ((size_t)(sc->end - sc->p) >= n && memcmp(sc->p, units[i].name, n) == 0) {
            sc->p += n;
            return units[i].ns;
        }
    }
    return 0;
}

/* A decimal number "12", "1.5", ".5", "3." as integer part and fraction. */
static bool tf_scan_decimal(tf_scan *sc, int64_t *ip, double *fp)
{
    const char *start = sc->p;
    int64_t v = 0;
    bool big = false;
    while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
        if (v > (INT64_MAX - 9) / 10)
            big = true;
        else
            v = v * 10 + (*sc->p - '0');
        sc->p++;
    }
    double f = 0, scale = 0.1;
    bool had_int = sc->p > start, had_frac = false;
    if (tf_scan_char(sc, '.')) {
        while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
            f += (*sc->p - '0') * scale;
            scale /= 10;
            had_frac = true;
            sc->p++;
        }
    }
    *ip = big ? INT64_MAX : v;
    *fp = f;
    return had_int || had_frac;
}

int cm_duration_parse(const char *s, size_t len, cm_us *out)
{
    if (!s)
        return -1;
    tf_scan sc;
    tf_scan_trim(&sc, s, len);
    tf_scan_char(&sc, '+');
    const int64_t limit_ns = CM_US_MAX * 1000;
    int64_t total = 0;
    int parts = 0;
    while (sc.p < sc.end) {
        int64_t ip;
        double fp;
        if (!tf_scan_decimal(&sc, &ip, &fp))
            return -1;
        int64_t unit = tf_scan_unit_ns(&sc);
        if (unit == 0) {
            if (parts > 0 || sc.p != sc.end)
                return -1;
            unit = 1000000000; /* a plain number is seconds */
        }
        int64_t part =
            ip > limit_ns / unit ? limit_ns : ip * unit + (int64_t)(fp * (double)unit + 0.5);
        total = part > limit_ns - total ? limit_ns : total + part;
        parts++;
    }
    if (parts == 0)
        return -1;
    *out = (total + 500) / 1000;
    return 0;
}

/* ---- formatting ---- */

/* Scenario time -> Unix seconds for scenario time 0 at Unix second
 * `epoch_s`, rounding a partial second up (a client that waits until then is
 * never early). */
static int64_t unix_of(int64_t epoch_s, cm_us t)
{
    int64_t s = t / CM_US_PER_S + (t % CM_US_PER_S > 0 ? 1 : 0);
    return epoch_s + s;
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

void cm_fmt_go_duration(cm_us d, char *buf, size_t size)
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
    int64_t doe = z - era * 146097;                                      /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                                    /* 0 = March */
    c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2);
    return c;
}

/* Whether the hand-made civil time is the one gmtime would give and fits the
 * four-digit formats; beyond that the libc path (gmtime_r) writes the date. */
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

void cm_fmt_rfc3339(cm_us t, char *buf, size_t size)
{
    cm_fmt_rfc3339_at(CM_SCENARIO_EPOCH, t, buf, size);
}

void cm_fmt_rfc3339_at(int64_t epoch_s, cm_us t, char *buf, size_t size)
{
    int64_t u = unix_of(epoch_s, t);
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

void cm_fmt_http_date(cm_us t, char *buf, size_t size)
{
    cm_fmt_http_date_at(CM_SCENARIO_EPOCH, t, buf, size);
}

void cm_fmt_http_date_at(int64_t epoch_s, cm_us t, char *buf, size_t size)
{
    int64_t u = unix_of(epoch_s, t);
    if (!fast_range(u)) {
        time_t tt = (time_t)u;
        struct tm tm;
        gmtime_r(&tt, &tm);
        snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", tf_day_short[tm.tm_wday % 7],
                 tm.tm_mday, tf_month_names[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
                 tm.tm_min, tm.tm_sec);
        return;
    }
    civil c = civil_of(u);
    char text[] = "Ddd, DD Mmm YYYY HH:MM:SS GMT";
    memcpy(text, tf_day_short[c.wday], 3);
    digits2(text + 5, c.day);
    memcpy(text + 8, tf_month_names[c.month - 1], 3);
    digits4(text + 12, c.year);
    put_clock(text + 17, &c);
    emit(buf, size, text, sizeof text - 1);
}
