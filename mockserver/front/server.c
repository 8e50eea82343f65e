/* http.c: the libmicrohttpd front: request lifecycle, decisions under one
 * lock, responses with latency and faults, admin routes, start and stop. */
#include "mockserver/front/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/attempt_id.h"
#include "common/timefmt.h"
#include "mockserver/front/admin.h"
#include "mockserver/front/body.h"
#include "mockserver/front/clock.h"
#include "mockserver/front/journal.h"
#include "mockserver/front/metrics.h"
#include "mockserver/front/request.h"
#include "mockserver/front/route.h"
#include "mockserver/front/stream_play.h"
#include "mockserver/front/textbuf.h"
#include "mockserver/front/upstream.h"
#include "mockserver/front/waker.h"
#include "mockserver/model/model.h"
#include "mockserver/model/plan.h"
#include "mockserver/scenario/internal.h"

/* The request header that says how many tokens of a streamed answer the
 * client already holds (engine/http/request.h's RL_RESUME_HEADER). */
#define MOCK_RESUME_HEADER "X-Retrylab-Resume"

/* Chunks a slow body is dribbled in. */
#define SLOW_CHUNKS 10

struct mock_server {
    const mock_scenario *sc;
    mock_http_config cfg;
    struct MHD_Daemon *daemon;
    atomic_bool stopping; /* mock_server_stop began: new requests are refused */
    int port;
    mock_clock clock;
    mock_waker *waker;
    pthread_mutex_t mu;  /* the model and the clock's restarts: one decision at a time */
    pthread_mutex_t jmu; /* journal and metrics (taken after mu when both are held) */
    mock_model *model;
    mock_journal *journal;
    mock_metrics *metrics;
    _Atomic uint64_t next_id;
    _Atomic long live;          /* requests in flight (contexts not yet completed) */
    int64_t journal_flushed_us; /* wall time of the last journal file flush (under jmu) */
};

/* The journal file is flushed at most this often, so `tail -f` follows it. */
#define JOURNAL_FLUSH_US 1000000

typedef enum rq_stage {
    RQ_READING,  /* headers and body arriving */
    RQ_PARKED,   /* decided, with latency: suspended on the next call (park) */
    RQ_SLEEPING, /* suspended for latency; answer on resume */
    RQ_HUNG,     /* suspended until the client leaves or the server stops */
    RQ_SENDING,  /* a response is queued */
    RQ_UPSTREAM, /* suspended while --upstream forwards it (upstream.h) */
} rq_stage;

typedef struct mock_rq {
    mock_server *srv;
    struct MHD_Connection *conn;
    mock_route route;
    mock_buf body;
    bool too_large;
    bool hidden; /* a NUL byte hides part of the request head: 400 */
    rq_stage stage;
    char *resp; /* rendered body, owned */
    size_t resp_len;
    size_t chunk;          /* slow body: bytes per chunk */
    int64_t chunk_wait_us; /* slow body: wall time between chunks */
    bool chunk_ready;      /* slow body: the next chunk may go */
    int64_t wake_at;       /* RQ_PARKED: wall time the answer is due */
    uint64_t attempt_id;   /* from X-Retrylab-Attempt; 0 when absent */
    uint64_t hold;         /* the model's concurrency hold, released when the request ends */
    uint32_t resume_from;  /* from X-Retrylab-Resume: tokens the client holds */
    char stream_model[MOCK_MODEL_NAME_MAX]; /* the model named, for the stream's events */
    mock_player *player;                    /* a streamed answer's player, or NULL */
    bool journaled;         /* the decision is in the journal (ticket), fate pending */
    bool planned_close;     /* the connection ends as the plan said (reset, truncate, hang) */
    mock_journal_fate drop; /* not MOCK_FATE_DELIVERED: why the front dropped the answer */
    mock_journal_ticket ticket;
    size_t jlen;
    struct rq_upstream *up;            /* --upstream: the forward and its answer */
    const char *url_path, *method;     /* libmicrohttpd's, valid for the request's life */
    mock_plan plan;                    /* not zeroed on allocation (see rq_new) */
    char jline[MOCK_JOURNAL_LINE_MAX]; /* the pending journal line (jlen bytes) */
} mock_rq;

static enum MHD_Result upstream_forward(mock_rq *rq);
static enum MHD_Result upstream_answer(mock_rq *rq);
static void upstream_free(mock_rq *rq);

/* ---- suspension callbacks (see waker.h) ---- */

static void rq_suspend(void *item)
{
    mock_rq *rq = item;
    MHD_suspend_connection(rq->conn);
}

static void rq_resume(void *item, mock_wake_reason why)
{
    mock_rq *rq = item;
    if (rq->stage == RQ_HUNG) /* held until the client left, as planned; or stopped */
        rq->planned_close = why == MOCK_WAKE_GONE;
    if (rq->stage == RQ_HUNG && why == MOCK_WAKE_STOP)
        rq->drop = MOCK_FATE_SERVER_STOPPED;
    rq->chunk_ready = true;
    if (rq->player)
        mock_play_woken(rq->player, why);
    MHD_resume_connection(rq->conn);
}

/* ---- responses ---- */

/* "Date" as IMF-fixdate for scenario time `now` (the clock's epoch + now,
 * floored to the second). */
static void http_date(const mock_clock *c, cm_us now, char *out, size_t size)
{
    cm_fmt_http_date_at(mock_clock_epoch(c), now - now % CM_US_PER_S, out, size);
}

static bool plan_has_header(const mock_plan *p, const char *name)
{
    for (size_t i = 0; i < p->nheaders; i++)
        if (strcasecmp(p->headers[i].name, name) == 0)
            return true;
    return false;
}

static void add_plan_headers(struct MHD_Response *r, const mock_rq *rq)
{
    const mock_plan *p = &rq->plan;
    for (size_t i = 0; i < p->nheaders; i++)
        MHD_add_response_header(r, p->headers[i].name, p->headers[i].value);
    if (!plan_has_header(p, "Date")) {
        char date[64];
        http_date(&rq->srv->clock, mock_clock_now(&rq->srv->clock), date, sizeof date);
        MHD_add_response_header(r, "Date", date);
    }
    MHD_add_response_header(r, "Content-Type",
                            p->stream.on ? "text/event-stream; charset=utf-8" : "application/json");
    if (p->stream.on)
        MHD_add_response_header(r, "Cache-Control", "no-cache");
    if (p->status == 405 && rq->route.allow)
        MHD_add_response_header(r, "Allow", rq->route.allow);
}

