/* curl_peer.c: the bare-libcurl peers of bench/runner.sh (make bench).
 *
 *   curl_peer poll|epoll URL REQUESTS CONNECTIONS
 *
 * Sends REQUESTS POSTs of the runner's OpenAI-shaped chat body to URL, at
 * most CONNECTIONS at once over kept-alive connections, with the same
 * libcurl options retrylab's runner sets (no signals, TCP_NODELAY, 4 KiB
 * buffer, no Expect), and nothing else: no engine, no trace, no waits.
 * `poll` drives the multi handle the way libcurl's documentation shows
 * first (curl_multi_perform + curl_multi_poll); `epoll` the way retrylab's
 * runner does (curl_multi_socket_action, sockets in one epoll set, curl's
 * timer as the epoll_wait timeout), the leanest libcurl loop we know. Their
 * CPU per request is what a libcurl client pays here, so runner.sh can tell
 * retrylab's own cost from libcurl's. The key sent is the bench scenario's test value (not a
 * secret; read from BENCH_RUN_KEY when set). Prints "requests ok" on
 * stdout; exit 0 when every request got an HTTP answer, 1 otherwise, 2 on
 * bad arguments. */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

static const char body[] = "{\"model\":\"llama\",\"messages\":[{\"role\":\"user\",\"content\":"
                           "\"Say hello in one short sentence. Say hel\"}],\"max_tokens\":16}";

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static CURL *easy_new(const char *url, struct curl_slist *hdrs)
{
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 4096L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)(sizeof body - 1));
    return e;
}

static struct curl_slist *headers(void)
{
    const char *key = getenv("BENCH_RUN_KEY");
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key ? key : "sk-bench-runner-1");
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = h ? curl_slist_append(h, "Expect:") : NULL;
    return h ? curl_slist_append(h, auth) : NULL;
}

typedef struct peer {
    CURLM *m;
    int ep;          /* epoll mode: the epoll set */
    long timeout_ms; /* epoll mode: curl's timer, -1 none */
    long started, done, ok, total;
} peer;

/* Finished transfers: count them, and put each handle back on the next request. */
static void reap(peer *p)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(p->m, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *e = msg->easy_handle;
        p->ok += msg->data.result == CURLE_OK;
        p->done++;
        curl_multi_remove_handle(p->m, e);
        if (p->started < p->total) {
            curl_multi_add_handle(p->m, e);
            p->started++;
        }
    }
}

static int drive_poll(peer *p)
{
    int running = 1;
    while (p->done < p->total) {
        if (curl_multi_perform(p->m, &running) != CURLM_OK)
            return -1;
        reap(p);
        if (p->done < p->total && curl_multi_poll(p->m, NULL, 0, 1000, NULL) != CURLM_OK)
            return -1;
    }
    return 0;
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *ud, void *sockp)
{
    (void)e;
    peer *p = ud;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(p->ep, EPOLL_CTL_DEL, s, NULL);
        curl_multi_assign(p->m, s, NULL);
        return 0;
    }
    struct epoll_event ev = {.data.fd = s};
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    int op = sockp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    curl_multi_assign(p->m, s, p); /* any non-NULL pointer: "registered" */
    return epoll_ctl(p->ep, op, s, &ev) == 0 ? 0 : -1;
}

static int on_timer(CURLM *m, long timeout_ms, void *ud)
{
    (void)m;
    ((peer *)ud)->timeout_ms = timeout_ms;
    return 0;
}

static int drive_epoll(peer *p)
{
    int running = 0;
    curl_multi_setopt(p->m, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(p->m, CURLMOPT_SOCKETDATA, p);
    curl_multi_setopt(p->m, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(p->m, CURLMOPT_TIMERDATA, p);
    curl_multi_socket_action(p->m, CURL_SOCKET_TIMEOUT, 0, &running);
    struct epoll_event ev[128];
    while (p->done < p->total) {
        int n = epoll_wait(p->ep, ev, 128, p->timeout_ms < 0 ? 1000 : (int)p->timeout_ms);
        if (n < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            int flags = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(p->m, ev[i].data.fd, flags, &running);
        }
        if (n == 0 || p->timeout_ms == 0)
            curl_multi_socket_action(p->m, CURL_SOCKET_TIMEOUT, 0, &running);
        reap(p);
    }
    return 0;
}

/* Runs the transfers; returns how many got an HTTP answer, -1 on failure. */
static long drive(CURLM *m, CURL **pool, long conns, long total, bool use_epoll)
{
    peer p = {.m = m, .ep = -1, .timeout_ms = -1, .total = total};
    if (use_epoll && (p.ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
        return -1;
    for (long i = 0; i < conns && p.started < total; i++, p.started++)
        curl_multi_add_handle(m, pool[i]);
    int rc = use_epoll ? drive_epoll(&p) : drive_poll(&p);
    return rc == 0 ? p.ok : -1;
}

int main(int argc, char **argv)
{
    bool use_epoll = argc == 5 && strcmp(argv[1], "epoll") == 0;
    long total = argc == 5 ? strtol(argv[3], NULL, 10) : 0;
    long conns = argc == 5 ? strtol(argv[4], NULL, 10) : 0;
    if ((!use_epoll && (argc != 5 || strcmp(argv[1], "poll") != 0)) || total < 1 ||
        total > 10000000 || conns < 1 || conns > 100000) {
        fprintf(stderr, "usage: curl_peer poll|epoll URL REQUESTS CONNECTIONS\n");
        return 2;
    }
    const char *url = argv[2];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *m = curl_multi_init();
    struct curl_slist *h = headers();
    CURL **pool = calloc((size_t)conns, sizeof *pool);
    long ok = -1;
    if (m && h && pool) {
        curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, conns);
        curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, conns);
        long i = 0;
        while (i < conns && (pool[i] = easy_new(url, h)))
            i++;
        if (i == conns)
            ok = drive(m, pool, conns, total, use_epoll);
        for (long j = 0; j < i; j++) {
            curl_multi_remove_handle(m, pool[j]);
            curl_easy_cleanup(pool[j]);
        }
    }
    free(pool);
    curl_slist_free_all(h);
    curl_multi_cleanup(m);
    curl_global_cleanup();
    printf("%ld %ld\n", total, ok < 0 ? 0 : ok);
    return ok == total ? 0 : 1;
}
