/* utf8.h: one check of UTF-8 (RFC 3629), for every place that must keep its
 * output valid JSON text: the JSON loader refuses invalid bytes, the
 * mockserver's journal and metrics replace them. */
#ifndef CM_UTF8_H
#define CM_UTF8_H
#include <stddef.h>

/* The length (1-4) of the valid UTF-8 character at s, of which n >= 1 bytes
 * may be read, or 0 when the bytes there are not one: a stray continuation
 * byte, an overlong form, a surrogate, above U+10FFFF, or cut short by n. */
size_t cm_utf8_len(const char *s, size_t n);

#endif