static enum MHD_Result queue(mock_rq *rq, struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    add_plan_headers(r, rq);
    rq->stage = RQ_SENDING;
    enum MHD_Result ret = MHD_queue_response(rq->conn, (unsigned)rq->plan.status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Truncated body: half of it, then the connection closes short of Content-Length. */
static ssize_t read_truncated(void *cls, uint64_t pos, char *buf, size_t max)
{
    mock_rq *rq = cls;
    size_t half = rq->resp_len / 2;
    if (pos >= half) {
        rq->planned_close = true;
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = half - (size_t)pos < max ? half - (size_t)pos : max;
    memcpy(buf, rq->resp + pos, n);
    return (ssize_t)n;
}

/* Slow body: one chunk, then suspend until the waker says the next may go. */
static ssize_t read_slow(void *cls, uint64_t pos, char *buf, size_t max)
{
    mock_rq *rq = cls;
    if (pos >= rq->resp_len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (!rq->chunk_ready) {
        int64_t at = mock_wall_now_us() + rq->chunk_wait_us;
        if (mock_waker_sleep(rq->srv->waker, at, rq) == 0)
            return 0;
        rq->chunk = rq->resp_len; /* stopping: the rest at once */
    }
    rq->chunk_ready = false;
    size_t n = rq->resp_len - (size_t)pos;
    n = n < rq->chunk ? n : rq->chunk;
    n = n < max ? n : max;
    memcpy(buf, rq->resp + pos, n);
    return (ssize_t)n;
}

static enum MHD_Result send_reset(mock_rq *rq)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    rq->planned_close = true;
    return MHD_NO; /* MHD closes the socket: with linger 0 that is an RST */
}

static enum MHD_Result send_slow(mock_rq *rq)
{
    size_t chunks = rq->resp_len < SLOW_CHUNKS ? rq->resp_len : SLOW_CHUNKS;
    chunks = chunks ? chunks : 1;
    rq->chunk = (rq->resp_len + chunks - 1) / chunks;
    int64_t total = mock_clock_wall_us(&rq->srv->clock, rq->plan.slow_body);
    rq->chunk_wait_us = chunks > 1 ? total / (int64_t)(chunks - 1) : 0;
    rq->chunk_ready = true;
    return queue(rq,
                 MHD_create_response_from_callback(rq->resp_len, rq->chunk, read_slow, rq, NULL));
}

/* A streamed answer: its events go out at the times of its timeline,
 * counted from now (mockserver/front/stream_play.c). */
static enum MHD_Result send_stream(mock_rq *rq)
{
    const mock_plan *p = &rq->plan;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    mock_sse_format format = rq->route.endpoint == MOCK_EP_MESSAGES    ? MOCK_SSE_ANTHROPIC
                             : rq->route.endpoint == MOCK_EP_RESPONSES ? MOCK_SSE_RESPONSES
                                                                       : MOCK_SSE_CHAT;
    if (!(rq->player = malloc(sizeof *rq->player)))
        return MHD_NO;
    mock_server *s = rq->srv;
    mock_play_init(
        rq->player, &p->stream, format, rq->stream_model, atomic_fetch_add(&s->next_id, 1),
        mock_clock_epoch(&s->clock) + mock_clock_now(&s->clock) / CM_US_PER_S, p->tokens_in,
        &s->clock, s->waker, rq, ci ? ci->connect_fd : -1, mock_wall_now_us());
    return queue(rq, MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, mock_play_read,
                                                       rq->player, NULL));
}

/* Sends the decided answer now (latency already served). */
static enum MHD_Result answer(mock_rq *rq)
{
    if (rq->plan.stream.on && rq->plan.fault == MOCK_FAULT_NONE)
        return send_stream(rq);
    switch (rq->plan.fault) {
    case MOCK_FAULT_RESET:
    case MOCK_FAULT_HANG: /* a hang that could not be suspended: drop it */
        return send_reset(rq);
    case MOCK_FAULT_TRUNCATE:
        return queue(
            rq, MHD_create_response_from_callback(rq->resp_len, 4096, read_truncated, rq, NULL));
    case MOCK_FAULT_SLOW_BODY:
        return send_slow(rq);
    case MOCK_FAULT_NONE:
    default:
        break;
    }
    return queue(rq,
                 MHD_create_response_from_buffer(rq->resp_len, rq->resp, MHD_RESPMEM_PERSISTENT));
}

/* ---- decisions ---- */

static const char *fault_name(mock_fault f)
{
    switch (f) {
    case MOCK_FAULT_HANG:
        return "hang";
    case MOCK_FAULT_RESET:
        return "reset";
    case MOCK_FAULT_TRUNCATE:
        return "truncate";
    case MOCK_FAULT_SLOW_BODY:
        return "slow_body";
    case MOCK_FAULT_NONE:
    default:
        return NULL;
    }
}

/* The request's key (mock_req_key), *len its length; NULL when none. The
 * value ends at *len: libmicrohttpd NUL-terminates header values. */
static const char *request_key(struct MHD_Connection *c, size_t *len)
{
    const char *auth = NULL, *x = NULL, *key = NULL;
    size_t auth_len = 0, x_len = 0;
    if (MHD_lookup_connection_value_n(c, MHD_HEADER_KIND, "Authorization", 13, &auth, &auth_len) !=
        MHD_YES)
        auth = NULL;
    if (MHD_lookup_connection_value_n(c, MHD_HEADER_KIND, "x-api-key", 9, &x, &x_len) != MHD_YES)
        x = NULL;
    if (mock_req_key(auth, auth_len, x, x_len, &key, len) != 0)
        return NULL;
    return key;
}

/* The 1-based index of key[len] among the provider's keys, compared by
 * length and bytes; 0 when the provider or the key is not found (the
 * model then answers 401 or 404 itself). */
static uint32_t key_index(const mock_server *s, const char *provider, const char *key, size_t len)
{
    int pi = mock_scenario_provider_find(s->sc, provider);
    if (pi < 0 || !key)
        return 0;
    const mock_provider_def *p = &s->sc->providers[pi];
    int k = mock_req_key_index((const char *const *)p->key_values, p->nkeys, key, len);
    return k < 0 ? 0 : (uint32_t)k + 1;
}

static mock_shape route_shape(const mock_server *s, const mock_route *r)
{
    int i = r->kind == MOCK_ROUTE_PROVIDER ? mock_scenario_provider_find(s->sc, r->provider) : -1;
    if (i >= 0)
        return mock_scenario_provider_shape(s->sc, (size_t)i);
    return r->endpoint == MOCK_EP_MESSAGES ? MOCK_SHAPE_ANTHROPIC : MOCK_SHAPE_OPENAI;
}

/* The error style of the provider the route names (its shape's when none). */
static mock_error_style route_errors(const mock_server *s, const mock_route *r)
{
    int i = r->kind == MOCK_ROUTE_PROVIDER ? mock_scenario_provider_find(s->sc, r->provider) : -1;
    return i >= 0 ? mock_scenario_provider_errors(s->sc, (size_t)i) : MOCK_ERRORS_BY_SHAPE;
}

static int front_check_plan(mock_rq *rq, mock_body_req *req);

/* X-Retrylab-Resume (what `retrylab run` sends for a policy's stream.resume):
 * a whole number of tokens, 0 to 1,000,000. 0, or -1. */
static int resume_value(const char *v, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    long n = v[0] >= '0' && v[0] <= '9' ? strtol(v, &end, 10) : -1;
    if (n < 0 || n > 1000000 || errno || !end || *end)
        return -1;
    *out = (uint32_t)n;
    return 0;
}

/* The answer the front gives without the model (bad path, method, body), in
 * the provider's error style; 0 when the request is fit for the model. */
static int front_check(mock_rq *rq, mock_body_req *req)
{
    int rc = front_check_plan(rq, req);
    mock_error_style style = rc != 0 ? route_errors(rq->srv, &rq->route) : MOCK_ERRORS_BY_SHAPE;
    if (style != MOCK_ERRORS_BY_SHAPE && style != mock_plan_style(&rq->plan)) {
        rq->plan.error_style = style; /* the style's type for the status, no OpenAI code */
        rq->plan.error_type[0] = rq->plan.error_code[0] = '\0';
    }
    return rc;
}

static int front_check_plan(mock_rq *rq, mock_body_req *req)
{
    mock_shape shape = route_shape(rq->srv, &rq->route);
    char msg[160];
    if (rq->hidden) {
        mock_body_error_plan(&rq->plan, shape, 400, NULL,
                             "a NUL byte in the request line or a header is not allowed");
        return -1;
    }
    if (rq->route.kind != MOCK_ROUTE_PROVIDER) {
        mock_body_error_plan(&rq->plan, shape, 404, "", "no such route"); /* code null */
        return -1;
    }
    if (!rq->route.method_ok) {
        mock_body_error_plan(&rq->plan, shape, 405, NULL, "method not allowed");
        return -1;
    }
    if (rq->route.endpoint == MOCK_EP_MODELS)
        return 0;
    if (rq->too_large) {
        mock_body_error_plan(&rq->plan, shape, 413, NULL, "request body larger than 1 MiB");
        return -1;
    }
    if (mock_body_parse(rq->route.endpoint, rq->body.p, rq->body.len, req, msg, sizeof msg)) {
        mock_body_error_plan(&rq->plan, shape, 400, NULL, msg);
        return -1;
    }
    const char *aid = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, CM_ATTEMPT_HEADER);
    if (aid && cm_attempt_parse(aid, &rq->attempt_id) != 0) {
        mock_body_error_plan(&rq->plan, shape, 400, NULL,
                             CM_ATTEMPT_HEADER ": expected TASK/ATTEMPT, e.g. 0/1");
        return -1;
    }
    const char *res = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MOCK_RESUME_HEADER);
    if (res && resume_value(res, &rq->resume_from) != 0) {
        mock_body_error_plan(&rq->plan, shape, 400, NULL,
                             MOCK_RESUME_HEADER ": expected the tokens held, 0 to 1000000");
        return -1;
    }
    snprintf(rq->stream_model, sizeof rq->stream_model, "%s", req->model);
    return 0;
}

