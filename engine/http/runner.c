/* http.c: the HTTP runner. One pass of the loop: wait on epoll (curl's
 * sockets and a timerfd armed at the earliest heap entry, so waits end to the
 * microsecond, not the millisecond), let curl act on ready sockets and its own
 * timeout, hand finished transfers to the engine, then step every task whose
 * arrival or WAIT is due. A task has at most one heap entry (its arrival or
 * the end of its wait) and at most one transfer in flight. */
#include "engine/http/runner.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "common/attempt_id.h"
#include "common/heap.h"
#include "common/rng.h"
#include "engine/http/request.h"
#include "engine/http/sse.h"

/* What the epoll set holds for a socket: its interest (FD_IN, FD_OUT) when
 * FD_REG; FD_OURS when on_open made it (so on_close sees it end); FD_IDLE
 * when curl no longer watches it but its read interest was left in place. */
enum { FD_IN = 1, FD_OUT = 2, FD_REG = 4, FD_OURS = 8, FD_IDLE = 16 };

typedef struct h_key {
    struct curl_slist *headers; /* holds the key value; never printed */
} h_key;

typedef struct h_cand {
    rl_candidate_info info;
    char *url;
    char *body;
    size_t body_len;
    h_key *keys;
    bool direct;          /* a loopback URL: no proxy (rl_http_is_loopback) */
    rl_sse_format format; /* how its streams read */
} h_cand;

typedef struct runner runner;

typedef struct h_xfer {
    CURL *easy;
    runner *r;
    uint32_t task;
    struct h_xfer *next_free;
    rl_hcap hdr;
    rl_bodycap body; /* an error body, when the policy reads them */
    /* a streamed answer (the SEND asked for one and the status is 2xx) */
    rl_sse *sse;         /* its reader, made on first use and kept with the transfer */
    bool streaming;      /* the headers of a 2xx stream have come */
    int64_t last_byte;   /* wall us of its last byte (the headers' end, first) */
    int64_t idle_at;     /* wall us its idle entry in r->idle is due, 0 none */
    int64_t first_token; /* wall us of its first token, -1 until one comes */
    /* X-Retrylab-Resume (policy stream.resume), as the attempt header */
    struct curl_slist resume_node;
    char resume_line[sizeof RL_RESUME_HEADER + 24];
    /* X-Retrylab-Attempt, put in front of the key's header list (which
     * libcurl only reads) for the length of the transfer. */
    struct curl_slist attempt_node;
    char attempt_line[sizeof CM_ATTEMPT_HEADER + 2 + CM_ATTEMPT_TEXT_MAX];
} h_xfer;

struct runner {
    const rl_http_config *cfg;
    rl_drv *drv;
    CURLM *multi;
    int ep, tfd;
    int64_t start_wall;    /* monotonic us at scenario 0 */
    int64_t curl_deadline; /* monotonic us of curl's timeout, -1 none */
    uint8_t *fds;          /* FD_* state of each socket curl uses, by number */
    size_t nfds;
    int64_t armed; /* monotonic us the timerfd is set to, 0 disarmed, -1 unknown */
    cm_heap heap;
    h_cand *cands;
    size_t ncands;
    h_xfer *free_x;
    size_t nxfers, max_xfers; /* transfers (easy handles) made, and the cap */
    uint32_t *sendq;          /* SENDs waiting for a connection (FIFO ring) */
    size_t shead, slen;
    bool failed;
    bool read_bodies;   /* error bodies are kept: the policy reads them, or evidence */
    bool policy_bodies; /* the policy reads error bodies (rl_policy_body_reads) */
    cm_heap idle;       /* streams' idle deadlines (wall us), each entry a transfer */
};

/* What the runner keeps per task (the driver's bytes of the layer's task). */
typedef struct h_attempt {
    h_xfer *x;       /* the transfer in flight, or NULL */
    rl_drv_send how; /* the SEND: its timeout (waiting for a connection counts), stream */
} h_attempt;

static h_attempt *attempt_of(runner *r, uint32_t id)
{
    return rl_drv_extra(r->drv, id);
}

int64_t rl_http_wall_now_us(void)
{
    return rl_drv_wall_us();
}

