/* test_mockhttp_units.c: the mockserver front's pure parts: routing, request
 * body reading, response bodies per shape (parsed back with cJSON), the
 * journal ring and its key hygiene, Prometheus counters, the bounded text
 * buffer, and the waker's ordering and stop guarantee. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/attempt_id.h"
#include "mockserver/front/body.h"
#include "mockserver/front/clock.h"
#include "mockserver/front/journal.h"
#include "mockserver/front/metrics.h"
#include "mockserver/front/request.h"
#include "mockserver/front/route.h"
#include "mockserver/front/textbuf.h"
#include "mockserver/front/waker.h"
#include "tests/lib/test_assert.h"

static void route_provider_endpoints_and_admin(void **state)
{
    (void)state;
    mock_route r;
    mock_route_parse("/groq/v1/chat/completions", "POST", &r);
    assert_int_equal(r.kind, MOCK_ROUTE_PROVIDER);
    assert_string_equal(r.provider, "groq");
    assert_int_equal(r.endpoint, MOCK_EP_CHAT);
    assert_true(r.method_ok);
    mock_route_parse("/anthropic/v1/messages", "GET", &r);
    assert_int_equal(r.endpoint, MOCK_EP_MESSAGES);
    assert_false(r.method_ok);
    assert_string_equal(r.allow, "POST");
    mock_route_parse("/x/v1/models", "GET", &r);
    assert_int_equal(r.endpoint, MOCK_EP_MODELS);
    mock_route_parse("/x/v1/models", "HEAD", &r); /* HEAD wherever GET */
    assert_true(r.method_ok);
    assert_string_equal(r.allow, "GET, HEAD");
    mock_route_parse("/metrics", "HEAD", &r);
    assert_true(r.method_ok);
    mock_route_parse("/__admin/reset", "HEAD", &r);
    assert_false(r.method_ok);
    mock_route_parse("/__admin/reset", "POST", &r);
    assert_int_equal(r.kind, MOCK_ROUTE_ADMIN_RESET);
    mock_route_parse("/metrics", "GET", &r);
    assert_int_equal(r.kind, MOCK_ROUTE_METRICS);
    const char *none[] = {"", "/", "//v1/models", "/a/b/v1/models", "/groq/v1/chat", "x", NULL};
    for (int i = 0; none[i]; i++) {
        mock_route_parse(none[i], "GET", &r);
        assert_int_equal(r.kind, MOCK_ROUTE_NONE);
    }
    char long_name[200];
    memset(long_name, 'a', sizeof long_name);
    memcpy(long_name, "/", 1);
    strcpy(long_name + 150, "/v1/models");
    mock_route_parse(long_name, "GET", &r);
    assert_int_equal(r.kind, MOCK_ROUTE_NONE);
    mock_route_parse(NULL, NULL, &r);
    assert_int_equal(r.kind, MOCK_ROUTE_NONE);
}

/* The key: Bearer first, else x-api-key; a NUL byte in either refuses the
 * request; keys compare by length and bytes. */
