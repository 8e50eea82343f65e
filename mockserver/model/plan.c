/* plan.c: response plans: header list operations and the error objects of
 * the OpenAI and Anthropic shapes (type/code/message per status). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/sbuf.h"
#include "common/timefmt.h"
#include "mockserver/model/plan.h"
#include "mockserver/model/plan_known.h"

void mock_plan_init_dated(mock_plan *p, mock_shape shape, const char *date)
{
    /* Field by field, not a memset of the whole plan (4.4 KB, most of it
     * header slots past nheaders, which nothing reads): the simulation
     * builds one plan per attempt. */
    p->status = 200;
    p->shape = shape;
    p->error_style = MOCK_ERRORS_BY_SHAPE;
    p->retry_delay = -1;
    p->quota_id = NULL;
    p->nheaders = 0;
    p->body = MOCK_BODY_COMPLETION;
    p->error_type[0] = p->error_message[0] = p->error_code[0] = '\0';
    p->latency = 0;
    p->fault = MOCK_FAULT_NONE;
    p->slow_body = 0;
    p->tokens_in = p->tokens_out = 0;
    p->note[0] = '\0';
    p->ticket = 0;
    p->stream.on = false;
    p->stream.fault = MOCK_STREAM_NONE;
    p->known = (mock_plan_known){.exact = false,
                                 .lazy = false,
                                 .no_text = false,
                                 .pending = 0,
                                 .epoch_s = CM_SCENARIO_EPOCH,
                                 .retry_after_s = -1,
                                 .retry_after_ms = -1};
    if (date)
        mock_plan_header_set_known(p, "Date", date);
}

void mock_plan_init(mock_plan *p, mock_shape shape, cm_us now)
{
    char date[40];
    cm_fmt_http_date(now - now % CM_US_PER_S, date, sizeof date);
    mock_plan_init_dated(p, shape, date);
}

/* Whether header name `have` is `name` (nlen bytes), case-insensitively.
 * Why the byte tests: most names set on one plan share long prefixes
 * ("x-ratelimit-..."), and a name of another length or first or last letter
 * is turned away without a strcasecmp. have[nlen] is inside the name array
 * (nlen < its size), and is '\0' exactly when the lengths can match. */
static bool same_name(const char *have, const char *name, size_t nlen)
{
    if (nlen == 0 || have[nlen] != '\0' || ((have[0] ^ name[0]) & ~0x20) != 0 ||
        ((have[nlen - 1] ^ name[nlen - 1]) & ~0x20) != 0)
        return nlen == 0 && have[0] == '\0';
    return strcasecmp(have, name) == 0;
}

int mock_plan_header_set(mock_plan *p, const char *name, const char *value)
{
    mock_plan_render_known(p);
    p->known.exact = false;
    return mock_plan_header_set_known(p, name, value);
}

int mock_plan_header_set_known(mock_plan *p, const char *name, const char *value)
{
    size_t nlen = strlen(name), vlen = strlen(value);
    size_t i = 0;
    while (nlen < sizeof p->headers[0].name && i < p->nheaders &&
           !same_name(p->headers[i].name, name, nlen))
        i++;
    if (nlen >= sizeof p->headers[0].name || vlen >= sizeof p->headers[0].value ||
        i == MOCK_MAX_HEADERS) {
        p->known.exact = false;
        return -1;
    }
    memcpy(p->headers[i].name, name, nlen + 1);
    memcpy(p->headers[i].value, value, vlen + 1);
    if (i == p->nheaders)
        p->nheaders++;
    return 0;
}

int mock_plan_header_add_known(mock_plan *p, const char *name, const char *value)
{
    size_t nlen = strlen(name), vlen = strlen(value);
    if (!p->known.exact || p->nheaders >= MOCK_MAX_HEADERS || nlen >= sizeof p->headers[0].name ||
        vlen >= sizeof p->headers[0].value)
        return mock_plan_header_set_known(p, name, value);
    mock_header *h = &p->headers[p->nheaders++];
    memcpy(h->name, name, nlen + 1);
    memcpy(h->value, value, vlen + 1);
    return 0;
}

const char *mock_plan_header_get(const mock_plan *p, const char *name)
{
    for (size_t i = 0; i < p->nheaders; i++)
        if (strcasecmp(p->headers[i].name, name) == 0)
            return p->headers[i].value;
    return NULL;
}

void mock_plan_header_del(mock_plan *p, const char *name)
{
    mock_plan_render_known(p);
    p->known.exact = false;
    for (size_t i = 0; i < p->nheaders; i++)
        if (strcasecmp(p->headers[i].name, name) == 0) {
            memmove(&p->headers[i], &p->headers[i + 1],
                    (p->nheaders - i - 1) * sizeof p->headers[0]);
            p->nheaders--;
            return;
        }
}

typedef struct error_default {
    int status;
    const char *type, *code, *message;
} error_default;

