/* headers.c: response headers -> rl_signals (Retry-After in every form,
 * retry-after-ms, x-should-retry, OpenAI/Anthropic/plain/IETF rate-limit
 * headers, Date), with hostile values clamped and noted instead of trusted. */
#include "engine/core/headers.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#include "common/timefmt.h"
#include "mockserver/model/model.h"

/* Longest header value looked at; longer ones count as unusable. */
#define RL_HEADER_VALUE_MAX 4096
/* Delays longer than this are kept but noted. */
#define RL_DELAY_LONG (INT64_C(365) * 24 * 3600 * CM_US_PER_S)
/* Counts have at most this many digits (rl_parse_count). */
#define RL_COUNT_DIGITS 18
#define RL_COUNT_MAX INT64_C(999999999999999999)

/* Each header we read, in an order the code relies on: every rate-limit
 * group is LIMIT, REMAINING, RESET in a row. */
#define RL_HEADER_SLOTS(X)                                                                         \
    X(RETRY_AFTER, "retry-after")                                                                  \
    X(RETRY_AFTER_MS, "retry-after-ms")                                                            \
    X(SHOULD_RETRY, "x-should-retry")                                                              \
    X(DATE, "date")                                                                                \
    X(OAI_REQ, "x-ratelimit-limit-requests")                                                       \
    X(OAI_REQ_REM, "x-ratelimit-remaining-requests")                                               \
    X(OAI_REQ_RESET, "x-ratelimit-reset-requests")                                                 \
    X(OAI_TOK, "x-ratelimit-limit-tokens")                                                         \
    X(OAI_TOK_REM, "x-ratelimit-remaining-tokens")                                                 \
    X(OAI_TOK_RESET, "x-ratelimit-reset-tokens")                                                   \
    X(ANT_REQ, "anthropic-ratelimit-requests-limit")                                               \
    X(ANT_REQ_REM, "anthropic-ratelimit-requests-remaining")                                       \
    X(ANT_REQ_RESET, "anthropic-ratelimit-requests-reset")                                         \
    X(ANT_TOK, "anthropic-ratelimit-tokens-limit")                                                 \
    X(ANT_TOK_REM, "anthropic-ratelimit-tokens-remaining")                                         \
    X(ANT_TOK_RESET, "anthropic-ratelimit-tokens-reset")                                           \
    X(ANT_IN, "anthropic-ratelimit-input-tokens-limit")                                            \
    X(ANT_IN_REM, "anthropic-ratelimit-input-tokens-remaining")                                    \
    X(ANT_IN_RESET, "anthropic-ratelimit-input-tokens-reset")                                      \
    X(ANT_OUT, "anthropic-ratelimit-output-tokens-limit")                                          \
    X(ANT_OUT_REM, "anthropic-ratelimit-output-tokens-remaining")                                  \
    X(ANT_OUT_RESET, "anthropic-ratelimit-output-tokens-reset")                                    \
    X(IETF_POLICY, "ratelimit-policy")                                                             \
    X(IETF_RATELIMIT, "ratelimit")                                                                 \
    X(IETF_LIMIT, "ratelimit-limit")                                                               \
    X(IETF_REMAINING, "ratelimit-remaining")                                                       \
    X(IETF_RESET, "ratelimit-reset")                                                               \
    X(PLAIN_LIMIT, "x-ratelimit-limit")                                                            \
    X(PLAIN_REMAINING, "x-ratelimit-remaining")                                                    \
    X(PLAIN_RESET, "x-ratelimit-reset")

typedef enum rl_slot {
#define X(name, text) RL_SLOT_##name,
    RL_HEADER_SLOTS(X)
#undef X
        RL_SLOT_COUNT
} rl_slot;

static const char *const rl_slot_names[] = {
#define X(name, text) text,
    RL_HEADER_SLOTS(X)
#undef X
};

/* A trimmed header value; p NULL when the header was not sent. */
typedef struct rl_val {
    const char *p;
    size_t len;
    bool too_long;
} rl_val;

/* A delay read from a header, before it is chosen. */
typedef struct rl_delay {
    bool usable;
    cm_us us;
    const char *note;
    uint8_t form;   /* rl_ra_form */
    int64_t date_s; /* an HTTP-date: its Unix second */
} rl_delay;

