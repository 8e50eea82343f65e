/* body.c: request body reading and response body writing, per shape. */
#include "mockserver/front/body.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mockserver/front/textbuf.h"
#include "mockserver/model/plan.h"

static int fail(char *msg, size_t size, const char *what)
{
    snprintf(msg, size, "%s", what);
    return -1;
}

static int64_t chars_to_tokens(size_t chars)
{
    return (int64_t)((chars + 3) / 4);
}

/* Characters of text in a content value: a string, or an array of parts
 * with "text" members (both shapes allow either). */
static size_t content_chars(const cJSON *content)
{
    if (cJSON_IsString(content))
        return strlen(content->valuestring);
    size_t n = 0;
    const cJSON *part;
    cJSON_ArrayForEach(part, content)
    {
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(part, "text");
        if (cJSON_IsString(text))
            n += strlen(text->valuestring);
    }
    return n;
}

static int read_messages(const cJSON *root, mock_body_req *out, char *msg, size_t size)
{
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(root, "messages");
    if (!cJSON_IsArray(msgs))
        return fail(msg, size, "messages: required array is missing");
    if (cJSON_GetArraySize(msgs) == 0)
        return fail(msg, size, "messages: must not be empty");
    size_t chars = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, msgs)
    {
        if (!cJSON_IsObject(m) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "role")))
            return fail(msg, size, "messages: each message must be an object with a role");
        chars += content_chars(cJSON_GetObjectItemCaseSensitive(m, "content"));
    }
    chars += content_chars(cJSON_GetObjectItemCaseSensitive(root, "system"));
    out->input_tokens = chars_to_tokens(chars) + cJSON_GetArraySize(msgs);
    return 0;
}

/* A Responses API "input": a string, or an array of input items (messages
 * with a role and content, or other items, which count nothing). */
static int read_input(const cJSON *root, mock_body_req *out, char *msg, size_t size)
{
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(root, "input");
    size_t chars = 0, items = 1;
    if (cJSON_IsString(input)) {
        chars = strlen(input->valuestring);
    } else if (cJSON_IsArray(input) && cJSON_GetArraySize(input) > 0) {
        items = (size_t)cJSON_GetArraySize(input);
        const cJSON *it;
        cJSON_ArrayForEach(it, input)
        {
            if (!cJSON_IsObject(it))
                return fail(msg, size, "input: each item must be an object");
            chars += content_chars(cJSON_GetObjectItemCaseSensitive(it, "content"));
        }
    } else {
        return fail(msg, size, "input: required string or non-empty array is missing");
    }
    chars += content_chars(cJSON_GetObjectItemCaseSensitive(root, "instructions"));
    out->input_tokens = chars_to_tokens(chars) + (int64_t)items;
    return 0;
}

static int read_max_tokens(mock_endpoint ep, const cJSON *root, mock_body_req *out, char *msg,
                           size_t size)
{
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(
        root, ep == MOCK_EP_RESPONSES ? "max_output_tokens" : "max_tokens");
    if (!mt && ep == MOCK_EP_CHAT)
        mt = cJSON_GetObjectItemCaseSensitive(root, "max_completion_tokens");
    if (!mt || cJSON_IsNull(mt)) {
        if (ep == MOCK_EP_MESSAGES)
            return fail(msg, size, "max_tokens: field required");
        out->max_tokens = 0;
        return 0;
    }
    double v = cJSON_IsNumber(mt) ? mt->valuedouble : -1;
    if (!(v >= 1 && v <= 1e7) || floor(v) != v)
        return fail(msg, size, "max_tokens: must be an integer from 1 to 10000000");
    out->max_tokens = (int64_t)v;
    return 0;
}

static int read_model(const cJSON *root, mock_body_req *out, char *msg, size_t size)
{
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    if (!cJSON_IsString(model) || model->valuestring[0] == '\0')
        return fail(msg, size, "model: required string is missing");
    size_t n = strlen(model->valuestring);
    if (n >= sizeof out->model)
        return fail(msg, size, "model: name too long");
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)model->valuestring[i];
        out->model[i] = (c == '\0' || (c >= 0x20 && c < 0x7f)) ? (char)c : '?';
    }
    return 0;
}

