/* http.h: the mockserver's HTTP front: a libmicrohttpd daemon (internal
 * epoll polling threads) that routes provider requests to the provider
 * model under one lock, renders the answers, plays latency, hangs, resets,
 * truncated and slow bodies by suspending connections, serves the admin API
 * and keeps the journal and metrics. */
#ifndef MOCK_HTTP_H
#define MOCK_HTTP_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "mockserver/scenario/scenario.h"

typedef struct mock_http_config {
    const char *bind;    /* IPv4 or IPv6 literal; NULL = "127.0.0.1" */
    int port;            /* 0 = a free port */
    double time_scale;   /* scenario seconds per wall second (> 0) */
    size_t journal_size; /* in-memory journal entries (>= 1) */
    FILE *journal_file;  /* every journal entry as JSON Lines; NULL = none; stays the caller's */
    const char *journal_path;       /* the file's name, for the write-error message; may be NULL */
    unsigned threads;               /* polling threads (>= 1) */
    size_t max_hung;                /* hanging connections at most; more hang faults answer 504 */
    struct mock_upstream *upstream; /* --upstream: provider requests are forwarded (upstream.h);
                                       NULL: the scenario answers; stays the caller's */
} mock_http_config;

typedef struct mock_server mock_server;

/* Starts serving `sc` (which must outlive the server). On success *out is
 * the caller's (stop it with mock_server_stop) and 0 is returned; on failure
 * -1 with a one-line reason in err (address in use, bad address, no memory). */
int mock_server_start(const mock_scenario *sc, const mock_http_config *cfg, mock_server **out,
                      cm_err *err);
/* The port the server listens on (the real one when cfg.port was 0). */
int mock_server_port(const mock_server *s);
/* Stops accepting, resumes every suspended connection (delayed answers go
 * out now, hangs are closed), stops the daemon, flushes the journal file and
 * frees everything. Returns the journal lines the file failed to receive
 * since the start (0 without a file). NULL is a no-op (returns 0). */
uint64_t mock_server_stop(mock_server *s);

#endif
