/* clock.h: the mockserver's scenario clock: scenario time = (monotonic wall
 * time since the anchor) x time scale, and the epoch: the Unix second that
 * scenario time 0 stands for. The only place the mockserver reads the clock
 * for the model; thread-safe. */
#ifndef MOCK_CLOCK_H
#define MOCK_CLOCK_H
#include <stdatomic.h>
#include <stdint.h>

#include "common/timeu.h"

typedef struct mock_clock {
    _Atomic int64_t start_us; /* CLOCK_MONOTONIC microseconds at t = 0 */
    _Atomic int64_t epoch_s;  /* Unix second (CLOCK_REALTIME) that t = 0 stands for */
    double scale;             /* scenario seconds per wall second, > 0 */
} mock_clock;

/* CLOCK_MONOTONIC now, microseconds. */
int64_t mock_wall_now_us(void);
/* Starts the clock with the given scale (> 0), as mock_clock_restart. */
void mock_clock_init(mock_clock *c, double scale);
/* A new t = 0: the whole wall-clock second now is in. The epoch is that
 * second (CLOCK_REALTIME, floored), and the clock is anchored so that
 * epoch + t is the wall-clock time now: t starts at the fraction of the
 * second already gone (0 <= t < 1 s) and runs `scale` times as fast as the
 * wall from there. At scale 1 every date epoch + t is wall-clock true. */
void mock_clock_restart(mock_clock *c);
/* The same anchoring for a given reading of both clocks (tests). */
void mock_clock_restart_at(mock_clock *c, int64_t mono_us, int64_t real_us);
/* Scenario time now. */
cm_us mock_clock_now(const mock_clock *c);
/* The Unix second of t = 0. */
int64_t mock_clock_epoch(const mock_clock *c);
/* Wall microseconds that `scenario_us` of scenario time take (>= 0). */
int64_t mock_clock_wall_us(const mock_clock *c, cm_us scenario_us);

#endif
