/* sse.c: the bytes of a planned stream, per API. */
#include "mockserver/front/sse.h"

#include <string.h>

static const char *const words[] = {"Retry",  " with", " backoff", ",",       " honour", " Retry",
                                    "-After", ",",     " and",     " rotate", " keys",   "."};

const char *mock_sse_token_text(uint32_t i)
{
    return words[i % (sizeof words / sizeof *words)];
}

/* ---- OpenAI chat completions ---- */

/* `data: {"id":...,"choices":[` up to the choice. */
static void chat_head(const mock_sse_ctx *c, mock_buf *b)
{
    mock_buf_puts(b, "data: {\"id\":\"chatcmpl-mock-");
    mock_buf_int(b, (int64_t)c->id);
    mock_buf_puts(b, "\",\"object\":\"chat.completion.chunk\",\"created\":");
    mock_buf_int(b, c->created_unix);
    mock_buf_puts(b, ",\"model\":");
    mock_buf_json_str(b, c->model);
    mock_buf_puts(b, ",\"choices\":[");
}

static void chat_choice(const mock_sse_ctx *c, mock_buf *b, const char *delta, const char *finish)
{
    chat_head(c, b);
    mock_buf_puts(b, "{\"index\":0,\"delta\":");
    mock_buf_puts(b, delta);
    mock_buf_puts(b, ",\"logprobs\":null,\"finish_reason\":");
    mock_buf_puts(b, finish);
    mock_buf_puts(b, c->stream->usage ? "}],\"usage\":null}\n\n" : "}]}\n\n");
}

static void chat_token(const mock_sse_ctx *c, uint32_t i, mock_buf *b)
{
    chat_head(c, b);
    mock_buf_puts(b, "{\"index\":0,\"delta\":{\"content\":");
    mock_buf_json_str(b, mock_sse_token_text(i));
    mock_buf_puts(b, "},\"logprobs\":null,\"finish_reason\":null");
    mock_buf_puts(b, c->stream->usage ? "}],\"usage\":null}\n\n" : "}]}\n\n");
}

static void chat_ending(const mock_sse_ctx *c, uint32_t sent, mock_buf *b)
{
    chat_choice(c, b, "{}", "\"stop\"");
    if (c->stream->usage) {
        chat_head(c, b);
        mock_buf_puts(b, "],\"usage\":{\"prompt_tokens\":");
        mock_buf_int(b, c->tokens_in);
        mock_buf_puts(b, ",\"completion_tokens\":");
        mock_buf_int(b, sent);
        mock_buf_puts(b, ",\"total_tokens\":");
        mock_buf_int(b, c->tokens_in + sent);
        mock_buf_puts(b, "}}\n\n");
    }
    mock_buf_puts(b, "data: [DONE]\n\n");
}

/* ---- OpenAI Responses ---- */

/* `event: TYPE\ndata: {"type":"TYPE","sequence_number":N` */
static void resp_head(mock_buf *b, const char *type, uint32_t seq)
{
    mock_buf_puts(b, "event: ");
    mock_buf_puts(b, type);
    mock_buf_puts(b, "\ndata: {\"type\":\"");
    mock_buf_puts(b, type);
    mock_buf_puts(b, "\",\"sequence_number\":");
    mock_buf_int(b, seq);
}

static void resp_text(mock_buf *b, uint32_t sent)
{
    mock_buf_add(b, "\"", 1);
    for (uint32_t i = 0; i < sent; i++) {
        char esc[64];
        mock_buf tmp;
        mock_buf_init_fixed(&tmp, esc, sizeof esc);
        mock_buf_json_str(&tmp, mock_sse_token_text(i));
        mock_buf_add(b, esc + 1, tmp.len - 2); /* without its quotes */
    }
    mock_buf_add(b, "\"", 1);
}

