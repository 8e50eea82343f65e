/* timeu.h: scenario time. Inside retrylab every time is an int64_t count of
 * microseconds of scenario time (t = 0 at the start of a run). Conversions
 * saturate instead of overflowing, so hostile inputs cannot wrap around. */
#ifndef CM_TIMEU_H
#define CM_TIMEU_H
#include <math.h>
#include <stdint.h>

typedef int64_t cm_us;

#define CM_US_PER_MS INT64_C(1000)
#define CM_US_PER_S INT64_C(1000000)
/* The largest delay anything in retrylab will plan: 100 years. */
#define CM_US_MAX (INT64_C(100) * 365 * 24 * 3600 * CM_US_PER_S)
/* Scenario time 0 as a Unix time (2026-01-01T00:00:00Z): the mockserver's Date
 * and HTTP-date headers say CM_SCENARIO_EPOCH + t, and the sim driver turns
 * them back into scenario time the same way. */
#define CM_SCENARIO_EPOCH INT64_C(1767225600)

/* Seconds (may be fractional, negative or non-finite) to microseconds,
 * clamped to [-CM_US_MAX, CM_US_MAX]; NaN gives 0. */
static inline cm_us cm_us_from_s(double s)
{
    if (isnan(s))
        return 0;
    double us = s * 1e6;
    if (us >= (double)CM_US_MAX)
        return CM_US_MAX;
    if (us <= -(double)CM_US_MAX)
        return -CM_US_MAX;
    return (cm_us)llround(us);
}

static inline double cm_s_from_us(cm_us us)
{
    return (double)us / 1e6;
}

/* a + b, saturating at +/- CM_US_MAX. */
static inline cm_us cm_us_add(cm_us a, cm_us b)
{
    if (b > 0 && a > CM_US_MAX - b)
        return CM_US_MAX;
    if (b < 0 && a < -CM_US_MAX - b)
        return -CM_US_MAX;
    return a + b;
}

#endif
