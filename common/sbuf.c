/* sbuf.c: hand-written decimal, hex and short-string appends into a bounded
 * buffer, byte-identical to the matching snprintf formats. */
#include "common/sbuf.h"

#include <stdio.h>
#include <string.h>

/* "00".."99", so that numbers are written two digits per division. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

void cm_sbuf_u64_pad(cm_sbuf *b, uint64_t v, int width)
{
    char tmp[24];
    size_t i = sizeof tmp;
    while (v >= 100) {
        i -= 2;
        memcpy(tmp + i, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        i -= 2;
        memcpy(tmp + i, digit_pairs + 2 * v, 2);
    } else {
        tmp[--i] = (char)('0' + v);
    }
    while (width > 0 && (size_t)width <= 20 && sizeof tmp - i < (size_t)width)
        tmp[--i] = '0';
    cm_sbuf_mem(b, tmp + i, sizeof tmp - i);
}

void cm_sbuf_i64(cm_sbuf *b, int64_t v)
{
    if (v < 0) {
        cm_sbuf_char(b, '-');
        cm_sbuf_u64_pad(b, (uint64_t)0 - (uint64_t)v, 0);
    } else {
        cm_sbuf_u64_pad(b, (uint64_t)v, 0);
    }
}

void cm_sbuf_hex(cm_sbuf *b, uint64_t v, int width)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = digits[v & 15];
        v >>= 4;
    } while (v);
    while (width > 0 && (size_t)width <= 16 && sizeof tmp - i < (size_t)width)
        tmp[--i] = '0';
    cm_sbuf_mem(b, tmp + i, sizeof tmp - i);
}

void cm_sbuf_g(cm_sbuf *b, double v)
{
    /* %g prints an integral value below 1e6 (six significant digits) as a
     * plain integer; -0.0 keeps its sign, so it goes the slow way. */
    if (v > -1e6 && v < 1e6 && v == (double)(int64_t)v && !(v == 0 && 1 / v < 0)) {
        cm_sbuf_i64(b, (int64_t)v);
        return;
    }
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%g", v);
    if (n > 0)
        cm_sbuf_mem(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

size_t cm_strcpy_cut(char *dst, size_t size, const char *s)
{
    cm_sbuf b;
    cm_sbuf_init(&b, dst, size);
    cm_sbuf_str(&b, s);
    return b.len;
}
