/* test_mockhttp_server.c: bin/mockserver over real HTTP on loopback: rate
 * windows, scripts, keys, scaled time, request errors, the admin API and
 * the journal, driven with libcurl; each test starts its own server on a
 * free port and stops it with SIGTERM (which must exit 0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tests/lib/mockhttp_harness.h"
#include "tests/lib/test_assert.h"

#define OA_KEY "Authorization: Bearer sk-test-oa"
#define CHAT "/oa/v1/chat/completions"

static cJSON *get_json(const mh_server *s, const char *path)
{
    mh_resp *r = malloc(sizeof *r);
    mh_request(s, "GET", path, NULL, NULL, 5000, r);
    assert_int_equal(r->rc, CURLE_OK);
    assert_int_equal(r->status, 200);
    cJSON *j = cJSON_Parse(r->body);
    free(r);
    assert_non_null(j);
    return j;
}

/* error.MEMBER of an OpenAI-shape error body as a string, or "" */
static const char *str_of(const cJSON *j, const char *member)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), member);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void window_three_per_minute(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    mh_resp *r = malloc(sizeof *r);
    const long want[] = {200, 200, 200, 429};
    for (int i = 0; i < 4; i++) {
        mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
        assert_int_equal(r->rc, CURLE_OK);
        assert_int_equal(r->status, want[i]);
    }
    char v[64];
    assert_int_equal(mh_header(r, "Retry-After", v, sizeof v), 0);
    long ra = strtol(v, NULL, 10);
    assert_true(ra >= 58 && ra <= 60);
    assert_int_equal(mh_header(r, "x-ratelimit-remaining-requests", v, sizeof v), 0);
    assert_string_equal(v, "0");
    assert_non_null(strstr(r->body, "\"error\""));
    free(r);
    mh_stop_ok(&s);
}

static void time_scale_600_resets_window_in_a_tenth(void **state)
{
    (void)state;
    mh_server s;
    const char *extra[] = {"--time-scale", "600", NULL};
    mh_start_ok(&s, "tests/data/mockhttp/window.json", extra);
    mh_resp *r = malloc(sizeof *r);
    for (int i = 0; i < 4; i++)
        mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 429);
    struct timespec ts = {0, 120 * 1000 * 1000}; /* 0.12 wall s = 72 scenario s */
    nanosleep(&ts, NULL);
    mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 200);
    cJSON *st = get_json(&s, "/__admin/state");
    assert_num_equal(cJSON_GetObjectItem(st, "time_scale")->valuedouble, 600);
    assert_true(cJSON_GetObjectItem(st, "now_s")->valuedouble >= 72);
    cJSON_Delete(st);
    free(r);
    mh_stop_ok(&s);
}

static void script_comes_back_in_order(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/script.json", NULL);
    mh_resp *r = malloc(sizeof *r);
    const long want[] = {429, 429, 503, 200, 200};
    for (int i = 0; i < 5; i++) {
        mh_request(&s, "POST", "/seq/v1/chat/completions", "Authorization: Bearer sk-test-seq",
                   MH_CHAT("m1"), 5000, r);
        assert_int_equal(r->status, want[i]);
    }
    free(r);
    mh_stop_ok(&s);
}

static void invalid_key_gets_401_in_each_shape(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", CHAT, "Authorization: Bearer sk-wrong", MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 401);
    assert_non_null(strstr(r->body, "\"error\":{\"message\""));
    mh_request(&s, "POST", "/an/v1/messages", "x-api-key: nope",
               "{\"model\":\"claude-m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
               "\"content\":\"hi\"}]}",
               5000, r);
    assert_int_equal(r->status, 401);
    assert_non_null(strstr(r->body, "\"type\":\"error\""));
    mh_request(&s, "POST", "/an/v1/messages", "x-api-key: sk-ant-test",
               "{\"model\":\"claude-m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
               "\"content\":\"hi\"}]}",
               5000, r);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "\"type\":\"message\""));
    free(r);
    mh_stop_ok(&s);
}