static int read_root(mock_endpoint ep, const cJSON *root, mock_body_req *out, char *msg,
                     size_t size)
{
    if (!cJSON_IsObject(root))
        return fail(msg, size, "request body must be a JSON object");
    if (read_model(root, out, msg, size) != 0 ||
        (ep == MOCK_EP_RESPONSES ? read_input(root, out, msg, size)
                                 : read_messages(root, out, msg, size)) != 0 ||
        read_max_tokens(ep, root, out, msg, size) != 0)
        return -1;
    const cJSON *stream = cJSON_GetObjectItemCaseSensitive(root, "stream");
    if (stream && !cJSON_IsBool(stream))
        return fail(msg, size, "stream: must be true or false");
    out->stream = cJSON_IsTrue(stream);
    /* OpenAI chat completions' stream_options.include_usage (the API
     * reference's ChatCompletionStreamOptions) */
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(root, "stream_options");
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(opts, "include_usage");
    if (opts && (!cJSON_IsObject(opts) || (usage && !cJSON_IsBool(usage))))
        return fail(msg, size,
                    "stream_options: must be an object with include_usage true or false");
    out->stream_usage = out->stream && ep == MOCK_EP_CHAT && cJSON_IsTrue(usage);
    out->tokens = out->input_tokens + out->max_tokens;
    return 0;
}

/* The JSON value filling all of text[len] (trailing whitespace allowed),
 * or NULL (*trailing true when a value was followed by other bytes). The
 * body is not NUL-terminated, so cJSON's own end check
 * (require_null_terminated, which wants a NUL inside len) is not used. */
static cJSON *parse_whole(const char *text, size_t len, bool *trailing)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!root)
        return NULL;
    size_t at = (size_t)(end - text);
    while (at < len && strchr(" \t\n\r", text[at]) && text[at] != '\0')
        at++;
    if (at == len)
        return root;
    cJSON_Delete(root);
    *trailing = true;
    return NULL;
}

int mock_body_parse(mock_endpoint endpoint, const char *text, size_t len, mock_body_req *out,
                    char *msg, size_t msg_size)
{
    memset(out, 0, sizeof *out);
    if (!text || len == 0)
        return fail(msg, msg_size, "request body is empty: expected JSON");
    if (len > MOCK_BODY_MAX)
        return fail(msg, msg_size, "request body too large");
    bool trailing = false;
    cJSON *root = parse_whole(text, len, &trailing);
    if (!root && trailing)
        return fail(msg, msg_size, "request body: text after the JSON value");
    if (!root)
        return fail(msg, msg_size, "request body is not valid JSON");
    int rc = read_root(endpoint, root, out, msg, msg_size);
    cJSON_Delete(root);
    return rc;
}

/* ---- rendering ---- */

/* A proto3 JSON Duration: "26s", "1.500s", "0.000250s" (0, 3 or 6 digits). */
static void put_proto_duration(mock_buf *b, cm_us d)
{
    if (d < 0)
        d = 0;
    long long s = (long long)(d / CM_US_PER_S), frac = (long long)(d % CM_US_PER_S);
    if (frac == 0)
        mock_buf_printf(b, "\"%llds\"", s);
    else if (frac % 1000 == 0)
        mock_buf_printf(b, "\"%lld.%03llds\"", s, frac / 1000);
    else
        mock_buf_printf(b, "\"%lld.%06llds\"", s, frac);
}

/* google.rpc.Status details: ErrorInfo (a reason in error_code), and for an
 * answer with a delay QuotaFailure (the refusing window) and RetryInfo, as
 * real Gemini 429s carry them (research notes, providers.md 7.2). */