/* ---- scaled time ---- */

static cm_us scen_now(const runner *r)
{
    double s = (double)(rl_http_wall_now_us() - r->start_wall) * r->cfg->time_scale;
    return s >= (double)CM_US_MAX ? CM_US_MAX : (cm_us)llround(s);
}

/* The monotonic wall microsecond at which scenario time `at` has come. */
static int64_t wall_at(const runner *r, cm_us at)
{
    double w = ceil((double)at / r->cfg->time_scale);
    return r->start_wall + (w >= (double)CM_US_MAX ? CM_US_MAX : (int64_t)w);
}

/* Scenario microseconds as wall milliseconds for curl, at least 1. */
static long wall_ms(const runner *r, cm_us scen)
{
    double ms = ceil((double)scen / r->cfg->time_scale / 1000.0);
    return ms < 1 ? 1 : ms > 2e9 ? 2000000000L : (long)ms;
}

/* ---- transfers ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    h_xfer *x = ud;
    if (!x->streaming) { /* an error body is kept when the policy reads it */
        rl_bodycap_take(&x->body, x->easy, p, size * n);
        return size * n;
    }
    x->last_byte = rl_http_wall_now_us();
    if (rl_sse_feed(x->sse, p, size * n) && x->first_token < 0)
        x->first_token = x->last_byte;
    return size * n;
}

static void stream_begins(h_xfer *x);

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    h_xfer *x = ud;
    rl_hcap_line(&x->hdr, p, size * n);
    if (size * n <= 2 && x->sse) /* the blank line: the headers are whole */
        stream_begins(x);
    return size * n;
}

static curl_socket_t on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *a);
static int on_close(void *ud, curl_socket_t s);

/* A free transfer, or a new one while under the connection cap; NULL when
 * the cap is reached (or out of memory: *oom set). */
static h_xfer *xfer_take(runner *r, bool *oom)
{
    h_xfer *x = r->free_x;
    *oom = false;
    if (x) {
        r->free_x = x->next_free;
        return x;
    }
    if (r->nxfers >= r->max_xfers)
        return NULL;
    x = calloc(1, sizeof *x);
    if (!x || !(x->easy = curl_easy_init())) {
        free(x);
        *oom = true;
        return NULL;
    }
    r->nxfers++;
    x->r = r;
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 4096L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, r);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, r);
    return x;
}

/* Puts the transfer of task id on the wire; x is free. 0, or -1. */
static int xfer_launch(runner *r, h_xfer *x, uint32_t id, cm_us now)
{
    const rl_drv_task *k = rl_drv_task_at(r->drv, id);
    const h_cand *c = &r->cands[k->candidate];
    const rl_drv_send *how = &attempt_of(r, id)->how;
    x->task = id;
    rl_hcap_reset(&x->hdr);
    rl_bodycap_reset(&x->body, r->read_bodies);
    x->streaming = false;
    x->idle_at = 0;
    x->first_token = -1;
    if (how->stream && !x->sse && !(x->sse = malloc(sizeof *x->sse)))
        return -1;
    if (!how->stream && x->sse) { /* this SEND reads no stream: none is begun */
        free(x->sse);
        x->sse = NULL;
    }
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_URL, c->url);
    curl_easy_setopt(e, CURLOPT_PROXY, c->direct ? "" : NULL); /* rl_http_proxy_for, decided once */
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)c->body_len);
    struct curl_slist *hdrs = c->keys[k->key].headers;
    if (r->cfg->name_attempts) {
        char text[CM_ATTEMPT_TEXT_MAX];
        cm_attempt_format(cm_attempt_id(id, k->attempt), text);
        snprintf(x->attempt_line, sizeof x->attempt_line, CM_ATTEMPT_HEADER ": %s", text);
        x->attempt_node = (struct curl_slist){.data = x->attempt_line, .next = hdrs};
        hdrs = &x->attempt_node;
    }
    if (r->cfg->name_attempts && how->resume_from) {
        snprintf(x->resume_line, sizeof x->resume_line, RL_RESUME_HEADER ": %u",
                 (unsigned)how->resume_from);
        x->resume_node = (struct curl_slist){.data = x->resume_line, .next = hdrs};
        hdrs = &x->resume_node;
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    /* Time spent waiting for a connection counts against the attempt. */
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, wall_ms(r, how->timeout - (now - k->sent_at)));
    if (curl_multi_add_handle(r->multi, e) != CURLM_OK) {
        x->next_free = r->free_x;
        r->free_x = x;
        return -1;
    }
    attempt_of(r, id)->x = x;
    return 0;
}