/* A hang fault: suspended until the client leaves (1), 504 when too many
 * already hang, or dropped when stopping (0). Lock held. */
static int try_hang(mock_rq *rq)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    int rc = ci ? mock_waker_hang(rq->srv->waker, rq, ci->connect_fd) : -1;
    if (rc == 0) {
        rq->stage = RQ_HUNG;
        return 1;
    }
    if (rc == 1) {
        mock_body_error_plan(&rq->plan, rq->plan.shape, 504, NULL, "gateway timeout");
        snprintf(rq->plan.note, sizeof rq->plan.note, "hang refused: --max-hung reached");
    }
    return 0;
}

/* The request's members of its journal entry: the headers a grader groups
 * attempts by, the body's digest, the endpoint and an error's type and code. */
static void journal_request(const mock_rq *rq, mock_journal_entry *e)
{
    static const char *const endpoints[] = {[MOCK_EP_CHAT] = "chat",
                                            [MOCK_EP_MESSAGES] = "messages",
                                            [MOCK_EP_MODELS] = "models",
                                            [MOCK_EP_RESPONSES] = "responses"};
    struct MHD_Connection *c = rq->conn;
    const mock_plan *p = &rq->plan;
    if (rq->route.kind == MOCK_ROUTE_PROVIDER &&
        (unsigned)rq->route.endpoint < sizeof endpoints / sizeof endpoints[0])
        e->endpoint = endpoints[rq->route.endpoint];
    e->task_header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Retrylab-Task");
    e->idempotency_key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    /* The Stainless SDKs' retry count (openai-node src/client.ts, anthropic-sdk-typescript
     * src/client.ts: "x-stainless-retry-count", 0 on the first attempt). */
    const char *rc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-stainless-retry-count");
    char *end = NULL;
    long n = rc ? strtol(rc, &end, 10) : -1;
    e->has_retry_count = rc && end != rc && *end == '\0' && n >= 0 && n <= 1000000;
    e->retry_count = e->has_retry_count ? (int)n : 0;
    e->body_digest = rq->body.len ? mock_journal_digest(rq->body.p, rq->body.len) : 0;
    if (p->status >= 400) {
        e->error_type = p->error_type[0] ? p->error_type : mock_plan_default_error_type(p);
        e->error_code = p->error_code;
    }
}

/* Records the decision, its fate pending (mock_journal_open): the line is
 * formatted outside any lock into rq->jline, then recorded (with the
 * metrics count) under the journal lock. `gen` is the journal generation
 * the decision was taken in: a decision taken before a reset stays on the
 * old side. Entries are in the order they are recorded; under concurrency
 * two entries' t may be out of order by the microseconds between deciding
 * and recording. */