static void request_key_and_nul_bytes(void **state)
{
    (void)state;
    const char *k;
    size_t n;
    assert_int_equal(mock_req_key("bearer   sk-1", 13, "sk-x", 4, &k, &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(k, "sk-1", 4);
    assert_int_equal(mock_req_key("Basic abc", 9, "sk-x", 4, &k, &n), 0);
    assert_memory_equal(k, "sk-x", 4);
    assert_int_equal(mock_req_key("Bearer ", 7, "sk-x", 4, &k, &n), 0); /* empty Bearer: none */
    assert_null(k);
    assert_int_equal(mock_req_key(NULL, 0, "", 0, &k, &n), 0);
    assert_null(k);
    assert_int_equal(mock_req_key("Bearer sk-test-oa\0ATTACKER", 26, NULL, 0, &k, &n), -1);
    assert_int_equal(mock_req_key(NULL, 0, "sk\0x", 4, &k, &n), -1);
    const char *values[] = {"sk-test-oa", "sk-test-oa2"};
    assert_int_equal(mock_req_key_index(values, 2, "sk-test-oa2", 11), 1);
    assert_int_equal(mock_req_key_index(values, 2, "sk-test-oa2", 10), 0);
    assert_int_equal(mock_req_key_index(values, 2, "sk-test-oa\0X", 12), -1);
    assert_int_equal(mock_req_key_index(values, 2, NULL, 0), -1);
}

/* %HH decodes (not %00), the old tail becomes NUL; text after a NUL in the
 * head that no parsed string covers is found. */
static void request_unescape_and_hidden_bytes(void **state)
{
    (void)state;
    char s[] = "/a%41%2f%00%4%zz";
    assert_int_equal(mock_req_unescape(s), 12);
    assert_string_equal(s, "/aA/%00%4%zz");
    assert_memory_equal(s + 12, "\0\0\0\0\0", 5);
    /* "GET /x HTTP/1.1\r\nA: b\r\n\r\n" after parsing */
    char head[] = "GET\0/x\0HTTP/1.1\0\0A\0 b\0\0\0\0";
    size_t len = sizeof head - 1;
    mock_req_span sp[] = {{head + 17, 1}, {head, 3}, {head + 4, 2}, {head + 7, 8}, {head + 20, 1}};
    assert_false(mock_req_hidden(head, len, sp, 5));
    head[22] = 'X'; /* "A: b\0X\r\n": X hides behind the NUL */
    assert_true(mock_req_hidden(head, len, sp, 5));
    head[22] = '\0';
    head[5] = '\0';             /* a shorter path than the bytes there: "/\0" */
    for (int i = 0; i < 5; i++) /* (sorted by the calls above) */
        sp[i].len = sp[i].start == head + 4 ? 1 : sp[i].len;
    assert_false(mock_req_hidden(head, len, sp, 5));
    head[5] = 'y';
    assert_true(mock_req_hidden(head, len, sp, 5));
    assert_true(mock_req_hidden(head, len, sp, 0));
}

static void body_parse_estimates_tokens(void **state)
{
    (void)state;
    mock_body_req q;
    char msg[128];
    const char *ok = "{\"model\":\"m\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\","
                     "\"content\":\"12345678\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                     "\"text\":\"abcd\"}]}]}";
    assert_int_equal(mock_body_parse(MOCK_EP_CHAT, ok, strlen(ok), &q, msg, sizeof msg), 0);
    assert_string_equal(q.model, "m");
    assert_int_equal(q.input_tokens, 3 + 2); /* 12 chars / 4, plus one per message */
    assert_int_equal(q.max_tokens, 50);
    assert_int_equal(q.tokens, 55);
    /* Trailing whitespace is fine; the bytes past len (no NUL) are not read. */
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%s \r\n\tGARBAGE", ok);
    assert_true(n > 0);
    assert_int_equal(mock_body_parse(MOCK_EP_CHAT, buf, strlen(ok) + 4, &q, msg, sizeof msg), 0);
    assert_int_equal(mock_body_parse(MOCK_EP_CHAT, buf, strlen(ok) + 5, &q, msg, sizeof msg), -1);
}

static void body_parse_rejects_bad_requests(void **state)
{
    (void)state;
    static const struct {
        mock_endpoint ep;
        const char *body;
        const char *why;
    } bad[] = {
        {MOCK_EP_CHAT, "", "empty"},
        {MOCK_EP_CHAT, "{\"model\":", "not valid JSON"},
        {MOCK_EP_CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"u\"}]} trailing",
         "text after the JSON value"},
        {MOCK_EP_CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"u\"}]}\n{}", "text after"},
        {MOCK_EP_CHAT, "[1,2]", "JSON object"},
        {MOCK_EP_CHAT, "{\"messages\":[{\"role\":\"user\"}]}", "model"},
        {MOCK_EP_CHAT, "{\"model\":\"m\"}", "messages"},
        {MOCK_EP_CHAT, "{\"model\":\"m\",\"messages\":[]}", "empty"},
        {MOCK_EP_CHAT, "{\"model\":\"m\",\"messages\":[3]}", "role"},
        {MOCK_EP_CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"u\"}],\"max_tokens\":-1}",
         "max_tokens"},
        {MOCK_EP_CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"u\"}],\"max_tokens\":1.5}",
         "max_tokens"},
        {MOCK_EP_MESSAGES, "{\"model\":\"m\",\"messages\":[{\"role\":\"u\"}]}", "max_tokens"},
        {MOCK_EP_CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"u\"}],\"stream\":1}", "stream"},
        {MOCK_EP_CHAT,
         "{\"model\":\"m\",\"messages\":[{\"role\":\"u\"}],\"stream\":true,\"stream_options\":[]}",
         "stream_options"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mock_body_req q;
        char msg[128] = "";
        assert_int_equal(
            mock_body_parse(bad[i].ep, bad[i].body, strlen(bad[i].body), &q, msg, sizeof msg), -1);
        assert_non_null(strstr(msg, bad[i].why));
    }
}

/* "stream": true asks for a stream; include_usage only counts for OpenAI's
 * chat completions (stream_options is theirs). */
static void body_parse_reads_stream_requests(void **state)
{
    (void)state;
    mock_body_req q;
    char msg[128] = "";
    const char *chat = "{\"model\":\"m\",\"messages\":[{\"role\":\"u\"}],\"stream\":true,"
                       "\"stream_options\":{\"include_usage\":true}}";
    assert_int_equal(mock_body_parse(MOCK_EP_CHAT, chat, strlen(chat), &q, msg, sizeof msg), 0);
    assert_true(q.stream);
    assert_true(q.stream_usage);
    const char *ant = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"u\"}],"
                      "\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    assert_int_equal(mock_body_parse(MOCK_EP_MESSAGES, ant, strlen(ant), &q, msg, sizeof msg), 0);
    assert_true(q.stream);
    assert_false(q.stream_usage);
    const char *plain = "{\"model\":\"m\",\"messages\":[{\"role\":\"u\"}],\"stream\":false}";
    assert_int_equal(mock_body_parse(MOCK_EP_CHAT, plain, strlen(plain), &q, msg, sizeof msg), 0);
    assert_false(q.stream);
}

static void body_parse_sanitises_model_names(void **state)
{
    (void)state;
    mock_body_req q;
    char msg[128];
    const char *b = "{\"model\":\"a\\u0001b\\u00e9\",\"messages\":[{\"role\":\"u\"}]}";
    assert_int_equal(mock_body_parse(MOCK_EP_CHAT, b, strlen(b), &q, msg, sizeof msg), 0);
    assert_string_equal(q.model, "a?b??"); /* control byte and both UTF-8 bytes replaced */
}

static cJSON *render(const mock_plan *p, const mock_render_ctx *c)
{
    size_t len = 0;
    char *text = mock_body_render(p, c, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    cJSON *j = cJSON_Parse(text);
    free(text);
    assert_non_null(j);
    return j;
}

static const char *str_at(const cJSON *j, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItem(j, a);
    if (b)
        x = cJSON_GetObjectItem(x, b);
    assert_true(cJSON_IsString(x));
    return x->valuestring;
}

static void body_render_openai_completion(void **state)
{
    (void)state;
    mock_plan p = {.status = 200, .shape = MOCK_SHAPE_OPENAI, .body = MOCK_BODY_COMPLETION};
    mock_render_ctx c = {.provider = "groq",
                         .model = "llama \"q\"",
                         .id = 7,
                         .now = 5000000,
                         .tokens_in = 10,
                         .tokens_out = 4};
    cJSON *j = render(&p, &c);
    assert_string_equal(str_at(j, "object", NULL), "chat.completion");
    assert_string_equal(str_at(j, "id", NULL), "chatcmpl-mock7");
    assert_string_equal(str_at(j, "model", NULL), "llama \"q\"");
    assert_int_equal(cJSON_GetObjectItem(j, "created")->valuedouble, CM_SCENARIO_EPOCH + 5);
    cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "choices"), 0);
    assert_string_equal(str_at(ch, "message", "role"), "assistant");
    assert_string_equal(str_at(ch, "finish_reason", NULL), "stop");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "usage"), "total_tokens")->valueint,
                     14);
    cJSON_Delete(j);
}

