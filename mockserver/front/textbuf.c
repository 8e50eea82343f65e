/* textbuf.c: bounded growable text buffer with JSON escaping. */
#include "mockserver/front/textbuf.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

void mock_buf_init(mock_buf *b, size_t max)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->failed = false;
    b->fixed = false;
}

void mock_buf_init_fixed(mock_buf *b, char *mem, size_t size)
{
    b->p = mem;
    b->p[0] = '\0';
    b->len = 0;
    b->cap = size;
    b->max = size - 1;
    b->failed = false;
    b->fixed = true;
}

void mock_buf_free(mock_buf *b)
{
    if (b->fixed) {
        mock_buf_clear(b);
        return;
    }
    free(b->p);
    mock_buf_init(b, b->max);
}

void mock_buf_clear(mock_buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->p)
        b->p[0] = '\0';
}

char *mock_buf_take(mock_buf *b, size_t *len)
{
    char *p = b->failed ? NULL : b->p;
    if (len)
        *len = p ? b->len : 0;
    if (!p)
        free(b->p);
    mock_buf_init(b, b->max);
    return p;
}

/* Makes room for n more bytes plus the NUL: 0, or -1 (failed set). */
static int reserve(mock_buf *b, size_t n)
{
    if (b->failed || n > b->max - b->len) {
        b->failed = true;
        return -1;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    if (b->fixed) {
        b->failed = true;
        return -1;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = true;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void mock_buf_add(mock_buf *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void mock_buf_puts(mock_buf *b, const char *s)
{
    mock_buf_add(b, s, strlen(s));
}

void mock_buf_printf(mock_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        mock_buf_add(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Decimal digits of v into the end of tmp[24]; returns where they start. */
static char *digits(uint64_t v, char *end)
{
    char *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

void mock_buf_int(mock_buf *b, int64_t v)
{
    char tmp[24];
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = digits(mag, tmp + sizeof tmp);
    if (v < 0)
        *--p = '-';
    mock_buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

void mock_buf_us_as_s(mock_buf *b, int64_t us)
{
    if (us < 0) {
        mock_buf_add(b, "-", 1);
        us = us == INT64_MIN ? INT64_MAX : -us;
    }
    mock_buf_int(b, us / 1000000);
    int frac = (int)(us % 1000000);
    if (frac == 0)
        return;
    char tmp[8] = {'.'};
    int n = 6;
    while (frac % 10 == 0) {
        frac /= 10;
        n--;
    }
    for (int i = n; i >= 1; i--) {
        tmp[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    mock_buf_add(b, tmp, (size_t)n + 1);
}

void mock_buf_num(mock_buf *b, double v)
{
    if (!isfinite(v))
        v = 0;
    char tmp[48];
    int n = snprintf(tmp, sizeof tmp, "%.6f", v);
    if (n <= 0 || (size_t)n >= sizeof tmp) {
        mock_buf_add(b, "0", 1);
        return;
    }
    /* Trim trailing zeros (and a bare point) so 1.500000 reads 1.5. */
    while (n > 1 && tmp[n - 1] == '0')
        n--;
    if (tmp[n - 1] == '.')
        n--;
    mock_buf_add(b, tmp, (size_t)n);
}

void mock_buf_json_str(mock_buf *b, const char *s)
{
    if (!s) {
        mock_buf_add(b, "null", 4);
        return;
    }
    mock_buf_add(b, "\"", 1);
    const char *run = s;
    for (const char *c = s; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        size_t n = ch >= 0x80 ? cm_utf8_len(c, strnlen(c, 4)) : 1;
        if (n > 1)
            c += n - 1;
        if (n && ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        mock_buf_add(b, run, (size_t)(c - run));
        char esc[8];
        if (n == 0)
            snprintf(esc, sizeof esc, "\\ufffd");
        else if (ch == '"' || ch == '\\')
            snprintf(esc, sizeof esc, "\\%c", ch);
        else if (ch == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else
            snprintf(esc, sizeof esc, "\\u%04x", ch);
        mock_buf_puts(b, esc);
        run = c + 1;
    }
    mock_buf_puts(b, run);
    mock_buf_add(b, "\"", 1);
}

void mock_buf_json_key(mock_buf *b, const char *key)
{
    mock_buf_json_str(b, key);
    mock_buf_add(b, ":", 1);
}
