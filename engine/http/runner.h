/* http.h: the HTTP runner: every task of a run drives the engine over real
 * HTTP with libcurl, in one thread and one event loop (curl multi socket API
 * + epoll, a timerfd for the timer heap of arrivals and WAITs). Time is
 * scaled: scenario now = (monotonic wall time - start) x time_scale, so the
 * trace it writes (engine/trace.h) overlays a sim run of the same scenario. */
#ifndef RL_HTTP_H
#define RL_HTTP_H
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/keyid.h"
#include "common/timeu.h"
#include "engine/core/engine.h"
#include "engine/driver/driver.h"
#include "engine/driver/trace.h"

/* The request and header shape of a provider's API. */
typedef enum rl_shape { RL_SHAPE_OPENAI, RL_SHAPE_ANTHROPIC } rl_shape;

/* Where and how one policy candidate is called. The runner borrows every
 * pointer for the length of rl_http_run. `base_url` is the SDK-style base
 * ("http://127.0.0.1:8080/groq/v1", "https://api.anthropic.com/v1"): the
 * runner appends "/chat/completions" (OpenAI) or "/messages" (Anthropic). */
typedef struct rl_http_target {
    const char *base_url;
    rl_shape shape;
    const char *model;
    size_t nkeys;
    const char *const *key_values; /* NULL entries: no key is sent (the server says 401) */
} rl_http_target;

/* Default cap on connections (and transfers in flight), as HTTP client
 * libraries pool them (httpx, aiohttp: 100). */
#define RL_HTTP_MAX_CONNECTIONS 256

typedef struct rl_http_config {
    const rl_policy *policy;
    uint64_t seed;                 /* per-task RNGs are cm_rng_fork(seed, task id), as in sim */
    const rl_http_target *targets; /* one per policy candidate, in the policy's order */
    size_t ntargets;
    const cm_us *start; /* scenario start time of each task (non-decreasing) */
    size_t ntasks;
    int64_t tokens;              /* tokens per request (sizes the prompt); <= 0: a short prompt */
    double time_scale;           /* scenario seconds per wall second, > 0 */
    int64_t epoch_unix_us;       /* what scenario time 0 stands for (rl_run_set_epoch) */
    int64_t start_wall_us;       /* CLOCK_MONOTONIC microseconds at scenario t = 0; 0 = now */
    size_t concurrency;          /* tasks active at once at most; 0 = no cap */
    size_t max_connections;      /* transfers on the wire at once (one connection each, kept
                                    alive and reused); more SENDs wait for one, their wait
                                    counting against the attempt's timeout. 0 = default */
    bool name_attempts;          /* send X-Retrylab-Attempt: TASK/ATTEMPT (common/attempt_id.h)
                                    with each request, for a mockserver's per-attempt draws */
    bool evidence;               /* each response event keeps its raw evidence (error type
                                    and code, request id, rate-limit-like headers the engine
                                    does not read: rl_trace_evidence); error bodies are read
                                    for it whether the policy reads them or not */
    rl_trace *trace;             /* events after start go here; NULL: no trace */
    bool progress;               /* a progress line on stderr now and then */
    volatile sig_atomic_t *stop; /* non-zero: stop sending and end; may be NULL */
} rl_http_config;

/* Runs every task to DONE (or until *cfg->stop). 0 and *out filled (free
 * out->run_json); -1 with err when the runner cannot work (out of memory,
 * epoll or curl setup failed): nothing to free then. Transport errors are
 * outcomes, not failures. Key values go into request headers only; the trace
 * gets cm_keyid() of them. Call curl_global_init before. */
int rl_http_run(const rl_http_config *cfg, rl_drv_result *out, cm_err *err);

/* CLOCK_MONOTONIC now, microseconds. */
int64_t rl_http_wall_now_us(void);

#endif
