/* sse.c: reading a stream of Server-Sent Events as it arrives. */
#include "engine/http/sse.h"

#include <cjson/cJSON.h>
#include <string.h>

void rl_sse_init(rl_sse *s, rl_sse_format format)
{
    memset(s, 0, offsetof(rl_sse, buf));
    s->format = format;
}

static void set_error(rl_sse *s, const cJSON *type)
{
    s->end = RL_STREAM_ERROR;
    const char *t = cJSON_IsString(type) ? type->valuestring : "error";
    size_t n = strlen(t) < sizeof s->error_type - 1 ? strlen(t) : sizeof s->error_type - 1;
    memcpy(s->error_type, t, n);
    s->error_type[n] = '\0';
}

/* {"error":{"type"|"code":...}} or {"type":"error","code":...}: the error's name. */
static const cJSON *error_name(const cJSON *root)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
    const cJSON *from = cJSON_IsObject(e) ? e : root;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(from, "type");
    if (!cJSON_IsString(t) || (from == root && strcmp(t->valuestring, "error") == 0))
        t = cJSON_GetObjectItemCaseSensitive(from, "code");
    return t;
}

/* An OpenAI chat.completion.chunk: a token when its first choice's delta has
 * content; an error when it has a truthy "error" (openai-node streaming.ts). */
static uint32_t on_chat(rl_sse *s, const cJSON *root)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
    if (strcmp(s->name, "error") == 0 || (e && !cJSON_IsNull(e) && !cJSON_IsFalse(e))) {
        set_error(s, error_name(root));
        return 0;
    }
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    const cJSON *delta = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(choices, 0), "delta");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(delta, "content");
    return cJSON_IsString(content) && content->valuestring[0] ? 1 : 0;
}

static uint32_t on_responses(rl_sse *s, const char *type, const cJSON *root)
{
    if (strcmp(type, "response.output_text.delta") == 0)
        return 1;
    if (strcmp(type, "response.completed") == 0)
        s->end = RL_STREAM_COMPLETE;
    else if (strcmp(type, "error") == 0)
        set_error(s, error_name(root));
    else if (strcmp(type, "response.failed") == 0)
        set_error(s, error_name(cJSON_GetObjectItemCaseSensitive(root, "response")));
    return 0;
}

static uint32_t on_anthropic(rl_sse *s, const char *type, const cJSON *root)
{
    if (strcmp(type, "content_block_delta") == 0) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "delta");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "type");
        return cJSON_IsString(t) && strcmp(t->valuestring, "text_delta") == 0 ? 1 : 0;
    }
    if (strcmp(type, "message_stop") == 0)
        s->end = RL_STREAM_COMPLETE;
    else if (strcmp(type, "error") == 0)
        set_error(s, error_name(root));
    return 0;
}

/* The event read so far is whole: judge it. Returns the tokens it carried. */
static uint32_t dispatch(rl_sse *s)
{
    uint32_t got = 0;
    bool named = s->name[0] != '\0';
    if (s->has_data && (s->format != RL_SSE_ANTHROPIC || named)) {
        s->events++;
        s->buf[s->len] = '\0';
        if (s->format != RL_SSE_ANTHROPIC && strcmp(s->buf, "[DONE]") == 0) {
            if (s->format == RL_SSE_OPENAI_CHAT)
                s->end = RL_STREAM_COMPLETE;
        } else {
            cJSON *root = cJSON_ParseWithLength(s->buf, s->len);
            const char *type = s->name;
            if (!root && !s->too_long)
                s->end = RL_STREAM_MALFORMED;
            else if (s->format == RL_SSE_OPENAI_CHAT)
                got = root ? on_chat(s, root) : 1; /* a chunk too long to read: one token */
            else if (s->format == RL_SSE_OPENAI_RESPONSES)
                got = on_responses(s, type, root);
            else if (strcmp(type, "ping") != 0)
                got = on_anthropic(s, type, root);
            cJSON_Delete(root);
        }
    }
    s->name[0] = '\0';
    s->len = 0;
    s->has_data = s->too_long = false;
    return got;
}

/* A field line other than data has ended: `event:` names the event; other
 * fields (id, retry) and comments are not needed. */
static void field_line(rl_sse *s)
{
    if (s->skip_line || s->line_len < 6 || memcmp(s->line, "event:", 6) != 0)
        return;
    size_t at = 6 + (s->line_len > 6 && s->line[6] == ' ');
    size_t n = s->line_len - at;
    memcpy(s->name, s->line + at, n);
    s->name[n] = '\0';
}

/* One byte of a data line's value. */
static void data_byte(rl_sse *s, char c)
{
    if (s->len < RL_SSE_EVENT_MAX)
        s->buf[s->len++] = c;
    else
        s->too_long = true;
}

/* A line ended: a blank one ends the event. */
static uint32_t end_line(rl_sse *s)
{
    uint32_t got = 0;
    if (!s->in_data && !s->skip_line && s->line_len == 0)
        got = dispatch(s);
    else if (!s->in_data)
        field_line(s);
    s->line_len = 0;
    s->in_data = s->skip_line = false;
    return got;
}

/* A byte of a line that is not yet known to be data. */
static void line_byte(rl_sse *s, char c)
{
    if (s->line_len + 1 >= sizeof s->line) {
        s->skip_line = true;
        return;
    }
    s->line[s->line_len++] = c;
    if (s->line_len == 5 && memcmp(s->line, "data:", 5) == 0) {
        s->in_data = true;
        if (s->has_data)
            data_byte(s, '\n'); /* data lines of one event join with newlines */
        s->has_data = true;
    }
}

uint32_t rl_sse_feed(rl_sse *s, const char *p, size_t n)
{
    uint32_t got = 0;
    for (size_t i = 0; i < n && s->end == RL_STREAM_NONE; i++) {
        char c = p[i];
        if (c == '\n' && s->after_cr) {
            s->after_cr = false;
            continue;
        }
        s->after_cr = c == '\r';
        if (c == '\r' || c == '\n')
            got += end_line(s);
        else if (s->in_data) {
            if (!(c == ' ' && s->line_len == 5)) /* one space after "data:" is not data */
                data_byte(s, c);
            s->line_len = 6;
        } else if (!s->skip_line)
            line_byte(s, c);
    }
    s->tokens += got;
    if (got && !s->first_token)
        s->first_token = true;
    return got;
}

void rl_sse_finish(rl_sse *s)
{
    if (s->end == RL_STREAM_NONE && (s->in_data || s->line_len > 0))
        s->tokens += end_line(s);
    if (s->end == RL_STREAM_NONE && s->has_data) {
        uint32_t got = dispatch(s); /* a last event without its blank line: openai-node reads it */
        s->tokens += got;
        s->first_token |= got > 0;
    }
    if (s->end == RL_STREAM_NONE)
        s->end = RL_STREAM_CUT;
}