static rl_val rl_val_make(const char *value)
{
    rl_val v = {value, 0, false};
    size_t n = strnlen(value, RL_HEADER_VALUE_MAX + 1);
    if (n > RL_HEADER_VALUE_MAX) {
        v.too_long = true;
        return v;
    }
    while (n > 0 && (*v.p == ' ' || *v.p == '\t')) {
        v.p++;
        n--;
    }
    while (n > 0 && (v.p[n - 1] == ' ' || v.p[n - 1] == '\t'))
        n--;
    v.len = n;
    return v;
}

/* Length of each slot's name, so that a header is compared in full only
 * with the names of its own length (most lengths belong to one name). */
static const unsigned char rl_slot_lens[] = {
#define X(name, text) (unsigned char)(sizeof text - 1),
    RL_HEADER_SLOTS(X)
#undef X
};

/* The slot whose name is `name` (case-insensitive), or RL_SLOT_COUNT. */
static size_t rl_slot_of(const char *name)
{
    size_t len = strnlen(name, 64);
    for (size_t s = 0; s < RL_SLOT_COUNT; s++)
        if (rl_slot_lens[s] == len && strcasecmp(name, rl_slot_names[s]) == 0)
            return s;
    return RL_SLOT_COUNT;
}

bool rl_header_known(const char *name)
{
    return name && rl_slot_of(name) < RL_SLOT_COUNT;
}

/* First occurrence of every header we read. */
static void rl_collect(const rl_header *headers, size_t n, rl_val *slots)
{
    for (size_t s = 0; s < RL_SLOT_COUNT; s++)
        slots[s] = (rl_val){NULL, 0, false};
    for (size_t i = 0; headers && i < n; i++) {
        if (!headers[i].name || !headers[i].value)
            continue;
        size_t s = rl_slot_of(headers[i].name);
        if (s < RL_SLOT_COUNT && !slots[s].p)
            slots[s] = rl_val_make(headers[i].value);
    }
}

/* A non-negative integer of at most RL_COUNT_DIGITS digits, nothing else. */
static bool rl_parse_count(rl_val v, int64_t *out)
{
    if (!v.p || v.too_long || v.len == 0 || v.len > RL_COUNT_DIGITS)
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
        x = x * 10 + (v.p[i] - '0');
    }
    *out = x;
    return true;
}

/* Applies the common bounds to a delay in (possibly huge) microseconds. */
static rl_delay rl_delay_bound(double us, const char *note)
{
    if (!(us < (double)CM_US_MAX))
        return (rl_delay){true, CM_US_MAX, "too large, clamped", RL_RA_FORM_SECONDS, -1};
    cm_us d = (cm_us)llround(us);
    if (d > RL_DELAY_LONG && !note)
        note = "longer than a year";
    return (rl_delay){true, d, note, RL_RA_FORM_SECONDS, -1};
}

/* "120", "1.5", "1500" in `unit_us` units; sign, garbage and overflow noted. */
static rl_delay rl_delay_number(rl_val v, double unit_us)
{
    const char *p = v.p, *end = v.p + v.len;
    bool negative = p < end && *p == '-';
    if (p < end && (*p == '-' || *p == '+'))
        p++;
    double x = 0, scale = 1;
    bool digits = false, dot = false;
    for (; p < end; p++) {
        if (*p == '.' && !dot) {
            dot = true;
        } else if (*p >= '0' && *p <= '9') {
            digits = true;
            if (dot)
                x += (*p - '0') * (scale /= 10);
            else
                x = x * 10 + (*p - '0');
        } else {
            return (rl_delay){false, 0, "not a number", RL_RA_FORM_NONE, -1};
        }
    }
    if (!digits)
        return (rl_delay){false, 0, "not a number", RL_RA_FORM_NONE, -1};
    if (negative)
        return (rl_delay){false, 0, "negative", RL_RA_FORM_NONE, -1};
    return rl_delay_bound(x * unit_us, NULL);
}

/* An HTTP-date against ref_us (the Date header, else now). */
static rl_delay rl_delay_date(rl_val v, int64_t ref_us)
{
    int64_t at;
    if (cm_http_date_parse(v.p, v.len, &at) != 0)
        return (rl_delay){false, 0, "not a number or date", RL_RA_FORM_NONE, -1};
    double us = (double)at * 1e6 - (double)ref_us;
    if (us < 0)
        return (rl_delay){true, 0, "date in the past", RL_RA_FORM_PAST_DATE, at};
    rl_delay d = rl_delay_bound(us, NULL);
    d.form = RL_RA_FORM_DATE;
    d.date_s = at;
    return d;
}

