/* mockhttp_harness.h: starts bin/mockserver as a child process on a free
 * loopback port (reading "listening on http://127.0.0.1:PORT" from its
 * stdout), stops it with SIGTERM, and sends requests with libcurl. Shared by
 * the tests/unit/test_mockhttp_*.c integration tests; header-only because
 * every test file is its own program. */
#ifndef MOCKHTTP_HARNESS_H
#define MOCKHTTP_HARNESS_H
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

typedef struct mh_server {
    pid_t pid;
    int port;
    char base[64]; /* "http://127.0.0.1:PORT" */
} mh_server;

static inline const char *mh_bin(const char *name, char *buf, size_t size)
{
    const char *dir = getenv("RL_BIN");
    snprintf(buf, size, "%s/%s", dir && *dir ? dir : "bin", name);
    return buf;
}

static inline double mh_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads one line from fd within timeout_ms into buf; 0 or -1. */
static inline int mh_read_line(int fd, char *buf, size_t size, int timeout_ms)
{
    size_t n = 0;
    double until = mh_now() + timeout_ms / 1000.0;
    while (n + 1 < size) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)((until - mh_now()) * 1000);
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return -1;
        ssize_t r = read(fd, buf + n, 1);
        if (r <= 0)
            return -1;
        if (buf[n] == '\n')
            break;
        n++;
    }
    buf[n] = '\0';
    return 0;
}

/* argv[32] for bin/mockserver (its path written into bin): the program,
 * then args (NULL-terminated; at most 30 are taken), then NULL. */
static inline void mh_argv(const char *const *args, char *bin, size_t bin_size,
                           const char *argv[32])
{
    int n = 0;
    argv[n++] = mh_bin("mockserver", bin, bin_size);
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
}

/* Runs mockserver with argv (NULL-terminated, without the program name);
 * returns 0 with s filled once it printed its listening line, else -1. */
static inline int mh_start(mh_server *s, const char *const *args)
{
    char bin[512];
    const char *argv[32];
    mh_argv(args, bin, sizeof bin, argv);
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        /* If the test process dies (a crash, a timeout's kill), the server
         * gets SIGTERM instead of living on as an orphan. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    char line[256];
    int rc = mh_read_line(fds[0], line, sizeof line, 5000);
    close(fds[0]);
    const char *colon = rc == 0 ? strrchr(line, ':') : NULL;
    if (!colon || strncmp(line, "listening on http://", 20) != 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        return -1;
    }
    s->port = (int)strtol(colon + 1, NULL, 10);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    return 0;
}

/* Waits up to timeout_ms for pid; returns its exit status, 128+signal, or -1 on timeout. */
static inline int mh_wait(pid_t pid, int timeout_ms)
{
    double until = mh_now() + timeout_ms / 1000.0;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0 || mh_now() > until)
            return -1;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* mh_wait, and a process still running after timeout_ms is killed (-1). */
static inline int mh_reap(pid_t pid, int timeout_ms)
{
    int rc = mh_wait(pid, timeout_ms);
    if (rc < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return rc;
}

/* SIGTERM, then the exit status (or -1 when it did not stop in 5 s: killed). */
static inline int mh_stop(mh_server *s)
{
    kill(s->pid, SIGTERM);
    return mh_reap(s->pid, 5000);
}

/* Runs mockserver to completion (for bad input); returns its exit status
 * and the first line of stderr in err. */
static inline int mh_run(const char *const *args, char *err, size_t err_size)
{
    char bin[512];
    const char *argv[32];
    mh_argv(args, bin, sizeof bin, argv);
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    if (mh_read_line(fds[0], err, err_size, 5000) != 0)
        err[0] = '\0';
    close(fds[0]);
    return mh_reap(pid, 5000);
}

/* ---- one server per test (cmocka) ---- */

/* The server mh_start_ok started and mh_stop_ok has not stopped yet. */
static inline mh_server **mh_running(void)
{
    static mh_server *running;
    return &running;
}

/* Starts mockserver SCENARIO --port 0 EXTRA... (extra: NULL-terminated, or
 * NULL); the test fails when it does not start. */
static inline void mh_start_ok(mh_server *s, const char *scenario, const char *const *extra)
{
    const char *args[16] = {scenario, "--port", "0"};
    int n = 3;
    for (int i = 0; extra && extra[i] && n < 15; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    assert_int_equal(mh_start(s, args), 0);
    *mh_running() = s;
}

/* Stops it; the test fails unless it exits 0. */
static inline void mh_stop_ok(mh_server *s)
{
    *mh_running() = NULL;
    assert_int_equal(mh_stop(s), 0);
}

/* cmocka teardown: stops a server a failed test left running. */
static inline int mh_teardown(void **state)
{
    (void)state;
    if (*mh_running())
        mh_stop(*mh_running());
    *mh_running() = NULL;
    return 0;
}

/* ---- requests ---- */

typedef struct mh_resp {
    CURLcode rc;
    long status;
    char body[65536];
    size_t body_len;
    char headers[8192];
    size_t headers_len;
    double seconds;
} mh_resp;

static inline size_t mh_body_cb(char *p, size_t sz, size_t n, void *ud)
{
    mh_resp *r = ud;
    size_t len = sz * n, room = sizeof r->body - 1 - r->body_len;
    size_t k = len < room ? len : room;
    memcpy(r->body + r->body_len, p, k);
    r->body_len += k;
    r->body[r->body_len] = '\0';
    return len;
}

static inline size_t mh_header_cb(char *p, size_t sz, size_t n, void *ud)
{
    mh_resp *r = ud;
    size_t len = sz * n, room = sizeof r->headers - 1 - r->headers_len;
    size_t k = len < room ? len : room;
    memcpy(r->headers + r->headers_len, p, k);
    r->headers_len += k;
    r->headers[r->headers_len] = '\0';
    return len;
}

/* The value of response header `name` (case-insensitive) into out; 0 or -1. */
static inline int mh_header(const mh_resp *r, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strchr(line, '\n');
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)((end ? end : v + strlen(v)) - v);
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
                vl--;
            snprintf(out, size, "%.*s", (int)vl, v);
            return 0;
        }
        line = end ? end + 1 : NULL;
    }
    return -1;
}