static void bad_bodies_get_413_and_400(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    mh_resp *r = malloc(sizeof *r);
    size_t big = (1u << 20) + 100;
    char *body = malloc(big + 1);
    memset(body, ' ', big);
    body[big] = '\0';
    mh_request(&s, "POST", CHAT, OA_KEY, body, 10000, r);
    free(body);
    assert_int_equal(r->status, 413);
    mh_request(&s, "POST", CHAT, OA_KEY, "{\"model\": \"m1\", \"messages\": [", 5000, r);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "invalid_request_error"));
    mh_request(&s, "POST", "/an/v1/messages", "x-api-key: sk-ant-test", "not json", 5000, r);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "\"type\":\"error\""));
    /* A malformed X-Retrylab-Attempt is the client's error, said before auth. */
    mh_request(&s, "POST", CHAT, "X-Retrylab-Attempt: 1/0", MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "X-Retrylab-Attempt: expected TASK/ATTEMPT"));
    mh_request(&s, "POST", CHAT, "X-Retrylab-Attempt: 0/1", MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 401); /* well formed: on to the model, which wants a key */
    mh_request(&s, "GET", CHAT, OA_KEY, NULL, 5000, r);
    assert_int_equal(r->status, 405);
    mh_request(&s, "GET", "/nowhere", NULL, NULL, 5000, r);
    assert_int_equal(r->status, 404);
    free(r);
    mh_stop_ok(&s); /* and it is still alive to be stopped */
}

/* The front's own errors follow mockserver/README.md's error table: an
 * unknown route is 404 with code null; 405 is invalid_request_error with an
 * Allow header, on admin routes too; text after the JSON body is a 400. */
static void front_errors_match_the_readme_table(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    mh_resp *r = malloc(sizeof *r);
    char v[64];
    mh_request(&s, "GET", "/nope", NULL, NULL, 5000, r);
    assert_int_equal(r->status, 404);
    cJSON *j = cJSON_Parse(r->body);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "code")));
    assert_string_equal(str_of(j, "type"), "invalid_request_error");
    cJSON_Delete(j);
    const char *const wrong[][3] = {{"GET", CHAT, "POST"},
                                    {"GET", "/__admin/reset", "POST"},
                                    {"POST", "/__admin/state", "GET, HEAD"},
                                    {"DELETE", "/metrics", "GET, HEAD"}};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        mh_request(&s, wrong[i][0], wrong[i][1], OA_KEY, NULL, 5000, r);
        assert_int_equal(r->status, 405);
        assert_int_equal(mh_header(r, "Allow", v, sizeof v), 0);
        assert_string_equal(v, wrong[i][2]);
        j = cJSON_Parse(r->body);
        assert_string_equal(str_of(j, "type"), "invalid_request_error");
        cJSON_Delete(j);
    }
    mh_request(&s, "POST", CHAT, OA_KEY,
               "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\"}]} trailing", 5000, r);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "text after the JSON value"));
    free(r);
    mh_stop_ok(&s);
}

/* A provider path the scenario does not have is a 404 whatever the method
 * and body: an endpoint of the other shape (/v1/messages on an OpenAI
 * provider, /v1/chat/completions on an Anthropic one) or an unknown
 * provider, in the provider's error shape (code null). */
