/* model.h: the face of the provider model. Given a request (provider, model,
 * key, tokens, scenario time) the model returns a response plan and updates
 * its own state (rate windows, script cursors, phases). Pure: no sockets, no
 * clock, randomness only from its own RNG seeded by the scenario. The HTTP
 * front (http.c) and the simulation driver (engine/sim.c) both call it, so a
 * scenario means the same thing over HTTP and in virtual time. */
#ifndef MOCK_MODEL_H
#define MOCK_MODEL_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeu.h"
#include "mockserver/model/stream.h"
#include "mockserver/scenario/scenario.h"

typedef enum mock_endpoint {
    MOCK_EP_CHAT,      /* OpenAI shape: POST {prefix}/v1/chat/completions */
    MOCK_EP_MESSAGES,  /* Anthropic shape: POST {prefix}/v1/messages */
    MOCK_EP_MODELS,    /* GET {prefix}/v1/models */
    MOCK_EP_RESPONSES, /* OpenAI shape: POST {prefix}/v1/responses (not streamed) */
} mock_endpoint;

typedef struct mock_request {
    const char *provider; /* provider name (the path prefix) */
    mock_endpoint endpoint;
    const char *model;   /* model named in the body; NULL for MOCK_EP_MODELS */
    const char *key;     /* key value as sent (Bearer or x-api-key); NULL when none */
    int64_t tokens;      /* tokens the request would use (for token windows) */
    cm_us now;           /* scenario time of arrival */
    bool values_only;    /* the caller reads plan.known while it is exact: the text of
                            those headers may be left to mock_plan_render_known */
    bool no_text;        /* the caller reads neither the error body's texts nor the
                            note: they are left empty (the simulation) */
    uint64_t attempt_id; /* 0: anonymous; else which attempt of which task this is
                            (common/attempt_id.h): with "draws": "per_attempt" its
                            random draws come from a stream of its own */
    uint32_t provider_ix, model_ix, key_ix; /* 0: look provider, model and key up by
                               name; else what mock_model_resolve gave for them */
    bool stream;                            /* the client asked for a token stream */
    bool stream_usage;    /* with the usage totals at its end (OpenAI include_usage) */
    uint32_t resume_from; /* tokens the client already holds: the stream brings the rest */
} mock_request;

typedef enum mock_fault {
    MOCK_FAULT_NONE,
    MOCK_FAULT_HANG,      /* never answer; the client's timeout must fire */
    MOCK_FAULT_RESET,     /* close the connection with RST, no response */
    MOCK_FAULT_TRUNCATE,  /* send headers and part of the body, then close */
    MOCK_FAULT_SLOW_BODY, /* dribble the body over slow_body */
} mock_fault;

typedef enum mock_body {
    MOCK_BODY_COMPLETION, /* a successful chat completion / message in the provider's shape */
    MOCK_BODY_MODELS,     /* the model list */
    MOCK_BODY_ERROR,      /* an error object in the provider's shape */
} mock_body;

#define MOCK_MAX_HEADERS 24
typedef struct mock_header {
    char name[48];
    char value[112];
} mock_header;

/* The values behind the headers that the simulation can take without
 * reading the text back: Date, Retry-After / retry-after-ms in whole
 * seconds / milliseconds, and the OpenAI x-ratelimit-* limit, remaining and
 * reset (a Go duration) of requests (0) and tokens (1). `exact` is true while
 * every header of the plan was written from these values; a header set any
 * other way (extra headers of a rule or tier, IETF or Anthropic limits, a
 * Retry-After date) makes it false, and then only the text says what was sent. */
typedef struct mock_plan_known {
    bool exact;
    bool lazy;              /* the request was values_only */
    bool no_text;           /* the request was no_text */
    uint8_t pending;        /* headers whose text is not written yet (plan_known.c) */
    cm_us date_at;          /* the scenario time (whole second) that Date gives */
    int64_t epoch_s;        /* the Unix second of scenario time 0 the dates use */
    int64_t retry_after_s;  /* -1 when not sent */
    int64_t retry_after_ms; /* -1 when not sent */
    bool has_unit[2];
    int64_t limit[2], remaining[2];
    cm_us reset[2];
    const char *rid_name;   /* the request-id header's name; NULL: none */
    const char *rid_prefix; /* its value: prefix + 24 letters and digits from rid_bits */
    uint64_t rid_bits;
} mock_plan_known;

