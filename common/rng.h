/* rng.h: the seeded random number generator every random choice in retrylab
 * draws from (xoshiro256**, seeded through splitmix64). No global state: the
 * caller owns the cm_rng and passes it in, so a run is reproducible from its seed. */
#ifndef CM_RNG_H
#define CM_RNG_H
#include <stdint.h>

/* The largest run seed: 2^53 - 1, the largest whole number a JSON number (a
 * double) holds exactly, so a seed reads back from any trace or summary. */
#define CM_SEED_MAX INT64_C(9007199254740991)

typedef struct cm_rng {
    uint64_t s[4];
} cm_rng;

/* Seeds the generator; every seed, 0 included, gives a usable state. */
void cm_rng_seed(cm_rng *rng, uint64_t seed);
/* Derives an independent generator for stream number `stream` (per task, per provider...). */
void cm_rng_fork(const cm_rng *parent, uint64_t stream, cm_rng *child);
uint64_t cm_rng_next(cm_rng *rng);
/* Uniform double in [0, 1). */
double cm_rng_uniform(cm_rng *rng);
/* Uniform double in [lo, hi). */
double cm_rng_range(cm_rng *rng, double lo, double hi);
/* Standard normal (mean 0, sd 1), Box-Muller without cached state. */
double cm_rng_normal(cm_rng *rng);
/* Exponential with the given mean (> 0). */
double cm_rng_exponential(cm_rng *rng, double mean);
/* True with probability p (p <= 0 never, p >= 1 always). */
int cm_rng_chance(cm_rng *rng, double p);

#endif