static void render_gemini_details(mock_buf *b, const mock_plan *p)
{
    bool first = true;
    mock_buf_puts(b, ",\"details\":[");
    if (p->error_code[0]) {
        mock_buf_puts(b, "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":");
        mock_buf_json_str(b, p->error_code);
        mock_buf_puts(b, ",\"domain\":\"googleapis.com\",\"metadata\":{\"service\":"
                         "\"generativelanguage.googleapis.com\"}}");
        first = false;
    }
    if (p->retry_delay >= 0 && p->quota_id) {
        mock_buf_puts(b, first ? "" : ",");
        mock_buf_puts(b, "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\","
                         "\"violations\":[{\"quotaId\":");
        mock_buf_json_str(b, p->quota_id);
        mock_buf_puts(b, "}]}");
        first = false;
    }
    if (p->retry_delay >= 0) {
        mock_buf_puts(b, first ? "" : ",");
        mock_buf_puts(b, "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":");
        put_proto_duration(b, p->retry_delay);
        mock_buf_puts(b, "}");
    }
    mock_buf_puts(b, "]");
}

static void render_error(mock_buf *b, const mock_plan *p)
{
    const char *type = p->error_type[0] ? p->error_type : mock_plan_default_error_type(p);
    const char *message = p->error_message[0] ? p->error_message : "mock error";
    const char *rid = p->known.rid_name ? mock_plan_header_get(p, p->known.rid_name) : NULL;
    switch (mock_plan_style(p)) {
    case MOCK_ERRORS_ANTHROPIC:
        mock_buf_puts(b, "{\"type\":\"error\",\"error\":{\"type\":");
        mock_buf_json_str(b, type);
        mock_buf_puts(b, ",\"message\":");
        mock_buf_json_str(b, message);
        mock_buf_puts(b, "}");
        if (rid) { /* docs.claude.com/en/api/errors: the request-id header's value */
            mock_buf_puts(b, ",\"request_id\":");
            mock_buf_json_str(b, rid);
        }
        mock_buf_puts(b, "}");
        return;
    case MOCK_ERRORS_MOONSHOT:
        mock_buf_puts(b, "{\"error\":{\"type\":");
        mock_buf_json_str(b, type);
        mock_buf_puts(b, ",\"message\":");
        mock_buf_json_str(b, message);
        mock_buf_puts(b, "}}");
        return;
    case MOCK_ERRORS_OPENROUTER:
        mock_buf_printf(b, "{\"error\":{\"code\":%d,\"message\":", p->status);
        mock_buf_json_str(b, message);
        if (type[0]) {
            mock_buf_puts(b, ",\"metadata\":{\"error_type\":");
            mock_buf_json_str(b, type);
            mock_buf_puts(b, "}");
        }
        mock_buf_puts(b, "}}");
        return;
    case MOCK_ERRORS_GEMINI:
        mock_buf_printf(b, "{\"error\":{\"code\":%d,\"message\":", p->status);
        mock_buf_json_str(b, message);
        mock_buf_puts(b, ",\"status\":");
        mock_buf_json_str(b, type);
        render_gemini_details(b, p);
        mock_buf_puts(b, "}}");
        return;
    case MOCK_ERRORS_BY_SHAPE:
    case MOCK_ERRORS_OPENAI:
        break;
    }
    mock_buf_puts(b, "{\"error\":{\"message\":");
    mock_buf_json_str(b, message);
    mock_buf_puts(b, ",\"type\":");
    mock_buf_json_str(b, type);
    mock_buf_puts(b, ",\"param\":null,\"code\":");
    mock_buf_json_str(b, p->error_code[0] ? p->error_code : NULL);
    mock_buf_puts(b, "}}");
}

static int64_t epoch_of(const mock_render_ctx *c)
{
    return c->epoch_s ? c->epoch_s : CM_SCENARIO_EPOCH;
}

static void render_reply_text(mock_buf *b, const mock_render_ctx *c)
{
    char text[256];
    snprintf(text, sizeof text, "Mock reply from retrylab (provider %s, model %s).",
             c->provider ? c->provider : "?", c->model ? c->model : "?");
    mock_buf_json_str(b, text);
}

static void render_openai_completion(mock_buf *b, const mock_render_ctx *c)
{
    mock_buf_printf(b, "{\"id\":\"chatcmpl-mock%llu\",\"object\":\"chat.completion\",\"created\":",
                    (unsigned long long)c->id);
    mock_buf_int(b, epoch_of(c) + c->now / CM_US_PER_S);
    mock_buf_puts(b, ",\"model\":");
    mock_buf_json_str(b, c->model);
    mock_buf_puts(b, ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
    render_reply_text(b, c);
    mock_buf_puts(b,
                  "},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":");
    mock_buf_int(b, c->tokens_in);
    mock_buf_puts(b, ",\"completion_tokens\":");
    mock_buf_int(b, c->tokens_out);
    mock_buf_puts(b, ",\"total_tokens\":");
    mock_buf_int(b, c->tokens_in + c->tokens_out);
    mock_buf_puts(b, "}}");
}

/* A non-streamed Response object with the members the OpenAPI Response
 * schema requires (id, object, created_at, error, incomplete_details,
 * instructions, model, tools, output, parallel_tool_calls, metadata,
 * tool_choice, temperature, top_p) plus status and usage, as in its example:
 * openai-node@7b7d6ca7 api_reference/openapi.transformed.yml (read
 * 2026-12-04). The SDKs compute output_text from output[]. */
static void render_openai_response(mock_buf *b, const mock_render_ctx *c)
{
    int64_t created = epoch_of(c) + c->now / CM_US_PER_S;
    mock_buf_printf(b, "{\"id\":\"resp_mock%llu\",\"object\":\"response\",\"created_at\":",
                    (unsigned long long)c->id);
    mock_buf_int(b, created);
    mock_buf_puts(b, ",\"status\":\"completed\",\"completed_at\":");
    mock_buf_int(b, created);
    mock_buf_puts(b, ",\"error\":null,\"incomplete_details\":null,\"instructions\":null,"
                     "\"max_output_tokens\":null,\"model\":");
    mock_buf_json_str(b, c->model);
    mock_buf_printf(b,
                    ",\"output\":[{\"type\":\"message\",\"id\":\"msg_mock%llu\",\"status\":"
                    "\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
                    "\"text\":",
                    (unsigned long long)c->id);
    render_reply_text(b, c);
    mock_buf_puts(b,
                  ",\"annotations\":[]}]}],\"parallel_tool_calls\":true,"
                  "\"previous_response_id\":null,\"reasoning\":{\"effort\":null,\"summary\":null},"
                  "\"store\":false,\"temperature\":1.0,\"text\":{\"format\":{\"type\":\"text\"}},"
                  "\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,\"truncation\":"
                  "\"disabled\",\"usage\":{\"input_tokens\":");
    mock_buf_int(b, c->tokens_in);
    mock_buf_puts(b, ",\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":");
    mock_buf_int(b, c->tokens_out);
    mock_buf_puts(b, ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":");
    mock_buf_int(b, c->tokens_in + c->tokens_out);
    mock_buf_puts(b, "},\"user\":null,\"metadata\":{}}");
}

static void render_anthropic_message(mock_buf *b, const mock_render_ctx *c)
{
    mock_buf_printf(b,
                    "{\"id\":\"msg_mock%llu\",\"type\":\"message\",\"role\":\"assistant\","
                    "\"content\":[{\"type\":\"text\",\"text\":",
                    (unsigned long long)c->id);
    render_reply_text(b, c);
    mock_buf_puts(b, "}],\"model\":");
    mock_buf_json_str(b, c->model);
    mock_buf_puts(b, ",\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                     "\"usage\":{\"input_tokens\":");
    mock_buf_int(b, c->tokens_in);
    mock_buf_puts(b, ",\"output_tokens\":");
    mock_buf_int(b, c->tokens_out);
    mock_buf_puts(b, "}}");
}

static void render_models(mock_buf *b, const mock_plan *p, const mock_render_ctx *c)
{
    bool oa = p->shape == MOCK_SHAPE_OPENAI;
    mock_buf_puts(b, oa ? "{\"object\":\"list\",\"data\":[" : "{\"data\":[");
    for (size_t i = 0; i < c->nmodels; i++) {
        mock_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
        mock_buf_json_str(b, c->models[i]);
        if (oa) {
            mock_buf_puts(b, ",\"object\":\"model\",\"created\":");
            mock_buf_int(b, epoch_of(c));
            mock_buf_puts(b, ",\"owned_by\":");
            mock_buf_json_str(b, c->provider);
        } else {
            mock_buf_puts(b, ",\"type\":\"model\",\"display_name\":");
            mock_buf_json_str(b, c->models[i]);
            mock_buf_puts(b, ",\"created_at\":\"2026-01-01T00:00:00Z\"");
        }
        mock_buf_puts(b, "}");
    }
    mock_buf_puts(b, "]");
    if (!oa) {
        mock_buf_puts(b, ",\"has_more\":false,\"first_id\":");
        mock_buf_json_str(b, c->nmodels ? c->models[0] : NULL);
        mock_buf_puts(b, ",\"last_id\":");
        mock_buf_json_str(b, c->nmodels ? c->models[c->nmodels - 1] : NULL);
    }
    mock_buf_puts(b, "}");
}

char *mock_body_render(const mock_plan *plan, const mock_render_ctx *ctx, size_t *len)
{
    mock_buf b;
    mock_buf_init(&b, MOCK_BODY_MAX);
    if (plan->body == MOCK_BODY_ERROR || plan->status >= 400)
        render_error(&b, plan);
    else if (plan->body == MOCK_BODY_MODELS)
        render_models(&b, plan, ctx);
    else if (plan->shape == MOCK_SHAPE_ANTHROPIC)
        render_anthropic_message(&b, ctx);
    else if (ctx->endpoint == MOCK_EP_RESPONSES)
        render_openai_response(&b, ctx);
    else
        render_openai_completion(&b, ctx);
    mock_buf_puts(&b, "\n");
    return mock_buf_take(&b, len);
}

void mock_body_error_plan(mock_plan *plan, mock_shape shape, int status, const char *code,
                          const char *message)
{
    memset(plan, 0, sizeof *plan);
    plan->shape = shape;
    plan->retry_delay = -1;
    plan->fault = MOCK_FAULT_NONE;
    mock_plan_error(plan, status, NULL, code, message ? message : "");
    snprintf(plan->note, sizeof plan->note, "%d: %s", status, message ? message : "");
}
