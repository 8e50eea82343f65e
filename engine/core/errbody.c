/* errbody.c: the delays an error body names (see errbody.h). */
#include "engine/core/errbody.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/timefmt.h"

void rl_error_body_clear(rl_error_body *b)
{
    *b = (rl_error_body){.type = NULL, .code = NULL, .retry_delay = -1, .message_delay = -1};
}

/* The longest duration token read ("1h2m3.000000001s" and then some). */
#define TOKEN_MAX 40

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A unit word after a number: its length in microseconds, or 0. */
static cm_us unit_word(const char *w, size_t n)
{
    static const struct {
        const char *word;
        cm_us us;
    } units[] = {
        {"ms", CM_US_PER_MS},         {"millisecond", CM_US_PER_MS}, {"milliseconds", CM_US_PER_MS},
        {"s", CM_US_PER_S},           {"sec", CM_US_PER_S},          {"secs", CM_US_PER_S},
        {"second", CM_US_PER_S},      {"seconds", CM_US_PER_S},      {"min", 60 * CM_US_PER_S},
        {"mins", 60 * CM_US_PER_S},   {"minute", 60 * CM_US_PER_S},  {"minutes", 60 * CM_US_PER_S},
        {"hour", 3600 * CM_US_PER_S}, {"hours", 3600 * CM_US_PER_S}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].word) == n && strncasecmp(w, units[i].word, n) == 0)
            return units[i].us;
    return 0;
}

/* A number (digits, one optional fraction) at p[0..n) times unit; -1 when
 * it is not one. */
static cm_us number_times(const char *p, size_t n, cm_us unit)
{
    cm_us secs;
    /* cm_duration_parse reads a plain number as seconds. */
    if (n == 0 || n > TOKEN_MAX || !is_digit(p[0]) || cm_duration_parse(p, n, &secs) != 0)
        return -1;
    double v = (double)secs / CM_US_PER_S * (double)unit;
    return v >= (double)CM_US_MAX ? CM_US_MAX : (cm_us)(v + 0.5);
}

/* The delay written at p (before end): a Go duration, or a number and a
 * unit word; -1 when neither. */
static cm_us delay_at(const char *p, const char *end)
{
    while (p < end && *p == ' ')
        p++;
    const char *t = p;
    while (p < end && (is_digit(*p) || *p == '.' || is_alpha(*p)))
        p++;
    size_t n = (size_t)(p - t);
    while (n > 0 && t[n - 1] == '.') /* "20s." ends a sentence */
        n--;
    if (n == 0 || n > TOKEN_MAX || !is_digit(t[0]))
        return -1;
    cm_us d;
    if (is_alpha(t[n - 1]) && cm_duration_parse(t, n, &d) == 0)
        return d;
    size_t digits = 0;
    while (digits < n && (is_digit(t[digits]) || t[digits] == '.'))
        digits++;
    if (digits < n) /* "37sec": a unit word glued to the number */
        return unit_word(t + digits, n - digits)
                   ? number_times(t, digits, unit_word(t + digits, n - digits))
                   : -1;
    const char *w = t + n; /* "37 seconds" */
    while (w < end && *w == ' ')
        w++;
    const char *we = w;
    while (we < end && is_alpha(*we))
        we++;
    cm_us unit = unit_word(w, (size_t)(we - w));
    return unit ? number_times(t, n, unit) : -1;
}

cm_us rl_message_delay(const char *msg, size_t len)
{
    static const char *const phrases[] = {"try again in", "retry in", "try again after",
                                          "retry after"};
    if (!msg)
        return -1;
    len = strnlen(msg, len);
    for (size_t i = 0; i < len; i++) {
        if (msg[i] != 't' && msg[i] != 'T' && msg[i] != 'r' && msg[i] != 'R')
            continue;
        for (size_t k = 0; k < sizeof phrases / sizeof phrases[0]; k++) {
            size_t pl = strlen(phrases[k]);
            if (pl > len - i || strncasecmp(msg + i, phrases[k], pl) != 0)
                continue;
            cm_us d = delay_at(msg + i + pl, msg + len);
            if (d >= 0)
                return d;
        }
    }
    return -1;
}

cm_us rl_proto_duration(const char *s, size_t len)
{
    if (!s)
        return -1;
    len = strnlen(s, len);
    if (len < 2 || len > TOKEN_MAX || s[len - 1] != 's' || !is_digit(s[0]))
        return -1;
    size_t dots = 0, frac = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] == '.')
            dots++;
        else if (!is_digit(s[i]))
            return -1;
        else if (dots)
            frac++;
    }
    cm_us d;
    if (dots > 1 || (dots && (frac == 0 || frac > 9)) || cm_duration_parse(s, len, &d) != 0)
        return -1;
    return d;
}
