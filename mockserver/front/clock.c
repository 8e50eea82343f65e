/* clock.c: scaled scenario time from CLOCK_MONOTONIC, anchored on a whole
 * second of CLOCK_REALTIME. */
#include "mockserver/front/clock.h"

#include <math.h>
#include <time.h>

int64_t mock_wall_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t real_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void mock_clock_init(mock_clock *c, double scale)
{
    c->scale = scale > 0 && isfinite(scale) ? scale : 1.0;
    mock_clock_restart(c);
}

void mock_clock_restart_at(mock_clock *c, int64_t mono_us, int64_t real_us)
{
    /* Why a whole second: Date is floored and an HTTP-date Retry-After
     * rounded up to the second, so their difference (what a client waits)
     * is the same function of t as in the simulation, whose epoch is whole
     * too. The second already gone is scenario time at the anchor, so that
     * epoch + t is the wall clock now at every scale. */
    int64_t frac = real_us % CM_US_PER_S;
    if (frac < 0)
        frac += CM_US_PER_S;
    atomic_store(&c->epoch_s, (real_us - frac) / CM_US_PER_S);
    atomic_store(&c->start_us, mono_us - (int64_t)((double)frac / c->scale));
}

void mock_clock_restart(mock_clock *c)
{
    int64_t mono = mock_wall_now_us();
    mock_clock_restart_at(c, mono, real_now_us());
}

cm_us mock_clock_now(const mock_clock *c)
{
    int64_t wall = mock_wall_now_us() - atomic_load(&c->start_us);
    return cm_us_from_s((double)wall / 1e6 * c->scale);
}

int64_t mock_clock_epoch(const mock_clock *c)
{
    return atomic_load(&c->epoch_s);
}

int64_t mock_clock_wall_us(const mock_clock *c, cm_us scenario_us)
{
    if (scenario_us <= 0)
        return 0;
    double w = (double)scenario_us / c->scale;
    return w >= (double)CM_US_MAX ? CM_US_MAX : (int64_t)w;
}
