/* scenario_internal.h: the parsed details of a scenario that the provider
 * model needs (providers, models, windows, tiers, scripts, phases, faults);
 * mockserver/ only. Strings point into the loaded cm_json document, which the
 * scenario owns, so they live as long as the scenario. */
#ifndef MOCK_SCENARIO_INTERNAL_H
#define MOCK_SCENARIO_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/timeu.h"
#include "mockserver/model/model.h"
#include "mockserver/scenario/scenario.h"

/* Limits that keep every array small and every loop bounded. */
#define MOCK_MAX_PROVIDERS 64
#define MOCK_MAX_MODELS 64
#define MOCK_MAX_KEYS 256
#define MOCK_MAX_WINDOWS 32
#define MOCK_MAX_TIERS 16
#define MOCK_MAX_RULES 64 /* scripts, phases, faults per provider */
#define MOCK_MAX_STEPS 256
#define MOCK_MAX_EXTRA_HEADERS 8
#define MOCK_NAME_MAX 63

typedef enum mock_latency_kind {
    MOCK_LAT_FIXED,
    MOCK_LAT_UNIFORM,
    MOCK_LAT_NORMAL,
    MOCK_LAT_LOGNORMAL,
} mock_latency_kind;

typedef struct mock_latency {
    mock_latency_kind kind;
    double a, b; /* fixed: a = s; uniform: [a, b); normal: mean a, sd b;
                    lognormal: mu a, sigma b (from median and p99) */
} mock_latency;

/* A model's streams: when a client asks for one ("stream": true), the
 * answer's tokens go out one by one. Without a "stream" object: the first
 * token goes with the headers, 50 tokens a second, output_tokens of them. */
typedef struct mock_stream_cfg {
    bool has_ttft; /* "ttft": from the headers to the first token */
    mock_latency ttft;
    double tokens_per_s; /* > 0 */
    int64_t tokens;      /* answer length; 0: the model's output_tokens */
} mock_stream_cfg;

typedef struct mock_model_def {
    const char *name;
    mock_latency latency;
    int64_t output_tokens; /* completion tokens a success reports */
    mock_stream_cfg stream;
} mock_model_def;

typedef enum mock_scope {
    MOCK_SCOPE_KEY,
    MOCK_SCOPE_ORG,
    MOCK_SCOPE_MODEL,
    MOCK_SCOPE_PROVIDER,
    MOCK_SCOPE_GROUP,     /* one quota for the models of `models`, all keys */
    MOCK_SCOPE_ORG_MODEL, /* each organisation, each model */
} mock_scope;

typedef enum mock_algo {
    MOCK_ALGO_FIXED,
    MOCK_ALGO_SLIDING,
    MOCK_ALGO_BUCKET,
    MOCK_ALGO_CONCURRENCY, /* requests in flight: taken when admitted, given back by
                              mock_model_release */
    MOCK_ALGO_DAY,         /* a fixed window on calendar days of epoch + t */
} mock_algo;

/* Most concurrency windows one provider (with all its tiers) may have: a
 * request holds at most this many in-flight slots. */
#define MOCK_MAX_CONCURRENCY 8

typedef enum mock_unit {
    MOCK_UNIT_REQUESTS,
    MOCK_UNIT_TOKENS,        /* counts request.tokens */
    MOCK_UNIT_INPUT_TOKENS,  /* counts request.tokens (Anthropic input-tokens headers) */
    MOCK_UNIT_OUTPUT_TOKENS, /* counts the model's output_tokens */
} mock_unit;

typedef enum mock_ra_form {
    MOCK_RA_SECONDS,
    MOCK_RA_HTTP_DATE,
    MOCK_RA_MS,
    MOCK_RA_NONE,
    MOCK_RA_SECONDS_AND_MS, /* Retry-After and retry-after-ms (Azure OpenAI) */
    MOCK_RA_X_MS,           /* x-ms-retry-after-ms only */
    MOCK_RA_DEFAULT,        /* in rules: use the provider's form */
} mock_ra_form;

/* Which rate-limit headers a provider sends (its "limit_headers"). */
typedef enum mock_limit_style {
    MOCK_LIMITS_OPENAI,    /* x-ratelimit-{limit,remaining,reset}-{requests,tokens} */
    MOCK_LIMITS_ANTHROPIC, /* anthropic-ratelimit-* */
    MOCK_LIMITS_PLAIN,     /* X-RateLimit-Limit, -Remaining, -Reset */
    MOCK_LIMITS_NONE,
} mock_limit_style;

/* What a plain X-RateLimit-Reset says (the provider's "plain_reset"). */
typedef enum mock_plain_reset {
    MOCK_PLAIN_UNIX_MS, /* Unix milliseconds when the window is full again */
    MOCK_PLAIN_UNIX,    /* Unix seconds, rounded up */
    MOCK_PLAIN_SECONDS, /* seconds from now, rounded up */
} mock_plain_reset;