/* A transfer is free again: the longest waiting SEND gets it. */
static int xfer_give(runner *r, h_xfer *x, cm_us now)
{
    while (r->slen > 0) {
        uint32_t id = r->sendq[r->shead];
        r->shead = (r->shead + 1) % r->cfg->ntasks;
        r->slen--;
        if (rl_drv_task_at(r->drv, id)->phase == RL_DRV_INFLIGHT && !attempt_of(r, id)->x)
            return xfer_launch(r, x, id, now);
    }
    x->next_free = r->free_x;
    r->free_x = x;
    return 0;
}

/* Starts the transfer of a SEND, or queues it for a connection. 0, or -1
 * when out of memory. */
static int xfer_start(runner *r, uint32_t id, cm_us now)
{
    bool oom;
    h_xfer *x = xfer_take(r, &oom);
    if (x)
        return xfer_launch(r, x, id, now);
    if (oom)
        return -1;
    r->sendq[(r->shead + r->slen++) % r->cfg->ntasks] = id;
    return 0;
}

/* ---- the driver's two operations ---- */

/* ops.send: the attempt goes on the wire, or waits for a connection. */
static int runner_send(void *io, uint32_t id, const rl_drv_task *k, const rl_drv_send *how,
                       cm_us now)
{
    (void)k;
    attempt_of(io, id)->how = *how;
    return xfer_start(io, id, now);
}

/* ops.wake_at: a timer heap entry at scenario time `at`. */
static int runner_wake_at(void *io, uint32_t id, cm_us at)
{
    runner *r = io;
    return cm_heap_push(&r->heap, at, (void *)(uintptr_t)id);
}

/* ---- streams ---- */

/* The headers of x's answer are whole: a 2xx to a SEND that asked for a
 * stream is read as one from here (engine/http/sse.c), and its idle timeout
 * runs from now. */
static void stream_begins(h_xfer *x)
{
    runner *r = x->r;
    long status = 0;
    char *type = NULL;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &type);
    /* a 2xx that is not an event stream (a server that ignored "stream") is
     * read as an ordinary answer */
    if (status < 200 || status > 299 || x->streaming || !type ||
        strncasecmp(type, "text/event-stream", 17) != 0)
        return;
    const h_cand *c = &r->cands[rl_drv_task_at(r->drv, x->task)->candidate];
    rl_sse_init(x->sse, c->format);
    x->streaming = true;
    x->last_byte = rl_http_wall_now_us();
    cm_us idle = attempt_of(r, x->task)->how.idle_timeout;
    if (idle > 0) {
        x->idle_at = x->last_byte + wall_ms(r, idle) * 1000;
        if (cm_heap_push(&r->idle, x->idle_at, x) != 0)
            r->failed = true;
    }
}

/* A stream's fields of the outcome: how it ended (`end` when the transfer
 * did not say; a transport failure after the headers cuts the stream), its
 * tokens and when the first came. */
static void stream_outcome(runner *r, h_xfer *x, rl_outcome *o, rl_stream_end end, cm_us sent_at)
{
    if (end != RL_STREAM_NONE && x->sse->end == RL_STREAM_NONE)
        x->sse->end = end;
    rl_sse_finish(x->sse);
    long status = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    o->status = (int)status;
    o->error = RL_TE_NONE;
    o->stream = x->sse->end;
    o->tokens = x->sse->tokens;
    o->stream_error = x->sse->error_type;
    o->ttft = -1;
    if (x->first_token >= 0) {
        double s = (double)(x->first_token - r->start_wall) * r->cfg->time_scale;
        o->ttft = (cm_us)llround(s) - sent_at;
    }
}

