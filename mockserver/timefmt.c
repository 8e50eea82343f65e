/* timefmt.c: Go durations, RFC 3339 and IMF-fixdate for scenario times,
 * formatted by hand so that no locale or time zone can change them. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mockserver/timefmt.h"

/* Scenario time -> Unix seconds, rounding a partial second up (a client that
 * waits until then is never early). */
static time_t unix_of(cm_us t)
{
    int64_t s = t / CM_US_PER_S + (t % CM_US_PER_S > 0 ? 1 : 0);
    return (time_t)(CM_SCENARIO_EPOCH + s);
}

/* Fraction `frac` of `unit` as ".5", ".25" (trailing zeros trimmed) or "". */
static void fraction(int64_t frac, int64_t unit, char *buf, size_t size)
{
    buf[0] = '\0';
    if (frac <= 0)
        return;
    int digits = unit == CM_US_PER_S ? 6 : 3;
    char tmp[24];
    snprintf(tmp, sizeof tmp, ".%0*lld", digits, (long long)(frac % unit));
    size_t n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '0')
        tmp[--n] = '\0';
    snprintf(buf, size, "%s", tmp);
}

void mock_fmt_go_duration(cm_us d, char *buf, size_t size)
{
    char frac[16];
    if (d <= 0) {
        snprintf(buf, size, "0s");
        return;
    }
    if (d < CM_US_PER_MS) {
        snprintf(buf, size, "%lld\xc2\xb5s", (long long)d);
        return;
    }
    if (d < CM_US_PER_S) {
        fraction(d % CM_US_PER_MS, CM_US_PER_MS, frac, sizeof frac);
        snprintf(buf, size, "%lld%sms", (long long)(d / CM_US_PER_MS), frac);
        return;
    }
    int64_t s = d / CM_US_PER_S, h = s / 3600, m = (s / 60) % 60;
    fraction(d % CM_US_PER_S, CM_US_PER_S, frac, sizeof frac);
    if (h)
        snprintf(buf, size, "%lldh%lldm%lld%ss", (long long)h, (long long)m, (long long)(s % 60),
                 frac);
    else if (m)
        snprintf(buf, size, "%lldm%lld%ss", (long long)m, (long long)(s % 60), frac);
    else
        snprintf(buf, size, "%lld%ss", (long long)s, frac);
}

void mock_fmt_rfc3339(cm_us t, char *buf, size_t size)
{
    time_t u = unix_of(t);
    struct tm tm;
    gmtime_r(&u, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void mock_fmt_http_date(cm_us t, char *buf, size_t size)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t u = unix_of(t);
    struct tm tm;
    gmtime_r(&u, &tm);
    snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
