/* timefmt.h: the date and duration formats that rate-limit headers use, read
 * and written: HTTP-date (the three RFC 9110 forms; IMF-fixdate written),
 * RFC 3339 timestamps and Go-style durations ("6m0s", "20ms", "1h2m3.5s").
 * The engine parses them, the provider model writes them at scenario time
 * (Unix time CM_SCENARIO_EPOCH + t). Pure: no clock, no libc time zone
 * state, no allocation. */
#ifndef CM_TIMEFMT_H
#define CM_TIMEFMT_H
#include <stddef.h>
#include <stdint.h>

#include "common/timeu.h"

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian; m 1..12,
 * d 1..31, not checked here). Negative before 1970. */
int64_t cm_days_from_civil(int64_t y, int m, int d);

/* Parses an HTTP-date in any of the three RFC 9110 forms:
 *   IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT"
 *   RFC 850     "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit years: a year
 *               more than 50 years ahead of 1970+ is taken as the previous
 *               century, i.e. 70..99 -> 19xx, 00..69 -> 20xx)
 *   asctime     "Sun Nov  6 08:49:37 1994"
 * s[0..len) need not be NUL-terminated; leading/trailing spaces are skipped.
 * The weekday name is checked for spelling but not against the date. Returns
 * 0 with *unix_s = seconds since the Unix epoch, or -1 (and *unix_s untouched)
 * when the text is not such a date or a field is out of range. */
int cm_http_date_parse(const char *s, size_t len, int64_t *unix_s);

/* Parses an RFC 3339 date-time "2026-01-01T00:01:00Z", with optional
 * fractional seconds ("...:00.250Z", up to 9 digits, extra digits ignored)
 * and an offset "Z", "z", "+02:00" or "-05:30"; 't' and ' ' are accepted as
 * the separator. Returns 0 with *unix_us = microseconds since the Unix epoch,
 * or -1 (untouched) when malformed or out of range (years 0000..9999). */
int cm_rfc3339_parse(const char *s, size_t len, int64_t *unix_us);

/* Parses a Go-style duration: a sequence of decimal numbers, each with a unit
 * h, m, s, ms, us (or "µs") or ns ("1h2m3.5s", "6m0s", "20ms", "0.5s"), or a
 * plain non-negative number of seconds ("7", "1.5"). Negative values are
 * rejected. Returns 0 with *out in microseconds (saturated at CM_US_MAX; ns
 * rounded to the nearest us), or -1 (untouched) when malformed. */
int cm_duration_parse(const char *s, size_t len, cm_us *out);

/* Writes `d` as Go's time.Duration.String does ("1h2m3s", "6m0s", "1.5s",
 * "20ms", "0s"); negative values as "0s". Always NUL-terminates. */
void cm_fmt_go_duration(cm_us d, char *buf, size_t size);
/* Writes scenario time `t` (rounded up to the second) as RFC 3339 UTC,
 * "2026-01-01T00:01:00Z". */
void cm_fmt_rfc3339(cm_us t, char *buf, size_t size);
/* Writes scenario time `t` (rounded up to the second) as an IMF-fixdate,
 * "Thu, 01 Jan 2026 00:01:00 GMT". */
void cm_fmt_http_date(cm_us t, char *buf, size_t size);
/* The same two for scenario time 0 at Unix second `epoch_s` instead of
 * CM_SCENARIO_EPOCH (the mockserver's wall-clock epoch). */
void cm_fmt_rfc3339_at(int64_t epoch_s, cm_us t, char *buf, size_t size);
void cm_fmt_http_date_at(int64_t epoch_s, cm_us t, char *buf, size_t size);

#endif