typedef struct mock_plan {
    int status;
    mock_shape shape;
    mock_error_style error_style; /* how the front renders an error body (BY_SHAPE: the shape's) */
    mock_header headers[MOCK_MAX_HEADERS];
    size_t nheaders;
    mock_body body;
    char error_type[48]; /* e.g. "rate_limit_error" (shape-specific names) */
    char error_message[320];
    char error_code[48];  /* OpenAI "code" ("invalid_api_key", "model_not_found"...); "" = null;
                             Gemini: the ErrorInfo reason */
    cm_us retry_delay;    /* the delay the answer asks for (also with Retry-After "none"); -1:
                             none. Gemini bodies carry it as RetryInfo.retryDelay */
    const char *quota_id; /* the refusing window's name (Gemini QuotaFailure); NULL: none */
    cm_us latency;        /* scenario time before the response starts */
    mock_fault fault;
    cm_us slow_body; /* for MOCK_FAULT_SLOW_BODY */
    int64_t tokens_in, tokens_out;
    char note[64];         /* what decided the answer, for the journal */
    uint64_t ticket;       /* != 0: the request holds concurrency slots until
                              mock_model_release(ticket) */
    mock_stream stream;    /* stream.on: a 200 that goes out as a token stream */
    mock_plan_known known; /* the headers' values, while known.exact */
} mock_plan;

typedef struct mock_model mock_model;

/* Creates the model for `sc` (which must outlive it), RNG seeded from the
 * scenario's seed. NULL when out of memory. Free with mock_model_free.
 * Random draws (latency, fault dice) come from one stream in the order
 * requests arrive, or, when the scenario says "draws": "per_attempt" and a
 * request carries an attempt_id, from a stream forked for that id from the
 * seed: the same attempt then meets the same dice however requests
 * interleave (sim and HTTP runs agree draw for draw). State that requests
 * share (windows, scripts, a fault's escalation count) still follows
 * arrival order. */
mock_model *mock_model_new(const mock_scenario *sc);
void mock_model_free(mock_model *m);
/* Back to the state at t = 0 (windows empty, scripts at step 0, RNG reseeded).
 * The epoch is kept. */
void mock_model_reset(mock_model *m);
/* What scenario time 0 stands for, as a Unix second: every date the model
 * writes (Date, an HTTP-date Retry-After, RFC 3339 resets) is epoch + t.
 * The default is CM_SCENARIO_EPOCH (the simulation's fixed 2026-01-01); the
 * HTTP front sets the wall-clock second it started (or was reset) in. A
 * whole second, so that whole-second dates subtract the same way at any
 * epoch. The model never reads a clock itself. */
void mock_model_set_epoch(mock_model *m, int64_t epoch_unix_s);
int64_t mock_model_epoch(const mock_model *m);

/* Decides the answer to `req` and updates the state. Deterministic: the same
 * scenario, seed and sequence of requests give the same plans. Not
 * thread-safe: callers serialise (the HTTP front holds one mutex around it,
 * which is what makes script transitions atomic). Unknown provider -> 404,
 * unknown model -> 404, invalid key -> 401, each in the provider's shape. */
void mock_model_respond(mock_model *m, const mock_request *req, mock_plan *out);
/* The request that got plan.ticket has ended (its response is complete, or
 * its connection or attempt is over): its concurrency slots are free again.
 * A ticket of 0, already released, or from before a reset is ignored.
 * `now` is the scenario time of the end. */
void mock_model_release(mock_model *m, uint64_t ticket, cm_us now);
/* Sets req->provider_ix, model_ix and key_ix from req's provider, model and
 * key (0 where a name is not found): a caller that sends many requests with
 * the same names to this model keeps them, and mock_model_respond then skips
 * looking the names up. They are valid only with those same names. */
void mock_model_resolve(const mock_model *m, mock_request *req);

/* Writes the header text a values_only request left out, in the order it
 * would have been written, so that out->headers ends exactly as without
 * values_only. Nothing to do on other plans. */
void mock_plan_render_known(mock_plan *p);

/* The per-window usage at `now`, for GET /__admin/state. Caller frees. */
cJSON *mock_model_state_json(const mock_model *m, cm_us now);

#endif