/* The evidence of x's answer (rl_http_config.evidence): request id, the
 * rate-limit-like headers the engine does not read, the error body's type
 * and code. Points into hdr, eb and out's own array. */
static const rl_trace_evidence *evidence_of(const rl_outcome *o, const rl_http_errbody *eb,
                                            bool has_body, rl_header *keep, rl_trace_evidence *out)
{
    *out = (rl_trace_evidence){.headers = keep};
    out->nheaders = rl_trace_evidence_headers(o->headers, o->nheaders, keep,
                                              RL_EVIDENCE_MAX_HEADERS, &out->request_id);
    if (has_body) {
        out->error_type = eb->type[0] ? eb->type : NULL;
        out->error_code = eb->code[0] ? eb->code : NULL;
    }
    return out;
}

/* The outcome of x goes to the layer; x is free again. */
static int deliver(runner *r, h_xfer *x, rl_outcome *o, cm_us now)
{
    uint32_t id = x->task;
    rl_header hdr[RL_HCAP_MAX], keep[RL_EVIDENCE_MAX_HEADERS];
    o->nheaders = o->error == RL_TE_NONE || o->error == RL_TE_TRUNCATED
                      ? rl_hcap_list(&x->hdr, hdr, RL_HCAP_MAX)
                      : 0;
    o->headers = hdr;
    rl_http_errbody eb;
    bool has_body = o->error == RL_TE_NONE && o->status >= 400 &&
                    rl_http_errbody_parse(x->body.buf, x->body.len, &eb);
    if (has_body && r->policy_bodies)
        o->body = &eb.body;
    rl_trace_evidence ev;
    const rl_trace_evidence *evp =
        r->cfg->evidence ? evidence_of(o, &eb, has_body, keep, &ev) : NULL;
    curl_multi_remove_handle(r->multi, x->easy);
    attempt_of(r, id)->x = NULL;
    x->idle_at = 0;
    /* The engine reads the headers (in x) before the layer acts, and an
     * action may send. With no SEND waiting for a connection, x is free at
     * once, so this task's next attempt reuses its connection; else x goes
     * to the longest waiting SEND after the headers were read. */
    if (r->slen == 0) {
        x->next_free = r->free_x;
        r->free_x = x;
        x = NULL;
    }
    if (rl_drv_outcome_evidence(r->drv, id, o, NULL, evp, now) != 0)
        return -1;
    return x ? xfer_give(r, x, now) : 0;
}

/* A transfer ended: its outcome goes to the layer. A streamed 2xx is a 2xx
 * whatever ended it: a timeout after the headers is the client giving up
 * (stalled), another transport error a cut stream. */
static int on_finished(runner *r, h_xfer *x, CURLcode rc)
{
    const rl_drv_task *k = rl_drv_task_at(r->drv, x->task);
    cm_us now = scen_now(r);
    long status = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    rl_outcome o = {.error = rl_http_error_of(rc), .latency = now - k->sent_at};
    if (x->streaming) {
        stream_outcome(r, x, &o,
                       o.error == RL_TE_TIMEOUT ? RL_STREAM_STALLED
                       : o.error != RL_TE_NONE  ? RL_STREAM_CUT
                                                : RL_STREAM_NONE,
                       k->sent_at);
        return deliver(r, x, &o, now);
    }
    o.status = o.error == RL_TE_NONE ? (int)status : 0;
    if (o.status == 0 && o.error == RL_TE_NONE)
        o.error = RL_TE_OTHER;
    return deliver(r, x, &o, now);
}

/* Streams whose idle deadline has come: silent since, they end as stalled
 * (the client gives up); those that heard a byte meanwhile are looked at
 * again at their new deadline. Entries of transfers that ended are stale. */
