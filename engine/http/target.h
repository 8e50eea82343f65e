/* target.h: the HTTP runner's talk with a mockserver before a run: read its
 * GET /__admin/state (time scale, scenario name) and POST /__admin/reset, so
 * that the run and the mockserver start at scenario t = 0 together. Blocking
 * libcurl calls, each bounded by a short timeout; used once per run. */
#ifndef RL_TARGET_H
#define RL_TARGET_H
#include <stdint.h>

#include "common/jsonpos.h"

typedef struct rl_target_state {
    double time_scale;
    char scenario[256]; /* the scenario name the mockserver plays */
} rl_target_state;

/* GET {target}/__admin/state. 0 and *out; CM_ERR_RUNTIME with err when the
 * target cannot be reached (connection refused, timeout, DNS); CM_ERR_INPUT
 * with err when it answers but not like a mockserver (status, JSON, no
 * time_scale). */
int rl_target_get_state(const char *target, rl_target_state *out, cm_err *err);

/* POST {target}/__admin/reset: the mockserver's model, journal and clock
 * start over. 0 and *t0_wall_us = the CLOCK_MONOTONIC microsecond of the
 * server's t = 0: halfway between sending and the answer, less the scenario
 * time the answer says it was written at ("now_us", over `time_scale`);
 * *epoch_unix_us = the Unix microsecond the server's t = 0 stands for
 * ("epoch_unix_us"; CM_SCENARIO_EPOCH's when the answer has none).
 * CM_ERR_RUNTIME / CM_ERR_INPUT with err as above. */
int rl_target_reset(const char *target, double time_scale, int64_t *t0_wall_us,
                    int64_t *epoch_unix_us, cm_err *err);

#endif
