/* upstream.h: `mockserver --upstream`: every provider request is forwarded
 * to a real provider (or any server) with libcurl, and its answer goes back
 * to the client and into the journal. The client's key is passed through in
 * its header and never stored: the journal names it by its id only.
 *
 * A forward runs on a thread of its own (at most MOCK_UPSTREAM_MAX at once;
 * more are answered 503 at once) while the client's connection is suspended;
 * the answer is buffered whole (at most MOCK_UPSTREAM_BODY_MAX bytes) before
 * it is sent on: a streamed (text/event-stream) answer reaches the client
 * when it is complete, not as it arrives. */
#ifndef MOCK_UPSTREAM_H
#define MOCK_UPSTREAM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mockserver/model/model.h"

#define MOCK_UPSTREAM_MAX 256
#define MOCK_UPSTREAM_BODY_MAX ((size_t)16 << 20)
#define MOCK_UPSTREAM_TIMEOUT_S 600
#define MOCK_UPSTREAM_MAX_RESPONSE_HEADERS 64

typedef struct mock_upstream mock_upstream;

/* One --upstream flag: "URL" (a request path P goes to URL + P; the journal
 * calls the provider by P's first segment) or "NAME=URL" (a path /NAME/REST
 * goes to URL + /REST, journalled as provider NAME). Several NAME=URL flags
 * may be given; a plain URL is the fallback for paths no NAME matches.
 * 0, or -1 with a one-line reason in err (not http:// or https://, too many). */
int mock_upstream_add(mock_upstream **u, const char *spec, char *err, size_t err_size);
void mock_upstream_free(mock_upstream *u);

/* A request to forward: the front's copy, valid until `done` is called. */
typedef struct mock_up_request {
    const char *method;
    const char *path;                /* as received, without the query */
    const char *query;               /* "a=1&b=2" or NULL */
    const char *const *header_lines; /* "Name: value", n_headers of them (hop-by-hop left out) */
    size_t n_headers;
    const char *body;
    size_t body_len;
} mock_up_request;

/* What came back. Strings are owned by the answer (mock_up_answer_free). */
typedef struct mock_up_answer {
    int status;          /* the upstream's status; 502 / 504 when it could not be had */
    const char *failure; /* NULL, or why the upstream gave no answer ("timeout", "connect: ...") */
    char *body;
    size_t body_len;
    char *header_text; /* "Name\0value\0" pairs */
    const char *names[MOCK_UPSTREAM_MAX_RESPONSE_HEADERS],
        *values[MOCK_UPSTREAM_MAX_RESPONSE_HEADERS];
    size_t nheaders;
    int64_t wall_us; /* from sending to the whole answer */
    char provider[64];
    char error_type[48], error_code[48]; /* from an error body's JSON */
} mock_up_answer;
void mock_up_answer_free(mock_up_answer *a);

/* The provider name the journal gives `path`, into out[size]. */
void mock_upstream_provider(const mock_upstream *u, const char *path, char *out, size_t size);

/* Starts forwarding rq; `done(ctx, answer)` is called once, on the forward's
 * thread, with an answer the callee owns. 0, or -1 when MOCK_UPSTREAM_MAX
 * forwards are under way or a thread cannot start (done is not called). */
int mock_upstream_forward(mock_upstream *u, const mock_up_request *rq,
                          void (*done)(void *ctx, mock_up_answer *a), void *ctx);
/* The "model" of a JSON request body into out[size] ("" when none). */
void mock_upstream_model(const char *body, size_t len, char *out, size_t size);

/* Makes forwards under way give up at once (a stopping server). */
void mock_upstream_abort(mock_upstream *u);

#endif