static void journal_open(mock_rq *rq, const mock_body_req *req, const char *key, cm_us now,
                         uint64_t gen)
{
    const mock_plan *p = &rq->plan;
    const char *provider = rq->route.kind == MOCK_ROUTE_PROVIDER ? rq->route.provider : NULL;
    const char *model = req->model[0] ? req->model : NULL;
    mock_journal_entry e = {
        .t = now,
        .provider = provider,
        .model = model,
        .key = key,
        .status = p->fault == MOCK_FAULT_RESET ? 0 : p->status,
        .headers = p->headers,
        .nheaders = p->nheaders,
        .latency = p->latency,
        .fault = fault_name(p->fault),
        .note = p->note,
        .attempt_id = rq->attempt_id,
        .stream = p->stream.on ? &p->stream : NULL,
        .fate = MOCK_FATE_PENDING,
    };
    journal_request(rq, &e);
    rq->jlen = mock_journal_format(&e, rq->jline, sizeof rq->jline);
    mock_server *s = rq->srv;
    pthread_mutex_lock(&s->jmu);
    mock_journal_open(s->journal, gen, rq->jline, rq->jlen, &rq->ticket);
    mock_metrics_count(s->metrics, provider, model, e.status);
    pthread_mutex_unlock(&s->jmu);
    rq->journaled = true;
}

