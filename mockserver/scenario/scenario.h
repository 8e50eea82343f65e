/* scenario.h: scenario files (JSON, kind "scenario"): providers, models,
 * keys, rate windows, tiers, scripts, phases, faults, latency, workload,
 * expect, claims, seed. The loader validates everything and reports the first
 * problem as "file:line:col: field: what is wrong"; unknown fields are errors.
 * This header is the scenario's public face; the parsed details the provider
 * model needs are in scenario_internal.h (mockserver/ only). */
#ifndef MOCK_SCENARIO_H
#define MOCK_SCENARIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/timeu.h"

typedef enum mock_shape { MOCK_SHAPE_OPENAI, MOCK_SHAPE_ANTHROPIC } mock_shape;

/* How error bodies look (the provider's "error_style"). */
typedef enum mock_error_style {
    MOCK_ERRORS_BY_SHAPE,   /* openai for the OpenAI shape, anthropic for the Anthropic one */
    MOCK_ERRORS_OPENAI,     /* {"error":{"message","type","param","code"}} */
    MOCK_ERRORS_ANTHROPIC,  /* {"type":"error","error":{"type","message"},"request_id"} */
    MOCK_ERRORS_MOONSHOT,   /* {"error":{"type","message"}} */
    MOCK_ERRORS_OPENROUTER, /* {"error":{"code","message","metadata":{"error_type"}}} */
    MOCK_ERRORS_GEMINI,     /* google.rpc.Status: {"error":{"code","message","status","details"}} */
} mock_error_style;

typedef enum mock_arrival {
    MOCK_ARRIVAL_BURST,   /* every task at t = 0 */
    MOCK_ARRIVAL_UNIFORM, /* task starts spread evenly over workload.over_s */
    MOCK_ARRIVAL_POISSON, /* exponential gaps, mean 1 / workload.rate_per_s */
} mock_arrival;

typedef struct mock_workload {
    int64_t clients;
    int64_t tasks_per_client;
    mock_arrival arrival;
    cm_us over;        /* UNIFORM: spread starts over this long */
    double rate_per_s; /* POISSON: mean arrivals per second */
    int64_t tokens;    /* tokens per request the clients send (default 100) */
    cm_us start;       /* the arrivals begin this late (default 0) */
} mock_workload;

typedef struct mock_scenario mock_scenario;

/* Loads and validates a scenario file. On success *out is the caller's (free
 * with mock_scenario_free) and 0 is returned; on failure -1 and err holds one
 * "file:line:col: field: message" line. */
int mock_scenario_load(const char *path, mock_scenario **out, cm_err *err);
/* Same for a scenario already in memory (tests, tools); `name` stands for the
 * file in messages and for resolving the policy path. The text is copied. */
int mock_scenario_parse(const char *name, const char *text, size_t len, mock_scenario **out,
                        cm_err *err);
void mock_scenario_free(mock_scenario *sc);

const char *mock_scenario_name(const mock_scenario *sc);
uint64_t mock_scenario_seed(const mock_scenario *sc);

/* True when the scenario says "draws": "per_attempt": the model's random
 * draws for a request that names its attempt (mock_request.attempt_id) come
 * from a stream of their own, so they do not depend on the order in which
 * requests arrive. False ("shared", the default): one stream in arrival order. */
bool mock_scenario_draws_per_attempt(const mock_scenario *sc);
/* The default policy's path resolved against the scenario file's folder; NULL if none. */
const char *mock_scenario_policy_path(const mock_scenario *sc);
const mock_workload *mock_scenario_workload(const mock_scenario *sc);
/* The "expect" object (validated by common/expect) and "claims" array, or NULL. */
const cJSON *mock_scenario_expect(const mock_scenario *sc);
const cJSON *mock_scenario_claims(const mock_scenario *sc);
/* The "assumptions" array ({says, source, documented, alternative?}), or NULL. */
const cJSON *mock_scenario_assumptions(const mock_scenario *sc);
/* The loaded document, for positions in later messages. */
const cm_json *mock_scenario_doc(const mock_scenario *sc);

size_t mock_scenario_provider_count(const mock_scenario *sc);
const char *mock_scenario_provider_name(const mock_scenario *sc, size_t i);
/* Index of the provider called `name`, or -1. */
int mock_scenario_provider_find(const mock_scenario *sc, const char *name);
mock_shape mock_scenario_provider_shape(const mock_scenario *sc, size_t i);
/* The error style provider i's bodies use (never MOCK_ERRORS_BY_SHAPE). */
mock_error_style mock_scenario_provider_errors(const mock_scenario *sc, size_t i);
/* The test value of key `key_name` of provider i (from its "keys" map), or NULL. */
const char *mock_scenario_key_value(const mock_scenario *sc, size_t provider, const char *key_name);

#endif
