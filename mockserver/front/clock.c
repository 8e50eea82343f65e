/* clock.c: scaled scenario time from CLOCK_MONOTONIC. */
#include "mockserver/front/clock.h"

#include <math.h>
#include <time.h>

int64_t mock_wall_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void mock_clock_init(mock_clock *c, double scale)
{
    c->scale = scale > 0 && isfinite(scale) ? scale : 1.0;
    atomic_store(&c->start_us, mock_wall_now_us());
}

void mock_clock_restart(mock_clock *c)
{
    atomic_store(&c->start_us, mock_wall_now_us());
}

cm_us mock_clock_now(const mock_clock *c)
{
    int64_t wall = mock_wall_now_us() - atomic_load(&c->start_us);
    return cm_us_from_s((double)wall / 1e6 * c->scale);
}

int64_t mock_clock_wall_us(const mock_clock *c, cm_us scenario_us)
{
    if (scenario_us <= 0)
        return 0;
    double w = (double)scenario_us / c->scale;
    return w >= (double)CM_US_MAX ? CM_US_MAX : (int64_t)w;
}