/* True when the peer of fd has closed or reset its side of the connection. */
static bool peer_closed(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* What became of rq's answer, from what the front did and how
 * libmicrohttpd ended the request (connection c, still open here). */
static mock_journal_fate rq_fate(const mock_rq *rq, struct MHD_Connection *c,
                                 enum MHD_RequestTerminationCode toe)
{
    if (rq->drop != MOCK_FATE_DELIVERED)
        return rq->drop;
    if (rq->planned_close || (rq->player && rq->player->planned_end) ||
        toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        return MOCK_FATE_DELIVERED;
    switch (toe) {
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return MOCK_FATE_TIMEOUT;
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return MOCK_FATE_SERVER_STOPPED;
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return MOCK_FATE_CLIENT_CLOSED;
    default: {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        return ci && peer_closed(ci->connect_fd) ? MOCK_FATE_CLIENT_CLOSED : MOCK_FATE_SEND_FAILED;
    }
    }
}

/* Closes rq's journal entry with its fate: the ring entry gets it, the
 * journal file gets the line, an undelivered answer is counted. */
static void journal_close(mock_rq *rq, mock_journal_fate fate)
{
    mock_server *s = rq->srv;
    pthread_mutex_lock(&s->jmu);
    mock_journal_close(s->journal, &rq->ticket, rq->jline, rq->jlen, fate);
    mock_metrics_count_undelivered(s->metrics, fate);
    int64_t wall = mock_wall_now_us();
    if (wall - s->journal_flushed_us >= JOURNAL_FLUSH_US) {
        mock_journal_flush(s->journal);
        s->journal_flushed_us = wall;
    }
    pthread_mutex_unlock(&s->jmu);
}

/* When the model has no such path (unknown provider, or an endpoint its
 * shape lacks), replaces the front's 400, 405 or 413 in rq->plan with the
 * model's 404: a missing path is a 404 whatever the method or body. The probe names no key and no
 * model, so the model answers at its first steps (provider, endpoint, then a 401 for the missing
 * key), which change no state (mockserver/README.md, "Order of decisions"). Lock held. */
static void path_unknown(mock_server *s, mock_rq *rq, cm_us now)
{
    if (rq->route.kind != MOCK_ROUTE_PROVIDER || rq->hidden)
        return;
    mock_plan probe;
    mock_request mr = {.provider = rq->route.provider, .endpoint = rq->route.endpoint, .now = now};
    mock_model_respond(s->model, &mr, &probe);
    if (probe.status == 404)
        rq->plan = probe;
}

/* Asks the model (or the front's own checks) under the lock; journals it.
 * Returns 1 when the request now hangs. */
static int decide(mock_rq *rq, mock_body_req *req)
{
    mock_server *s = rq->srv;
    size_t key_len = 0;
    const char *key = rq->hidden ? NULL : request_key(rq->conn, &key_len);
    uint32_t key_ix = key_index(s, rq->route.provider, key, key_len);
    int front = front_check(rq, req);
    int hung = 0;
    pthread_mutex_lock(&s->mu);
    cm_us now = mock_clock_now(&s->clock);
    uint64_t gen = mock_journal_generation(s->journal); /* a reset changes it under mu too */
    if (front != 0)
        path_unknown(s, rq, now); /* a 404 of the model's replaces the front's error */
    else {
        mock_request mr = {.provider = rq->route.provider,
                           .endpoint = rq->route.endpoint,
                           .model = req->model[0] ? req->model : NULL,
                           .key = key,
                           .tokens = req->tokens,
                           .now = now,
                           .attempt_id = rq->attempt_id,
                           .key_ix = key_ix,
                           .stream = req->stream,
                           .stream_usage = req->stream_usage,
                           .resume_from = rq->resume_from};
        mock_model_respond(s->model, &mr, &rq->plan);
        rq->hold = rq->plan.ticket;
        if (rq->plan.fault == MOCK_FAULT_HANG)
            hung = try_hang(rq);
    }
    pthread_mutex_unlock(&s->mu);
    if (!plan_has_header(&rq->plan, "Date") && rq->plan.nheaders < MOCK_MAX_HEADERS) {
        mock_header *h = &rq->plan.headers[rq->plan.nheaders++]; /* journaled as sent */
        snprintf(h->name, sizeof h->name, "Date");
        http_date(&s->clock, now, h->value, sizeof h->value);
    }
    journal_open(rq, req, key, now, gen);
    return hung;
}

static void render(mock_rq *rq, const mock_body_req *req)
{
    mock_server *s = rq->srv;
    const char *models[MOCK_MAX_MODELS];
    size_t nmodels = 0;
    int pi = mock_scenario_provider_find(s->sc, rq->route.provider);
    if (pi >= 0 && rq->plan.body == MOCK_BODY_MODELS) {
        const mock_provider_def *p = &s->sc->providers[pi];
        for (; nmodels < p->nmodels && nmodels < MOCK_MAX_MODELS; nmodels++)
            models[nmodels] = p->models[nmodels].name;
    }
    int64_t out_tokens = req->max_tokens && req->max_tokens < 16 ? req->max_tokens : 16;
    mock_render_ctx ctx = {
        .provider = rq->route.provider,
        .model = req->model,
        .models = models,
        .nmodels = nmodels,
        .id = atomic_fetch_add(&s->next_id, 1),
        .now = mock_clock_now(&s->clock),
        .epoch_s = mock_clock_epoch(&s->clock),
        .endpoint = rq->route.endpoint,
        .tokens_in = req->input_tokens > 0 ? req->input_tokens : rq->plan.tokens_in,
        .tokens_out = rq->plan.tokens_out > 0 ? rq->plan.tokens_out : out_tokens,
    };
    rq->resp = mock_body_render(&rq->plan, &ctx, &rq->resp_len);
}

/* The provider request is complete: decide, then answer now or after the latency. */
static enum MHD_Result handle_provider(mock_rq *rq)
{
    mock_body_req req;
    memset(&req, 0, sizeof req);
    if (decide(rq, &req))
        return MHD_YES; /* suspended until the client leaves */
    if (rq->plan.fault != MOCK_FAULT_RESET) {
        render(rq, &req);
        if (!rq->resp) {
            rq->drop = MOCK_FATE_NO_MEMORY;
            return MHD_NO;
        }
    }
    int64_t wait = rq->plan.fault == MOCK_FAULT_HANG
                       ? 0
                       : mock_clock_wall_us(&rq->srv->clock, rq->plan.latency);
    if (wait > 0) { /* no response yet: libmicrohttpd calls again, and park() suspends */
        rq->stage = RQ_PARKED;
        rq->wake_at = mock_wall_now_us() + wait;
        return MHD_YES;
    }
    return answer(rq);
}

/* Suspends a decided answer until its latency has passed. It runs in the
 * access handler's call after the one that completed the request, not in
 * that one: libmicrohttpd 0.9.75 leaves a connection suspended in the call
 * that completes its request in the "read" event state, marks it readable
 * on resume and reads before calling back, and a client that half-closed
 * after its request (shutdown(SHUT_WR)) then reads as EOF, so the
 * connection is closed unanswered (src/microhttpd/connection.c,
 * MHD_connection_handle_read: recv() == 0 after FULL_REQ_RECEIVED ->
 * MHD_connection_close_(..._WITH_ERROR); daemon.c,
 * resume_suspended_connections). A call that returns without a response
 * leaves it in FULL_REQ_RECEIVED with the "block" state
 * (MHD_connection_update_event_loop_info), which is called again at once
 * and never read from: suspended there, it resumes into this handler. */
static enum MHD_Result park(mock_rq *rq)
{
    rq->stage = RQ_SLEEPING;
    if (mock_waker_sleep(rq->srv->waker, rq->wake_at, rq) == 0)
        return MHD_YES;
    return answer(rq);
}

/* ---- admin routes ---- */

static enum MHD_Result send_text(mock_rq *rq, int status, const char *type, char *text, size_t len)
{
    if (!text)
        return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    char date[64];
    http_date(&rq->srv->clock, mock_clock_now(&rq->srv->clock), date, sizeof date);
    MHD_add_response_header(r, "Date", date);
    MHD_add_response_header(r, "Content-Type", type);
    if (status == 405 && rq->route.allow)
        MHD_add_response_header(r, "Allow", rq->route.allow);
    rq->stage = RQ_SENDING;
    enum MHD_Result ret = MHD_queue_response(rq->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result admin_state(mock_rq *rq)
{
    mock_server *s = rq->srv;
    mock_admin_view v = {.scenario = mock_scenario_name(s->sc), .time_scale = s->clock.scale};
    pthread_mutex_lock(&s->mu);
    v.now = mock_clock_now(&s->clock);
    v.epoch_s = mock_clock_epoch(&s->clock);
    v.windows = mock_model_state_json(s->model, v.now);
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_lock(&s->jmu);
    mock_journal_counts_get(s->journal, &v.journal);
    pthread_mutex_unlock(&s->jmu);
    mock_waker_counts_get(s->waker, &v.conns);
    size_t len = 0;
    char *text = mock_admin_state(&v, &len);
    return send_text(rq, 200, "application/json", text, len);
}

/* A 400 of the admin API: {"error": msg} (msg holds no character to escape). */
static enum MHD_Result admin_bad(mock_rq *rq, const char *msg)
{
    char text[256];
    int n = snprintf(text, sizeof text, "{\"error\":\"%s\"}\n", msg);
    size_t len = n > 0 && (size_t)n < sizeof text ? (size_t)n : 0;
    char *copy = len ? strndup(text, len) : NULL;
    return send_text(rq, 400, "application/json", copy, len);
}

static enum MHD_Result admin_journal(mock_rq *rq)
{
    mock_server *s = rq->srv;
    const char *fmt = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "format");
    const char *lim = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "limit");
    if (fmt && strcmp(fmt, "json") != 0 && strcmp(fmt, "jsonl") != 0)
        return admin_bad(rq, "format: expected json or jsonl");
    bool jsonl = fmt && strcmp(fmt, "jsonl") == 0;
    char *end = NULL;
    errno = 0;
    long long limit = lim ? strtoll(lim, &end, 10) : -1;
    if (lim && (errno || end == lim || *end || limit < 0))
        return admin_bad(rq, "limit: expected a count from 0");
    size_t len = 0;
    pthread_mutex_lock(&s->jmu);
    char *text = mock_journal_render(s->journal, jsonl, limit < 0 ? SIZE_MAX : (size_t)limit, &len);
    pthread_mutex_unlock(&s->jmu);
    return send_text(rq, 200, jsonl ? "application/x-ndjson" : "application/json", text, len);
}

/* The answer says the new epoch and the scenario time it was written at, so
 * that a client can align its own scenario clock with this one. */
static enum MHD_Result admin_reset(mock_rq *rq)
{
    mock_server *s = rq->srv;
    pthread_mutex_lock(&s->mu);
    pthread_mutex_lock(&s->jmu);
    mock_model_reset(s->model);
    mock_journal_clear(s->journal);
    mock_clock_restart(&s->clock);
    int64_t epoch = mock_clock_epoch(&s->clock);
    mock_model_set_epoch(s->model, epoch);
    cm_us now = mock_clock_now(&s->clock);
    pthread_mutex_unlock(&s->jmu);
    pthread_mutex_unlock(&s->mu);
    char text[128];
    int n = snprintf(text, sizeof text, "{\"reset\":true,\"epoch_unix_us\":%lld,\"now_us\":%lld}\n",
                     (long long)(epoch * CM_US_PER_S), (long long)now);
    return send_text(rq, 200, "application/json", strndup(text, (size_t)n), (size_t)n);
}

static enum MHD_Result admin_metrics(mock_rq *rq)
{
    mock_server *s = rq->srv;
    mock_waker_counts wc;
    mock_waker_counts_get(s->waker, &wc);
    mock_journal_counts jc;
    mock_metrics_extra x = {.hung_now = wc.hung,
                            .hung_rejected = wc.hung_rejected,
                            .suspended_now = wc.sleeping,
                            .time_scale = s->clock.scale};
    size_t len = 0;
    x.now_s = cm_s_from_us(mock_clock_now(&s->clock));
    pthread_mutex_lock(&s->jmu);
    mock_journal_counts_get(s->journal, &jc);
    x.journal_total = jc.all_total; /* counters only grow: not zeroed by a reset */
    x.journal_dropped = jc.all_dropped;
    x.journal_lost = jc.all_lost;
    char *text = mock_metrics_render(s->metrics, &x, &len);
    pthread_mutex_unlock(&s->jmu);
    return send_text(rq, 200, "text/plain; version=0.0.4", text, len);
}

/* An admin route's own error (405, 413) in the OpenAI error shape. */
static enum MHD_Result admin_error(mock_rq *rq, int status, const char *msg)
{
    mock_body_error_plan(&rq->plan, MOCK_SHAPE_OPENAI, status, NULL, msg);
    mock_render_ctx ctx = {.now = mock_clock_now(&rq->srv->clock)};
    size_t len = 0;
    char *text = mock_body_render(&rq->plan, &ctx, &len);
    return send_text(rq, status, "application/json", text, len);
}

static enum MHD_Result handle_admin(mock_rq *rq)
{
    if (rq->hidden)
        return admin_error(rq, 400, "a NUL byte in the request line or a header is not allowed");
    if (!rq->route.method_ok) /* as a provider's 405: with Allow */
        return admin_error(rq, 405, "method not allowed");
    if (rq->too_large) /* at once, without reading the body */
        return admin_error(rq, 413, "request body larger than 1 MiB");
    switch (rq->route.kind) {
    case MOCK_ROUTE_ADMIN_STATE:
        return admin_state(rq);
    case MOCK_ROUTE_ADMIN_JOURNAL:
        return admin_journal(rq);
    case MOCK_ROUTE_ADMIN_RESET:
        return admin_reset(rq);
    case MOCK_ROUTE_METRICS:
        return admin_metrics(rq);
    default:
        return MHD_NO;
    }
}

/* ---- request lifecycle ---- */

typedef struct span_list {
    mock_req_span *v;
    size_t n, cap;
} span_list;

static enum MHD_Result add_spans(void *cls, enum MHD_ValueKind kind, const char *key,
                                 size_t key_size, const char *value, size_t value_size)
{
    span_list *l = cls;
    (void)kind;
    if (l->n + 2 > l->cap)
        return MHD_NO;
    l->v[l->n++] = (mock_req_span){key, key_size};
    if (value)
        l->v[l->n++] = (mock_req_span){value, value_size};
    return MHD_YES;
}

/* True when a NUL byte hides part of the request head (mock_req_hidden).
 * libmicrohttpd 0.9.75 reads the head into one buffer that starts at
 * `method`, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE bytes long, puts NUL
 * in place of separators and line ends, and hands out method, path,
 * version, arguments and headers as C strings pointing into it
 * (src/microhttpd/connection.c: parse_initial_message_line,
 * process_header_line, get_next_header_line); the path and arguments are
 * decoded by unescape() below, which leaves no stale bytes behind. */
static bool head_hides_bytes(struct MHD_Connection *c, const char *method, const char *url,
                             const char *version)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (!ci || !method)
        return false;
    enum MHD_ValueKind kinds = MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND;
    int nv = MHD_get_connection_values(c, kinds, NULL, NULL);
    mock_req_span local[64];
    span_list l = {local, 0, 3 + 2 * (size_t)(nv > 0 ? nv : 0)};
    if (l.cap > sizeof local / sizeof local[0] && !(l.v = malloc(l.cap * sizeof *l.v)))
        return true; /* cannot check: refuse */
    l.v[l.n++] = (mock_req_span){method, strlen(method)};
    l.v[l.n++] = (mock_req_span){url ? url : "", url ? strlen(url) : 0};
    l.v[l.n++] = (mock_req_span){version ? version : "", version ? strlen(version) : 0};
    MHD_get_connection_values_n(c, kinds, add_spans, &l);
    bool hidden = mock_req_hidden(method, ci->header_size, l.v, l.n);
    if (l.v != local)
        free(l.v);
    return hidden;
}

/* libmicrohttpd's unescape callback for the path and query arguments. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return mock_req_unescape(s);
}

static mock_rq *rq_new(mock_server *s, struct MHD_Connection *c, const char *url,
                       const char *method, const char *version)
{
    mock_rq *rq = malloc(sizeof *rq);
    if (!rq)
        return NULL;
    /* The plan (last member, ~4 KiB) is filled whole by the model or the
     * front before use; zeroing it per request is measurable in make bench. */
    memset(rq, 0, offsetof(mock_rq, plan));
    rq->srv = s;
    rq->conn = c;
    rq->stage = RQ_READING;
    rq->url_path = url;
    rq->method = method;
    mock_route_parse(url, method, &rq->route);
    rq->hidden = head_hides_bytes(c, method, url, version);
    mock_buf_init(&rq->body, MOCK_BODY_MAX);
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    char *end = NULL;
    if (cl && strtoull(cl, &end, 10) > MOCK_BODY_MAX)
        rq->too_large = true;
    atomic_fetch_add(&s->live, 1);
    return rq;
}

