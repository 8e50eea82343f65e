/* test_mockhttp_delivery.c: bin/mockserver delivers every answer it decided,
 * or its journal and /metrics say that it did not and why: clients that
 * half-close their connection (shutdown(SHUT_WR)) after a complete request
 * still get the answer after a model's latency; a client that resets the
 * connection while its answer waits is journalled "delivered": false. Raw
 * sockets on loopback; latency under a time scale (0.1 wall s). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "tests/lib/mockhttp_harness.h"

#define FAULTS "tests/data/mockhttp/faults.json"
#define KEY "Authorization: Bearer sk-test"

static cJSON *get_json(const mh_server *s, const char *path)
{
    mh_resp *r = malloc(sizeof *r);
    mh_request(s, "GET", path, NULL, NULL, 5000, r);
    assert_int_equal(r->status, 200);
    cJSON *j = cJSON_Parse(r->body);
    free(r);
    assert_non_null(j);
    return j;
}

/* The /metrics line that starts with `prefix`: its value, or -1. */
static long metric(const mh_server *s, const char *prefix)
{
    mh_resp *r = malloc(sizeof *r);
    mh_request(s, "GET", "/metrics", NULL, NULL, 5000, r);
    const char *at = strstr(r->body, prefix);
    long v = at ? strtol(at + strlen(prefix), NULL, 10) : -1;
    free(r);
    return v;
}

/* n requests to path, each on its own connection, each connection
 * half-closed (SHUT_WR) right after its request; all at once. Returns how
 * many got a complete 200 answer (status line and a chat.completion body)
 * before the server closed the connection. */
static int half_closed_round(const mh_server *s, const char *path, int n)
{
    char req[1024];
    size_t len = mh_raw_post(req, sizeof req, path, KEY, MH_CHAT("m1"));
    assert_true(len > 0);
    int *fds = calloc((size_t)n, sizeof *fds);
    char **bufs = calloc((size_t)n, sizeof *bufs);
    size_t *lens = calloc((size_t)n, sizeof *lens);
    for (int i = 0; i < n; i++) {
        bufs[i] = malloc(8192);
        fds[i] = mh_raw_connect(s);
        assert_true(fds[i] >= 0);
        assert_int_equal(mh_raw_send(fds[i], req, len), 0);
        shutdown(fds[i], SHUT_WR);
    }
    mh_raw_read_all(fds, n, bufs, lens, 8192, 5);
    int answered = 0;
    for (int i = 0; i < n; i++) {
        answered += strncmp(bufs[i], "HTTP/1.1 200 ", 13) == 0 &&
                    strstr(bufs[i], "\"object\":\"chat.completion\"") != NULL;
        close(fds[i]);
        free(bufs[i]);
    }
    free(fds);
    free(bufs);
    free(lens);
    return answered;
}

/* Half-closed clients after a complete request are answered, with and
 * without latency (a suspended and resumed connection), also after earlier
 * half-closed connections; the journal says each answer was delivered. */
static void half_closed_clients_get_their_answer(void **state)
{
    (void)state;
    mh_server s;
    const char *extra[] = {"--time-scale", "5", NULL}; /* lat: 0.5 s -> 0.1 wall s */
    mh_start_ok(&s, FAULTS, extra);
    for (int i = 0; i < 2; i++) /* 20 to a model without latency, 16 at once, then 4 */
        assert_int_equal(half_closed_round(&s, "/ok/v1/chat/completions", i ? 4 : 16), i ? 4 : 16);
    int answered = 0;
    for (int i = 0; i < 2; i++)
        answered += half_closed_round(&s, "/lat/v1/chat/completions", 25);
    assert_int_equal(answered, 50);
    cJSON *j = get_json(&s, "/__admin/journal");
    assert_int_equal(cJSON_GetArraySize(j), 70);
    cJSON *e;
    cJSON_ArrayForEach(e, j)
    {
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "delivered")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "reason")));
    }
    cJSON_Delete(j);
    assert_int_equal(metric(&s, "mock_undelivered_total{reason=\"client closed\"} "), 0);
    mh_stop_ok(&s);
}

/* The journal entry of the request on `path` at index ix, once its
 * "delivered" is no longer null (waits up to 3 s); the caller deletes the
 * array *all. */
static cJSON *settled_entry(const mh_server *s, int ix, cJSON **all)
{
    double until = mh_now() + 3;
    for (;;) {
        *all = get_json(s, "/__admin/journal");
        cJSON *e = cJSON_GetArrayItem(*all, ix);
        if ((e && !cJSON_IsNull(cJSON_GetObjectItem(e, "delivered"))) || mh_now() > until)
            return e;
        cJSON_Delete(*all);
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* A client that resets its connection while its answer sleeps (latency):
 * the answer cannot be delivered, and the journal, the state page and
 * /metrics say so instead of recording a 200 that nobody received. While
 * it sleeps the entry is there, undecided ("delivered": null). */
static void reset_while_sleeping_is_journalled_undelivered(void **state)
{
    (void)state;
    mh_server s;
    const char *extra[] = {"--time-scale", "2", NULL}; /* lat: 0.5 s -> 0.25 wall s */
    mh_start_ok(&s, FAULTS, extra);
    char req[1024];
    size_t len = mh_raw_post(req, sizeof req, "/lat/v1/chat/completions", KEY, MH_CHAT("m1"));
    int fd = mh_raw_connect(&s);
    assert_true(fd >= 0);
    assert_int_equal(mh_raw_send(fd, req, len), 0);
    cJSON *j = NULL;
    double until = mh_now() + 2;
    while (mh_now() < until) { /* the decision is journalled at once, still pending */
        j = get_json(&s, "/__admin/journal");
        if (cJSON_GetArraySize(j) == 1)
            break;
        cJSON_Delete(j);
        j = NULL;
    }
    assert_non_null(j);
    cJSON *e = cJSON_GetArrayItem(j, 0);
    assert_int_equal(cJSON_GetObjectItem(e, "status")->valueint, 200);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "delivered")));
    cJSON_Delete(j);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd); /* RST */
    e = settled_entry(&s, 0, &j);
    assert_non_null(e);
    assert_int_equal(cJSON_GetObjectItem(e, "status")->valueint, 200);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(e, "delivered")));
    assert_string_equal(cJSON_GetObjectItem(e, "reason")->valuestring, "client closed");
    cJSON_Delete(j);
    j = get_json(&s, "/__admin/state");
    assert_int_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "journal"), "undelivered")->valueint, 1);
    cJSON_Delete(j);
    assert_int_equal(metric(&s, "mock_undelivered_total{reason=\"client closed\"} "), 1);
    /* A request answered at once on a connection the client keeps. */
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", "/ok/v1/chat/completions", KEY, MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 200);
    free(r);
    e = settled_entry(&s, 1, &j);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "delivered")));
    cJSON_Delete(j);
    mh_stop_ok(&s);
}