static void endpoint_of_the_other_shape_is_404(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    mh_resp *r = malloc(sizeof *r);
    const char *an_body = "{\"model\":\"claude-m\",\"max_tokens\":5,\"messages\":[{\"role\":"
                          "\"user\",\"content\":\"hi\"}]}";
    const struct {
        const char *method, *path, *key, *body, *type;
    } cases[] = {
        {"POST", "/oa/v1/messages", OA_KEY, MH_CHAT("m1"), "invalid_request_error"},
        {"POST", "/oa/v1/messages", NULL, "not json", "invalid_request_error"},
        {"GET", "/oa/v1/messages", OA_KEY, NULL, "invalid_request_error"},
        {"POST", "/an/v1/chat/completions", "x-api-key: sk-ant-test", MH_CHAT("claude-m"),
         "not_found_error"},
        {"POST", "/an/v1/chat/completions", "x-api-key: sk-ant-test", an_body, "not_found_error"},
        {"POST", "/zz/v1/chat/completions", OA_KEY, "{", "invalid_request_error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mh_request(&s, cases[i].method, cases[i].path, cases[i].key, cases[i].body, 5000, r);
        assert_int_equal(r->status, 404);
        cJSON *j = cJSON_Parse(r->body);
        cJSON *err = cJSON_GetObjectItem(j, "error");
        assert_string_equal(cJSON_GetObjectItem(err, "type")->valuestring, cases[i].type);
        if (strcmp(cases[i].type, "invalid_request_error") == 0)
            assert_true(cJSON_IsNull(cJSON_GetObjectItem(err, "code")));
        cJSON_Delete(j);
    }
    free(r);
    cJSON *j = get_json(&s, "/__admin/journal");
    assert_int_equal(cJSON_GetArraySize(j), 6);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "note")->valuestring,
                        "unknown endpoint");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 5), "note")->valuestring,
                        "unknown provider");
    cJSON_Delete(j);
    mh_stop_ok(&s);
}

/* Sends `req` (whole, the socket left open for writing: no body follows)
 * and returns the status of the first response line within 2 s, else -1. */
static int raw_status(const mh_server *s, const char *req, char *got, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
    size_t n = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (n + 1 < size && poll(&p, 1, 2000) > 0) {
        ssize_t r = recv(fd, got + n, size - 1 - n, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
        got[n] = '\0';
        if (strstr(got, "\r\n\r\n"))
            break;
    }
    got[n] = '\0';
    close(fd);
    return strncmp(got, "HTTP/1.1 ", 9) == 0 ? (int)strtol(got + 9, NULL, 10) : -1;
}

/* GET routes answer HEAD too; an admin route refuses a body over 1 MiB at
 * once (413 from its Content-Length, without waiting for the body). */
static void head_and_admin_413(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    char got[4096];
    const char *heads[] = {"/metrics", "/__admin/state", "/__admin/journal", "/oa/v1/models"};
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        char req[256];
        snprintf(req, sizeof req, "HEAD %s HTTP/1.1\r\nHost: x\r\n%s\r\n", heads[i],
                 i == 3 ? "Authorization: Bearer sk-test-oa\r\n" : "");
        assert_int_equal(raw_status(&s, req, got, sizeof got), 200);
    }
    const char *big[] = {"/__admin/reset", "/__admin/state", CHAT, "/nowhere"};
    const int want[] = {413, 405, 413, 404};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        char req[256];
        snprintf(req, sizeof req,
                 "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", big[i]);
        assert_int_equal(raw_status(&s, req, got, sizeof got), want[i]);
    }
    mh_stop_ok(&s);
}

/* ?format= other than json/jsonl is a 400 naming it; ?limit=0 gives none. */
static void journal_query_format_and_limit(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    mh_request(&s, "GET", "/__admin/journal?format=xml", NULL, NULL, 5000, r);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "format"));
    cJSON *j = get_json(&s, "/__admin/journal?limit=0");
    assert_int_equal(cJSON_GetArraySize(j), 0);
    cJSON_Delete(j);
    j = get_json(&s, "/__admin/journal?limit=1&format=json");
    assert_int_equal(cJSON_GetArraySize(j), 1);
    cJSON_Delete(j);
    j = get_json(&s, "/__admin/journal");
    assert_int_equal(cJSON_GetArraySize(j), 2);
    cJSON_Delete(j);
    mh_request(&s, "GET", "/__admin/journal?limit=-1", NULL, NULL, 5000, r);
    assert_int_equal(r->status, 400);
    free(r);
    mh_stop_ok(&s);
}