static void body_render_anthropic_message_and_models(void **state)
{
    (void)state;
    mock_plan p = {.status = 200, .shape = MOCK_SHAPE_ANTHROPIC, .body = MOCK_BODY_COMPLETION};
    const char *models[] = {"a", "b"};
    mock_render_ctx c = {.provider = "an",
                         .model = "claude",
                         .models = models,
                         .nmodels = 2,
                         .tokens_in = 3,
                         .tokens_out = 9};
    cJSON *j = render(&p, &c);
    assert_string_equal(str_at(j, "type", NULL), "message");
    assert_string_equal(str_at(j, "role", NULL), "assistant");
    assert_string_equal(str_at(j, "stop_reason", NULL), "end_turn");
    cJSON *part = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "content"), 0);
    assert_string_equal(str_at(part, "type", NULL), "text");
    assert_int_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "usage"), "output_tokens")->valueint, 9);
    cJSON_Delete(j);
    p.body = MOCK_BODY_MODELS;
    j = render(&p, &c);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 2);
    assert_string_equal(str_at(j, "last_id", NULL), "b");
    cJSON_Delete(j);
    p.shape = MOCK_SHAPE_OPENAI;
    j = render(&p, &c);
    assert_string_equal(str_at(j, "object", NULL), "list");
    cJSON_Delete(j);
}