static int idle_due(runner *r)
{
    cm_timer tm;
    int64_t wall = rl_http_wall_now_us();
    while (cm_heap_peek(&r->idle, &tm) && tm.at <= wall) {
        cm_heap_pop(&r->idle, &tm);
        h_xfer *x = tm.data;
        if (!x->streaming || x->idle_at != tm.at)
            continue;
        cm_us idle = attempt_of(r, x->task)->how.idle_timeout;
        int64_t due = x->last_byte + wall_ms(r, idle) * 1000;
        if (due > wall) {
            x->idle_at = due;
            if (cm_heap_push(&r->idle, due, x) != 0)
                return -1;
            continue;
        }
        const rl_drv_task *k = rl_drv_task_at(r->drv, x->task);
        cm_us now = scen_now(r);
        rl_outcome o = {.latency = now - k->sent_at};
        stream_outcome(r, x, &o, RL_STREAM_STALLED, k->sent_at);
        if (deliver(r, x, &o, now) != 0)
            return -1;
    }
    return 0;
}

/* ---- curl and epoll glue ---- */

/* The state byte of socket s, the table grown as needed; NULL when out of
 * memory (the caller then does every epoll_ctl, as if nothing were known). */
static uint8_t *fd_state(runner *r, curl_socket_t s)
{
    if (s < 0)
        return NULL;
    size_t i = (size_t)s;
    if (i >= r->nfds) {
        size_t n = r->nfds ? r->nfds : 64;
        while (n <= i)
            n *= 2;
        uint8_t *grown = realloc(r->fds, n);
        if (!grown)
            return NULL;
        memset(grown + r->nfds, 0, n - r->nfds);
        r->fds = grown;
        r->nfds = n;
    }
    return &r->fds[i];
}

/* curl's socket callback. A kept-alive connection between two transfers is
 * told REMOVE and then IN again: when it was registered for reading only
 * and curl opened it through on_open (so its close is seen), the interest
 * stays and both calls cost no epoll_ctl; an event on it while idle drops
 * it then (handle_events). Any other change is one epoll_ctl. */
static int on_socket(CURL *e, curl_socket_t s, int what, void *ud, void *sockp)
{
    (void)e, (void)sockp;
    runner *r = ud;
    uint8_t *st = fd_state(r, s);
    uint8_t cur = st ? *st : 0;
    if (what == CURL_POLL_REMOVE) {
        if ((cur & (FD_REG | FD_OURS | FD_OUT)) == (FD_REG | FD_OURS)) {
            *st = cur | FD_IDLE;
            return 0;
        }
        epoll_ctl(r->ep, EPOLL_CTL_DEL, s, NULL);
        if (st)
            *st = cur & FD_OURS;
        return 0;
    }
    uint8_t want = ((what & CURL_POLL_IN) ? FD_IN : 0) | ((what & CURL_POLL_OUT) ? FD_OUT : 0);
    if ((cur & FD_REG) && (cur & (FD_IN | FD_OUT)) == want) {
        *st = cur & (uint8_t)~FD_IDLE;
        return 0;
    }
    struct epoll_event ev = {.data.fd = s};
    ev.events = ((want & FD_IN) ? EPOLLIN : 0u) | ((want & FD_OUT) ? EPOLLOUT : 0u);
    int op = (cur & FD_REG) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(r->ep, op, s, &ev) != 0) { /* the table was wrong or unknown: the other op */
        bool retry =
            (op == EPOLL_CTL_MOD && errno == ENOENT) || (op == EPOLL_CTL_ADD && errno == EEXIST);
        op = op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (!retry || epoll_ctl(r->ep, op, s, &ev) != 0) {
            if (st)
                *st = cur & FD_OURS;
            return 0;
        }
    }
    if (st)
        *st = (uint8_t)((cur & FD_OURS) | FD_REG | want);
    return 0;
}

/* curl's socket opener, as its own (socket(2) of the address), marking the
 * number as a new socket of ours. */
static curl_socket_t on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)purpose;
    int s = socket(a->family, a->socktype, a->protocol);
    if (s < 0)
        return CURL_SOCKET_BAD;
    uint8_t *st = fd_state(ud, s);
    if (st)
        *st = FD_OURS;
    return s;
}

/* curl's socket closer: close(2) also takes it out of the epoll set. */
static int on_close(void *ud, curl_socket_t s)
{
    runner *r = ud;
    if (s >= 0 && (size_t)s < r->nfds)
        r->fds[s] = 0;
    return close(s);
}