static void admin_state_journal_reset_metrics(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    cJSON *st = get_json(&s, "/__admin/state");
    assert_string_equal(cJSON_GetObjectItem(st, "scenario")->valuestring, "mockhttp-window");
    assert_non_null(cJSON_GetObjectItem(st, "windows"));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "journal"), "total")->valueint, 2);
    cJSON_Delete(st);
    cJSON *j = get_json(&s, "/__admin/journal");
    assert_int_equal(cJSON_GetArraySize(j), 2);
    cJSON *e = cJSON_GetArrayItem(j, 1);
    assert_string_equal(cJSON_GetObjectItem(e, "provider")->valuestring, "oa");
    assert_string_equal(cJSON_GetObjectItem(e, "model")->valuestring, "m1");
    assert_int_equal(cJSON_GetObjectItem(e, "status")->valueint, 200);
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(e, "headers")));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(e, "t")));
    cJSON_Delete(j);
    mh_request(&s, "GET", "/metrics", NULL, NULL, 5000, r);
    assert_non_null(
        strstr(r->body, "mock_requests_total{provider=\"oa\",model=\"m1\",status=\"200\"} 2\n"));
    mh_request(&s, "POST", "/__admin/reset", NULL, "", 5000, r);
    assert_int_equal(r->status, 200);
    j = get_json(&s, "/__admin/journal");
    assert_int_equal(cJSON_GetArraySize(j), 0);
    cJSON_Delete(j);
    for (int i = 0; i < 3; i++) { /* the window is empty again: 3 more pass */
        mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
        assert_int_equal(r->status, 200);
    }
    st = get_json(&s, "/__admin/state");
    assert_true(cJSON_GetObjectItem(st, "now_s")->valuedouble < 5);
    cJSON_Delete(st);
    mh_request(&s, "GET", "/__admin/journal?format=jsonl", NULL, NULL, 5000, r);
    int lines = 0;
    for (char *p = r->body; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, 3);
    /* Prometheus counters only grow: the reset zeroed the journal, not them. */
    mh_request(&s, "GET", "/metrics", NULL, NULL, 5000, r);
    assert_non_null(strstr(r->body, "\nmock_journal_entries_total 5\n"));
    assert_non_null(
        strstr(r->body, "mock_requests_total{provider=\"oa\",model=\"m1\",status=\"200\"} 5\n"));
    st = get_json(&s, "/__admin/state");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "journal"), "total")->valueint, 3);
    cJSON_Delete(st);
    free(r);
    mh_stop_ok(&s);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void journal_never_holds_key_values(void **state)
{
    (void)state;
    char path[] = "/tmp/mockhttp-journal-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    mh_server s;
    const char *extra[] = {"--journal", path, "--journal-size", "2", NULL};
    mh_start_ok(&s, "tests/data/mockhttp/window.json", extra);
    mh_resp *r = malloc(sizeof *r);
    for (int i = 0; i < 4; i++)
        mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    mh_request(&s, "POST", CHAT, "Authorization: Bearer sk-secret-wrong", MH_CHAT("m1"), 5000, r);
    mh_request(&s, "GET", "/__admin/journal", NULL, NULL, 5000, r);
    assert_null(strstr(r->body, "sk-test-oa"));
    assert_null(strstr(r->body, "sk-secret-wrong"));
    assert_non_null(strstr(r->body, "\"key\":\"k-"));
    cJSON *st = get_json(&s, "/__admin/state");
    cJSON *jc = cJSON_GetObjectItem(st, "journal");
    assert_int_equal(cJSON_GetObjectItem(jc, "kept")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(jc, "dropped")->valueint, 3);
    cJSON_Delete(st);
    free(r);
    mh_stop_ok(&s);
    const char *text = slurp(path);
    int lines = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, 5); /* the file has every entry, not just the ring's */
    assert_null(strstr(text, "sk-test-oa"));
    assert_null(strstr(text, "sk-secret-wrong"));
    unlink(path);
}