static void body_render_errors_per_shape(void **state)
{
    (void)state;
    mock_plan p;
    mock_render_ctx c = {.provider = "x", .model = "m"};
    mock_body_error_plan(&p, MOCK_SHAPE_OPENAI, 429, NULL, "slow down");
    cJSON *j = render(&p, &c);
    assert_string_equal(str_at(j, "error", "message"), "slow down");
    assert_string_equal(str_at(j, "error", "code"), "rate_limit_exceeded");
    cJSON_Delete(j);
    mock_body_error_plan(&p, MOCK_SHAPE_ANTHROPIC, 529, NULL, "busy");
    j = render(&p, &c);
    assert_string_equal(str_at(j, "type", NULL), "error");
    assert_string_equal(str_at(j, "error", "type"), "overloaded_error");
    cJSON_Delete(j);
    mock_body_error_plan(&p, MOCK_SHAPE_ANTHROPIC, 413, NULL, "big");
    j = render(&p, &c);
    assert_string_equal(str_at(j, "error", "type"), "request_too_large");
    cJSON_Delete(j);
}

static mock_journal_entry entry(cm_us t, const char *key, int status)
{
    static const mock_header h[] = {{"retry-after", "20"}};
    return (mock_journal_entry){.t = t,
                                .provider = "p",
                                .model = "m",
                                .key = key,
                                .status = status,
                                .headers = h,
                                .nheaders = 1,
                                .note = "n\"ote"};
}

/* The members a grader groups attempts by: request headers that name a
 * task, the retry count, a digest of the body (never its text), and an error
 * answer's type and code; absent ones are null. */
static void journal_names_what_groups_attempts(void **state)
{
    (void)state;
    mock_journal *j = mock_journal_new(4, NULL);
    const char body[] = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hush\"}]}";
    char long_key[300];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    mock_journal_entry e = entry(0, NULL, 429);
    e.endpoint = "chat";
    e.task_header = "order-17";
    e.idempotency_key = long_key;
    e.has_retry_count = true;
    e.retry_count = 2;
    e.body_digest = mock_journal_digest(body, sizeof body - 1);
    e.error_type = "rate_limit_exceeded";
    e.error_code = "";
    mock_journal_add(j, &e);
    mock_journal_add(j, &(mock_journal_entry){.t = 1, .status = 200});
    size_t len;
    char *text = mock_journal_render(j, false, SIZE_MAX, &len);
    cJSON *arr = cJSON_Parse(text);
    const cJSON *a = cJSON_GetArrayItem(arr, 0), *b = cJSON_GetArrayItem(arr, 1);
    assert_string_equal(cJSON_GetObjectItem(a, "endpoint")->valuestring, "chat");
    assert_string_equal(cJSON_GetObjectItem(a, "task")->valuestring, "order-17");
    assert_int_equal(strlen(cJSON_GetObjectItem(a, "idempotency_key")->valuestring),
                     MOCK_JOURNAL_HEADER_VALUE_MAX);
    assert_int_equal(cJSON_GetObjectItem(a, "retry_count")->valueint, 2);
    assert_int_equal(strncmp(cJSON_GetObjectItem(a, "body")->valuestring, "fnv1a64:", 8), 0);
    assert_string_equal(cJSON_GetObjectItem(a, "error_type")->valuestring, "rate_limit_exceeded");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(a, "error_code")));
    assert_null(strstr(text, "hush"));
    for (const char *k = "task\0idempotency_key\0retry_count\0body\0endpoint\0"; *k;
         k += strlen(k) + 1)
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(b, k)));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(b, "delivered")));
    cJSON_Delete(arr);
    free(text);
    mock_journal_free(j);
}

static void journal_ring_keeps_newest_and_hides_keys(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    mock_journal *j = mock_journal_new(3, f);
    for (int i = 0; i < 5; i++) {
        mock_journal_entry e = entry(i * 1000000, "sk-very-secret", 200 + i);
        e.attempt_id = i ? cm_attempt_id(7, (uint32_t)i) : 0;
        assert_int_equal(mock_journal_add(j, &e), (uint64_t)i);
    }
    mock_journal_counts c;
    mock_journal_counts_get(j, &c);
    assert_int_equal(c.total, 5);
    assert_int_equal(c.kept, 3);
    assert_int_equal(c.dropped, 2);
    size_t len;
    char *text = mock_journal_render(j, false, SIZE_MAX, &len);
    cJSON *arr = cJSON_Parse(text);
    assert_int_equal(cJSON_GetArraySize(arr), 3);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "status")->valueint, 202);
    assert_string_equal(str_at(cJSON_GetArrayItem(arr, 2), "headers", "retry-after"), "20");
    /* The attempt the request named (X-Retrylab-Attempt), to join with a trace. */
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 2), "attempt")->valuestring,
                        "7/4");
    assert_null(strstr(text, "secret"));
    cJSON_Delete(arr);
    free(text);
    text = mock_journal_render(j, true, 1, &len);
    assert_non_null(strstr(text, "\"status\":204"));
    assert_null(strstr(text, "\"status\":203"));
    assert_non_null(strstr(text, "\"attempt\":\"7/4\""));
    free(text);
    mock_journal_flush(j);
    rewind(f);
    char line[1024];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        assert_null(strstr(line, "secret"));
        lines++;
    }
    assert_int_equal(lines, 5);
    text = mock_journal_render(j, false, 0, &len);
    assert_string_equal(text, "[]\n"); /* limit 0: none */
    free(text);
    mock_journal_clear(j);
    text = mock_journal_render(j, false, SIZE_MAX, &len);
    assert_string_equal(text, "[]\n");
    free(text);
    mock_journal_counts_get(j, &c);
    assert_int_equal(c.total, 0);
    assert_int_equal(c.dropped, 0);
    assert_int_equal(c.all_total, 5); /* the since-start counts survive a clear */
    assert_int_equal(c.all_dropped, 2);
    mock_journal_free(j);
    fclose(f);
}