static void rq_free(mock_rq *rq)
{
    if (rq->player) {
        mock_play_free(rq->player);
        free(rq->player);
    }
    mock_server *s = rq->srv;
    if (rq->hold) { /* the response is complete or the connection gone: slots free */
        pthread_mutex_lock(&s->mu);
        mock_model_release(s->model, rq->hold, mock_clock_now(&s->clock));
        pthread_mutex_unlock(&s->mu);
    }
    atomic_fetch_sub(&rq->srv->live, 1);
    upstream_free(rq);
    mock_buf_free(&rq->body);
    free(rq->resp);
    free(rq);
}

static void take_body(mock_rq *rq, const char *data, size_t n)
{
    if (rq->too_large)
        return; /* keep reading, keep nothing */
    mock_buf_add(&rq->body, data, n);
    if (rq->body.failed) {
        rq->too_large = true;
        mock_buf_free(&rq->body);
    }
}

/* A provider path or no route at all (404): handle_provider answers it;
 * everything else is an admin page. */
static bool is_front_route(const mock_rq *rq)
{
    return rq->route.kind == MOCK_ROUTE_PROVIDER || rq->route.kind == MOCK_ROUTE_NONE;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    mock_rq *rq = *con_cls;
    if (!rq) {
        if (atomic_load(&((mock_server *)cls)->stopping))
            return MHD_NO; /* draining for a stop: the connection is closed */
        rq = rq_new(cls, c, url, method, version);
        *con_cls = rq;
        if (rq && rq->too_large) /* answer now: no 100 Continue, no body read */
            return is_front_route(rq) ? handle_provider(rq) : handle_admin(rq);
        return rq ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size) {
        if (rq->stage == RQ_READING)
            take_body(rq, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    switch (rq->stage) {
    case RQ_READING:
        if (rq->srv->cfg.upstream && is_front_route(rq) && !rq->hidden)
            return upstream_forward(rq);
        return is_front_route(rq) ? handle_provider(rq) : handle_admin(rq);
    case RQ_PARKED:
        return park(rq);
    case RQ_SLEEPING:
        return answer(rq);
    case RQ_UPSTREAM:
        return upstream_answer(rq);
    case RQ_HUNG: /* the client left, or the server stops */
    case RQ_SENDING:
    default:
        return MHD_NO;
    }
}

/* The request is over (libmicrohttpd's completion callback, called before
 * it closes the socket): its journal entry gets its fate. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    mock_rq *rq = *con_cls;
    if (rq && rq->journaled)
        journal_close(rq, rq_fate(rq, c, toe));
    if (rq)
        rq_free(rq);
    *con_cls = NULL;
}

/* ---- --upstream: forwarding (upstream.h) ----
 * The request is complete: the connection is suspended while a thread of
 * upstream.c forwards it; its answer resumes the connection, and
 * upstream_answer sends it on and journals it. */

typedef struct rq_upstream {
    mock_up_request req;
    const char *lines[64];
    char *line_text;
    size_t line_used;
    char path[1024];
    char query[1024];
    cm_us arrival;          /* scenario time the request was complete */
    mock_up_answer *answer; /* set by the forward's thread */
    bool failed;            /* the forward could not start */
} rq_upstream;

/* Request headers that go on: all but the hop-by-hop and framing ones. */
static enum MHD_Result up_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    static const char *const skip[] = {
        "host",   "content-length",  "connection", "keep-alive", "transfer-encoding",
        "expect", "accept-encoding", "te",         "upgrade"};
    rq_upstream *u = cls;
    (void)kind;
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (strcasecmp(key, skip[i]) == 0)
            return MHD_YES;
    size_t n = strlen(key) + strlen(value ? value : "") + 3;
    if (u->req.n_headers >= sizeof u->lines / sizeof u->lines[0] || u->line_used + n > 65536)
        return MHD_YES;
    char *at = u->line_text + u->line_used;
    snprintf(at, n, "%s: %s", key, value ? value : "");
    u->lines[u->req.n_headers++] = at;
    u->line_used += n;
    return MHD_YES;
}

/* The query string as received ("" when none), from the GET arguments. */
static enum MHD_Result up_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    rq_upstream *u = cls;
    (void)kind;
    size_t used = strlen(u->query);
    snprintf(u->query + used, sizeof u->query - used, "%s%s%s%s", used ? "&" : "", key,
             value ? "=" : "", value ? value : "");
    return MHD_YES;
}