/* OpenAI: {"error": {"message", "type", "param", "code"}}. */
static const error_default openai_errors[] = {
    {400, "invalid_request_error", NULL, "Invalid request."},
    {401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided."},
    {403, "invalid_request_error", "unsupported_country_region_territory",
     "Access to this resource is forbidden."},
    {404, "invalid_request_error", "model_not_found",
     "The model does not exist or you do not have access to it."},
    {413, "invalid_request_error", "request_too_large", "Request too large."},
    {429, "rate_limit_exceeded", "rate_limit_exceeded",
     "Rate limit reached. Please try again later."},
    {500, "server_error", NULL, "The server had an error while processing your request."},
    {503, "server_error", NULL, "The engine is currently overloaded, please try again later."},
    {0, "server_error", NULL, "The server had an error while processing your request."},
};

/* Anthropic: {"type": "error", "error": {"type", "message"}}; the types per
 * status: docs.claude.com/en/api/errors (read 2026-12-04); 529's message:
 * anthropics/anthropic-sdk-typescript@bfa9197f tests/streaming.test.ts. */
static const error_default anthropic_errors[] = {
    {400, "invalid_request_error", NULL, "Invalid request."},
    {401, "authentication_error", NULL, "invalid x-api-key"},
    {403, "permission_error", NULL,
     "Your API key does not have permission to use the specified "
     "resource."},
    {404, "not_found_error", NULL, "The requested resource could not be found."},
    {413, "request_too_large", NULL, "Request exceeds the maximum allowed number of bytes."},
    {429, "rate_limit_error", NULL, "This request would exceed your organization's rate limit."},
    {500, "api_error", NULL, "Internal server error"},
    {529, "overloaded_error", NULL, "Overloaded"},
    {0, "api_error", NULL, "Internal server error"},
};

/* Moonshot: {"error": {"type", "message"}}; 400/401 rows from
 * platform.kimi.ai/docs/api/errors, the 429 types as observed
 * (forum.moonshot.ai/t/569), read 2026-12-04; the 404 and 5xx types are
 * not documented there. */
static const error_default moonshot_errors[] = {
    {400, "invalid_request_error", NULL, "Invalid request."},
    {401, "invalid_authentication_error", NULL, "Invalid Authentication"},
    {404, "resource_not_found_error", NULL, "Not found the model or Permission denied"},
    {429, "rate_limit_reached_error", NULL, "Rate limit reached, please try again later"},
    {0, "server_error", NULL, "The engine is currently overloaded, please try again later"},
};

/* OpenRouter: {"error": {"code": STATUS, "message", "metadata": {"error_type"}}};
 * 429's error_type and the masked 5xx ("server"): OpenRouterTeam/docs@c26125a5
 * api_reference/errors-and-debugging.mdx and limits.mdx. Other types are
 * not documented: none is sent. */
static const error_default openrouter_errors[] = {
    {400, "", NULL, "Bad Request"},
    {401, "", NULL, "No auth credentials found"},
    {402, "", NULL, "Insufficient credits"},
    {404, "", NULL, "Not Found"},
    {429, "rate_limit_exceeded", NULL, "Rate limit exceeded"},
    {0, "server", NULL, "Internal Server Error"},
};

/* Gemini: google.rpc.Status, type = the canonical status name. Rows from
 * ai.google.dev/gemini-api/docs/generate-content/api-errors (read
 * 2026-12-04); a bad key is 400 INVALID_ARGUMENT with reason
 * API_KEY_INVALID (observed: continuedev/continue#11759), the row used for
 * 401 here and sent with the provider's invalid_key_status (400 in the
 * gemini profile); 503/504 from third-party lists. */
static const error_default gemini_errors[] = {
    {400, "INVALID_ARGUMENT", NULL, "Request contains an invalid argument."},
    {401, "INVALID_ARGUMENT", "API_KEY_INVALID", "API key not valid. Please pass a valid API key."},
    {403, "PERMISSION_DENIED", NULL, "The caller does not have permission"},
    {404, "NOT_FOUND", NULL, "Requested entity was not found."},
    {429, "RESOURCE_EXHAUSTED", NULL,
     "You exceeded your current quota, please check your plan and billing details. For more "
     "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."},
    {499, "CANCELLED", NULL, "The operation was cancelled."},
    {503, "UNAVAILABLE", NULL, "The model is overloaded. Please try again later."},
    {504, "DEADLINE_EXCEEDED", NULL, "Deadline expired before operation could complete."},
    {0, "INTERNAL", NULL, "An internal error has occurred."},
};

mock_error_style mock_plan_style(const mock_plan *p)
{
    if (p->error_style != MOCK_ERRORS_BY_SHAPE)
        return p->error_style;
    return p->shape == MOCK_SHAPE_ANTHROPIC ? MOCK_ERRORS_ANTHROPIC : MOCK_ERRORS_OPENAI;
}

static const error_default *table_of(mock_error_style style)
{
    switch (style) {
    case MOCK_ERRORS_ANTHROPIC:
        return anthropic_errors;
    case MOCK_ERRORS_MOONSHOT:
        return moonshot_errors;
    case MOCK_ERRORS_OPENROUTER:
        return openrouter_errors;
    case MOCK_ERRORS_GEMINI:
        return gemini_errors;
    case MOCK_ERRORS_BY_SHAPE:
    case MOCK_ERRORS_OPENAI:
        break;
    }
    return openai_errors;
}

static const error_default *error_default_for(mock_error_style style, int status)
{
    const error_default *t = table_of(style);
    while (t->status && t->status != status)
        t++;
    if (!t->status && status >= 400 && status < 500)
        return table_of(style); /* the 400 kind */
    return t;
}

const char *mock_plan_default_error_type(const mock_plan *p)
{
    return error_default_for(mock_plan_style(p), p->status)->type;
}

void mock_plan_error(mock_plan *p, int status, const char *type, const char *code,
                     const char *message)
{
    p->status = status;
    p->body = MOCK_BODY_ERROR;
    if (p->known.no_text) /* nobody reads them: they stay "" */
        return;
    const error_default *d = error_default_for(mock_plan_style(p), status);
    cm_strcpy_cut(p->error_type, sizeof p->error_type, type ? type : d->type);
    cm_strcpy_cut(p->error_code, sizeof p->error_code, code ? code : d->code ? d->code : "");
    cm_strcpy_cut(p->error_message, sizeof p->error_message, message ? message : d->message);
}
