/* sbuf.h: a bounded string builder that formats integers and short strings
 * by hand, for hot paths where snprintf's format parsing dominates. Output
 * is byte-identical to the snprintf formats named below. Pure; no allocation. */
#ifndef CM_SBUF_H
#define CM_SBUF_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Writes into buf[0..size): what does not fit is cut, exactly as snprintf
 * would cut it, and buf stays NUL-terminated (when size > 0). len counts the
 * bytes kept (never more than size - 1). The caller owns buf. */
typedef struct cm_sbuf {
    char *buf;
    size_t size;
    size_t len;
} cm_sbuf;

/* Starts an empty string in buf (buf[0] = '\0' when size > 0). */
static inline void cm_sbuf_init(cm_sbuf *b, char *buf, size_t size)
{
    b->buf = buf;
    b->size = size;
    b->len = 0;
    if (size > 0)
        buf[0] = '\0';
}

/* Appends n bytes of s (no NUL needed in s). Inline: most appends are a few
 * bytes of a known length, which the compiler then copies without a call. */
static inline void cm_sbuf_mem(cm_sbuf *b, const char *s, size_t n)
{
    if (b->size == 0)
        return;
    size_t room = b->size - 1 - b->len;
    if (n > room)
        n = room;
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

/* Appends NUL-terminated s ("%s"). */
static inline void cm_sbuf_str(cm_sbuf *b, const char *s)
{
    cm_sbuf_mem(b, s, strlen(s));
}

/* Appends one byte. */
static inline void cm_sbuf_char(cm_sbuf *b, char c)
{
    cm_sbuf_mem(b, &c, 1);
}
/* Appends v in decimal ("%lld"). */
void cm_sbuf_i64(cm_sbuf *b, int64_t v);
/* Appends v in decimal with leading zeros to at least `width` digits
 * ("%0*llu"; width 0..20). */
void cm_sbuf_u64_pad(cm_sbuf *b, uint64_t v, int width);
/* Appends v in lower-case hex, zero-padded to `width` digits ("%0*x"). */
void cm_sbuf_hex(cm_sbuf *b, uint64_t v, int width);
/* Appends v as "%g" does (integral values below 1e6 by hand, the rest
 * through snprintf). */
void cm_sbuf_g(cm_sbuf *b, double v);

/* Copies s into dst[0..size) as snprintf(dst, size, "%s", s) does; returns
 * the number of bytes kept. */
size_t cm_strcpy_cut(char *dst, size_t size, const char *s);

#endif
