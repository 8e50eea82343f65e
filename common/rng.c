/* rng.c: xoshiro256** (Blackman & Vigna) with splitmix64 seeding. */
#include "common/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void cm_rng_seed(cm_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

void cm_rng_fork(const cm_rng *parent, uint64_t stream, cm_rng *child)
{
    uint64_t x = parent->s[0] ^ rotl(parent->s[2], 17) ^ (stream * 0xd1342543de82ef95ULL);
    cm_rng_seed(child, splitmix64(&x));
}

uint64_t cm_rng_next(cm_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double cm_rng_uniform(cm_rng *rng)
{
    return (double)(cm_rng_next(rng) >> 11) * 0x1.0p-53;
}

double cm_rng_range(cm_rng *rng, double lo, double hi)
{
    return lo + (hi - lo) * cm_rng_uniform(rng);
}

double cm_rng_normal(cm_rng *rng)
{
    double u1 = 1.0 - cm_rng_uniform(rng); /* (0, 1]: log(0) cannot happen */
    double u2 = cm_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double cm_rng_exponential(cm_rng *rng, double mean)
{
    return -mean * log(1.0 - cm_rng_uniform(rng));
}

int cm_rng_chance(cm_rng *rng, double p)
{
    if (p <= 0.0)
        return 0;
    if (p >= 1.0)
        return 1;
    return cm_rng_uniform(rng) < p;
}
