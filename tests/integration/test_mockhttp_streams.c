/* test_mockhttp_streams.c: bin/mockserver's streams meet clients that do not
 * behave: a client that leaves in the middle of a stream (FIN or RST) is
 * journalled "client closed" and gives its connection and its concurrency
 * slot back at once, not at the stream's next event; 200 clients that stop
 * reading (their socket buffers full) do not delay another client's events;
 * SIGTERM ends every stream at once with its remaining events, and the
 * journal has every entry. Raw sockets on loopback; bounded waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/ioctl.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "tests/lib/mockhttp_harness.h"

#define STREAMS "tests/data/mockhttp/streams.json"
#define KEY "Authorization: Bearer sk-test"
#define CHAT_STREAM                                                                                \
    "{\"model\":\"m1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
#define MSG_STREAM                                                                                 \
    "{\"model\":\"m1\",\"stream\":true,\"max_tokens\":64,\"messages\":[{\"role\":\"user\","        \
    "\"content\":\"hi\"}]}"

/* A connection with a streamed request for `path` sent on it; `rcvbuf` > 0
 * sets a small receive buffer first. */
static int stream_open(const mh_server *s, const char *path, int rcvbuf)
{
    char req[1024];
    int anthropic = strstr(path, "/v1/messages") != NULL;
    size_t len = mh_raw_post(req, sizeof req, path, anthropic ? "x-api-key: sk-test" : KEY,
                             anthropic ? MSG_STREAM : CHAT_STREAM);
    assert_true(len > 0);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(mh_raw_send(fd, req, len), 0);
    return fd;
}

/* Reads fd into buf (appending at *len, cap bytes) until `needle` is in it
 * or timeout_s passes; true when found. */
static bool read_until(int fd, char *buf, size_t *len, size_t cap, const char *needle,
                       double timeout_s)
{
    double until = mh_now() + timeout_s;
    while (!strstr(buf, needle)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)((until - mh_now()) * 1000);
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return false;
        ssize_t n = recv(fd, buf + *len, cap - 1 - *len, 0);
        if (n <= 0)
            return false;
        *len += (size_t)n;
        buf[*len] = '\0';
    }
    return true;
}

static cJSON *journal(const mh_server *s)
{
    mh_resp *r = malloc(sizeof *r);
    mh_request(s, "GET", "/__admin/journal", NULL, NULL, 5000, r);
    assert_int_equal(r->status, 200);
    cJSON *j = cJSON_Parse(r->body);
    free(r);
    assert_non_null(j);
    return j;
}

/* Entry i of the journal once its fate is known (within timeout_s), as a
 * copy the caller frees; NULL when it is still pending then. */
static cJSON *settled(const mh_server *s, int i, double timeout_s)
{
    double until = mh_now() + timeout_s;
    do {
        cJSON *j = journal(s);
        cJSON *e = cJSON_GetArrayItem(j, i);
        if (e && !cJSON_IsNull(cJSON_GetObjectItem(e, "delivered"))) {
            cJSON *copy = cJSON_Duplicate(e, 1);
            cJSON_Delete(j);
            return copy;
        }
        cJSON_Delete(j);
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    } while (mh_now() < until);
    return NULL;
}

/* The "slow" stream sends its first token at once and the next one 10 s
 * later, one stream at a time: a client that leaves after the first token
 * (closing with FIN, then with RST) is journalled "client closed" well
 * before that, and the next stream gets the slot. */
static void a_client_that_leaves_frees_its_stream_at_once(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, STREAMS, NULL);
    for (int i = 0; i < 3; i++) {
        int fd = stream_open(&s, "/slow/v1/chat/completions", 0);
        char buf[16384] = "";
        size_t len = 0;
        assert_true(read_until(fd, buf, &len, sizeof buf, "\"content\":", 3));
        assert_int_equal(strncmp(buf, "HTTP/1.1 200 ", 13), 0); /* the slot was free */
        if (i == 2) {
            close(fd);
            break;
        }
        if (i == 1) { /* RST */
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        double left_at = mh_now();
        close(fd);
        cJSON *e = settled(&s, i, 3);
        assert_non_null(e);
        double took = mh_now() - left_at;
        assert_true(took < 2.0); /* the next token was 10 s away */
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(e, "delivered")));
        assert_string_equal(cJSON_GetObjectItem(e, "reason")->valuestring, "client closed");
        assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "stream"), "tokens")->valueint,
                         50);
        cJSON_Delete(e);
    }
    mh_stop_ok(&s);
}

/* connections.NAME of /__admin/state, or -1. */
static int conns(const mh_server *s, const char *name)
{
    mh_resp *r = malloc(sizeof *r);
    mh_request(s, "GET", "/__admin/state", NULL, NULL, 5000, r);
    cJSON *j = cJSON_Parse(r->body);
    free(r);
    cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "connections"), name);
    int n = cJSON_IsNumber(v) ? v->valueint : -1;
    cJSON_Delete(j);
    return n;
}