static void journal_cuts_huge_lines_to_a_stub(void **state)
{
    (void)state;
    mock_journal *j = mock_journal_new(2, NULL);
    char model[MOCK_JOURNAL_LINE_MAX + 10];
    memset(model, 'x', sizeof model - 1);
    model[sizeof model - 1] = '\0';
    mock_journal_entry e = entry(0, NULL, 200);
    e.model = model;
    mock_journal_add(j, &e);
    size_t len;
    char *text = mock_journal_render(j, false, SIZE_MAX, &len);
    cJSON *arr = cJSON_Parse(text);
    assert_non_null(arr);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "model")));
    assert_string_equal(str_at(cJSON_GetArrayItem(arr, 0), "key", NULL), "k-none");
    cJSON_Delete(arr);
    free(text);
    mock_journal_free(j);
}

/* An entry is opened when its answer is decided ("delivered": null) and
 * closed with its fate: the ring shows the fate, the file gets the line
 * only then, and an undelivered fate is counted. */
static void journal_entries_open_then_close_with_a_fate(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    mock_journal *j = mock_journal_new(2, f);
    char line[MOCK_JOURNAL_LINE_MAX];
    mock_journal_entry e = entry(0, NULL, 200);
    e.fate = MOCK_FATE_PENDING;
    size_t len = mock_journal_format(&e, line, sizeof line);
    mock_journal_ticket t[3];
    for (int i = 0; i < 3; i++)
        mock_journal_open(j, mock_journal_generation(j), line, len, &t[i]);
    size_t n;
    char *text = mock_journal_render(j, true, SIZE_MAX, &n);
    assert_non_null(strstr(text, "\"delivered\":null,\"reason\":null}\n"));
    free(text);
    mock_journal_close(j, &t[2], line, len, MOCK_FATE_CLIENT_CLOSED);
    mock_journal_close(j, &t[1], line, len, MOCK_FATE_DELIVERED);
    mock_journal_close(j, &t[0], line, len, MOCK_FATE_DELIVERED); /* pushed out of the ring */
    text = mock_journal_render(j, false, SIZE_MAX, &n);
    cJSON *arr = cJSON_Parse(text);
    free(text);
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "delivered")));
    cJSON *last = cJSON_GetArrayItem(arr, 1);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(last, "delivered")));
    assert_string_equal(cJSON_GetObjectItem(last, "reason")->valuestring, "client closed");
    cJSON_Delete(arr);
    mock_journal_counts c;
    mock_journal_counts_get(j, &c);
    assert_int_equal(c.undelivered, 1);
    assert_int_equal(c.all_undelivered, 1);
    mock_journal_flush(j);
    rewind(f);
    char buf[MOCK_JOURNAL_LINE_MAX + 64];
    const char *want[] = {"\"reason\":\"client closed\"}\n",
                          "\"delivered\":true,\"reason\":null}\n",
                          "\"delivered\":true,\"reason\":null}\n"};
    for (int i = 0; i < 3; i++) { /* the file: in the order the entries were closed */
        assert_non_null(fgets(buf, sizeof buf, f));
        assert_non_null(strstr(buf, want[i]));
        cJSON *one = cJSON_Parse(buf);
        assert_non_null(one);
        cJSON_Delete(one);
    }
    assert_null(fgets(buf, sizeof buf, f));
    assert_string_equal(mock_journal_fate_reason(MOCK_FATE_SERVER_STOPPED), "server stopped");
    assert_null(mock_journal_fate_reason(MOCK_FATE_DELIVERED));
    mock_journal_free(j);
    fclose(f);
}

/* A clear starts a new generation: an entry decided before it (older
 * generation) stays out of the fresh ring and its counts, and still goes
 * to the file and the since-start count. */