/* The response object; `sent` < 0: in progress with no output yet. */
static void resp_object(const mock_sse_ctx *c, mock_buf *b, const char *status, int64_t sent)
{
    mock_buf_puts(b, "\"response\":{\"id\":\"resp_mock_");
    mock_buf_int(b, (int64_t)c->id);
    mock_buf_puts(b, "\",\"object\":\"response\",\"created_at\":");
    mock_buf_int(b, c->created_unix);
    mock_buf_puts(b, ",\"status\":\"");
    mock_buf_puts(b, status);
    mock_buf_puts(b, "\",\"error\":null,\"incomplete_details\":null,\"instructions\":null,"
                     "\"model\":");
    mock_buf_json_str(b, c->model);
    mock_buf_puts(b, ",\"output\":[");
    if (sent >= 0) {
        mock_buf_puts(b, "{\"id\":\"msg_mock_");
        mock_buf_int(b, (int64_t)c->id);
        mock_buf_puts(b, "\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\","
                         "\"content\":[{\"type\":\"output_text\",\"text\":");
        resp_text(b, (uint32_t)sent);
        mock_buf_puts(b, ",\"annotations\":[]}]}");
    }
    mock_buf_puts(b, "],\"parallel_tool_calls\":true,\"temperature\":1.0,\"tool_choice\":\"auto\","
                     "\"tools\":[],\"top_p\":1.0,\"metadata\":{},\"usage\":");
    if (sent < 0) {
        mock_buf_puts(b, "null}");
        return;
    }
    mock_buf_puts(b, "{\"input_tokens\":");
    mock_buf_int(b, c->tokens_in);
    mock_buf_puts(b, ",\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":");
    mock_buf_int(b, sent);
    mock_buf_puts(b, ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":");
    mock_buf_int(b, c->tokens_in + sent);
    mock_buf_puts(b, "}}");
}

static void resp_item_ids(const mock_sse_ctx *c, mock_buf *b)
{
    mock_buf_puts(b, ",\"item_id\":\"msg_mock_");
    mock_buf_int(b, (int64_t)c->id);
    mock_buf_puts(b, "\",\"output_index\":0,\"content_index\":0");
}

static void resp_opening(const mock_sse_ctx *c, mock_buf *b)
{
    resp_head(b, "response.created", 0);
    mock_buf_add(b, ",", 1);
    resp_object(c, b, "in_progress", -1);
    mock_buf_puts(b, "}\n\n");
    resp_head(b, "response.in_progress", 1);
    mock_buf_add(b, ",", 1);
    resp_object(c, b, "in_progress", -1);
    mock_buf_puts(b, "}\n\n");
    resp_head(b, "response.output_item.added", 2);
    mock_buf_puts(b, ",\"output_index\":0,\"item\":{\"id\":\"msg_mock_");
    mock_buf_int(b, (int64_t)c->id);
    mock_buf_puts(b, "\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\","
                     "\"content\":[]}}\n\n");
    resp_head(b, "response.content_part.added", 3);
    resp_item_ids(c, b);
    mock_buf_puts(b, ",\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}}\n\n");
}

static void resp_token(const mock_sse_ctx *c, uint32_t i, mock_buf *b)
{
    resp_head(b, "response.output_text.delta", 4 + i);
    resp_item_ids(c, b);
    mock_buf_puts(b, ",\"delta\":");
    mock_buf_json_str(b, mock_sse_token_text(i));
    mock_buf_puts(b, ",\"logprobs\":[]}\n\n");
}

static void resp_ending(const mock_sse_ctx *c, uint32_t sent, mock_buf *b)
{
    uint32_t seq = 4 + sent;
    resp_head(b, "response.output_text.done", seq++);
    resp_item_ids(c, b);
    mock_buf_puts(b, ",\"text\":");
    resp_text(b, sent);
    mock_buf_puts(b, ",\"logprobs\":[]}\n\n");
    resp_head(b, "response.content_part.done", seq++);
    resp_item_ids(c, b);
    mock_buf_puts(b, ",\"part\":{\"type\":\"output_text\",\"text\":");
    resp_text(b, sent);
    mock_buf_puts(b, ",\"annotations\":[]}}\n\n");
    resp_head(b, "response.output_item.done", seq++);
    mock_buf_puts(b, ",\"output_index\":0,\"item\":{\"id\":\"msg_mock_");
    mock_buf_int(b, (int64_t)c->id);
    mock_buf_puts(b, "\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\","
                     "\"content\":[{\"type\":\"output_text\",\"text\":");
    resp_text(b, sent);
    mock_buf_puts(b, ",\"annotations\":[]}]}}\n\n");
    resp_head(b, "response.completed", seq);
    mock_buf_add(b, ",", 1);
    resp_object(c, b, "completed", sent);
    mock_buf_puts(b, "}\n\n");
}

/* ---- Anthropic messages ---- */

static void ant_event(mock_buf *b, const char *type)
{
    mock_buf_puts(b, "event: ");
    mock_buf_puts(b, type);
    mock_buf_puts(b, "\ndata: {\"type\":\"");
    mock_buf_puts(b, type);
    mock_buf_puts(b, "\"");
}

static void ant_opening(const mock_sse_ctx *c, mock_buf *b)
{
    ant_event(b, "message_start");
    mock_buf_puts(b, ",\"message\":{\"id\":\"msg_mock_");
    mock_buf_int(b, (int64_t)c->id);
    mock_buf_puts(b, "\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":");
    mock_buf_json_str(b, c->model);
    mock_buf_puts(b, ",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":");
    mock_buf_int(b, c->tokens_in);
    mock_buf_puts(b, ",\"output_tokens\":1}}}\n\n");
    ant_event(b, "content_block_start");
    mock_buf_puts(b, ",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    ant_event(b, "ping");
    mock_buf_puts(b, "}\n\n");
}

static void ant_token(uint32_t i, mock_buf *b)
{
    ant_event(b, "content_block_delta");
    mock_buf_puts(b, ",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":");
    mock_buf_json_str(b, mock_sse_token_text(i));
    mock_buf_puts(b, "}}\n\n");
}

static void ant_ending(uint32_t sent, mock_buf *b)
{
    ant_event(b, "content_block_stop");
    mock_buf_puts(b, ",\"index\":0}\n\n");
    ant_event(b, "message_delta");
    mock_buf_puts(b, ",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                     "\"usage\":{\"output_tokens\":");
    mock_buf_int(b, sent);
    mock_buf_puts(b, "}}\n\n");
    ant_event(b, "message_stop");
    mock_buf_puts(b, "}\n\n");
}

/* ---- the face ---- */

void mock_sse_opening(const mock_sse_ctx *c, mock_buf *b)
{
    switch (c->format) {
    case MOCK_SSE_CHAT:
        chat_choice(c, b, "{\"role\":\"assistant\",\"content\":\"\"}", "null");
        return;
    case MOCK_SSE_RESPONSES:
        resp_opening(c, b);
        return;
    case MOCK_SSE_ANTHROPIC:
        ant_opening(c, b);
        return;
    }
}

void mock_sse_token(const mock_sse_ctx *c, uint32_t i, mock_buf *b)
{
    switch (c->format) {
    case MOCK_SSE_CHAT:
        chat_token(c, i, b);
        return;
    case MOCK_SSE_RESPONSES:
        resp_token(c, i, b);
        return;
    case MOCK_SSE_ANTHROPIC:
        ant_token(i, b);
        return;
    }
}

void mock_sse_ending(const mock_sse_ctx *c, uint32_t sent, mock_buf *b)
{
    switch (c->format) {
    case MOCK_SSE_CHAT:
        chat_ending(c, sent, b);
        return;
    case MOCK_SSE_RESPONSES:
        resp_ending(c, sent, b);
        return;
    case MOCK_SSE_ANTHROPIC:
        ant_ending(sent, b);
        return;
    }
}

/* The error event of each format; its message says what the type means. */
static void error_event(const mock_sse_ctx *c, uint32_t sent, mock_buf *b)
{
    const char *type = c->stream->error_type[0] ? c->stream->error_type : "server_error";
    switch (c->format) {
    case MOCK_SSE_CHAT:
        mock_buf_puts(b, "data: {\"error\":{\"message\":\"The server had an error while "
                         "processing your request.\",\"type\":");
        mock_buf_json_str(b, type);
        mock_buf_puts(b, ",\"param\":null,\"code\":null}}\n\n");
        return;
    case MOCK_SSE_RESPONSES:
        resp_head(b, "error", 4 + sent);
        mock_buf_puts(b, ",\"code\":");
        mock_buf_json_str(b, type);
        mock_buf_puts(b, ",\"message\":\"The model failed to generate a response.\","
                         "\"param\":null}\n\n");
        return;
    case MOCK_SSE_ANTHROPIC:
        mock_buf_puts(b, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":");
        mock_buf_json_str(b, type);
        mock_buf_puts(b, ",\"message\":");
        mock_buf_json_str(b, strcmp(type, "overloaded_error") == 0 ? "Overloaded" : "Error");
        mock_buf_puts(b, "}}\n\n");
        return;
    }
}

void mock_sse_fault(const mock_sse_ctx *c, uint32_t sent, mock_buf *b)
{
    if (c->stream->fault == MOCK_STREAM_ERROR)
        error_event(c, sent, b);
    else if (c->stream->fault == MOCK_STREAM_MALFORMED) /* a token event cut mid-JSON */
        mock_buf_puts(b, c->format == MOCK_SSE_CHAT ? "data: {\"id\":\"chatcmpl-mock\",\"cho\n\n"
                         : c->format == MOCK_SSE_RESPONSES
                             ? "event: response.output_text.delta\ndata: {\"type\":\"resp\n\n"
                             : "event: content_block_delta\ndata: {\"type\":\"conte\n\n");
}