/* 64 concurrent requests against a 10-step script: each step answered once. */
static void atomic_script_under_64_concurrent(void **state)
{
    (void)state;
    mh_server s;
    const char *extra[] = {"--threads", "4", NULL};
    mh_start_ok(&s, "tests/data/mockhttp/script.json", extra);
    enum { N = 64 };
    mh_resp *r = calloc(N, sizeof *r);
    CURL *h[N];
    struct curl_slist *hd[N];
    CURLM *m = curl_multi_init();
    for (int i = 0; i < N; i++) {
        h[i] = mh_easy(&s, "POST", "/ten/v1/chat/completions", "Authorization: Bearer sk-test-ten",
                       MH_CHAT("m1"), 10000, &r[i], &hd[i]);
        curl_multi_add_handle(m, h[i]);
    }
    int running = 1;
    while (running) {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    int seen[10] = {0}, ok = 0;
    for (int i = 0; i < N; i++) {
        curl_easy_getinfo(h[i], CURLINFO_RESPONSE_CODE, &r[i].status);
        char v[16];
        if (mh_header(&r[i], "x-step", v, sizeof v) == 0)
            seen[strtol(v, NULL, 10) % 10]++;
        ok += r[i].status == 200;
        curl_multi_remove_handle(m, h[i]);
        curl_easy_cleanup(h[i]);
        curl_slist_free_all(hd[i]);
    }
    curl_multi_cleanup(m);
    for (int i = 0; i < 10; i++)
        assert_int_equal(seen[i], 1);
    assert_int_equal(ok, N - 10);
    cJSON *j = get_json(&s, "/__admin/journal");
    int jseen[10] = {0};
    cJSON *e;
    cJSON_ArrayForEach(e, j)
    {
        cJSON *step = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "headers"), "x-step");
        if (cJSON_IsString(step))
            jseen[strtol(step->valuestring, NULL, 10) % 10]++;
    }
    for (int i = 0; i < 10; i++)
        assert_int_equal(jseen[i], 1);
    assert_int_equal(cJSON_GetArraySize(j), N);
    cJSON_Delete(j);
    free(r);
    mh_stop_ok(&s);
}

/* The curl command-line tool, unmodified: --retry waits out Retry-After: 1. */
static void curl_tool_retry_honours_retry_after(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/script.json", NULL);
    char out_path[] = "/tmp/mockhttp-curl-XXXXXX"; /* curl cannot truncate /dev/null to retry */
    int fd = mkstemp(out_path);
    assert_true(fd >= 0);
    close(fd);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "curl -s -o %s -w '%%{http_code}' --retry 3 --max-time 20 "
             "-H 'Authorization: Bearer sk-test-retry' -H 'Content-Type: application/json' "
             "-d '%s' %s/retry/v1/chat/completions",
             out_path, MH_CHAT("m1"), s.base);
    double t0 = mh_now();
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char out[32] = "";
    assert_non_null(fgets(out, sizeof out, p));
    assert_int_equal(pclose(p), 0);
    unlink(out_path);
    double took = mh_now() - t0;
    assert_string_equal(out, "200");
    assert_true(took >= 1.8 && took < 10);
    cJSON *j = get_json(&s, "/__admin/journal");
    assert_int_equal(cJSON_GetArraySize(j), 3);
    const int want[] = {429, 429, 200};
    for (int i = 0; i < 3; i++)
        assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(j, i), "status")->valueint,
                         want[i]);
    for (int i = 1; i < 3; i++) {
        double gap = cJSON_GetObjectItem(cJSON_GetArrayItem(j, i), "t")->valuedouble -
                     cJSON_GetObjectItem(cJSON_GetArrayItem(j, i - 1), "t")->valuedouble;
        assert_true(gap >= 0.95 && gap < 5);
    }
    cJSON_Delete(j);
    mh_stop_ok(&s);
}