static void journal_keeps_entries_on_their_side_of_a_clear(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    mock_journal *j = mock_journal_new(4, f);
    char line[MOCK_JOURNAL_LINE_MAX];
    mock_journal_entry e = entry(0, NULL, 200);
    e.fate = MOCK_FATE_PENDING;
    size_t len = mock_journal_format(&e, line, sizeof line);
    uint64_t before = mock_journal_generation(j);
    mock_journal_ticket open_before, late;
    mock_journal_open(j, before, line, len, &open_before);
    mock_journal_clear(j);
    assert_int_equal(mock_journal_generation(j), before + 1);
    mock_journal_open(j, before, line, len, &late); /* decided before the clear */
    mock_journal_close(j, &open_before, line, len, MOCK_FATE_DELIVERED);
    mock_journal_close(j, &late, line, len, MOCK_FATE_CLIENT_CLOSED);
    mock_journal_counts c;
    mock_journal_counts_get(j, &c);
    assert_int_equal(c.total, 0);
    assert_int_equal(c.kept, 0);
    assert_int_equal(c.undelivered, 0);
    assert_int_equal(c.all_total, 2);
    assert_int_equal(c.all_undelivered, 1);
    size_t n;
    char *text = mock_journal_render(j, false, SIZE_MAX, &n);
    assert_string_equal(text, "[]\n");
    free(text);
    mock_journal_flush(j);
    rewind(f);
    char buf[MOCK_JOURNAL_LINE_MAX + 64];
    int lines = 0;
    while (fgets(buf, sizeof buf, f))
        lines++;
    assert_int_equal(lines, 2);
    mock_journal_free(j);
    fclose(f);
}

/* A journal file that refuses every write (/dev/full): each line is
 * counted as lost, in the state's "lost" and in the count that survives a
 * clear (the mockserver's exit code reads that one). */
static void journal_counts_lines_the_file_loses(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    mock_journal *j = mock_journal_new(4, f);
    mock_journal_set_path(j, "/dev/full");
    for (int i = 0; i < 3; i++) {
        mock_journal_entry e = entry(i, NULL, 200);
        mock_journal_add(j, &e);
    }
    mock_journal_flush(j);
    mock_journal_counts c;
    mock_journal_counts_get(j, &c);
    assert_int_equal(c.lost, 3);
    assert_int_equal(c.kept, 3); /* the ring still has them */
    mock_journal_clear(j);
    mock_journal_entry e = entry(9, NULL, 200);
    mock_journal_add(j, &e);
    mock_journal_flush(j);
    mock_journal_counts_get(j, &c);
    assert_int_equal(c.lost, 1);
    assert_int_equal(mock_journal_file_lost(j), 4);
    mock_journal_flush(j); /* nothing pending: nothing more lost */
    assert_int_equal(mock_journal_file_lost(j), 4);
    mock_journal_free(j);
    fclose(f);
}

static void metrics_count_and_escape(void **state)
{
    (void)state;
    mock_metrics *m = mock_metrics_new();
    mock_metrics_count(m, "p", "m", 200);
    mock_metrics_count(m, "p", "m", 200);
    mock_metrics_count(m, "p", "we\"ird\\", 429);
    for (int i = 0; i < MOCK_METRICS_MAX_SERIES + 10; i++) {
        char model[32];
        snprintf(model, sizeof model, "m%d", i);
        mock_metrics_count(m, "flood", model, 200);
    }
    mock_metrics_count_undelivered(m, MOCK_FATE_CLIENT_CLOSED);
    mock_metrics_count_undelivered(m, MOCK_FATE_DELIVERED); /* not counted */
    mock_metrics_extra x = {.hung_now = 3, .time_scale = 60, .journal_total = 7, .journal_lost = 2};
    size_t len;
    char *text = mock_metrics_render(m, &x, &len);
    assert_non_null(
        strstr(text, "mock_requests_total{provider=\"p\",model=\"m\",status=\"200\"} 2\n"));
    assert_non_null(strstr(text, "model=\"we\\\"ird\\\\\",status=\"429\"} 1\n"));
    assert_non_null(strstr(text, "provider=\"_other\""));
    assert_non_null(strstr(text, "mock_hung_connections 3\n"));
    assert_non_null(strstr(text, "mock_time_scale 60\n"));
    assert_non_null(strstr(text, "# TYPE mock_journal_entries_total counter\n"
                                 "mock_journal_entries_total 7\n"));
    assert_non_null(strstr(text, "\nmock_journal_lost_total 2\n"));
    assert_non_null(strstr(text, "\nmock_undelivered_total{reason=\"client closed\"} 1\n"));
    assert_non_null(strstr(text, "\nmock_undelivered_total{reason=\"timeout\"} 0\n"));
    assert_null(strstr(text, "or reset"));
    free(text);
    mock_metrics_free(m);
}

