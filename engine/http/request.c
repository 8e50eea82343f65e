/* http_request.c: request bodies and headers per API shape, the response
 * header and error body capture, the error body reader, and the libcurl
 * error map of the HTTP runner. */
#include "engine/http/request.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest prompt a body carries; larger token counts go into max_tokens. */
#define PROMPT_MAX_CHARS 65536
#define MAX_TOKENS_CAP 10000000

char *rl_http_endpoint_url(const char *base_url, rl_shape shape)
{
    const char *tail = shape == RL_SHAPE_ANTHROPIC ? "messages" : "chat/completions";
    size_t n = strlen(base_url);
    while (n > 0 && base_url[n - 1] == '/')
        n--;
    size_t size = n + strlen(tail) + 2;
    char *url = malloc(size);
    if (url)
        snprintf(url, size, "%.*s/%s", (int)n, base_url, tail);
    return url;
}

/* Prompt characters and max_tokens that the mockserver counts as `tokens`:
 * ceil(chars / 4) + 1 (one message) + max_tokens. */
static void split_tokens(int64_t tokens, size_t *chars, int64_t *max_tokens)
{
    if (tokens <= 0) {
        *chars = 20;
        *max_tokens = 16;
        return;
    }
    int64_t mt = tokens >= 18 ? 16 : (tokens >= 3 ? tokens - 2 : 1);
    int64_t prompt = tokens - 1 - mt; /* prompt tokens */
    if (prompt > PROMPT_MAX_CHARS / 4) {
        mt += prompt - PROMPT_MAX_CHARS / 4;
        prompt = PROMPT_MAX_CHARS / 4;
    }
    if (mt > MAX_TOKENS_CAP)
        mt = MAX_TOKENS_CAP;
    *chars = prompt > 0 ? (size_t)prompt * 4 : 1;
    *max_tokens = mt;
}

static char *prompt_text(size_t chars)
{
    static const char words[] = "Say hello in one short sentence. ";
    char *p = malloc(chars + 1);
    if (!p)
        return NULL;
    for (size_t i = 0; i < chars; i++)
        p[i] = words[i % (sizeof words - 1)];
    p[chars] = '\0';
    return p;
}

static cJSON *messages_json(const char *prompt)
{
    cJSON *msgs = cJSON_CreateArray();
    cJSON *m = cJSON_CreateObject();
    if (!msgs || !m || !cJSON_AddStringToObject(m, "role", "user") ||
        !cJSON_AddStringToObject(m, "content", prompt)) {
        cJSON_Delete(msgs);
        cJSON_Delete(m);
        return NULL;
    }
    cJSON_AddItemToArray(msgs, m);
    return msgs;
}

char *rl_http_body(rl_shape shape, const char *model, int64_t tokens, bool stream, bool usage,
                   size_t *len)
{
    size_t chars;
    int64_t mt;
    split_tokens(tokens, &chars, &mt);
    char *prompt = prompt_text(chars);
    cJSON *root = cJSON_CreateObject();
    cJSON *msgs = prompt ? messages_json(prompt) : NULL;
    free(prompt);
    char *text = NULL;
    /* Member order as each API documents its examples. */
    if (root && msgs && cJSON_AddStringToObject(root, "model", model)) {
        if (shape == RL_SHAPE_ANTHROPIC) {
            cJSON_AddNumberToObject(root, "max_tokens", (double)mt);
            cJSON_AddItemToObject(root, "messages", msgs);
        } else {
            cJSON_AddItemToObject(root, "messages", msgs);
            cJSON_AddNumberToObject(root, "max_tokens", (double)mt);
        }
        msgs = NULL;
        if (stream)
            cJSON_AddTrueToObject(root, "stream");
        cJSON *opts = stream && usage && shape == RL_SHAPE_OPENAI
                          ? cJSON_AddObjectToObject(root, "stream_options") /* the OpenAI API
                                                        reference's ChatCompletionStreamOptions */
                          : NULL;
        if (opts)
            cJSON_AddTrueToObject(opts, "include_usage");
        text = cJSON_PrintUnformatted(root);
    }
    cJSON_Delete(msgs);
    cJSON_Delete(root);
    if (text)
        *len = strlen(text);
    return text;
}

