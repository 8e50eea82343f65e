/* timefmt.h: the time formats providers put in headers: Go durations
 * ("6m0s", "1s", "20ms"), RFC 3339 and IMF-fixdate (HTTP-date) at scenario
 * time, and the Unix time CM_SCENARIO_EPOCH + t. Pure; no clock. */
#ifndef MOCK_TIMEFMT_H
#define MOCK_TIMEFMT_H
#include <stddef.h>

#include "common/timeu.h"

/* Writes `d` as Go's time.Duration.String does ("1h2m3s", "6m0s", "1.5s",
 * "20ms", "0s"); negative values as "0s". Always NUL-terminates. */
void mock_fmt_go_duration(cm_us d, char *buf, size_t size);
/* Writes scenario time `t` (rounded up to the second) as RFC 3339 UTC,
 * "2026-01-01T00:01:00Z". */
void mock_fmt_rfc3339(cm_us t, char *buf, size_t size);
/* Writes scenario time `t` (rounded up to the second) as an IMF-fixdate,
 * "Thu, 01 Jan 2026 00:01:00 GMT". */
void mock_fmt_http_date(cm_us t, char *buf, size_t size);

#endif
