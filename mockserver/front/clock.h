/* clock.h: the mockserver's scenario clock: scenario time = (monotonic wall
 * time since start) x time scale. The only place the mockserver reads the
 * clock for the model; thread-safe. */
#ifndef MOCK_CLOCK_H
#define MOCK_CLOCK_H
#include <stdatomic.h>
#include <stdint.h>

#include "common/timeu.h"

typedef struct mock_clock {
    _Atomic int64_t start_us; /* CLOCK_MONOTONIC microseconds at t = 0 */
    double scale;             /* scenario seconds per wall second, > 0 */
} mock_clock;

/* CLOCK_MONOTONIC now, microseconds. */
int64_t mock_wall_now_us(void);
/* Starts the clock at t = 0 now with the given scale (> 0). */
void mock_clock_init(mock_clock *c, double scale);
/* t = 0 again, now. */
void mock_clock_restart(mock_clock *c);
/* Scenario time now. */
cm_us mock_clock_now(const mock_clock *c);
/* Wall microseconds that `scenario_us` of scenario time take (>= 0). */
int64_t mock_clock_wall_us(const mock_clock *c, cm_us scenario_us);

#endif