static int on_timer(CURLM *m, long timeout_ms, void *ud)
{
    (void)m;
    runner *r = ud;
    r->curl_deadline = timeout_ms < 0 ? -1 : rl_http_wall_now_us() + (int64_t)timeout_ms * 1000;
    return 0;
}

static int drain_finished(runner *r)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(r->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        h_xfer *x = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        if (x && on_finished(r, x, m->data.result) != 0)
            return -1;
    }
    return 0;
}

static int run_due(runner *r)
{
    cm_timer tm;
    int64_t wall = rl_http_wall_now_us();
    while (cm_heap_peek(&r->heap, &tm) && wall_at(r, tm.at) <= wall) {
        cm_heap_pop(&r->heap, &tm);
        cm_us now = scen_now(r);
        if (rl_drv_due(r->drv, (uint32_t)(uintptr_t)tm.data, now < tm.at ? tm.at : now) != 0)
            return -1;
        if (rl_drv_over(r->drv))
            break;
    }
    return 0;
}

/* Arms the timerfd at the earliest entry of either heap (absolute,
 * nanoseconds); no syscall when it is already set there (most passes end no
 * wait). */
static void arm_timer(runner *r)
{
    int64_t w = 0;
    cm_timer tm;
    if (cm_heap_peek(&r->heap, &tm)) {
        w = wall_at(r, tm.at);
        if (w < 1)
            w = 1;
    }
    if (cm_heap_peek(&r->idle, &tm) && (w == 0 || tm.at < w)) /* a stream's idle deadline */
        w = tm.at > 0 ? tm.at : 1;
    if (w == r->armed)
        return;
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    its.it_value.tv_sec = w / 1000000;
    its.it_value.tv_nsec = (long)(w % 1000000) * 1000;
    r->armed = timerfd_settime(r->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0 ? w : -1;
}

/* epoll_wait's timeout: curl's deadline in ms (rounded up), at most 250 ms
 * so the progress line and the stop flag are looked at now and then. */
static int poll_timeout(const runner *r)
{
    if (r->curl_deadline < 0)
        return 250;
    int64_t left = r->curl_deadline - rl_http_wall_now_us();
    if (left <= 0)
        return 0;
    int64_t ms = (left + 999) / 1000;
    return ms > 250 ? 250 : (int)ms;
}

/* Lets curl act on its timeout if it is due; true when it did. */
static bool curl_due(runner *r)
{
    int running;
    if (r->curl_deadline < 0 || rl_http_wall_now_us() < r->curl_deadline)
        return false;
    r->curl_deadline = -1;
    curl_multi_socket_action(r->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    return true;
}

static void handle_events(runner *r, const struct epoll_event *ev, int n)
{
    int running;
    for (int i = 0; i < n; i++) {
        if (ev[i].data.fd == r->tfd) {
            uint64_t ticks;
            ssize_t got = read(r->tfd, &ticks, sizeof ticks);
            (void)got;
            r->armed = -1; /* it fired: set it again whatever the next entry */
            continue;
        }
        int fd = ev[i].data.fd;
        if (fd >= 0 && (size_t)fd < r->nfds && (r->fds[fd] & FD_IDLE)) {
            /* a kept-alive connection no transfer uses got data or was
             * closed: curl will see it when it next looks at the socket */
            epoll_ctl(r->ep, EPOLL_CTL_DEL, fd, NULL);
            r->fds[fd] &= FD_OURS;
            continue;
        }
        int flags = 0;
        if (ev[i].events & EPOLLIN)
            flags |= CURL_CSELECT_IN;
        if (ev[i].events & EPOLLOUT)
            flags |= CURL_CSELECT_OUT;
        if (ev[i].events & (EPOLLERR | EPOLLHUP))
            flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action(r->multi, ev[i].data.fd, flags, &running);
    }
    curl_due(r);
}

static int loop(runner *r, cm_err *err)
{
    struct epoll_event ev[128];
    while (!rl_drv_over(r->drv) && !r->failed) {
        /* A transfer added in the last pass has curl's timeout due now (it
         * starts there): start it before waiting, not after an epoll_wait
         * that would return at once with nothing. */
        if (curl_due(r) && drain_finished(r) != 0)
            r->failed = true;
        arm_timer(r);
        int n = epoll_wait(r->ep, ev, 128, poll_timeout(r));
        if (n < 0 && errno != EINTR) {
            cm_err_set(err, "run: epoll_wait: %s", strerror(errno));
            return -1;
        }
        handle_events(r, ev, n > 0 ? n : 0);
        if (drain_finished(r) != 0 || idle_due(r) != 0 || run_due(r) != 0)
            r->failed = true;
        rl_drv_progress(r->drv, scen_now(r), false);
    }
    rl_drv_progress(r->drv, scen_now(r), true);
    if (r->failed) {
        cm_err_set(err, "run: out of memory");
        return -1;
    }
    return 0;
}

/* ---- setup and teardown ---- */

static int setup_cand(runner *r, h_cand *c, const rl_http_target *t)
{
    c->url = rl_http_endpoint_url(t->base_url, t->shape);
    c->direct = c->url && rl_http_is_loopback(c->url);
    bool usage, stream = rl_policy_streams(r->cfg->policy, &usage);
    c->body = rl_http_body(t->shape, c->info.model, r->cfg->tokens, stream, usage, &c->body_len);
    c->format = t->shape == RL_SHAPE_ANTHROPIC ? RL_SSE_ANTHROPIC : RL_SSE_OPENAI_CHAT;
    c->keys = calloc(c->info.nkeys ? c->info.nkeys : 1, sizeof *c->keys);
    if (!c->url || !c->body || !c->keys)
        return -1;
    size_t nk = c->info.nkeys ? c->info.nkeys : 1; /* a candidate without keys sends none */
    for (size_t j = 0; j < nk; j++) {
        const char *v = j < t->nkeys ? t->key_values[j] : NULL;
        if (!(c->keys[j].headers = rl_http_headers(t->shape, v)))
            return -1;
    }
    return 0;
}

static int setup_cands(runner *r, cm_err *err)
{
    r->ncands = rl_policy_candidate_count(r->cfg->policy);
    r->policy_bodies = rl_policy_body_reads(r->cfg->policy) != 0;
    r->read_bodies = r->policy_bodies || r->cfg->evidence;
    if (r->ncands != r->cfg->ntargets) {
        cm_err_set(err, "run: %zu targets for the policy's %zu candidates", r->cfg->ntargets,
                   r->ncands);
        return -1;
    }
    r->cands = calloc(r->ncands ? r->ncands : 1, sizeof *r->cands);
    bool ok = r->cands != NULL;
    for (size_t i = 0; ok && i < r->ncands; i++) {
        rl_policy_candidate(r->cfg->policy, i, &r->cands[i].info);
        ok = setup_cand(r, &r->cands[i], &r->cfg->targets[i]) == 0;
    }
    if (!ok)
        cm_err_set(err, "run: out of memory");
    return ok ? 0 : -1;
}

static int setup_io(runner *r, cm_err *err)
{
    r->ep = epoll_create1(EPOLL_CLOEXEC);
    if (r->ep < 0) {
        cm_err_set(err, "run: epoll_create1: %s", strerror(errno));
        return -1;
    }
    r->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = r->tfd};
    if (r->tfd < 0 || epoll_ctl(r->ep, EPOLL_CTL_ADD, r->tfd, &ev) != 0) {
        cm_err_set(err, "run: timerfd: %s", strerror(errno));
        return -1;
    }
    if (!(r->multi = curl_multi_init())) {
        cm_err_set(err, "run: curl_multi_init failed");
        return -1;
    }
    curl_multi_setopt(r->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(r->multi, CURLMOPT_SOCKETDATA, r);
    curl_multi_setopt(r->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(r->multi, CURLMOPT_TIMERDATA, r);
    r->max_xfers = r->cfg->max_connections ? r->cfg->max_connections : RL_HTTP_MAX_CONNECTIONS;
    curl_multi_setopt(r->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)r->max_xfers);
    curl_multi_setopt(r->multi, CURLMOPT_MAXCONNECTS, (long)r->max_xfers);
    return 0;
}

/* The layer over this driver: the config's tasks, waits observed in real
 * time, the trace flushed for `tail -f`. 0, or -1 with err. */
static int setup_layer(runner *r, cm_err *err)
{
    const rl_http_config *c = r->cfg;
    rl_drv_target *targets = calloc(c->ntargets ? c->ntargets : 1, sizeof *targets);
    r->sendq = calloc(c->ntasks ? c->ntasks : 1, sizeof *r->sendq);
    if (!targets || !r->sendq || cm_heap_reserve(&r->heap, c->ntasks) != 0) {
        free(targets);
        cm_err_set(err, "run: out of memory for %zu tasks", c->ntasks);
        return -1;
    }
    for (size_t i = 0; i < c->ntargets; i++)
        targets[i] =
            (rl_drv_target){.nkeys = c->targets[i].nkeys, .key_values = c->targets[i].key_values};
    rl_drv_config dc = {.name = "run",
                        .policy = c->policy,
                        .seed = c->seed,
                        .targets = targets,
                        .ntargets = c->ntargets,
                        .start = c->start,
                        .ntasks = c->ntasks,
                        .concurrency = c->concurrency,
                        .epoch_unix_us = c->epoch_unix_us,
                        .trace = c->trace,
                        .progress = c->progress,
                        .observed_waits = true,
                        .flush_every_us = 100000,
                        .stop = c->stop};
    rl_drv_ops ops = {.send = runner_send, .wake_at = runner_wake_at};
    r->drv = rl_drv_new(&dc, &ops, r, sizeof(h_attempt), err);
    free(targets);
    return r->drv ? 0 : -1;
}

/* Transfers still under way after a stop are dropped: their send has no
 * response. */
static void drop_transfers(runner *r)
{
    for (size_t i = 0; r->drv && i < r->cfg->ntasks; i++) {
        h_attempt *at = attempt_of(r, (uint32_t)i);
        if (at->x) {
            curl_multi_remove_handle(r->multi, at->x->easy);
            at->x->next_free = r->free_x;
            r->free_x = at->x;
            at->x = NULL;
        }
    }
}

static void teardown(runner *r)
{
    drop_transfers(r);
    for (h_xfer *x = r->free_x, *next; x; x = next) {
        next = x->next_free;
        curl_easy_cleanup(x->easy);
        free(x->sse);
        rl_bodycap_free(&x->body);
        free(x);
    }
    if (r->multi)
        curl_multi_cleanup(r->multi);
    for (size_t i = 0; r->cands && i < r->ncands; i++) {
        h_cand *c = &r->cands[i];
        size_t nk = c->info.nkeys ? c->info.nkeys : 1;
        for (size_t j = 0; c->keys && j < nk; j++)
            curl_slist_free_all(c->keys[j].headers);
        free(c->keys);
        free(c->url);
        free(c->body);
    }
    free(r->cands);
    free(r->fds); /* after curl_multi_cleanup: its closes go through on_close */
    free(r->sendq);
    cm_heap_free(&r->heap);
    cm_heap_free(&r->idle);
    if (r->ep >= 0)
        close(r->ep);
    if (r->tfd >= 0)
        close(r->tfd);
    rl_drv_free(r->drv);
}

int rl_http_run(const rl_http_config *cfg, rl_drv_result *out, cm_err *err)
{
    memset(out, 0, sizeof *out);
    runner r = {.cfg = cfg, .ep = -1, .tfd = -1, .curl_deadline = -1, .armed = -1};
    cm_heap_init(&r.heap);
    cm_heap_init(&r.idle);
    int rc = -1;
    if (cfg->time_scale <= 0)
        cm_err_set(err, "run: time scale %g is not positive", cfg->time_scale);
    else if (setup_cands(&r, err) == 0 && setup_layer(&r, err) == 0 && setup_io(&r, err) == 0) {
        prctl(PR_SET_TIMERSLACK, 1UL); /* wake at the timerfd's time, not 50 us later */
        r.start_wall = cfg->start_wall_us > 0 ? cfg->start_wall_us : rl_http_wall_now_us();
        if ((rc = loop(&r, err)) == 0)
            rc = rl_drv_finish(r.drv, scen_now(&r), out, err);
    }
    teardown(&r);
    return rc;
}