/* Sends raw bytes on a fresh connection, reads until close or 1 s. */
static void raw_send(const mh_server *s, const char *data, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    for (size_t off = 0; off < len;) {
        ssize_t n = send(fd, data + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    char buf[4096];
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (poll(&p, 1, 1000) > 0 && recv(fd, buf, sizeof buf, 0) > 0)
        ;
    close(fd);
}

/* Garbage, oversized headers, lying lengths, deep nesting, NUL bytes: the
 * server answers or closes, and keeps serving. */
static void hostile_requests_never_crash(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    char junk[2048];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)((i * 131 + 7) % 256);
    raw_send(&s, junk, sizeof junk);
    size_t big = 200000;
    char *hdr = malloc(big + 64);
    int n = snprintf(hdr, 64, "GET /oa/v1/models HTTP/1.1\r\nX-Big: ");
    memset(hdr + n, 'a', big);
    memcpy(hdr + n + big, "\r\n\r\n", 4);
    raw_send(&s, hdr, (size_t)n + big + 4);
    free(hdr);
    const char *lie = "POST /oa/v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                      "Content-Length: 999\r\n\r\n{\"model\":";
    raw_send(&s, lie, strlen(lie));
    const char *chunked = "POST /oa/v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                          "Transfer-Encoding: chunked\r\n\r\nzz\r\nnope\r\n0\r\n\r\n";
    raw_send(&s, chunked, strlen(chunked));
    const char nul[] = "POST /oa/v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                       "Content-Length: 5\r\n\r\n{\0\0}\0";
    raw_send(&s, nul, sizeof nul - 1);
    char *deep = malloc(100001);
    memset(deep, '[', 100000);
    deep[100000] = '\0';
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", CHAT, OA_KEY, deep, 5000, r);
    free(deep);
    assert_int_equal(r->status, 400);
    mh_request(&s, "POST", "/%00/v1/chat/completions", OA_KEY, MH_CHAT("m1"), 5000, r);
    assert_true(r->status == 404 || r->status == 400);
    mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 200);
    free(r);
    mh_stop_ok(&s);
}

/* Sends raw[len] on a fresh connection; returns the status of the answer
 * (0 when none came within 2 s). */
static int raw_len_status(const mh_server *s, const char *raw, size_t len)
{
    int fd = mh_raw_connect(s);
    assert_true(fd >= 0);
    assert_int_equal(mh_raw_send(fd, raw, len), 0);
    char buf[8192], *bufs[1] = {buf};
    size_t got;
    shutdown(fd, SHUT_WR);
    mh_raw_read_all(&fd, 1, bufs, &got, sizeof buf, 2);
    close(fd);
    return strncmp(buf, "HTTP/1.1 ", 9) == 0 ? (int)strtol(buf + 9, NULL, 10) : 0;
}

/* A NUL byte in a header value, or %00 in the path or a query argument,
 * is refused: a key "sk-test-oa\0ATTACKER" is not the key sk-test-oa, and
 * "/oa/v1/chat/completions%00x" is not that path. */
static void nul_bytes_never_shorten_a_value(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    static const char body[] = MH_CHAT("m1");
    char raw[1024];
    const char *heads[] = {"Authorization: Bearer sk-test-oa", "x-api-key: sk-test-oa",
                           "X-Note: a"};
    for (int i = 0; i < 3; i++) {
        int n = snprintf(raw, sizeof raw,
                         "POST /oa/v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                         "%s%s\r\nContent-Length: %zu\r\n\r\n%s",
                         heads[i], i == 2 ? "\r\nAuthorization: Bearer sk-test-oa" : "",
                         sizeof body - 1, body);
        /* the NUL and the tail go right after the header's value */
        char *eol = strstr(raw, heads[i]) + strlen(heads[i]);
        memmove(eol + 9, eol, (size_t)n - (size_t)(eol - raw) + 1);
        memcpy(eol, "\0ATTACKER", 9);
        assert_int_equal(raw_len_status(&s, raw, (size_t)n + 9), 400);
    }
    size_t n = mh_raw_post(raw, sizeof raw, "/oa/v1/chat/completions%00x", OA_KEY, body);
    assert_int_equal(raw_len_status(&s, raw, n), 404);
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "GET", "/__admin/journal?format=json%00x", NULL, NULL, 5000, r);
    assert_int_equal(r->status, 400);
    free(r);
    cJSON *j = get_json(&s, "/__admin/journal");
    cJSON *e;
    cJSON_ArrayForEach(e, j) /* never answered, nor journalled as the key's owner */
    {
        int status = cJSON_GetObjectItem(e, "status")->valueint;
        assert_int_not_equal(status, 200);
        if (status == 400)
            assert_string_equal(cJSON_GetObjectItem(e, "key")->valuestring, "k-none");
    }
    cJSON_Delete(j);
    /* and the key itself still works */
    n = mh_raw_post(raw, sizeof raw, "/oa/v1/chat/completions", OA_KEY, body);
    assert_int_equal(raw_len_status(&s, raw, n), 200);
    mh_stop_ok(&s);
}