static rl_delay rl_delay_read(rl_val v, bool allow_date, double unit_us, int64_t ref_us)
{
    if (v.too_long)
        return (rl_delay){false, 0, "too long", RL_RA_FORM_NONE, -1};
    if (v.len == 0)
        return (rl_delay){false, 0, "empty", RL_RA_FORM_NONE, -1};
    char c = v.p[0];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (alpha && allow_date)
        return rl_delay_date(v, ref_us);
    return rl_delay_number(v, unit_us);
}

/* retry-after-ms wins over Retry-After when usable (openai-python's order). */
static void rl_read_retry_after(const rl_val *slots, int64_t ref_us, rl_signals *out)
{
    rl_delay ms = {false, 0, NULL, RL_RA_FORM_NONE, -1}, ra = {false, 0, NULL, RL_RA_FORM_NONE, -1};
    bool has_ms = slots[RL_SLOT_RETRY_AFTER_MS].p, has_ra = slots[RL_SLOT_RETRY_AFTER].p;
    if (has_ms)
        ms = rl_delay_read(slots[RL_SLOT_RETRY_AFTER_MS], false, 1e3, ref_us);
    if (has_ra)
        ra = rl_delay_read(slots[RL_SLOT_RETRY_AFTER], true, 1e6, ref_us);
    if (ms.usable)
        out->ra_ms = ms.us;
    if (ra.usable) {
        out->ra_header = ra.us;
        out->ra_header_form = ra.form;
        if (ra.form == RL_RA_FORM_DATE || ra.form == RL_RA_FORM_PAST_DATE)
            out->ra_date_unix = ra.date_s;
    }
    if (ms.usable) {
        out->has_retry_after = true;
        out->retry_after = ms.us;
        out->retry_after_note = ms.note;
    } else if (ra.usable) {
        out->has_retry_after = true;
        out->retry_after = ra.us;
        out->retry_after_note = ra.note ? ra.note : has_ms ? "retry-after-ms unusable" : NULL;
    } else if (has_ms || has_ra) {
        out->retry_after_note = has_ms ? ms.note : ra.note;
    }
}

void rl_signals_date_from_clock(rl_signals *s, int64_t now_unix_us)
{
    if (s->ra_date_unix < 0)
        return;
    double us = (double)s->ra_date_unix * 1e6 - (double)now_unix_us;
    rl_delay d = us < 0 ? (rl_delay){true, 0, "date in the past", RL_RA_FORM_PAST_DATE, -1}
                        : rl_delay_bound(us, NULL);
    s->ra_header_form = us < 0 ? RL_RA_FORM_PAST_DATE : RL_RA_FORM_DATE;
    s->ra_header = d.us;
    if (s->ra_ms < 0) { /* retry_after came from this header */
        s->retry_after = d.us;
        s->retry_after_note = d.note;
    }
}

static int rl_read_bool(rl_val v)
{
    if (!v.p || v.too_long)
        return -1;
    if (v.len == 4 && strncasecmp(v.p, "true", 4) == 0)
        return 1;
    if (v.len == 5 && strncasecmp(v.p, "false", 5) == 0)
        return 0;
    return -1;
}

/* An RFC 3339 reset time as a delay from ref_us; past times give 0. */
static cm_us rl_reset_at(rl_val v, int64_t ref_us)
{
    int64_t at;
    if (!v.p || v.too_long || cm_rfc3339_parse(v.p, v.len, &at) != 0)
        return -1;
    double us = (double)at - (double)ref_us;
    if (us <= 0)
        return 0;
    return us >= (double)CM_US_MAX ? CM_US_MAX : (cm_us)us;
}

/* An RFC 3339 or HTTP-date reset time as a delay from ref_us. */
static cm_us rl_reset_date(rl_val v, int64_t ref_us)
{
    cm_us d = rl_reset_at(v, ref_us);
    int64_t at;
    if (d >= 0 || cm_http_date_parse(v.p, v.len, &at) != 0)
        return d;
    double us = (double)at * 1e6 - (double)ref_us;
    if (us <= 0)
        return 0;
    return us >= (double)CM_US_MAX ? CM_US_MAX : (cm_us)us;
}

