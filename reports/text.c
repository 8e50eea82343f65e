/* text.c: UTF-8 repair and control-character replacement for trace strings. */
#include "reports/text.h"

#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

size_t rep_text_char(const char *s)
{
    if (!*s)
        return 0;
    return (unsigned char)*s < 0x80 ? 1 : cm_utf8_len(s, strnlen(s, 4));
}

size_t rep_text_copy(char *dst, size_t size, const char *src)
{
    size_t n = 0;
    for (const char *s = src ? src : ""; *s;) {
        size_t k = rep_text_char(s);
        const char *put = k ? s : REP_REPLACEMENT;
        size_t len = k ? k : sizeof REP_REPLACEMENT - 1;
        if (n + len >= size)
            break;
        if (k == 1 && ((unsigned char)*s < 0x20 || *s == 0x7f))
            dst[n] = '?';
        else
            memcpy(dst + n, put, len);
        n += len;
        s += k ? k : 1;
    }
    dst[n] = '\0';
    return n;
}

char *rep_text_dup(const char *src)
{
    size_t size = 3 * strlen(src ? src : "") + 1; /* every byte may become U+FFFD */
    char *d = malloc(size);
    if (!d)
        return NULL;
    size_t n = rep_text_copy(d, size, src);
    char *fit = realloc(d, n + 1);
    return fit ? fit : d;
}
