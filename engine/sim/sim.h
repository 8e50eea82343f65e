/* sim.h: the simulation driver: every task of a scenario's workload runs the
 * engine against the provider model in one process, in virtual time, through
 * one queue of events (engine/sim_queue.h: a radix heap popping in the timer
 * heap's order). No sockets, no sleeping: hours of scenario time take
 * milliseconds, and the same seed gives the same trace. */
#ifndef RL_SIM_H
#define RL_SIM_H
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/timeu.h"
#include "engine/core/engine.h"
#include "engine/driver/driver.h"
#include "engine/driver/trace.h"
#include "mockserver/scenario/scenario.h"

typedef struct rl_sim_config {
    const mock_scenario *scenario;
    const rl_policy *policy;
    uint64_t seed;               /* run seed: per-task RNGs are forks of it */
    rl_trace *trace;             /* events after start go here; NULL: no trace */
    bool progress;               /* a progress line on stderr now and then */
    volatile sig_atomic_t *stop; /* non-zero: stop before the next event; may be NULL */
    uint64_t raise_after;        /* tests: raise(SIGTERM) after this many events; 0 never */
    bool parse_text;             /* bench: every answer's headers written and parsed, as over
                                    HTTP, never read through rl_headers_known */
    rl_drv_on_done on_done;      /* called at every task's end (rl_drv_config); NULL: none */
    void *on_done_ctx;
} rl_sim_config;

/* Runs the whole workload. 0 and *out filled (free out->run_json);
 * CM_ERR_INPUT with err when the workload is unusable; CM_ERR_RUNTIME with
 * err when out of memory. On failure there is nothing to free. Writes no start event: the
 * caller does (it knows the file paths). Key values are resolved with
 * rl_key_resolve and go nowhere but into the in-process model request. */
int rl_sim_run(const rl_sim_config *cfg, rl_drv_result *out, cm_err *err);

#endif