/* 200 clients whose streams fill their socket buffers and who never read
 * them, then one client that reads a 20-token stream: its events come at
 * their times (each within 250 ms of its schedule, i x 50 ms from the
 * stream's start). */
static void clients_that_stop_reading_delay_no_one(void **state)
{
    (void)state;
    enum { STALLED = 200, TICKS = 20 };
    mh_server s;
    mh_start_ok(&s, STREAMS, NULL);
    int fds[STALLED];
    for (int i = 0; i < STALLED; i++)
        fds[i] = stream_open(&s, "/flood/v1/chat/completions", 4096);
    /* Every stalled client's receive buffer fills, and every stalled stream
     * waits for its socket, none for its timer any more (bounded). */
    double until = mh_now() + 10;
    int full = 0, sleeping = -1;
    while ((full < STALLED || sleeping != 0) && mh_now() < until) {
        full = 0;
        for (int i = 0; i < STALLED; i++) {
            int queued = 0;
            ioctl(fds[i], FIONREAD, &queued);
            full += queued >= 2048;
        }
        sleeping = conns(&s, "sleeping");
    }
    assert_int_equal(full, STALLED);
    assert_int_equal(sleeping, 0);
    int fd = stream_open(&s, "/tick/v1/chat/completions", 0);
    double at[TICKS];
    int got = 0;
    char buf[65536] = "";
    size_t len = 0;
    const char *scan = buf;
    until = mh_now() + 5;
    while (got < TICKS && mh_now() < until) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        double now = mh_now();
        for (const char *c; got < TICKS && (c = strstr(scan, "\"content\":\"")); scan = c + 1)
            if (c[11] != '"') /* a token's text, not the opening chunk's "" */
                at[got++] = now;
    }
    assert_int_equal(got, TICKS);
    /* Token i's schedule is start + i x 50 ms; the start is the earliest
     * that the arrivals imply, so lateness is never negative. */
    double start = at[0];
    for (int i = 1; i < TICKS; i++)
        start = at[i] - i * 0.05 < start ? at[i] - i * 0.05 : start;
    double worst = 0;
    for (int i = 0; i < TICKS; i++)
        worst = at[i] - (start + i * 0.05) > worst ? at[i] - (start + i * 0.05) : worst;
    printf("stalled readers: %d, the reading client's latest event: %.1f ms late\n", STALLED,
           worst * 1000);
    assert_true(worst < 0.25);                /* a blocked front would take seconds */
    assert_true(at[TICKS - 1] - at[0] > 0.8); /* paced over 0.95 s, not a burst */
    close(fd);
    for (int i = 0; i < STALLED; i++)
        close(fds[i]);
    mh_stop_ok(&s);
}

/* SIGTERM while three streams wait 10 s for their next token: each gets its
 * remaining events at once (through Anthropic's message_stop), the server
 * exits 0 at once, and the journal file has the three entries, delivered. */
static void sigterm_ends_streams_with_their_rest(void **state)
{
    (void)state;
    enum { N = 3 };
    char path[] = "/tmp/mockhttp-streams-XXXXXX";
    int tfd = mkstemp(path);
    assert_true(tfd >= 0);
    close(tfd);
    mh_server s;
    const char *extra[] = {"--journal", path, NULL};
    mh_start_ok(&s, STREAMS, extra);
    int fds[N];
    char bufs[N][65536];
    size_t lens[N];
    for (int i = 0; i < N; i++) {
        fds[i] = stream_open(&s, "/slowant/v1/messages", 0);
        bufs[i][0] = '\0';
        lens[i] = 0;
        assert_true(read_until(fds[i], bufs[i], &lens[i], sizeof bufs[i], "text_delta", 3));
    }
    double t0 = mh_now();
    mh_stop_ok(&s);
    assert_true(mh_now() - t0 < 3.0);
    for (int i = 0; i < N; i++) {
        assert_true(read_until(fds[i], bufs[i], &lens[i], sizeof bufs[i], "message_stop", 2));
        close(fds[i]);
    }
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192];
    int lines = 0, delivered = 0;
    while (fgets(line, sizeof line, f)) {
        cJSON *e = cJSON_Parse(line);
        assert_non_null(e);
        lines++;
        delivered += cJSON_IsTrue(cJSON_GetObjectItem(e, "delivered"));
        cJSON_Delete(e);
    }
    fclose(f);
    unlink(path);
    assert_int_equal(lines, N);
    assert_int_equal(delivered, N);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(a_client_that_leaves_frees_its_stream_at_once, mh_teardown),
        cmocka_unit_test_teardown(clients_that_stop_reading_delay_no_one, mh_teardown),
        cmocka_unit_test_teardown(sigterm_ends_streams_with_their_rest, mh_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
