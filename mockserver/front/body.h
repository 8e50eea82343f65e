/* body.h: the JSON bodies of the provider endpoints: reading a request
 * (model, messages, max_tokens -> a token estimate) and writing a response
 * in the provider's shape (OpenAI chat.completion, Anthropic message, model
 * lists, error objects) that the official SDKs accept. Pure functions. */
#ifndef MOCK_BODY_H
#define MOCK_BODY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeu.h"
#include "mockserver/model/model.h"

/* Bodies larger than this are refused with 413. */
#define MOCK_BODY_MAX (1u << 20)
#define MOCK_MODEL_NAME_MAX 128

typedef struct mock_body_req {
    char model[MOCK_MODEL_NAME_MAX]; /* printable ASCII; other bytes become '?' */
    int64_t input_tokens;            /* estimate: characters of the prompt / 4, rounded up */
    int64_t max_tokens;              /* 0 when absent (OpenAI) */
    int64_t tokens;                  /* input_tokens + max_tokens: what windows count */
    bool stream;                     /* "stream": true */
    bool stream_usage;               /* and (chat) "stream_options": {"include_usage": true} */
} mock_body_req;

/* Reads the body of a chat (OpenAI) or messages (Anthropic) request.
 * Returns 0 with *out filled, or -1 with a one-line reason in msg (not JSON,
 * not an object, model missing, messages missing or empty, bad max_tokens,
 * a "stream" that is not a boolean...). Never reads past text[len]. */
int mock_body_parse(mock_endpoint endpoint, const char *text, size_t len, mock_body_req *out,
                    char *msg, size_t msg_size);

typedef struct mock_render_ctx {
    const char *provider;
    const char *model;         /* the requested model (completion bodies) */
    const char *const *models; /* the provider's models (model lists) */
    size_t nmodels;
    uint64_t id;     /* makes response ids unique */
    cm_us now;       /* scenario time, for "created" */
    int64_t epoch_s; /* the Unix second of scenario time 0 (0: CM_SCENARIO_EPOCH) */
    int64_t tokens_in, tokens_out;
    mock_endpoint endpoint; /* MOCK_EP_RESPONSES: a Response object instead of a completion */
} mock_render_ctx;

/* Renders the body `plan` asks for. Returns a malloc'd NUL-terminated string
 * the caller frees, *len its length; NULL when out of memory. */
char *mock_body_render(const mock_plan *plan, const mock_render_ctx *ctx, size_t *len);

/* Fills `plan` with an error answer the front itself decides (400, 404, 405,
 * 413, 504): no headers, no latency, no fault; type and code as the shape's
 * real API sends them for `status` (mockserver/README.md's error table).
 * `code` NULL keeps the table's code, "" sends code null. */
void mock_body_error_plan(mock_plan *plan, mock_shape shape, int status, const char *code,
                          const char *message);

#endif