/* Appends "Name: value" to the list; NULL (list freed) when out of memory. */
static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value)
{
    char line[512];
    int n = snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *grown = NULL;
    if (n > 0 && (size_t)n < sizeof line)
        grown = curl_slist_append(list, line);
    /* snprintf into a stack buffer: wipe it, it may hold the key. */
    memset(line, 0, sizeof line);
    if (!grown)
        curl_slist_free_all(list);
    return grown;
}

struct curl_slist *rl_http_headers(rl_shape shape, const char *key)
{
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (h)
        h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    if (h && shape == RL_SHAPE_ANTHROPIC) {
        h = add_header(h, "anthropic-version", "2023-06-01");
        if (h && key)
            h = add_header(h, "x-api-key", key);
    } else if (h && key) {
        char bearer[480];
        int n = snprintf(bearer, sizeof bearer, "Bearer %s", key);
        h = n > 0 && (size_t)n < sizeof bearer ? add_header(h, "Authorization", bearer) : h;
        memset(bearer, 0, sizeof bearer);
    }
    return h;
}

bool rl_http_is_loopback(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    bool loop = false;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host) {
        struct in_addr v4;
        loop = strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
               (inet_pton(AF_INET, host, &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return loop;
}

void rl_http_proxy_for(CURL *e, const char *url)
{
    /* "" is "no proxy, whatever the environment says"; NULL is the default. */
    curl_easy_setopt(e, CURLOPT_PROXY, rl_http_is_loopback(url) ? "" : NULL);
}

void rl_hcap_reset(rl_hcap *h)
{
    h->n = 0;
    h->len = 0;
}

static size_t trim_end(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

/* The headers rl_headers_parse reads, and those a trace keeps as evidence
 * (rl_trace_evidence_headers: request ids, other rate-limit-like names); the
 * rest is not kept. */
static bool wanted(const char *name, size_t n)
{
    static const char *const prefixes[] = {
        "retry-after",     "x-ratelimit-", "anthropic-ratelimit-", "ratelimit",
        "x-should-retry",  "x-request-id", "request-id",           "x-amzn-requestid",
        "x-generation-id", "cf-ray",       "x-ms-retry-after",     NULL};
    if (n == 4 && strncasecmp(name, "date", 4) == 0)
        return true;
    for (int i = 0; prefixes[i]; i++) {
        size_t p = strlen(prefixes[i]);
        if (n >= p && strncasecmp(name, prefixes[i], p) == 0)
            return true;
    }
    return false;
}

void rl_hcap_line(rl_hcap *h, const char *line, size_t len)
{
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        rl_hcap_reset(h); /* a new response: only the last one counts */
        return;
    }
    len = trim_end(line, len);
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line || h->n >= RL_HCAP_MAX)
        return;
    size_t nlen = (size_t)(colon - line);
    if (!wanted(line, nlen))
        return;
    const char *v = colon + 1;
    while (v < line + len && (*v == ' ' || *v == '\t'))
        v++;
    size_t vlen = (size_t)(line + len - v);
    if (h->len + nlen + vlen + 2 > sizeof h->buf)
        return;
    memcpy(h->buf + h->len, line, nlen);
    h->buf[h->len + nlen] = '\0';
    h->len += (uint32_t)nlen + 1;
    memcpy(h->buf + h->len, v, vlen);
    h->buf[h->len + vlen] = '\0';
    h->len += (uint32_t)vlen + 1;
    h->n++;
}

size_t rl_hcap_list(const rl_hcap *h, rl_header *out, size_t max)
{
    const char *at = h->buf;
    size_t n = 0;
    for (; n < h->n && n < max; n++) {
        out[n].name = at;
        at += strlen(at) + 1;
        out[n].value = at;
        at += strlen(at) + 1;
    }
    return n;
}

void rl_bodycap_reset(rl_bodycap *b, bool wanted)
{
    b->len = 0;
    b->wanted = wanted;
    b->decided = false;
    b->keep = false;
}

void rl_bodycap_take(rl_bodycap *b, CURL *e, const char *p, size_t n)
{
    if (!b->decided) {
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        b->keep = b->wanted && status >= 400;
        b->decided = true;
    }
    if (!b->keep || b->len >= RL_BODYCAP_MAX)
        return;
    if (n > RL_BODYCAP_MAX - b->len)
        n = RL_BODYCAP_MAX - b->len;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n)
            cap *= 2;
        char *grown = realloc(b->buf, cap);
        if (!grown) {
            b->keep = false;
            return;
        }
        b->buf = grown;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

void rl_bodycap_free(rl_bodycap *b)
{
    free(b->buf);
    b->buf = NULL;
    b->len = b->cap = 0;
}

/* A string member of obj copied into dst[size]; false when absent, not a
 * string, empty or too long. */
static bool copy_member(const cJSON *obj, const char *name, char *dst, size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    size_t n = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
    if (n == 0 || n >= size)
        return false;
    memcpy(dst, v->valuestring, n + 1);
    return true;
}

/* The detail of a Gemini error whose "@type" ends in `kind`, or NULL. */
static const cJSON *gemini_detail(const cJSON *details, const char *kind)
{
    const cJSON *d;
    size_t kl = strlen(kind);
    if (!cJSON_IsArray(details))
        return NULL;
    cJSON_ArrayForEach(d, details)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "@type");
        size_t n = cJSON_IsString(t) ? strlen(t->valuestring) : 0;
        if (n >= kl && strcmp(t->valuestring + n - kl, kind) == 0)
            return d;
    }
    return NULL;
}