static cm_us rl_reset_in(rl_val v)
{
    cm_us d;
    if (!v.p || v.too_long || cm_duration_parse(v.p, v.len, &d) != 0)
        return -1;
    return d;
}

/* X-RateLimit-Reset of the plain family. Moonshot documents the header as
 * "the time the limit resets" (www.kimi.com/help/kimi-api/api-rate-limits),
 * OpenRouter sends it on its own 429s (OpenRouterTeam/docs@c26125a5
 * api_reference/limits.mdx); neither says in what form. So every form in use
 * elsewhere is read, a plain number by its magnitude: below 1e9 seconds
 * until the reset (1e9 s is 31 years), below 1e12 a Unix time in seconds
 * (1e9 is the year 2001), else a Unix time in milliseconds (1e12 s would be
 * the year 33658); otherwise a Go duration ("30s", "1m0s"), an RFC 3339 or
 * an HTTP-date. Times in the past give 0; -1 when unreadable. */
static cm_us rl_reset_plain(rl_val v, int64_t ref_us)
{
    if (!v.p || v.too_long || v.len == 0)
        return -1;
    bool number = true;
    for (size_t i = 0; i < v.len; i++)
        number &= (v.p[i] >= '0' && v.p[i] <= '9') || v.p[i] == '.';
    cm_us d;
    if (!number)
        return cm_duration_parse(v.p, v.len, &d) == 0 ? d : rl_reset_date(v, ref_us);
    rl_delay x = rl_delay_number(v, 1.0); /* the number itself, in "us" of 1 */
    if (!x.usable)
        return -1;
    double n = (double)x.us;
    if (n < 1e9)
        return rl_delay_number(v, 1e6).us;
    double at_us = n < 1e12 ? n * 1e6 : n * 1e3;
    double us = at_us - (double)ref_us;
    if (us <= 0)
        return 0;
    return us >= (double)CM_US_MAX ? CM_US_MAX : (cm_us)us;
}

/* One family's limit/remaining/reset triple (-1 when not sent). */
typedef struct rl_triple {
    int64_t limit, remaining;
    cm_us reset;
} rl_triple;

static bool rl_triple_any(const rl_triple *t)
{
    return t->limit >= 0 || t->remaining >= 0 || t->reset >= 0;
}

/* Reads slots first, first+1, first+2; the reset as a duration or a date. */
static rl_triple rl_read_triple(const rl_val *slots, rl_slot first, bool reset_is_date,
                                int64_t ref_us)
{
    rl_triple t = {-1, -1, -1};
    if (!rl_parse_count(slots[first], &t.limit))
        t.limit = -1;
    if (!rl_parse_count(slots[first + 1], &t.remaining))
        t.remaining = -1;
    t.reset = reset_is_date ? rl_reset_at(slots[first + 2], ref_us) : rl_reset_in(slots[first + 2]);
    return t;
}

/* Overwrites the fields `src` has; true when it had any. */
static bool rl_triple_apply(const rl_triple *src, int64_t *limit, int64_t *remaining, cm_us *reset)
{
    if (src->limit >= 0)
        *limit = src->limit;
    if (src->remaining >= 0)
        *remaining = src->remaining;
    if (src->reset >= 0)
        *reset = src->reset;
    return rl_triple_any(src);
}

/* ---- IETF RateLimit (structured-field lists and the older headers) ---- */

#define RL_SF_MAX_MEMBERS 8
#define RL_SF_NAME_MAX 64

/* One list member: "name";q=100;w=60, or a dictionary member limit=100, or a
 * bare integer 100;w=60 (draft-01 RateLimit-Limit / RateLimit-Policy). */
typedef struct rl_sf_member {
    char name[RL_SF_NAME_MAX];
    int64_t value; /* dictionary value or bare integer; -1 none */
    int64_t q, w, r, t;
} rl_sf_member;

static bool rl_sf_tokchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '*' || c == ':' || c == '/' || c == '%';
}

static void rl_sf_spaces(const char **p, const char *end)
{
    while (*p < end && (**p == ' ' || **p == '\t'))
        (*p)++;
}

/* A run of digits (at most 18) into *out; false when none. */
static bool rl_sf_int(const char **p, const char *end, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (*p < end && **p >= '0' && **p <= '9' && n < 18) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    /* A decimal (t=1.5) keeps its integer part. */
    if (n > 0 && *p < end && **p == '.')
        for ((*p)++; *p < end && **p >= '0' && **p <= '9'; (*p)++) {
        }
    *out = v;
    return n > 0;
}