/* Faults that close the connection on purpose (reset, truncate) did what
 * was planned: delivered. */
static void planned_faults_count_as_delivered(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, FAULTS, NULL);
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", "/reset/v1/chat/completions", KEY, MH_CHAT("m1"), 5000, r);
    assert_int_not_equal(r->rc, CURLE_OK);
    mh_request(&s, "POST", "/trunc/v1/messages", KEY,
               "{\"model\":\"m1\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
               "\"content\":\"hi\"}]}",
               5000, r);
    assert_int_not_equal(r->rc, CURLE_OK);
    free(r);
    cJSON *j;
    cJSON *e = settled_entry(&s, 1, &j);
    assert_non_null(e);
    for (int i = 0; i < 2; i++) {
        e = cJSON_GetArrayItem(j, i);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "delivered")));
    }
    cJSON_Delete(j);
    mh_stop_ok(&s);
}

/* connections.NAME of /__admin/state, or -1. */
static int conns(const mh_server *s, const char *name)
{
    cJSON *j = get_json(s, "/__admin/state");
    cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "connections"), name);
    int n = cJSON_IsNumber(v) ? v->valueint : -1;
    cJSON_Delete(j);
    return n;
}

/* SIGTERM while one answer sleeps and one request hangs: the sleeping one
 * is answered at once, the hang is closed, the server exits 0, and the
 * journal file has both with their fate. */
static void sigterm_settles_sleeping_and_hung_entries(void **state)
{
    (void)state;
    char path[] = "/tmp/mockhttp-delivery-XXXXXX";
    int tfd = mkstemp(path);
    assert_true(tfd >= 0);
    close(tfd);
    mh_server s;
    const char *extra[] = {"--journal", path, "--time-scale", "0.5", NULL}; /* lat: 1 wall s */
    mh_start_ok(&s, FAULTS, extra);
    char req[1024];
    int fds[2];
    const char *paths[] = {"/lat/v1/chat/completions", "/hang/v1/chat/completions"};
    for (int i = 0; i < 2; i++) {
        size_t len = mh_raw_post(req, sizeof req, paths[i], KEY, MH_CHAT("m1"));
        fds[i] = mh_raw_connect(&s);
        assert_true(fds[i] >= 0);
        assert_int_equal(mh_raw_send(fds[i], req, len), 0);
    }
    double until = mh_now() + 0.8;
    while ((conns(&s, "sleeping") != 1 || conns(&s, "hung") != 1) && mh_now() < until) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(conns(&s, "sleeping"), 1);
    assert_int_equal(conns(&s, "hung"), 1);
    mh_stop_ok(&s);
    char buf0[8192], buf1[8192], *bufs[2] = {buf0, buf1};
    size_t lens[2];
    mh_raw_read_all(fds, 2, bufs, lens, sizeof buf0, 2);
    assert_int_equal(strncmp(buf0, "HTTP/1.1 200 ", 13), 0); /* answered at the stop */
    assert_int_equal(lens[1], 0);                            /* the hang: nothing */
    close(fds[0]);
    close(fds[1]);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192];
    int lines = 0, answered = 0, stopped = 0;
    while (fgets(line, sizeof line, f)) {
        cJSON *e = cJSON_Parse(line);
        assert_non_null(e);
        lines++;
        answered += strcmp(cJSON_GetObjectItem(e, "provider")->valuestring, "lat") == 0 &&
                    cJSON_IsTrue(cJSON_GetObjectItem(e, "delivered"));
        cJSON *why = cJSON_GetObjectItem(e, "reason");
        stopped += strcmp(cJSON_GetObjectItem(e, "provider")->valuestring, "hang") == 0 &&
                   cJSON_IsString(why) && strcmp(why->valuestring, "server stopped") == 0;
        cJSON_Delete(e);
    }
    fclose(f);
    unlink(path);
    assert_int_equal(lines, 2);
    assert_int_equal(answered, 1);
    assert_int_equal(stopped, 1);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(half_closed_clients_get_their_answer, mh_teardown),
        cmocka_unit_test_teardown(reset_while_sleeping_is_journalled_undelivered, mh_teardown),
        cmocka_unit_test_teardown(planned_faults_count_as_delivered, mh_teardown),
        cmocka_unit_test_teardown(sigterm_settles_sleeping_and_hung_entries, mh_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
