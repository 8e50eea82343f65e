/* headers.h: what a response's headers tell the engine, parsed into one
 * struct: Retry-After (all forms), retry-after-ms, x-should-retry, the
 * rate-limit headers of OpenAI/Groq, Anthropic, the plain X-RateLimit-*
 * (Moonshot, OpenRouter) and IETF RateLimit, and Date.
 * Pure: the caller passes the current Unix time; nothing here reads a clock. */
#ifndef RL_HEADERS_H
#define RL_HEADERS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeu.h"

/* One response header; names compare case-insensitively. */
typedef struct rl_header {
    const char *name;
    const char *value;
} rl_header;

/* How the Retry-After header (alone) was written. */
typedef enum rl_ra_form {
    RL_RA_FORM_NONE,      /* not sent, or not usable */
    RL_RA_FORM_SECONDS,   /* delta-seconds ("120", "1.5") */
    RL_RA_FORM_DATE,      /* an HTTP-date at or after the reference time */
    RL_RA_FORM_PAST_DATE, /* an HTTP-date before it (ra_header is then 0) */
} rl_ra_form;

/* -1 in any int64_t/cm_us field below means "not sent or not parseable". */
typedef struct rl_signals {
    bool has_retry_after;         /* Retry-After or retry-after-ms present and usable */
    cm_us retry_after;            /* delay from now, clamped to [0, CM_US_MAX] */
    const char *retry_after_note; /* static text when the value was hostile or clamped
                                     ("negative", "not a number", "date in the past", ...);
                                     NULL when clean */
    /* Each of the two headers on its own, for a policy that reads only one of
     * them or treats dates apart (retry_after.headers, .dates, .past_date):
     * the value when that header is usable (same bounds as retry_after),
     * else -1. has_retry_after/retry_after above are ra_ms when usable, else
     * ra_header. */
    cm_us ra_ms;            /* retry-after-ms */
    cm_us ra_header;        /* Retry-After */
    uint8_t ra_header_form; /* rl_ra_form of Retry-After */
    int64_t ra_date_unix;   /* Retry-After as an HTTP-date: its Unix second; -1 otherwise */
    int should_retry;       /* x-should-retry: -1 absent, 0 false, 1 true */
    int64_t limit_requests, remaining_requests;
    cm_us reset_requests; /* delay until the request window resets */
    int64_t limit_tokens, remaining_tokens;
    cm_us reset_tokens;
    int64_t date_unix; /* Date header, Unix seconds; -1 absent */
    /* Which family filled the *_requests / *_tokens fields above: "openai"
     * (x-ratelimit-*-requests|tokens), "anthropic" (anthropic-ratelimit-*),
     * "plain" (X-RateLimit-Limit|Remaining|Reset, counted as requests),
     * "ietf" (RateLimit / RateLimit-Policy or RateLimit-Limit|Remaining|Reset),
     * or NULL when none was sent. OpenAI wins over Anthropic over plain over
     * IETF, field by field. */
    const char *ratelimit_source;
    /* IETF RateLimit headers as sent, kept apart even when mapped above. */
    int64_t ietf_limit, ietf_remaining; /* q= / RateLimit-Limit, r= / RateLimit-Remaining */
    cm_us ietf_reset;                   /* t= / RateLimit-Reset */
    cm_us ietf_window;                  /* w= of RateLimit-Policy */
} rl_signals;

/* Retry-After rules. A value that cannot be used (negative, not a number, a
 * garbage date, empty, over 4096 characters) leaves has_retry_after false --
 * never a 0 delay, so the engine falls back to its own ladder -- and says why
 * in retry_after_note: "negative", "not a number", "not a number or date",
 * "empty", "too long". A usable value may still carry a note: "too large,
 * clamped" (beyond CM_US_MAX, e.g. "99999999999999999999"), "longer than a
 * year" (kept as is; the policy's cap decides), "date in the past" (an
 * HTTP-date before the reference time gives 0), "retry-after-ms unusable"
 * (Retry-After was used instead). Only "0" (or a date equal to the reference
 * time) gives a clean 0. retry-after-ms, when usable, wins over Retry-After.
 *
 * Parses n headers. now_unix_us is the Unix time (microseconds) that "now"
 * stands for: HTTP-date and RFC 3339 values are turned into delays against
 * the Date header when present, else against now_unix_us. Never fails: what
 * cannot be parsed is left at -1 (or noted in retry_after_note). */
void rl_headers_parse(const rl_header *headers, size_t n, int64_t now_unix_us, rl_signals *out);

/* True when rl_headers_parse reads a header of this name (any case). */
bool rl_header_known(const char *name);

/* Sets every field of out to "not sent" (the state rl_headers_parse starts
 * from). Inline: the engine clears one per action. */
static inline void rl_signals_clear(rl_signals *out)
{
    *out = (rl_signals){.retry_after = -1,
                        .ra_ms = -1,
                        .ra_header = -1,
                        .ra_date_unix = -1,
                        .should_retry = -1,
                        .limit_requests = -1,
                        .remaining_requests = -1,
                        .reset_requests = -1,
                        .limit_tokens = -1,
                        .remaining_tokens = -1,
                        .reset_tokens = -1,
                        .date_unix = -1,
                        .ietf_limit = -1,
                        .ietf_remaining = -1,
                        .ietf_reset = -1,
                        .ietf_window = -1};
}

/* The simulation's shortcut: what rl_headers_parse would read from the
 * headers the provider model writes from the values `k` (its mock_plan.known),
 * without writing or parsing the text, when the model wrote them from exactly
 * these values (k->exact) and none is a value the parser would clamp or note
 * (the Date counts from the model's epoch, k->epoch_s). Returns true with *out filled, field by
 * field as the parser would; false (out unspecified) when the text must be parsed. It buys about
 * 2.5x of the simulation's speed (bench/README.md). */
/* Reads a Retry-After HTTP-date against now_unix_us instead of the Date
 * header (a client that subtracts its own clock, as the SDKs do): ra_header
 * and its form, and retry_after when Retry-After was the header chosen.
 * Nothing happens when Retry-After was not a date. */
void rl_signals_date_from_clock(rl_signals *s, int64_t now_unix_us);

struct mock_plan_known;
bool rl_headers_known(const struct mock_plan_known *k, rl_signals *out);

#endif