static void textbuf_limits_and_escapes(void **state)
{
    (void)state;
    mock_buf b;
    mock_buf_init(&b, 16);
    mock_buf_json_str(&b, "a\"\\\n\x01");
    assert_string_equal(b.p, "\"a\\\"\\\\\\n\\u0001\"");
    mock_buf_puts(&b, "overflowing the limit");
    assert_true(b.failed);
    size_t len;
    assert_null(mock_buf_take(&b, &len));
    mock_buf_init(&b, 64);
    mock_buf_num(&b, 1.5);
    mock_buf_puts(&b, " ");
    mock_buf_num(&b, 0.0 / 0.0);
    mock_buf_puts(&b, " ");
    mock_buf_int(&b, -42);
    mock_buf_puts(&b, " ");
    mock_buf_us_as_s(&b, 1500000);
    mock_buf_puts(&b, " ");
    mock_buf_us_as_s(&b, -20);
    mock_buf_puts(&b, " ");
    mock_buf_us_as_s(&b, 7000000);
    char *s = mock_buf_take(&b, &len);
    assert_string_equal(s, "1.5 0 -42 1.5 -0.00002 7");
    free(s);
    char small[8];
    mock_buf_init_fixed(&b, small, sizeof small);
    mock_buf_puts(&b, "1234567");
    assert_false(b.failed);
    mock_buf_puts(&b, "8");
    assert_true(b.failed);
    assert_string_equal(small, "1234567");
}

/* Journal lines and metrics labels stay valid UTF-8 whatever bytes a
 * request's path carried: a byte that starts no valid character becomes
 * U+FFFD; valid multi-byte characters pass unchanged. */
static void invalid_utf8_is_replaced(void **state)
{
    (void)state;
    mock_buf b;
    mock_buf_init(&b, 256);
    mock_buf_json_str(&b, "a\xff\xc3\xa9\xe2\x82\"");
    size_t len;
    char *s = mock_buf_take(&b, &len);
    assert_string_equal(s, "\"a\\ufffd\xc3\xa9\\ufffd\\ufffd\\\"\"");
    free(s);
    mock_metrics *m = mock_metrics_new();
    mock_metrics_count(m, "p\xff", "m\xc3\xa9", 404);
    mock_metrics_extra x = {.time_scale = 1};
    char *text = mock_metrics_render(m, &x, &len);
    assert_non_null(strstr(text, "provider=\"p\xef\xbf\xbd\",model=\"m\xc3\xa9\""));
    free(text);
    mock_metrics_free(m);
}

/* ---- waker with fake connections ---- */

typedef struct fake {
    int suspended, resumed;
    mock_wake_reason why;
    int order;
} fake;

static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
static int fake_next;

static void fake_suspend(void *item)
{
    ((fake *)item)->suspended++;
}

static void fake_resume(void *item, mock_wake_reason why)
{
    fake *f = item;
    pthread_mutex_lock(&fake_mu);
    f->resumed++;
    f->why = why;
    f->order = fake_next++;
    pthread_mutex_unlock(&fake_mu);
}

static int resumed(fake *f)
{
    pthread_mutex_lock(&fake_mu);
    int n = f->resumed;
    pthread_mutex_unlock(&fake_mu);
    return n;
}