/* The fields of one "error" object. */
static void read_error(const cJSON *err, rl_http_errbody *out)
{
    const cJSON *details = cJSON_GetObjectItemCaseSensitive(err, "details");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(err, "metadata");
    /* type: OpenAI/Anthropic/Moonshot "type"; Gemini "status"; OpenRouter
     * metadata.error_type (OpenRouterTeam/docs@c26125a5 errors-and-debugging.mdx). */
    if (copy_member(err, "type", out->type, sizeof out->type) ||
        copy_member(err, "status", out->type, sizeof out->type) ||
        copy_member(meta, "error_type", out->type, sizeof out->type))
        out->body.type = out->type;
    /* code: OpenAI's string "code" (Gemini and OpenRouter put the HTTP status,
     * a number, there); Anthropic details.error_code (platform.claude.com/
     * docs/api/rate-limits); Gemini's ErrorInfo reason ("API_KEY_INVALID",
     * continuedev/continue#11759). */
    if (copy_member(err, "code", out->code, sizeof out->code) ||
        copy_member(cJSON_IsObject(details) ? details : NULL, "error_code", out->code,
                    sizeof out->code) ||
        copy_member(gemini_detail(details, "google.rpc.ErrorInfo"), "reason", out->code,
                    sizeof out->code))
        out->body.code = out->code;
    const cJSON *ri = cJSON_GetObjectItemCaseSensitive(
        gemini_detail(details, "google.rpc.RetryInfo"), "retryDelay");
    if (cJSON_IsString(ri))
        out->body.retry_delay = rl_proto_duration(ri->valuestring, strlen(ri->valuestring));
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(err, "message");
    if (cJSON_IsString(m))
        out->body.message_delay = rl_message_delay(m->valuestring, strlen(m->valuestring));
}

bool rl_http_errbody_parse(const char *text, size_t len, rl_http_errbody *out)
{
    out->type[0] = out->code[0] = '\0';
    rl_error_body_clear(&out->body);
    if (!text || len == 0)
        return false;
    cJSON *root = cJSON_ParseWithLength(text, len);
    /* Gemini's streaming endpoint without alt=sse wraps errors in an array
     * (google-gemini/gemini-cli#6454). */
    const cJSON *top = cJSON_IsArray(root) ? cJSON_GetArrayItem(root, 0) : root;
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(top, "error");
    bool found = cJSON_IsObject(err);
    if (found)
        read_error(err, out);
    cJSON_Delete(root);
    return found;
}

rl_transport_error rl_http_error_of(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return RL_TE_NONE;
    case CURLE_OPERATION_TIMEDOUT:
        return RL_TE_TIMEOUT;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        return RL_TE_RESET;
    case CURLE_COULDNT_CONNECT:
        return RL_TE_CONNECT;
    case CURLE_PARTIAL_FILE:
        return RL_TE_TRUNCATED;
    default:
        return RL_TE_OTHER;
    }
}
