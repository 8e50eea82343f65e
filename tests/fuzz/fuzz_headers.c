/* fuzz_headers.c: libFuzzer target over rl_headers_parse, the timefmt
 * parsers and the error body's delay readers (engine/core/errbody.h). The
 * input is split into "name: value" lines (at most 32); each value is also
 * fed to the date and duration parsers directly, and the whole input to
 * rl_message_delay and rl_proto_duration. Build:
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -I. -fsanitize=fuzzer,address,undefined \
 *     tests/fuzz/fuzz_headers.c engine/core/headers.c engine/core/errbody.c common/timefmt.c \
 *     common/sbuf.c \
 *     -o build/fuzz_headers
 * Not part of `make test`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/timefmt.h"
#include "engine/core/errbody.h"
#include "engine/core/headers.h"

#define FUZZ_MAX_HEADERS 32

static void fuzz_parsers(const char *v)
{
    size_t n = strlen(v);
    int64_t x;
    cm_us d;
    if (cm_http_date_parse(v, n, &x) == 0 && (x < -62135596800 || x > 253402300799))
        abort(); /* outside years 1..9999 */
    if (cm_rfc3339_parse(v, n, &x) == 0 && x < -62135596800 * CM_US_PER_S - 86400 * CM_US_PER_S)
        abort();
    if (cm_duration_parse(v, n, &d) == 0 && (d < 0 || d > CM_US_MAX))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    cm_us m = rl_message_delay(text, size), p = rl_proto_duration(text, size);
    if (m < -1 || p < -1 || m > CM_US_MAX || p > CM_US_MAX)
        abort();
    rl_header h[FUZZ_MAX_HEADERS];
    size_t n = 0;
    for (char *line = text; line && n < FUZZ_MAX_HEADERS;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            h[n++] = (rl_header){line, colon + 1};
            fuzz_parsers(colon + 1);
        }
        line = next;
    }
    rl_signals s;
    rl_headers_parse(h, n, (int64_t)size * 977 * CM_US_PER_S, &s);
    if (s.has_retry_after && (s.retry_after < 0 || s.retry_after > CM_US_MAX))
        abort();
    if (!s.has_retry_after && s.retry_after != -1)
        abort();
    free(text);
    return 0;
}