/* A quoted string or token into name; false when neither is there. */
static bool rl_sf_name(const char **p, const char *end, char *name)
{
    size_t n = 0;
    if (*p < end && **p == '"') {
        for ((*p)++; *p < end && **p != '"'; (*p)++)
            if (n + 1 < RL_SF_NAME_MAX)
                name[n++] = **p;
        if (*p >= end)
            return false;
        (*p)++;
    } else {
        for (; *p < end && rl_sf_tokchar(**p); (*p)++)
            if (n + 1 < RL_SF_NAME_MAX)
                name[n++] = **p;
        if (n == 0)
            return false;
    }
    name[n] = '\0';
    return true;
}

/* ";key=value" parameters; unknown keys and values are skipped. */
static void rl_sf_params(const char **p, const char *end, rl_sf_member *m)
{
    for (;;) {
        rl_sf_spaces(p, end);
        if (*p >= end || **p != ';')
            return;
        (*p)++;
        rl_sf_spaces(p, end);
        char key[RL_SF_NAME_MAX];
        int64_t v = -1;
        if (!rl_sf_name(p, end, key))
            return;
        if (*p < end && **p == '=') {
            (*p)++;
            if (!rl_sf_int(p, end, &v))
                while (*p < end && **p != ';' && **p != ',')
                    (*p)++;
        }
        int64_t *dst = !strcmp(key, "q")   ? &m->q
                       : !strcmp(key, "w") ? &m->w
                       : !strcmp(key, "r") ? &m->r
                       : !strcmp(key, "t") ? &m->t
                                           : NULL;
        if (dst)
            *dst = v;
    }
}

/* One member at *p; false on a malformed member (the caller stops). */
static bool rl_sf_member_parse(const char **p, const char *end, rl_sf_member *m)
{
    *m = (rl_sf_member){"", -1, -1, -1, -1, -1};
    rl_sf_spaces(p, end);
    if (*p < end && **p >= '0' && **p <= '9') {
        if (!rl_sf_int(p, end, &m->value))
            return false;
    } else {
        if (!rl_sf_name(p, end, m->name))
            return false;
        if (*p < end && **p == '=') {
            (*p)++;
            if (!rl_sf_int(p, end, &m->value))
                return false;
        }
    }
    rl_sf_params(p, end, m);
    rl_sf_spaces(p, end);
    return true;
}

/* Up to RL_SF_MAX_MEMBERS members of a comma-separated list; their count. */
static size_t rl_sf_list(rl_val v, rl_sf_member *ms)
{
    if (!v.p || v.too_long)
        return 0;
    const char *p = v.p, *end = v.p + v.len;
    size_t n = 0;
    while (p < end && n < RL_SF_MAX_MEMBERS) {
        if (!rl_sf_member_parse(&p, end, &ms[n]))
            break;
        n++;
        if (p >= end || *p != ',')
            break;
        p++;
    }
    return n;
}

/* Whole seconds to microseconds, saturating at CM_US_MAX. */
static cm_us rl_secs_us(int64_t s)
{
    return s > CM_US_MAX / CM_US_PER_S ? CM_US_MAX : s * CM_US_PER_S;
}

/* The dictionary form "limit=100, remaining=50, reset=30" of RateLimit. */
static bool rl_ietf_dict(const rl_sf_member *ms, size_t n, rl_triple *t)
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        int64_t *dst = !strcmp(ms[i].name, "limit")       ? &t->limit
                       : !strcmp(ms[i].name, "remaining") ? &t->remaining
                       : !strcmp(ms[i].name, "reset")     ? &t->reset
                                                          : NULL;
        if (dst && ms[i].value >= 0) {
            *dst = dst == &t->reset ? rl_secs_us(ms[i].value) : ms[i].value;
            any = true;
        }
    }
    return any;
}

/* The member of RateLimit with the least remaining (the binding one). */
static const rl_sf_member *rl_ietf_tightest(const rl_sf_member *ms, size_t n)
{
    const rl_sf_member *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (ms[i].r >= 0 && (!best || ms[i].r < best->r))
            best = &ms[i];
    return best;
}

