/* textbuf.h: a growable text buffer with a hard size limit and JSON string
 * escaping, used to render response bodies, journal lines, admin pages and
 * metrics without sprintf and without unbounded growth. */
#ifndef MOCK_TEXTBUF_H
#define MOCK_TEXTBUF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mock_buf {
    char *p;     /* NUL-terminated text (NULL until the first append) */
    size_t len;  /* bytes of text, without the NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* the most text this buffer will ever hold */
    bool failed; /* an append did not fit (max) or malloc failed: text is cut */
    bool fixed;  /* p is the caller's array: never grown or freed */
} mock_buf;

/* An empty buffer that will hold at most `max` bytes of text. */
void mock_buf_init(mock_buf *b, size_t max);
/* A buffer over the caller's array mem[size] (size >= 1): never allocates;
 * holds at most size - 1 bytes of text. Do not take or free it. */
void mock_buf_init_fixed(mock_buf *b, char *mem, size_t size);
/* Frees the text; the buffer is empty and usable again afterwards. */
void mock_buf_free(mock_buf *b);
/* Empties the text, keeping the allocation. */
void mock_buf_clear(mock_buf *b);
/* Hands the text to the caller (who frees it with free()); *len gets its
 * length. Returns NULL when nothing was written or an append failed; the
 * buffer is empty afterwards either way. */
char *mock_buf_take(mock_buf *b, size_t *len);

/* Appends; on failure (too long, no memory) sets b->failed and appends nothing. */
void mock_buf_add(mock_buf *b, const char *s, size_t n);
void mock_buf_puts(mock_buf *b, const char *s);
void mock_buf_printf(mock_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mock_buf_int(mock_buf *b, int64_t v);
/* A number with up to 6 decimals, never "nan"/"inf" (those become 0). */
void mock_buf_num(mock_buf *b, double v);
/* Microseconds as seconds with up to 6 decimals, exactly (no floating point). */
void mock_buf_us_as_s(mock_buf *b, int64_t us);
/* `s` as a quoted JSON string (control characters, quotes and backslashes
 * escaped; a byte that does not start valid UTF-8 becomes \ufffd, so the
 * output is always valid UTF-8 JSON); NULL gives null. */
void mock_buf_json_str(mock_buf *b, const char *s);
/* `"key":` followed by nothing: the caller appends the value. */
void mock_buf_json_key(mock_buf *b, const char *key);

#endif