/* The forward's thread is done: the answer is kept and the client resumed. */
static void up_done(void *ctx, mock_up_answer *a)
{
    mock_rq *rq = ctx;
    rq->up->answer = a;
    MHD_resume_connection(rq->conn);
}

static enum MHD_Result upstream_forward(mock_rq *rq)
{
    mock_server *s = rq->srv;
    rq_upstream *u = calloc(1, sizeof *u);
    if (!u || !(u->line_text = malloc(65536))) {
        free(u);
        rq->drop = MOCK_FATE_NO_MEMORY;
        return MHD_NO;
    }
    rq->up = u;
    u->arrival = mock_clock_now(&s->clock);
    snprintf(u->path, sizeof u->path, "%s", rq->url_path);
    MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, up_header, u);
    MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, up_query, u);
    u->req = (mock_up_request){.method = rq->method,
                               .path = u->path,
                               .query = u->query[0] ? u->query : NULL,
                               .header_lines = u->lines,
                               .n_headers = u->req.n_headers,
                               .body = rq->body.p,
                               .body_len = rq->too_large ? 0 : rq->body.len};
    const char *aid = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, CM_ATTEMPT_HEADER);
    if (aid && cm_attempt_parse(aid, &rq->attempt_id) != 0)
        rq->attempt_id = 0;
    rq->stage = RQ_UPSTREAM;
    MHD_suspend_connection(rq->conn);
    if (rq->too_large || mock_upstream_forward(s->cfg.upstream, &u->req, up_done, rq) != 0) {
        u->failed = true;
        MHD_resume_connection(rq->conn);
    }
    return MHD_YES;
}

/* The journal's headers of an upstream answer: the ones a grader and an
 * importer read (rate limits, retries, request ids, Date), cut to fit. */
static void up_journal_headers(const mock_up_answer *a, mock_plan *p)
{
    static const char *const parts[] = {"ratelimit",  "rate-limit", "retry",
                                        "request-id", "requestid",  "generation-id",
                                        "quota",      "date",       "should-retry"};
    p->nheaders = 0;
    for (size_t i = 0; a && i < a->nheaders && p->nheaders < MOCK_MAX_HEADERS; i++) {
        bool keep = false;
        for (size_t k = 0; k < sizeof parts / sizeof parts[0] && !keep; k++)
            keep = strcasestr(a->names[i], parts[k]) != NULL;
        if (!keep || strlen(a->names[i]) >= sizeof p->headers[0].name)
            continue;
        mock_header *h = &p->headers[p->nheaders++];
        snprintf(h->name, sizeof h->name, "%s", a->names[i]);
        snprintf(h->value, sizeof h->value, "%.111s", a->values[i]);
    }
}

static void up_journal(mock_rq *rq, const mock_up_answer *a, int status, const char *note)
{
    mock_server *s = rq->srv;
    rq_upstream *u = rq->up;
    char provider[64], model[200];
    mock_upstream_provider(s->cfg.upstream, u->path, provider, sizeof provider);
    mock_upstream_model(rq->body.p, rq->body.len, model, sizeof model);
    size_t key_len = 0;
    const char *key = request_key(rq->conn, &key_len);
    char kbuf[512];
    snprintf(kbuf, sizeof kbuf, "%.*s", (int)(key_len < sizeof kbuf ? key_len : 0), key ? key : "");
    up_journal_headers(a, &rq->plan);
    rq->plan.status = status;
    snprintf(rq->plan.error_type, sizeof rq->plan.error_type, "%s", a ? a->error_type : "");
    snprintf(rq->plan.error_code, sizeof rq->plan.error_code, "%s", a ? a->error_code : "");
    double lat = a ? (double)a->wall_us * s->clock.scale : 0;
    mock_journal_entry e = {.t = u->arrival,
                            .provider = provider,
                            .model = model[0] ? model : NULL,
                            .key = key ? kbuf : NULL,
                            .status = status,
                            .headers = rq->plan.headers,
                            .nheaders = rq->plan.nheaders,
                            .latency = (cm_us)lat,
                            .note = note,
                            .attempt_id = rq->attempt_id,
                            .fate = MOCK_FATE_PENDING};
    journal_request(rq, &e);
    e.endpoint = NULL;
    if (status >= 400) {
        e.error_type = a && a->error_type[0] ? a->error_type : NULL;
        e.error_code = a && a->error_code[0] ? a->error_code : NULL;
    }
    rq->jlen = mock_journal_format(&e, rq->jline, sizeof rq->jline);
    memset(kbuf, 0, sizeof kbuf);
    uint64_t gen = mock_journal_generation(s->journal);
    pthread_mutex_lock(&s->jmu);
    mock_journal_open(s->journal, gen, rq->jline, rq->jlen, &rq->ticket);
    mock_metrics_count(s->metrics, provider, model[0] ? model : NULL, status);
    pthread_mutex_unlock(&s->jmu);
    rq->journaled = true;
}

