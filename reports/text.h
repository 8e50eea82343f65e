/* text.h: strings taken from traces made fit for every output of reports/:
 * valid UTF-8 (index.html is declared utf-8; gnuplot writes its titles into
 * SVG, which is XML) and free of control characters (one line per name in
 * data files, scripts and messages). Each byte that starts no valid UTF-8
 * character (common/utf8.h) becomes U+FFFD, as a browser decoding the page
 * would show it. */
#ifndef REP_TEXT_H
#define REP_TEXT_H
#include <stddef.h>

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define REP_REPLACEMENT "\xEF\xBF\xBD"

/* The length (1-4) of the valid UTF-8 character at s (NUL-terminated), or 0
 * when the byte there starts none (or s is at its end). */
size_t rep_text_char(const char *s);

/* Copies src (NULL: "") into dst of `size` >= 1 bytes, NUL-terminated:
 * control characters become '?', bytes that start no valid character
 * become U+FFFD, and a character that does not fit is left out whole, never
 * cut. Returns the length written. */
size_t rep_text_copy(char *dst, size_t size, const char *src);

/* A malloc'd copy of src made as rep_text_copy makes it, whole; NULL when
 * out of memory. */
char *rep_text_dup(const char *src);

#endif
