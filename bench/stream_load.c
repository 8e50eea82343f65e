/* stream_load.c: `make bench` part (bench/stream.sh): CONNS concurrent
 * OpenAI-style chat streams against a server on 127.0.0.1, read with raw
 * non-blocking sockets and one epoll loop. Connections open evenly over
 * RAMP_S seconds. Each token event's lateness is its arrival minus its
 * schedule: the stream's first token's arrival + i / TOKENS_PER_S. Prints
 * one JSON object: streams completed, events, events/s, lateness p50, p99,
 * p99.9 and max (ms), first-token delay p99 (ms), errors.
 * Usage: stream_load PORT PATH CONNS TOKENS_PER_S [RAMP_S [LIMIT_S]] */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char token_pat[] = "\"content\":\""; /* then a token's first character */
static const char done_pat[] = "[DONE]";

typedef struct conn {
    int fd;
    int tk, dk;     /* how much of token_pat / done_pat the bytes so far end with */
    long tokens;    /* token events seen */
    double opened;  /* when the request went out */
    double first;   /* when token 0 arrived */
    int done;       /* 1 [DONE] seen, -1 failed */
    int need_check; /* token_pat matched: the next byte tells a token from "" */
} conn;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int step(const char *pat, int k, char c)
{
    if (c == pat[k])
        return k + 1;
    return c == pat[0] ? 1 : 0;
}

static int cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static float *late;
static size_t nlate, caplate;
static float *ttft;
static size_t nttft;

static void record(conn *c, double t, double every)
{
    if (c->tokens == 0) {
        c->first = t;
        ttft[nttft++] = (float)((t - c->opened) * 1000);
    }
    if (nlate == caplate) {
        caplate = caplate ? caplate * 2 : 1u << 20;
        late = realloc(late, caplate * sizeof *late);
        if (!late)
            exit(3);
    }
    late[nlate++] = (float)((t - (c->first + (double)c->tokens * every)) * 1000);
    c->tokens++;
}

/* Reads what c's socket holds; counts its token events at time t. */
static void on_read(conn *c, double t, double every)
{
    char buf[65536];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            c->done = c->done ? c->done : -1;
            return;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (c->need_check && buf[i] != '"')
                record(c, t, every);
            c->need_check = 0;
            c->tk = step(token_pat, c->tk, buf[i]);
            if (c->tk == (int)sizeof token_pat - 1) {
                c->need_check = 1;
                c->tk = 0;
            }
            c->dk = step(done_pat, c->dk, buf[i]);
            if (c->dk == (int)sizeof done_pat - 1)
                c->done = 1;
        }
    }
}

static int open_conn(conn *c, int ep, int port, const char *req, size_t len)
{
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        send(c->fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
        return -1;
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    c->opened = now_s();
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static double pct(const float *v, size_t n, double p)
{
    return n ? v[(size_t)(p * (double)(n - 1))] : -1;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: stream_load PORT PATH CONNS TOKENS_PER_S [RAMP_S [LIMIT_S]]\n");
        return 2;
    }
    int port = atoi(argv[1]), nconn = atoi(argv[3]);
    double every = 1.0 / atof(argv[4]);
    double ramp = argc > 5 ? atof(argv[5]) : 1.0, limit = argc > 6 ? atof(argv[6]) : 60.0;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { /* soft up to hard: one fd per stream */
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    static const char body[] =
        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    char req[512];
    size_t len = (size_t)snprintf(req, sizeof req,
                                  "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                                  "sk-bench\r\nContent-Type: application/json\r\nContent-Length: "
                                  "%zu\r\n\r\n%s",
                                  argv[2], sizeof body - 1, body);
    conn *cs = calloc((size_t)nconn, sizeof *cs);
    ttft = calloc((size_t)nconn, sizeof *ttft);
    int ep = epoll_create1(0), opened = 0, errors = 0, finished = 0;
    double t0 = now_s(), tfirst = 0, tlast = 0;
    struct epoll_event evs[512];
    while (finished < nconn && now_s() - t0 < limit) {
        double t = now_s();
        while (opened < nconn && t - t0 >= ramp * opened / nconn)
            errors += open_conn(&cs[opened++], ep, port, req, len) != 0;
        int timeout = opened < nconn ? 1 : 100;
        int n = epoll_wait(ep, evs, 512, timeout);
        t = now_s();
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            long before = c->tokens;
            on_read(c, t, every);
            if (c->tokens > before) {
                tfirst = tfirst ? tfirst : t;
                tlast = t;
            }
            if (c->done) {
                errors += c->done < 0;
                finished++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
            }
        }
    }
    qsort(late, nlate, sizeof *late, cmp);
    qsort(ttft, nttft, sizeof *ttft, cmp);
    int complete = 0;
    for (int i = 0; i < nconn; i++)
        complete += cs[i].done == 1;
    printf("{\"conns\": %d, \"complete\": %d, \"errors\": %d, \"events\": %zu, "
           "\"events_per_s\": %.0f, \"late_p50_ms\": %.3f, \"late_p99_ms\": %.3f, "
           "\"late_p999_ms\": %.3f, \"late_max_ms\": %.3f, \"first_token_p99_ms\": %.3f}\n",
           nconn, complete, errors + (nconn - finished), nlate,
           tlast > tfirst ? (double)nlate / (tlast - tfirst) : 0, pct(late, nlate, 0.5),
           pct(late, nlate, 0.99), pct(late, nlate, 0.999), pct(late, nlate, 1.0),
           pct(ttft, nttft, 0.99));
    return complete == nconn ? 0 : 1;
}
