/* sse_ref.c: `make bench` part (bench/stream.sh): the floor a token stream
 * server can reach here, to compare the mockserver with. One thread, epoll
 * and a timerfd: every request (whatever it asks) gets a chunked
 * text/event-stream of TOKENS OpenAI chat chunks at TOKENS_PER_S, token 0 at
 * once, the same bytes per event as the mockserver's, then [DONE]. All
 * streams share one period, so a stream requeued one period after it was
 * due goes last and the queue stays in order of due time: the streams due
 * next are always at its head (no heap). Prints "listening on http://127.0.0.1:PORT".
 * Usage: sse_ref PORT TOKENS_PER_S TOKENS */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define EVENT                                                                                      \
    "data: "                                                                                       \
    "{\"id\":\"chatcmpl-mock-1\",\"object\":\"chat.completion.chunk\",\"created\":1796416699,"     \
    "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" "                         \
    "with\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
#define HEAD                                                                                       \
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
#define END "data: [DONE]\n\n"

typedef struct {
    int fd, sent;
    int64_t due;
} stream_t;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void chunk(int fd, const char *s)
{
    char b[512];
    int n = snprintf(b, sizeof b, "%zx\r\n%s\r\n", strlen(s), s);
    send(fd, b, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return fprintf(stderr, "usage: sse_ref PORT TOKENS_PER_S TOKENS\n"), 2;
    int64_t every = (int64_t)(1e9 / atof(argv[2]));
    int tokens = atoi(argv[3]), cap = 1 << 16;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && (rl.rlim_cur = rl.rlim_max, 1))
        setrlimit(RLIMIT_NOFILE, &rl);
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1, ep = epoll_create1(0);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096) ||
        getsockname(ls, (struct sockaddr *)&a, &al))
        return perror("sse_ref"), 1;
    printf("listening on http://127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls}, evs[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    ev.data.fd = tfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    stream_t *q = calloc((size_t)cap, sizeof *q); /* ring: head .. head + n */
    size_t head = 0, n = 0;
    for (;;) {
        int k = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < k; i++) {
            int fd = evs[i].data.fd;
            char buf[4096];
            if (fd == ls) {
                int c = accept(ls, NULL, NULL);
                ev.data.fd = c;
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
            } else if (fd == tfd) {
                uint64_t x;
                (void)!read(tfd, &x, sizeof x);
            } else if (read(fd, buf, sizeof buf) <= 0) {
                close(fd);                /* the client left; its queue entry finds a closed fd */
            } else if (n < (size_t)cap) { /* a request: token 0 now, the next one
                                             due last in the queue (one period ahead) */
                epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                send(fd, HEAD, sizeof HEAD - 1, MSG_NOSIGNAL);
                chunk(fd, EVENT);
                q[(head + n++) % cap] = (stream_t){fd, 1, now_ns() + every};
            }
        }
        int64_t t = now_ns();
        while (n && q[head].due <= t) {
            stream_t s = q[head];
            head = (head + 1) % cap, n--;
            chunk(s.fd, EVENT);
            if (++s.sent < tokens) {
                s.due += every;
                q[(head + n++) % cap] = s;
                continue;
            }
            chunk(s.fd, END);
            send(s.fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
            close(s.fd);
        }
        struct itimerspec it = {.it_value = {.tv_sec = n ? q[head].due / 1000000000 : 0,
                                             .tv_nsec = n ? q[head].due % 1000000000 : 0}};
        timerfd_settime(tfd, TFD_TIMER_ABSTIME, &it, NULL);
    }
}