static void sigint_stops_cleanly_and_help_exits_0(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, "tests/data/mockhttp/window.json", NULL);
    *mh_running() = NULL; /* stopped here by SIGINT, not by mh_stop_ok */
    kill(s.pid, SIGINT);
    assert_int_equal(mh_wait(s.pid, 5000), 0);
    char err[512];
    const char *help[] = {"--help", NULL};
    assert_int_equal(mh_run(help, err, sizeof err), 0);
    assert_string_equal(err, ""); /* usage goes to stdout, nothing to stderr */
}

static void bad_scenario_exits_2(void **state)
{
    (void)state;
    char err[512];
    const char *a1[] = {"tests/data/mockhttp/bad_unknown_field.json", "--port", "0", NULL};
    assert_int_equal(mh_run(a1, err, sizeof err), 2);
    assert_non_null(strstr(err, "bad_unknown_field.json:6:49:"));
    const char *a2[] = {"tests/data/mockhttp/does-not-exist.json", "--port", "0", NULL};
    assert_int_equal(mh_run(a2, err, sizeof err), 2);
    assert_non_null(strstr(err, "does-not-exist.json"));
}

static void bad_flag_exits_2(void **state)
{
    (void)state;
    char err[512];
    const char *w = "tests/data/mockhttp/window.json";
    const char *a1[] = {w, "--port", "http", NULL};
    assert_int_equal(mh_run(a1, err, sizeof err), 2);
    assert_non_null(strstr(err, "--port"));
    const char *a2[] = {w, "--frobnicate", "1", NULL};
    assert_int_equal(mh_run(a2, err, sizeof err), 2);
    assert_non_null(strstr(err, "--frobnicate"));
    const char *a3[] = {w, "--time-scale", "0", NULL};
    assert_int_equal(mh_run(a3, err, sizeof err), 2);
    assert_non_null(strstr(err, "--time-scale"));
    const char *a4[] = {w, "--bind", "not-an-address", "--port", "0", NULL};
    assert_int_equal(mh_run(a4, err, sizeof err), 2);
    assert_non_null(strstr(err, "--bind"));
    const char *a5[] = {w, "--journal-size", NULL};
    assert_int_equal(mh_run(a5, err, sizeof err), 2);
    assert_non_null(strstr(err, "--journal-size"));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(window_three_per_minute, mh_teardown),
        cmocka_unit_test_teardown(time_scale_600_resets_window_in_a_tenth, mh_teardown),
        cmocka_unit_test_teardown(script_comes_back_in_order, mh_teardown),
        cmocka_unit_test_teardown(invalid_key_gets_401_in_each_shape, mh_teardown),
        cmocka_unit_test_teardown(bad_bodies_get_413_and_400, mh_teardown),
        cmocka_unit_test_teardown(front_errors_match_the_readme_table, mh_teardown),
        cmocka_unit_test_teardown(endpoint_of_the_other_shape_is_404, mh_teardown),
        cmocka_unit_test_teardown(journal_query_format_and_limit, mh_teardown),
        cmocka_unit_test_teardown(head_and_admin_413, mh_teardown),
        cmocka_unit_test_teardown(admin_state_journal_reset_metrics, mh_teardown),
        cmocka_unit_test_teardown(journal_never_holds_key_values, mh_teardown),
        cmocka_unit_test_teardown(atomic_script_under_64_concurrent, mh_teardown),
        cmocka_unit_test_teardown(curl_tool_retry_honours_retry_after, mh_teardown),
        cmocka_unit_test_teardown(hostile_requests_never_crash, mh_teardown),
        cmocka_unit_test_teardown(nul_bytes_never_shorten_a_value, mh_teardown),
        cmocka_unit_test_teardown(sigint_stops_cleanly_and_help_exits_0, mh_teardown),
        cmocka_unit_test_teardown(bad_scenario_exits_2, mh_teardown),
        cmocka_unit_test_teardown(bad_flag_exits_2, mh_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