static void waker_resumes_in_time_order_and_all_on_stop(void **state)
{
    (void)state;
    static const mock_waker_ops ops = {fake_suspend, fake_resume};
    mock_waker *w = mock_waker_start(&ops, 1);
    fake a = {0}, b = {0}, h = {0}, h2 = {0};
    int64_t now = mock_wall_now_us();
    fake_next = 0;
    assert_int_equal(mock_waker_sleep(w, now + 40000, &a), 0);
    assert_int_equal(mock_waker_sleep(w, now + 20000, &b), 0);
    int fds[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    assert_int_equal(mock_waker_hang(w, &h, fds[0]), 0);
    assert_int_equal(mock_waker_hang(w, &h2, fds[0]), 1); /* max_hung 1 */
    for (int i = 0; i < 200 && resumed(&a) == 0; i++)
        nanosleep(&(struct timespec){0, 5000000}, NULL);
    assert_int_equal(resumed(&a), 1);
    assert_int_equal(resumed(&b), 1);
    assert_true(b.order < a.order);
    assert_int_equal(a.why, MOCK_WAKE_TIMER);
    assert_int_equal(resumed(&h), 0);
    mock_waker_counts c;
    mock_waker_counts_get(w, &c);
    assert_int_equal(c.hung, 1);
    assert_int_equal(c.hung_rejected, 1);
    fake late = {0};
    assert_int_equal(mock_waker_sleep(w, now + 3600 * 1000000LL, &late), 0);
    mock_waker_stop(w);
    assert_int_equal(resumed(&h), 1);
    assert_int_equal(h.why, MOCK_WAKE_STOP);
    assert_int_equal(resumed(&late), 1);
    assert_int_equal(mock_waker_sleep(w, now, &late), -1); /* refused once stopping */
    assert_int_equal(late.suspended, 1);
    assert_int_equal(h2.suspended, 0);
    mock_waker_free(w);
    close(fds[0]);
    close(fds[1]);
}

static void waker_notices_a_hung_client_leaving(void **state)
{
    (void)state;
    static const mock_waker_ops ops = {fake_suspend, fake_resume};
    mock_waker *w = mock_waker_start(&ops, 8);
    fake h = {0};
    int fds[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    assert_int_equal(mock_waker_hang(w, &h, fds[0]), 0);
    assert_int_equal(write(fds[1], "x", 1), 1); /* unread bytes must not hide the close */
    close(fds[1]);
    for (int i = 0; i < 200 && resumed(&h) == 0; i++)
        nanosleep(&(struct timespec){0, 5000000}, NULL);
    assert_int_equal(resumed(&h), 1);
    assert_int_equal(h.why, MOCK_WAKE_GONE);
    mock_waker_free(w);
    close(fds[0]);
}

static void clock_scales_and_restarts(void **state)
{
    (void)state;
    mock_clock c;
    mock_clock_init(&c, 1000);
    assert_int_equal(mock_clock_wall_us(&c, 60 * CM_US_PER_S), 60000);
    assert_int_equal(mock_clock_wall_us(&c, -5), 0);
    nanosleep(&(struct timespec){0, 2000000}, NULL);
    assert_true(mock_clock_now(&c) >= 2 * CM_US_PER_S);
    mock_clock_restart(&c);
    assert_true(mock_clock_now(&c) < 2 * CM_US_PER_S);
    mock_clock_init(&c, -1); /* nonsense scales fall back to 1 */
    assert_num_equal(c.scale, 1.0);
}

/* t = 0 is the whole wall-clock second the restart falls in: the epoch is
 * that second and the clock starts at the fraction already gone, at every
 * scale, so that epoch + t is the wall clock at the anchor. */
static void clock_anchors_on_a_whole_second(void **state)
{
    (void)state;
    mock_clock c;
    mock_clock_init(&c, 1);
    int64_t real = INT64_C(1796400000) * CM_US_PER_S + 700000; /* xx:xx:xx.7 */
    mock_clock_restart_at(&c, mock_wall_now_us(), real);
    assert_int_equal(mock_clock_epoch(&c), INT64_C(1796400000));
    cm_us t = mock_clock_now(&c);
    assert_true(t >= 700000 && t < 800000);
    mock_clock_init(&c, 100);
    mock_clock_restart_at(&c, mock_wall_now_us(), real);
    t = mock_clock_now(&c);
    assert_true(t >= 700000 && t < 1700000); /* the fraction is scenario time, not scaled */
    mock_clock_restart_at(&c, mock_wall_now_us(), real - 700000); /* on the second */
    assert_int_equal(mock_clock_epoch(&c), INT64_C(1796400000));
    assert_true(mock_clock_now(&c) < 1000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(route_provider_endpoints_and_admin),
        cmocka_unit_test(request_key_and_nul_bytes),
        cmocka_unit_test(request_unescape_and_hidden_bytes),
        cmocka_unit_test(body_parse_estimates_tokens),
        cmocka_unit_test(body_parse_rejects_bad_requests),
        cmocka_unit_test(body_parse_sanitises_model_names),
        cmocka_unit_test(body_parse_reads_stream_requests),
        cmocka_unit_test(body_render_openai_completion),
        cmocka_unit_test(body_render_anthropic_message_and_models),
        cmocka_unit_test(body_render_errors_per_shape),
        cmocka_unit_test(journal_ring_keeps_newest_and_hides_keys),
        cmocka_unit_test(journal_cuts_huge_lines_to_a_stub),
        cmocka_unit_test(journal_counts_lines_the_file_loses),
        cmocka_unit_test(journal_entries_open_then_close_with_a_fate),
        cmocka_unit_test(journal_keeps_entries_on_their_side_of_a_clear),
        cmocka_unit_test(metrics_count_and_escape),
        cmocka_unit_test(textbuf_limits_and_escapes),
        cmocka_unit_test(invalid_utf8_is_replaced),
        cmocka_unit_test(waker_resumes_in_time_order_and_all_on_stop),
        cmocka_unit_test(waker_notices_a_hung_client_leaving),
        cmocka_unit_test(clock_scales_and_restarts),
        cmocka_unit_test(clock_anchors_on_a_whole_second),
        cmocka_unit_test(journal_names_what_groups_attempts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