typedef struct mock_window_def {
    const char *name; /* for the admin state; defaults to "unit/period" */
    mock_scope scope;
    mock_algo algo;
    mock_unit unit;
    int64_t limit;
    cm_us period;         /* DAY: one day; CONCURRENCY: 0 */
    cm_us day_offset;     /* DAY: days start at this offset from 00:00 UTC */
    const char *model;    /* only requests for this model count; NULL = all */
    uint64_t models;      /* bit i: model i counts; 0 = no list (see `model`) */
    bool report;          /* shown in the limit headers */
    mock_ra_form ra_form; /* how a refusal says Retry-After; DEFAULT: the provider's */
    const char *error_type, *error_code, *error_message; /* a refusal's; NULL = default */
} mock_window_def;

typedef struct mock_extra_header {
    const char *name, *value;
} mock_extra_header;

typedef struct mock_tier_def {
    const char *name;
    mock_window_def windows[MOCK_MAX_WINDOWS];
    size_t nwindows;
    mock_extra_header headers[MOCK_MAX_EXTRA_HEADERS];
    size_t nheaders;
} mock_tier_def;

/* What a script step, phase or fault makes the answer be. */
typedef struct mock_answer {
    bool pass;  /* answer normally (windows, faults, latency decide) */
    int status; /* 100..599 */
    mock_fault fault;
    cm_us slow_body;
    bool has_retry_after;
    double retry_after_s;   /* base delay */
    double escalate_factor; /* faults: delay x factor^(consecutive hits - 1) */
    double escalate_cap_s;
    mock_ra_form ra_form;
    bool has_latency;
    cm_us latency;
    const char *error_type, *error_message, *error_code; /* NULL = shape default */
    mock_extra_header headers[MOCK_MAX_EXTRA_HEADERS];
    size_t nheaders;
    /* "stream_fault": what goes wrong inside a streamed 200 (a request that
     * did not ask for a stream is answered as if the rule were not there) */
    mock_stream_fault stream_fault; /* NONE: none */
    uint32_t fault_after;           /* tokens sent before it */
    cm_us stall;                    /* STALL: how long; < 0 until the client leaves */
    const char *stream_error;       /* ERROR: the error's type; NULL = the shape's */
} mock_answer;

typedef struct mock_step {
    mock_answer answer;
    int64_t times; /* how many requests this step answers */
    bool forever;  /* the step never ends */
} mock_step;

typedef struct mock_script_def {
    const char *model; /* NULL = any */
    const char *key;   /* key name; NULL = any */
    bool per_key;      /* a cursor per key instead of one shared cursor */
    bool repeat;       /* start over after the last step (else: pass through) */
    mock_step *steps;  /* owned */
    size_t nsteps;
} mock_script_def;

typedef struct mock_phase_def {
    cm_us from, to; /* [from, to) */
    const char *model;
    int tier; /* index into tiers, -1 = no change */
    bool has_answer;
    mock_answer answer;
} mock_phase_def;

typedef struct mock_fault_def {
    double probability;
    const char *model, *key;
    mock_answer answer;
} mock_fault_def;

typedef struct mock_provider_def {
    const char *name;
    mock_shape shape;
    const char *key_names[MOCK_MAX_KEYS];
    const char *key_values[MOCK_MAX_KEYS];
    const char *key_orgs[MOCK_MAX_KEYS]; /* organisation of each key (default: the key name) */
    size_t nkeys;
    mock_model_def models[MOCK_MAX_MODELS];
    size_t nmodels;
    mock_window_def windows[MOCK_MAX_WINDOWS]; /* always in force */
    size_t nwindows;
    mock_tier_def *tiers; /* owned, ntiers entries */
    size_t ntiers;
    int tier; /* the starting tier, -1 = none */
    mock_ra_form ra_form;
    bool ietf_headers;
    mock_limit_style limit_style;
    bool limits_on_refusals; /* limit headers only on a window's 429 (OpenRouter) */
    mock_plain_reset plain_reset;
    mock_error_style error_style;  /* never BY_SHAPE after loading */
    int invalid_key_status;        /* what a missing or unknown key gets (401) */
    const char *request_id_header; /* e.g. "x-request-id"; NULL: none */
    const char *request_id_prefix; /* e.g. "req_" */
    mock_script_def scripts[MOCK_MAX_RULES];
    size_t nscripts;
    mock_phase_def phases[MOCK_MAX_RULES];
    size_t nphases;
    mock_fault_def faults[MOCK_MAX_RULES];
    size_t nfaults;
} mock_provider_def;

struct mock_scenario {
    cm_json *doc;
    char *path;
    char *policy_path; /* resolved, owned; NULL if none */
    const char *name;
    uint64_t seed;
    bool draws_per_attempt; /* "draws": "per_attempt" */
    mock_workload workload;
    const cJSON *expect, *claims, *assumptions;
    mock_provider_def *providers; /* owned */
    size_t nproviders;
};

/* Index of model `name` in provider p, or -1. */
int mock_provider_model_find(const mock_provider_def *p, const char *name);
/* Index of the key whose test value is `value` in provider p, or -1. */
int mock_provider_key_by_value(const mock_provider_def *p, const char *value);
/* Index of the key called `name` in provider p, or -1. */
int mock_provider_key_by_name(const mock_provider_def *p, const char *name);
/* Index of tier `name` in provider p, or -1. */
int mock_provider_tier_find(const mock_provider_def *p, const char *name);

#endif