/* Prepares an easy handle for METHOD base+path with an optional key header
 * line ("Authorization: Bearer X") and body. The caller frees hdrs. */
static inline CURL *mh_easy(const mh_server *s, const char *method, const char *path,
                            const char *key_header, const char *body, long timeout_ms, mh_resp *r,
                            struct curl_slist **hdrs)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, mh_body_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, mh_header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    *hdrs = curl_slist_append(*hdrs, "Expect:");
    if (key_header)
        *hdrs = curl_slist_append(*hdrs, key_header);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdrs);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    return c;
}

/* One blocking request; fills r (rc, status, body, headers, seconds). */
static inline void mh_request(const mh_server *s, const char *method, const char *path,
                              const char *key_header, const char *body, long timeout_ms, mh_resp *r)
{
    struct curl_slist *hdrs = NULL;
    CURL *c = mh_easy(s, method, path, key_header, body, timeout_ms, r, &hdrs);
    double t0 = mh_now();
    r->rc = curl_easy_perform(c);
    r->seconds = mh_now() - t0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
}

/* ---- raw sockets (what libcurl will not do: half-close, RST, NUL bytes) ---- */

/* A blocking TCP connection to the server; the fd, or -1. */
static inline int mh_raw_connect(const mh_server *s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends all of data[len]; 0, or -1 when the connection refused it. */
static inline int mh_raw_send(int fd, const char *data, size_t len)
{
    for (size_t off = 0; off < len;) {
        ssize_t n = send(fd, data + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

/* "POST path HTTP/1.1" with a Content-Length, the header line `extra`
 * (e.g. "Authorization: Bearer X"; NULL for none) and body, into
 * out[size]; returns its length (0 when it does not fit). */
static inline size_t mh_raw_post(char *out, size_t size, const char *path, const char *extra,
                                 const char *body)
{
    int n = snprintf(out, size,
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "%s%sContent-Length: %zu\r\n\r\n%s",
                     path, extra ? extra : "", extra ? "\r\n" : "", strlen(body), body);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* Reads every fds[i] until its peer closes, an error, or timeout_s in all,
 * into bufs[i] (cap bytes each, NUL-terminated; the rest is read and
 * dropped), lens[i] its length. Returns how many reached the end (EOF or
 * an error) within the time. */
static inline int mh_raw_read_all(const int *fds, int n, char **bufs, size_t *lens, size_t cap,
                                  double timeout_s)
{
    struct pollfd *p = calloc((size_t)n, sizeof *p);
    int open = 0;
    for (int i = 0; i < n; i++) {
        p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        lens[i] = 0;
        bufs[i][0] = '\0';
        open += fds[i] >= 0;
        if (fds[i] < 0)
            p[i].fd = -1;
    }
    double until = mh_now() + timeout_s;
    while (open > 0) {
        int left = (int)((until - mh_now()) * 1000);
        if (left <= 0 || poll(p, (nfds_t)n, left) <= 0)
            break;
        for (int i = 0; i < n; i++) {
            if (p[i].fd < 0 || !p[i].revents)
                continue;
            char tmp[4096];
            ssize_t r = recv(p[i].fd, tmp, sizeof tmp, 0);
            if (r > 0) {
                size_t k = (size_t)r < cap - 1 - lens[i] ? (size_t)r : cap - 1 - lens[i];
                memcpy(bufs[i] + lens[i], tmp, k);
                lens[i] += k;
                bufs[i][lens[i]] = '\0';
                continue;
            }
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            p[i].fd = -1; /* EOF or error: this one is done */
            open--;
        }
    }
    int done = 0;
    for (int i = 0; i < n; i++)
        done += fds[i] >= 0 && p[i].fd < 0;
    free(p);
    return done;
}

#define MH_CHAT(model)                                                                             \
    "{\"model\":\"" model "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"

#endif
