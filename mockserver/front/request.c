/* request.c: the request head's key, decoding and NUL checks. */
#include "mockserver/front/request.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int mock_req_key(const char *auth, size_t auth_len, const char *x_api_key, size_t x_len,
                 const char **key, size_t *key_len)
{
    *key = NULL;
    *key_len = 0;
    if ((auth && memchr(auth, '\0', auth_len)) || (x_api_key && memchr(x_api_key, '\0', x_len)))
        return -1;
    if (auth && auth_len >= 7 && strncasecmp(auth, "Bearer ", 7) == 0) {
        size_t at = 7;
        while (at < auth_len && auth[at] == ' ')
            at++;
        if (at < auth_len) {
            *key = auth + at;
            *key_len = auth_len - at;
        }
        return 0;
    }
    if (x_api_key && x_len) {
        *key = x_api_key;
        *key_len = x_len;
    }
    return 0;
}

int mock_req_key_index(const char *const *values, size_t n, const char *key, size_t len)
{
    for (size_t i = 0; key && i < n; i++)
        if (values[i] && strlen(values[i]) == len && memcmp(values[i], key, len) == 0)
            return (int)i;
    return -1;
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t mock_req_unescape(char *s)
{
    char *r = s, *w = s;
    while (*r) {
        int hi = r[0] == '%' ? hex(r[1]) : -1;
        int lo = hi >= 0 ? hex(r[2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    size_t n = (size_t)(w - s);
    memset(w, 0, (size_t)(r - w)); /* the old tail: nothing left to see there */
    return n;
}

/* Spans are compared as addresses: they may lie anywhere, not only in the head. */
static int by_start(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const mock_req_span *)a)->start;
    uintptr_t y = (uintptr_t)((const mock_req_span *)b)->start;
    return x < y ? -1 : x > y;
}

bool mock_req_hidden(const char *head, size_t len, mock_req_span *spans, size_t n)
{
    qsort(spans, n, sizeof *spans, by_start);
    size_t i = 0;
    for (size_t at = 0; at < len; at++) {
        char c = head[at];
        if (c == '\0' || c == ' ' || c == '\t')
            continue;
        uintptr_t p = (uintptr_t)(head + at);
        while (i < n && (uintptr_t)spans[i].start + spans[i].len <= p)
            i++;
        if (i == n || p < (uintptr_t)spans[i].start)
            return true;
    }
    return false;
}
