/* timefmt.c: HTTP-date, RFC 3339 and Go-style duration parsers over
 * (pointer, length) text, with range checks and no libc time functions. */
#include "engine/timefmt.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* A cursor over s[0..len). */
typedef struct rl_scan {
    const char *p, *end;
} rl_scan;

static const char *const rl_month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const rl_day_short[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const rl_day_long[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday"};

int64_t rl_days_from_civil(int64_t y, int m, int d)
{
    /* Shift the year to start in March so that the leap day ends it. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int rl_days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static void rl_scan_trim(rl_scan *sc, const char *s, size_t len)
{
    sc->p = s;
    sc->end = s + len;
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t'))
        sc->p++;
    while (sc->end > sc->p && (sc->end[-1] == ' ' || sc->end[-1] == '\t'))
        sc->end--;
}

static bool rl_scan_char(rl_scan *sc, char c)
{
    if (sc->p < sc->end && *sc->p == c) {
        sc->p++;
        return true;
    }
    return false;
}

static void rl_scan_spaces(rl_scan *sc)
{
    while (sc->p < sc->end && *sc->p == ' ')
        sc->p++;
}

/* Between min and max decimal digits into *out. */
static bool rl_scan_digits(rl_scan *sc, int min, int max, int64_t *out)
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
static bool rl_scan_word(rl_scan *sc, const char *const *names, int n, int *idx)
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
static bool rl_scan_clock(rl_scan *sc, int64_t *secs)
{
    int64_t h, m, s;
    if (!rl_scan_digits(sc, 2, 2, &h) || !rl_scan_char(sc, ':') || !rl_scan_digits(sc, 2, 2, &m) ||
        !rl_scan_char(sc, ':') || !rl_scan_digits(sc, 2, 2, &s))
        return false;
    if (h > 23 || m > 59 || s > 60) return false;
    *secs = h * 3600 + m * 60 + s;
    return true;
}

static bool rl_scan_gmt(rl_scan *sc)
{
    static const char *const zones[] = {"GMT", "UTC"};
    int z;
    return rl_scan_word(sc, zones, 2, &z);
}

/* Unix seconds of a validated civil date and time of day. */
static bool rl_civil_to_unix(int64_t y, int64_t m, int64_t d, int64_t secs, int64_t *out)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > rl_days_in_month(y, (int)m))
        return false;
    *out = rl_days_from_civil(y, (int)m, (int)d) * 86400 + secs;
    return true;
}

/* After "Day,": "06 Nov 1994 08:49:37 GMT" or "06-Nov-94 08:49:37 GMT". */
static bool rl_parse_after_comma(rl_scan *sc, int64_t *unix_s)
{
    int64_t d, y, secs;
    int mon;
    rl_scan_spaces(sc);
    if (!rl_scan_digits(sc, 1, 2, &d)) return false;
    bool dashed = rl_scan_char(sc, '-');
    if (!dashed && !rl_scan_char(sc, ' ')) return false;
    if (!rl_scan_word(sc, rl_month_names, 12, &mon)) return false;
    if (dashed ? !rl_scan_char(sc, '-') : !rl_scan_char(sc, ' ')) return false;
    const char *ys = sc->p;
    if (!rl_scan_digits(sc, 2, 4, &y) || sc->p - ys == 3) return false;
    if (sc->p - ys == 2) y += y < 70 ? 2000 : 1900;
    if (!rl_scan_char(sc, ' ') || !rl_scan_clock(sc, &secs)) return false;
    rl_scan_spaces(sc);
    if (!rl_scan_gmt(sc) || sc->p != sc->end) return false;
    return rl_civil_to_unix(y, mon + 1, d, secs, unix_s);
}

/* After "Day ": "Nov  6 08:49:37 1994" (asctime). */
static bool rl_parse_asctime(rl_scan *sc, int64_t *unix_s)
{
    int64_t d, y, secs;
    int mon;
    if (!rl_scan_word(sc, rl_month_names, 12, &mon)) return false;
    rl_scan_spaces(sc);
    if (!rl_scan_digits(sc, 1, 2, &d) || !rl_scan_char(sc, ' ') || !rl_scan_clock(sc, &secs))
        return false;
    rl_scan_spaces(sc);
    if (!rl_scan_digits(sc, 4, 4, &y) || sc->p != sc->end) return false;
    return rl_civil_to_unix(y, mon + 1, d, secs, unix_s);
}

/* Index of the 3-letter name at s among names[0..n) (exact case), or -1. */
static int rl_find3(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (names[i][0] == s[0] && names[i][1] == s[1] && names[i][2] == s[2]) return i;
    return -1;
}

/* Exactly `n` decimal digits at s into *out. */
static bool rl_digits_at(const char *s, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
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
static bool rl_imf_fixdate_fast(const char *s, size_t len, int64_t *unix_s)
{
    if (len != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s[19] != ':' || s[22] != ':' || s[25] != ' ' || memcmp(s + 26, "GMT", 3) != 0)
        return false;
    int mon = rl_find3(rl_month_names, 12, s + 8);
    int64_t d, y, h, m, sec;
    if (rl_find3(rl_day_short, 7, s) < 0 || mon < 0 || !rl_digits_at(s + 5, 2, &d) ||
        !rl_digits_at(s + 12, 4, &y) || !rl_digits_at(s + 17, 2, &h) ||
        !rl_digits_at(s + 20, 2, &m) || !rl_digits_at(s + 23, 2, &sec))
        return false;
    if (h > 23 || m > 59 || sec > 60) return false;
    return rl_civil_to_unix(y, mon + 1, d, h * 3600 + m * 60 + sec, unix_s);
}

int rl_http_date_parse(const char *s, size_t len, int64_t *unix_s)
{
    if (!s) return -1;
    if (rl_imf_fixdate_fast(s, len, unix_s)) return 0;
    rl_scan sc;
    rl_scan_trim(&sc, s, len);
    int wd;
    if (!rl_scan_word(&sc, rl_day_long, 7, &wd) && !rl_scan_word(&sc, rl_day_short, 7, &wd))
        return -1;
    int64_t v;
    bool ok;
    if (rl_scan_char(&sc, ','))
        ok = rl_parse_after_comma(&sc, &v);
    else if (rl_scan_char(&sc, ' '))
        ok = rl_parse_asctime(&sc, &v);
    else
        ok = false;
    if (!ok) return -1;
    *unix_s = v;
    return 0;
}

/* ".123456789" -> microseconds (digits past the sixth are dropped). */
static bool rl_scan_fraction_us(rl_scan *sc, int64_t *us)
{
    int n = 0;
    int64_t v = 0;
    while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
        if (n < 6) v = v * 10 + (*sc->p - '0');
        n++;
        sc->p++;
    }
    if (n == 0) return false;
    for (int i = n; i < 6; i++)
        v *= 10;
    *us = v;
    return true;
}

/* "Z" or "+HH:MM" / "-HH:MM" -> offset east of UTC in seconds. */
static bool rl_scan_offset(rl_scan *sc, int64_t *off)
{
    if (rl_scan_char(sc, 'Z') || rl_scan_char(sc, 'z')) {
        *off = 0;
        return true;
    }
    int sign = rl_scan_char(sc, '+') ? 1 : rl_scan_char(sc, '-') ? -1 : 0;
    int64_t h, m;
    if (!sign || !rl_scan_digits(sc, 2, 2, &h) || !rl_scan_char(sc, ':') ||
        !rl_scan_digits(sc, 2, 2, &m) || h > 23 || m > 59)
        return false;
    *off = sign * (h * 3600 + m * 60);
    return true;
}

int rl_rfc3339_parse(const char *s, size_t len, int64_t *unix_us)
{
    if (!s) return -1;
    rl_scan sc;
    rl_scan_trim(&sc, s, len);
    int64_t y, mo, d, secs, frac = 0, off, base;
    if (!rl_scan_digits(&sc, 4, 4, &y) || !rl_scan_char(&sc, '-') ||
        !rl_scan_digits(&sc, 2, 2, &mo) || !rl_scan_char(&sc, '-') ||
        !rl_scan_digits(&sc, 2, 2, &d))
        return -1;
    if (!rl_scan_char(&sc, 'T') && !rl_scan_char(&sc, 't') && !rl_scan_char(&sc, ' ')) return -1;
    if (!rl_scan_clock(&sc, &secs)) return -1;
    if (rl_scan_char(&sc, '.') && !rl_scan_fraction_us(&sc, &frac)) return -1;
    if (!rl_scan_offset(&sc, &off) || sc.p != sc.end) return -1;
    if (y < 1 || !rl_civil_to_unix(y, mo, d, secs, &base)) return -1;
    *unix_us = (base - off) * CM_US_PER_S + frac;
    return 0;
}

/* The unit after a duration's number, in nanoseconds; 0 when unknown. */
static int64_t rl_scan_unit_ns(rl_scan *sc)
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
static bool rl_scan_decimal(rl_scan *sc, int64_t *ip, double *fp)
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
    if (rl_scan_char(sc, '.')) {
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

int rl_duration_parse(const char *s, size_t len, cm_us *out)
{
    if (!s) return -1;
    rl_scan sc;
    rl_scan_trim(&sc, s, len);
    rl_scan_char(&sc, '+');
    const int64_t limit_ns = CM_US_MAX * 1000;
    int64_t total = 0;
    int parts = 0;
    while (sc.p < sc.end) {
        int64_t ip;
        double fp;
        if (!rl_scan_decimal(&sc, &ip, &fp)) return -1;
        int64_t unit = rl_scan_unit_ns(&sc);
        if (unit == 0) {
            if (parts > 0 || sc.p != sc.end) return -1;
            unit = 1000000000; /* a plain number is seconds */
        }
        int64_t part =
            ip > limit_ns / unit ? limit_ns : ip * unit + (int64_t)(fp * (double)unit + 0.5);
        total = part > limit_ns - total ? limit_ns : total + part;
        parts++;
    }
    if (parts == 0) return -1;
    *out = (total + 500) / 1000;
    return 0;
}