/* RateLimit-Policy member matching `name`, else the first one. */
static const rl_sf_member *rl_ietf_policy_for(const rl_sf_member *ps, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (!strcmp(ps[i].name, name))
            return &ps[i];
    return n > 0 ? &ps[0] : NULL;
}

/* Structured RateLimit / RateLimit-Policy into out->ietf_* fields. */
static void rl_read_ietf_structured(const rl_val *slots, rl_signals *out)
{
    rl_sf_member rs[RL_SF_MAX_MEMBERS], ps[RL_SF_MAX_MEMBERS];
    size_t nr = rl_sf_list(slots[RL_SLOT_IETF_RATELIMIT], rs);
    size_t np = rl_sf_list(slots[RL_SLOT_IETF_POLICY], ps);
    rl_triple dict = {-1, -1, -1};
    if (rl_ietf_dict(rs, nr, &dict)) {
        out->ietf_limit = dict.limit;
        out->ietf_remaining = dict.remaining;
        out->ietf_reset = dict.reset;
    }
    const rl_sf_member *r = rl_ietf_tightest(rs, nr);
    if (r) {
        out->ietf_remaining = r->r;
        if (r->t >= 0)
            out->ietf_reset = rl_secs_us(r->t);
    }
    const rl_sf_member *pol = rl_ietf_policy_for(ps, np, r ? r->name : NULL);
    if (pol) {
        int64_t q = pol->q >= 0 ? pol->q : pol->value;
        if (q >= 0)
            out->ietf_limit = q;
        if (pol->w >= 0)
            out->ietf_window = rl_secs_us(pol->w);
    }
}

/* The older separate headers fill what the structured ones left empty. */
static void rl_read_ietf_separate(const rl_val *slots, rl_signals *out)
{
    rl_sf_member m[RL_SF_MAX_MEMBERS];
    int64_t v;
    if (out->ietf_limit < 0 && rl_sf_list(slots[RL_SLOT_IETF_LIMIT], m) > 0 && m[0].value >= 0) {
        out->ietf_limit = m[0].value;
        if (out->ietf_window < 0 && m[0].w >= 0)
            out->ietf_window = rl_secs_us(m[0].w);
    }
    if (out->ietf_remaining < 0 && rl_parse_count(slots[RL_SLOT_IETF_REMAINING], &v))
        out->ietf_remaining = v;
    if (out->ietf_reset < 0 && rl_parse_count(slots[RL_SLOT_IETF_RESET], &v))
        out->ietf_reset = rl_secs_us(v);
}

/* Fills the requests/tokens fields: IETF, then plain, then Anthropic, then
 * OpenAI, each overwriting what it sent, so the most specific family wins
 * per field. */
static void rl_read_ratelimits(const rl_val *slots, int64_t ref_us, rl_signals *out)
{
    rl_read_ietf_structured(slots, out);
    rl_read_ietf_separate(slots, out);
    rl_triple ietf = {out->ietf_limit, out->ietf_remaining, out->ietf_reset};
    if (rl_triple_apply(&ietf, &out->limit_requests, &out->remaining_requests,
                        &out->reset_requests))
        out->ratelimit_source = "ietf";

    /* Moonshot: "X-RateLimit-Remaining (remaining requests)": a request count. */
    rl_triple plain = rl_read_triple(slots, RL_SLOT_PLAIN_LIMIT, false, ref_us);
    plain.reset = rl_reset_plain(slots[RL_SLOT_PLAIN_RESET], ref_us);
    if (rl_triple_apply(&plain, &out->limit_requests, &out->remaining_requests,
                        &out->reset_requests))
        out->ratelimit_source = "plain";

    rl_triple a_req = rl_read_triple(slots, RL_SLOT_ANT_REQ, true, ref_us);
    rl_triple a_tok = rl_read_triple(slots, RL_SLOT_ANT_TOK, true, ref_us);
    if (!rl_triple_any(&a_tok))
        a_tok = rl_read_triple(slots, RL_SLOT_ANT_IN, true, ref_us);
    if (!rl_triple_any(&a_tok))
        a_tok = rl_read_triple(slots, RL_SLOT_ANT_OUT, true, ref_us);
    bool ant = rl_triple_apply(&a_req, &out->limit_requests, &out->remaining_requests,
                               &out->reset_requests);
    ant |= rl_triple_apply(&a_tok, &out->limit_tokens, &out->remaining_tokens, &out->reset_tokens);
    if (ant)
        out->ratelimit_source = "anthropic";

    rl_triple o_req = rl_read_triple(slots, RL_SLOT_OAI_REQ, false, ref_us);
    rl_triple o_tok = rl_read_triple(slots, RL_SLOT_OAI_TOK, false, ref_us);
    bool oai = rl_triple_apply(&o_req, &out->limit_requests, &out->remaining_requests,
                               &out->reset_requests);
    oai |= rl_triple_apply(&o_tok, &out->limit_tokens, &out->remaining_tokens, &out->reset_tokens);
    if (oai)
        out->ratelimit_source = "openai";
}

