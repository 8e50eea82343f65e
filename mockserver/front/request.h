/* request.h: what the front reads from a request's head besides its route:
 * the API key (Authorization: Bearer, else x-api-key), compared by length
 * and bytes; percent-decoding of the path and query arguments; and the
 * check that no byte of the head hides behind a NUL (libmicrohttpd 0.9.75
 * hands values over as C strings, so "sk-test\0junk" would read as
 * "sk-test"). Pure functions, fed arbitrary bytes by tests/fuzz/fuzz_front.c. */
#ifndef MOCK_REQUEST_H
#define MOCK_REQUEST_H
#include <stdbool.h>
#include <stddef.h>

/* The key of a request, from the values of its Authorization and x-api-key
 * headers (each NULL when absent, with its length): the token after
 * "Bearer " (any case, spaces skipped) when Authorization is a Bearer, else
 * a non-empty x-api-key. Returns 0 with *key and *key_len (NULL and 0 when
 * there is none; *key points into the value given); -1 when a value
 * given holds a NUL byte (no key: the request is refused). */
int mock_req_key(const char *auth, size_t auth_len, const char *x_api_key, size_t x_len,
                 const char **key, size_t *key_len);

/* The index of key[len] among values[n] (NUL-terminated), compared by
 * length and bytes; -1 when none is equal (or key is NULL). */
int mock_req_key_index(const char *const *values, size_t n, const char *key, size_t len);

/* Percent-decodes the NUL-terminated s in place as libmicrohttpd's
 * MHD_http_unescape does (%HH with two hex digits becomes that byte; any
 * other '%' stays), except that %00 stays "%00": a decoded NUL would end
 * the value early. The bytes between the new end and the old one are set
 * to NUL (what mock_req_hidden relies on). Returns the new length. */
size_t mock_req_unescape(char *s);

/* A string libmicrohttpd parsed out of the request head: [start, start+len). */
typedef struct mock_req_span {
    const char *start;
    size_t len;
} mock_req_span;

/* True when the head head[len] holds a byte that is none of NUL, space or
 * tab and lies in none of spans[n] (in any order; spans outside the head
 * count for nothing): text that a NUL byte cut off from the value before
 * it, or a line libmicrohttpd joined elsewhere (obs-fold). The head is the
 * request line and header lines after libmicrohttpd replaced separators
 * and line ends with NUL; the spans are its method, path, version, query
 * argument names and values and header names and values. Sorts spans. */
bool mock_req_hidden(const char *head, size_t len, mock_req_span *spans, size_t n);

#endif
