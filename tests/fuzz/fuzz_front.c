/* fuzz_front.c: libFuzzer target over the HTTP front's request side, the
 * pure functions that read what a client sends: routing (mock_route_parse),
 * the request body reader (mock_body_parse, then a completion rendered from
 * what it read, parsed back), the X-Retrylab-Attempt parser
 * (cm_attempt_parse), the key extraction (mock_req_key,
 * mock_req_key_index), path decoding (mock_req_unescape) and the hidden-byte
 * check of the request head (mock_req_hidden). The input is "METHOD URL"
 * (its first line) and a body (the rest); the whole input is also fed to
 * each parser as one value. Invariants broken abort(). Built and run by
 * `make fuzz` (seeds: tests/data/front). Not part of `make test`. */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/attempt_id.h"
#include "mockserver/front/body.h"
#include "mockserver/front/request.h"
#include "mockserver/front/route.h"

#define FUZZ_MAX_SPANS 256

/* A malloc'd copy of data[n] followed by a NUL. */
static char *text_of(const uint8_t *data, size_t n)
{
    char *t = malloc(n + 1);
    if (t) {
        memcpy(t, data, n);
        t[n] = '\0';
    }
    return t;
}

static void check_route(const char *line)
{
    char *method = strdup(line), *url = method ? strchr(method, ' ') : NULL;
    if (!method)
        return;
    if (url)
        *url++ = '\0';
    mock_route r;
    mock_route_parse(url, method, &r);
    if (r.kind == MOCK_ROUTE_PROVIDER) {
        size_t n = strnlen(r.provider, sizeof r.provider);
        if (n == 0 || n >= sizeof r.provider || strchr(r.provider, '/') || !url ||
            strncmp(url + 1, r.provider, n) != 0)
            abort();
    }
    if (r.kind != MOCK_ROUTE_NONE && !r.allow)
        abort();
    if (r.method_ok && strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "POST"))
        abort();
    free(method);
}

/* A completion rendered from what the body reader read must be JSON. */
static void check_render(const mock_body_req *q)
{
    mock_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.status = 200;
    plan.body = MOCK_BODY_COMPLETION;
    mock_render_ctx ctx = {.provider = "p", .model = q->model, .tokens_in = q->input_tokens};
    size_t len = 0;
    char *out = mock_body_render(&plan, &ctx, &len);
    if (!out)
        return;
    cJSON *j = cJSON_ParseWithLength(out, len);
    if (!j)
        abort();
    cJSON_Delete(j);
    free(out);
}

static void check_body(const uint8_t *data, size_t n)
{
    char *exact = n ? malloc(n) : NULL; /* no NUL after it: reads past n are caught */
    if (n && !exact)
        return;
    if (n)
        memcpy(exact, data, n);
    for (int ep = MOCK_EP_CHAT; ep <= MOCK_EP_MESSAGES; ep++) {
        mock_body_req q;
        char msg[160];
        memset(&q, 0, sizeof q);
        if (mock_body_parse((mock_endpoint)ep, exact, n, &q, msg, sizeof msg) != 0) {
            if (!memchr(msg, '\0', sizeof msg) || !msg[0])
                abort();
            continue;
        }
        size_t ml = strnlen(q.model, sizeof q.model);
        if (ml == 0 || ml >= sizeof q.model || q.input_tokens < 1 || q.max_tokens < 0 ||
            q.max_tokens > 10000000 || q.tokens != q.input_tokens + q.max_tokens)
            abort();
        for (size_t i = 0; i < ml; i++)
            if (q.model[i] < 0x20 || q.model[i] > 0x7e)
                abort();
        if (ep == MOCK_EP_MESSAGES && q.max_tokens < 1)
            abort();
        check_render(&q);
    }
    free(exact);
}

static void check_attempt(const char *text)
{
    uint64_t id = 0;
    if (cm_attempt_parse(text, &id) != 0)
        return;
    char back[CM_ATTEMPT_TEXT_MAX];
    uint64_t again = 0;
    cm_attempt_format(id, back);
    if (id == 0 || cm_attempt_parse(back, &again) != 0 || again != id)
        abort();
}

static void check_key(const char *a, size_t an, const char *x, size_t xn)
{
    const char *key;
    size_t kn;
    int rc = mock_req_key(a, an, x, xn, &key, &kn);
    bool nul = memchr(a, '\0', an) || memchr(x, '\0', xn);
    if ((rc != 0) != nul)
        abort();
    if (rc != 0 || !key)
        return;
    bool in_a = key >= a && key + kn <= a + an, in_x = key >= x && key + kn <= x + xn;
    if (!kn || (!in_a && !in_x))
        abort();
    const char *values[] = {"sk-test", "sk-test-oa"};
    int k = mock_req_key_index(values, 2, key, kn);
    if (k >= 0 && (strlen(values[k]) != kn || memcmp(values[k], key, kn) != 0))
        abort();
}

static void check_unescape(const char *text)
{
    char *s = strdup(text);
    if (!s)
        return;
    size_t before = strlen(s);
    size_t n = mock_req_unescape(s);
    if (n > before || strlen(s) != n)
        abort();
    for (size_t i = n; i <= before; i++)
        if (s[i] != '\0')
            abort();
    free(s);
}

/* Every NUL-free run of the input as a span: nothing is hidden; without
 * the span of a run that has a byte other than space and tab, something is. */
static void check_hidden(const uint8_t *data, size_t n)
{
    const char *head = (const char *)data;
    mock_req_span spans[FUZZ_MAX_SPANS];
    size_t ns = 0, at = 0;
    while (at < n && ns < FUZZ_MAX_SPANS) {
        size_t start = at;
        while (at < n && head[at] != '\0')
            at++;
        if (at > start)
            spans[ns++] = (mock_req_span){head + start, at - start};
        at++;
    }
    if (at < n)
        return; /* too many runs for the array */
    mock_req_span copy[FUZZ_MAX_SPANS];
    memcpy(copy, spans, ns * sizeof *spans);
    if (mock_req_hidden(head, n, copy, ns))
        abort();
    if (!ns)
        return;
    size_t drop = n % ns;
    bool visible = false;
    for (size_t i = 0; i < spans[drop].len; i++)
        visible |= spans[drop].start[i] != ' ' && spans[drop].start[i] != '\t';
    memcpy(copy, spans, ns * sizeof *spans);
    copy[drop] = copy[--ns];
    if (mock_req_hidden(head, n, copy, ns) != visible)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t first = nl ? (size_t)(nl - data) : size;
    size_t rest = nl ? size - first - 1 : 0;
    char *line = text_of(data, first), *all = text_of(data, size);
    if (line && all) {
        check_route(line);
        check_body(nl ? nl + 1 : data + size, rest);
        check_body(data, size);
        check_attempt(line);
        check_attempt(all);
        check_key(line, first, (const char *)(nl ? nl + 1 : data + size), rest);
        check_key(all, size, "", 0);
        check_unescape(line);
        check_unescape(all);
        check_hidden(data, size);
    }
    free(line);
    free(all);
    return 0;
}