void rl_headers_parse(const rl_header *headers, size_t n, int64_t now_unix_us, rl_signals *out)
{
    rl_val slots[RL_SLOT_COUNT];
    rl_signals_clear(out);
    rl_collect(headers, n, slots);
    rl_val date = slots[RL_SLOT_DATE];
    int64_t d;
    if (date.p && !date.too_long && cm_http_date_parse(date.p, date.len, &d) == 0)
        out->date_unix = d;
    int64_t ref_us = out->date_unix >= 0 ? out->date_unix * CM_US_PER_S : now_unix_us;
    rl_read_retry_after(slots, ref_us, out);
    out->should_retry = rl_read_bool(slots[RL_SLOT_SHOULD_RETRY]);
    rl_read_ratelimits(slots, ref_us, out);
}

/* ---- the model's values, read without their text ----
 * What rl_headers_parse would read from the text the provider model writes
 * for these values (mockserver/model/plan_known.c), for the plain cases:
 * whole-second Retry-After or retry-after-ms, OpenAI x-ratelimit-* counts and
 * Go-duration resets, a Date within a century. Anything the parser would
 * clamp or note is left to the parser. tests/unit/test_headers_known.c
 * compares both readings over every scenario's answers. */

/* Dates up to about 100 years of scenario time (four-digit years). */
#define RL_KNOWN_DATE_MAX (INT64_C(100) * 365 * 24 * 3600 * CM_US_PER_S)

static int64_t known_count(int64_t v)
{
    return v >= 0 && v <= RL_COUNT_MAX ? v : -1;
}

/* Retry-After in whole seconds or retry-after-ms (which wins); false when the
 * parser would note the value. */
static bool known_retry_after(const mock_plan_known *k, rl_signals *out)
{
    if (k->retry_after_ms > RL_DELAY_LONG / CM_US_PER_MS ||
        k->retry_after_s > RL_DELAY_LONG / CM_US_PER_S)
        return false;
    if (k->retry_after_ms >= 0)
        out->ra_ms = k->retry_after_ms * CM_US_PER_MS;
    if (k->retry_after_s >= 0) {
        out->ra_header = k->retry_after_s * CM_US_PER_S;
        out->ra_header_form = RL_RA_FORM_SECONDS;
    }
    if (out->ra_ms < 0 && out->ra_header < 0)
        return true;
    out->has_retry_after = true;
    out->retry_after = out->ra_ms >= 0 ? out->ra_ms : out->ra_header;
    return true;
}

/* One OpenAI unit: limit, remaining, reset (a Go duration: 0 for d <= 0). */
static bool known_unit(const mock_plan_known *k, int u, int64_t *limit, int64_t *remaining,
                       cm_us *reset)
{
    if (!k->has_unit[u])
        return true;
    if (k->reset[u] > RL_DELAY_LONG)
        return false;
    *limit = known_count(k->limit[u]);
    *remaining = known_count(k->remaining[u]);
    *reset = k->reset[u] > 0 ? k->reset[u] : 0;
    return true;
}

bool rl_headers_known(const mock_plan_known *k, rl_signals *out)
{
    if (!k->exact || k->date_at < 0 || k->date_at > RL_KNOWN_DATE_MAX)
        return false;
    rl_signals_clear(out);
    out->date_unix = k->epoch_s + k->date_at / CM_US_PER_S;
    if (!known_retry_after(k, out) ||
        !known_unit(k, 0, &out->limit_requests, &out->remaining_requests, &out->reset_requests) ||
        !known_unit(k, 1, &out->limit_tokens, &out->remaining_tokens, &out->reset_tokens))
        return false;
    if (k->has_unit[0] || k->has_unit[1])
        out->ratelimit_source = "openai";
    return true;
}
