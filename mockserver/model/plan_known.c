/* plan_known.c: text of the headers mock_plan.known records; written at
 * once, or deferred (known.pending) for a caller that reads the values. */
#include "mockserver/model/plan_known.h"

#include "common/sbuf.h"
#include "common/timefmt.h"
#include "mockserver/model/plan.h"

/* Deferred text is written in the order of these bits, the order in which
 * the model sets them. */
enum { PEND_DATE = 1, PEND_RID = 2, PEND_RA = 4, PEND_UNIT0 = 8, PEND_UNIT1 = 16 };

/* limit, remaining, reset of requests (0) and tokens (1), spelled out once. */
static const char *const openai_names[2][3] = {
    {"x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"},
    {"x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"},
};

static void put_int(mock_plan *p, const char *name, int64_t v,
                    int (*set)(mock_plan *, const char *, const char *))
{
    char buf[32];
    cm_sbuf b;
    cm_sbuf_init(&b, buf, sizeof buf);
    cm_sbuf_i64(&b, v);
    set(p, name, buf);
}

static bool defer(const mock_plan *p)
{
    return p->known.lazy && p->known.exact;
}

/* Whether deferred text must be written before header `bit` is recorded:
 * when it will not be deferred, or when something pending is written at or
 * after its place (a value set twice replaces; order is kept). */
static bool render_first(const mock_plan *p, uint8_t bit)
{
    return !defer(p) || (p->known.pending & ~(bit - 1u)) != 0;
}

/* Retry-After when recorded, then retry-after-ms when recorded (both: the
 * seconds_and_ms form). */
static void write_retry_after(mock_plan *p)
{
    if (p->known.retry_after_s >= 0)
        put_int(p, "Retry-After", p->known.retry_after_s, mock_plan_header_set_known);
    if (p->known.retry_after_ms >= 0)
        put_int(p, "retry-after-ms", p->known.retry_after_ms, mock_plan_header_set_known);
}

/* `fresh`: the unit's names are not on the plan yet (append, no search). */
static void write_unit(mock_plan *p, int row, bool fresh)
{
    char dur[32];
    const char *const *names = openai_names[row];
    int (*set)(mock_plan *, const char *, const char *) =
        fresh ? mock_plan_header_add_known : mock_plan_header_set_known;
    put_int(p, names[0], p->known.limit[row], set);
    put_int(p, names[1], p->known.remaining[row], set);
    cm_fmt_go_duration(p->known.reset[row], dur, sizeof dur);
    set(p, names[2], dur);
}

void mock_request_id_text(const char *prefix, uint64_t bits, char *buf, size_t size)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    cm_sbuf b;
    cm_sbuf_init(&b, buf, size);
    cm_sbuf_str(&b, prefix);
    uint64_t x = bits;
    for (int i = 0; i < 24; i++) {
        if (i % 8 == 0) { /* splitmix64: 8 letters from each 64-bit step */
            x += UINT64_C(0x9e3779b97f4a7c15);
            uint64_t z = x;
            z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
            z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
            bits = z ^ (z >> 31);
        }
        cm_sbuf_char(&b, digits[bits % 62]);
        bits /= 62;
    }
}

static void write_request_id(mock_plan *p)
{
    char id[64];
    mock_request_id_text(p->known.rid_prefix, p->known.rid_bits, id, sizeof id);
    mock_plan_header_set_known(p, p->known.rid_name, id);
}

void mock_known_request_id(mock_plan *p, const char *name, const char *prefix, uint64_t bits)
{
    if (render_first(p, PEND_RID))
        mock_plan_render_known(p);
    p->known.rid_name = name;
    p->known.rid_prefix = prefix;
    p->known.rid_bits = bits;
    if (defer(p))
        p->known.pending |= PEND_RID;
    else
        write_request_id(p);
}

void mock_known_date(mock_plan *p, const char *text)
{
    if (defer(p))
        p->known.pending |= PEND_DATE;
    else
        mock_plan_header_set_known(p, "Date", text);
}

void mock_known_retry_after(mock_plan *p, bool ms, int64_t v)
{
    if (render_first(p, PEND_RA))
        mock_plan_render_known(p);
    if (ms)
        p->known.retry_after_ms = v;
    else
        p->known.retry_after_s = v;
    if (defer(p)) {
        p->known.pending |= PEND_RA;
        return;
    }
    put_int(p, ms ? "retry-after-ms" : "Retry-After", v, mock_plan_header_set_known);
}

void mock_known_retry_after_both(mock_plan *p, int64_t seconds, int64_t ms)
{
    if (render_first(p, PEND_RA))
        mock_plan_render_known(p);
    p->known.retry_after_s = seconds;
    p->known.retry_after_ms = ms;
    if (defer(p))
        p->known.pending |= PEND_RA;
    else
        write_retry_after(p);
}

void mock_known_openai_unit(mock_plan *p, int row, int64_t limit, int64_t remaining, cm_us reset)
{
    bool fresh = !p->known.has_unit[row];
    if (!fresh || render_first(p, row ? PEND_UNIT1 : PEND_UNIT0))
        mock_plan_render_known(p);
    p->known.has_unit[row] = true;
    p->known.limit[row] = limit;
    p->known.remaining[row] = remaining;
    p->known.reset[row] = reset;
    if (fresh && defer(p)) { /* a second write of a unit replaces: not deferred */
        p->known.pending |= (uint8_t)(row ? PEND_UNIT1 : PEND_UNIT0);
        return;
    }
    write_unit(p, row, fresh);
}

void mock_plan_render_known(mock_plan *p)
{
    uint8_t pend = p->known.pending;
    if (!pend)
        return;
    p->known.pending = 0;
    if (pend & PEND_DATE) {
        char date[64];
        cm_fmt_http_date_at(p->known.epoch_s, p->known.date_at, date, sizeof date);
        mock_plan_header_set_known(p, "Date", date);
    }
    if (pend & PEND_RID)
        write_request_id(p);
    if (pend & PEND_RA)
        write_retry_after(p);
    if (pend & PEND_UNIT0)
        write_unit(p, 0, true);
    if (pend & PEND_UNIT1)
        write_unit(p, 1, true);
}