static enum MHD_Result upstream_answer(mock_rq *rq)
{
    rq_upstream *u = rq->up;
    const mock_up_answer *a = u ? u->answer : NULL;
    if (!a || a->failure) { /* the client gets a gateway error in the OpenAI shape */
        int status = !a ? 503 : a->status;
        char note[64];
        snprintf(note, sizeof note, "upstream: %.50s",
                 !a ? (rq->too_large ? "body over 1 MiB" : "too many forwards") : a->failure);
        up_journal(rq, a, status, note);
        mock_body_error_plan(&rq->plan, MOCK_SHAPE_OPENAI, status, NULL, note);
        mock_render_ctx ctx = {.now = mock_clock_now(&rq->srv->clock)};
        size_t len = 0;
        char *text = mock_body_render(&rq->plan, &ctx, &len);
        return send_text(rq, status, "application/json", text, len);
    }
    up_journal(rq, a, a->status, "upstream");
    struct MHD_Response *r =
        MHD_create_response_from_buffer(a->body_len, a->body ? a->body : "", MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    for (size_t i = 0; i < a->nheaders; i++)
        MHD_add_response_header(r, a->names[i], a->values[i]);
    rq->stage = RQ_SENDING;
    enum MHD_Result ret = MHD_queue_response(rq->conn, (unsigned)a->status, r);
    MHD_destroy_response(r);
    return ret;
}

static void upstream_free(mock_rq *rq)
{
    if (!rq->up)
        return;
    mock_up_answer_free(rq->up->answer);
    free(rq->up->line_text);
    free(rq->up);
}

/* ---- start and stop ---- */

static int make_addr(const char *bind, int port, struct sockaddr_storage *ss, unsigned *flags)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *flags |= MHD_USE_IPv6;
        return 0;
    }
    return -1;
}

static int start_daemon(mock_server *s, cm_err *err)
{
    static const mock_waker_ops ops = {rq_suspend, rq_resume};
    const char *bind = s->cfg.bind ? s->cfg.bind : "127.0.0.1";
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC | MHD_USE_SUPPRESS_DATE_NO_CLOCK | MHD_USE_TURBO;
    struct sockaddr_storage ss;
    if (make_addr(bind, s->cfg.port, &ss, &flags) != 0) {
        cm_err_set(err, "--bind: not an IPv4 or IPv6 address: %s", bind);
        return -1;
    }
    s->waker = mock_waker_start(&ops, s->cfg.max_hung);
    if (!s->waker) {
        cm_err_set(err, "cannot start the timer thread");
        return -1;
    }
    unsigned threads = s->cfg.threads > 1 ? s->cfg.threads : 0;
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)s->cfg.port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_THREAD_POOL_SIZE, threads,
        /* 16 KiB per connection holds any SDK's headers; MHD zeroes this pool
         * between keep-alive requests, so its default 32 KiB costs throughput. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)65000, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096, MHD_OPTION_UNESCAPE_CALLBACK, unescape,
        NULL, MHD_OPTION_END);
    if (!s->daemon) {
        cm_err_set(err, "cannot listen on %s port %d (in use, or not allowed)", bind, s->cfg.port);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->cfg.port;
    return 0;
}

int mock_server_start(const mock_scenario *sc, const mock_http_config *cfg, mock_server **out,
                      cm_err *err)
{
    *out = NULL;
    mock_server *s = calloc(1, sizeof *s);
    if (!s) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    s->sc = sc;
    s->cfg = *cfg;
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    /* Adaptive: spin briefly before sleeping; the critical sections are
     * microseconds long, so sleeping on them costs more than they do. */
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&s->mu, &ma);
    pthread_mutex_init(&s->jmu, &ma);
    pthread_mutexattr_destroy(&ma);
    mock_clock_init(&s->clock, cfg->time_scale);
    s->model = mock_model_new(sc);
    if (s->model)
        mock_model_set_epoch(s->model, mock_clock_epoch(&s->clock));
    s->journal = mock_journal_new(cfg->journal_size, cfg->journal_file);
    s->metrics = mock_metrics_new();
    if (s->journal)
        mock_journal_set_path(s->journal, cfg->journal_path);
    if (!s->model || !s->journal || !s->metrics) {
        cm_err_set(err, "out of memory");
        mock_server_stop(s);
        return -1;
    }
    if (start_daemon(s, err) != 0) {
        mock_server_stop(s);
        return -1;
    }
    *out = s;
    return 0;
}

int mock_server_port(const mock_server *s)
{
    return s->port;
}

/* Waits (bounded) until every request in flight has completed. */
static void drain(mock_server *s)
{
    for (int i = 0; i < 300 && atomic_load(&s->live) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

uint64_t mock_server_stop(mock_server *s)
{
    if (!s)
        return 0;
    if (s->daemon) {
        /* Not MHD_quiesce_daemon: in libmicrohttpd 0.9.75 with a thread
         * pool and epoll it races the workers removing the listen socket
         * from their epoll sets and can abort ("Failed to remove listen FD
         * from epoll set"), seen once in make test. Refusing new requests
         * while draining stops the same work. */
        atomic_store(&s->stopping, true);
        mock_upstream_abort(s->cfg.upstream);
        mock_waker_stop(s->waker);
        drain(s);
        MHD_stop_daemon(s->daemon);
    }
    mock_waker_free(s->waker);
    uint64_t lost = 0;
    if (s->journal) {
        mock_journal_flush(s->journal);
        lost = mock_journal_file_lost(s->journal);
    }
    mock_journal_free(s->journal);
    mock_metrics_free(s->metrics);
    mock_model_free(s->model);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->jmu);
    free(s);
    return lost;
}
