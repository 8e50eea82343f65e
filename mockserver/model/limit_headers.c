/* limit_headers.c: rate-limit headers per shape. OpenAI sends limit,
 * remaining and reset (a Go duration) for requests and tokens; Anthropic sends
 * limit, remaining and reset (RFC 3339) for requests, tokens, input-tokens and
 * output-tokens; IETF RateLimit uses structured fields with q, w, r and t. */
#include <stdio.h>

#include "common/sbuf.h"
#include "common/timefmt.h"
#include "mockserver/model/limit_headers.h"
#include "mockserver/model/plan.h"
#include "mockserver/model/plan_known.h"

static const char *const unit_names[MOCK_UNIT_COUNT] = {"requests", "tokens", "input-tokens",
                                                        "output-tokens"};

void mock_limit_set_add(mock_limit_set *ls, const mock_window_def *def, const mock_window_view *v)
{
    int u = (int)def->unit;
    const mock_window_view *old = &ls->view[u];
    if (ls->has[u] && (v->remaining > old->remaining ||
                       (v->remaining == old->remaining && v->reset <= old->reset)))
        return;
    ls->has[u] = true;
    ls->view[u] = *v;
    ls->period[u] = def->period;
}

static void put_int(mock_plan *p, const char *name, int64_t v)
{
    char buf[32];
    cm_sbuf b;
    cm_sbuf_init(&b, buf, sizeof buf);
    cm_sbuf_i64(&b, v);
    mock_plan_header_set(p, name, buf);
}

/* The header names per unit, spelled out once rather than built per answer:
 * limit, remaining, reset (OpenAI's: plan_known.c). */
static const char *const anthropic_names[MOCK_UNIT_COUNT][3] = {
    {"anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining",
     "anthropic-ratelimit-requests-reset"},
    {"anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining",
     "anthropic-ratelimit-tokens-reset"},
    {"anthropic-ratelimit-input-tokens-limit", "anthropic-ratelimit-input-tokens-remaining",
     "anthropic-ratelimit-input-tokens-reset"},
    {"anthropic-ratelimit-output-tokens-limit", "anthropic-ratelimit-output-tokens-remaining",
     "anthropic-ratelimit-output-tokens-reset"},
};

/* OpenAI requests (row 0) or tokens (row 1): recorded in p->known, so the
 * simulation need not read the text back (plan_known.c writes it). */
static void openai_unit(mock_plan *p, const mock_window_view *v, int row)
{
    mock_known_openai_unit(p, row, v->limit, v->remaining, v->reset);
}

/* `names` is the row of anthropic_names for the unit the headers are named after. */
static void anthropic_unit(mock_plan *p, const mock_window_view *v, const char *const names[3],
                           cm_us now)
{
    char when[40];
    put_int(p, names[0], v->limit);
    put_int(p, names[1], v->remaining);
    cm_fmt_rfc3339_at(p->known.epoch_s, cm_us_add(now, v->reset), when, sizeof when);
    mock_plan_header_set(p, names[2], when);
}

/* Anthropic's plain "tokens" headers show the tightest of the token units. */
static int anthropic_tokens_unit(const mock_limit_set *ls)
{
    int best = -1;
    for (int u = MOCK_UNIT_TOKENS; u <= MOCK_UNIT_OUTPUT_TOKENS; u++)
        if (ls->has[u] && (best < 0 || ls->view[u].remaining < ls->view[best].remaining))
            best = u;
    return ls->has[MOCK_UNIT_TOKENS] ? MOCK_UNIT_TOKENS : best;
}

static int64_t ceil_s(cm_us d)
{
    return d <= 0 ? 0 : (d + CM_US_PER_S - 1) / CM_US_PER_S;
}

static void ietf_headers(mock_plan *p, const mock_limit_set *ls)
{
    char policy[112] = "", limit[112] = "";
    size_t np = 0, nl = 0;
    for (int u = 0; u < MOCK_UNIT_COUNT; u++) {
        if (!ls->has[u] || np >= sizeof policy || nl >= sizeof limit)
            continue;
        const mock_window_view *v = &ls->view[u];
        np += (size_t)snprintf(policy + np, sizeof policy - np, "%s\"%s\";q=%lld;w=%lld",
                               np ? ", " : "", unit_names[u], (long long)v->limit,
                               (long long)ceil_s(ls->period[u]));
        nl += (size_t)snprintf(limit + nl, sizeof limit - nl, "%s\"%s\";r=%lld;t=%lld",
                               nl ? ", " : "", unit_names[u], (long long)v->remaining,
                               (long long)ceil_s(v->reset));
    }
    if (np && np < sizeof policy && nl < sizeof limit) {
        mock_plan_header_set(p, "RateLimit-Policy", policy);
        mock_plan_header_set(p, "RateLimit", limit);
    }
}

/* X-RateLimit-Limit, -Remaining, -Reset of the requests window (else the
 * tokens one): Moonshot (www.kimi.com/help/kimi-api/api-rate-limits) and
 * OpenRouter on its own 429s (OpenRouterTeam/docs@c26125a5
 * api_reference/limits.mdx), read 2026-12-04. Neither documents what Reset
 * holds; a client of OpenRouter reads Unix seconds or milliseconds
 * (everruns/everruns#2280), so the provider chooses (plain_reset). */
static void plain_headers(mock_plan *p, const mock_limit_set *ls, cm_us now, mock_plain_reset form)
{
    int u = ls->has[MOCK_UNIT_REQUESTS] ? MOCK_UNIT_REQUESTS
            : ls->has[MOCK_UNIT_TOKENS] ? MOCK_UNIT_TOKENS
                                        : -1;
    if (u < 0)
        return;
    const mock_window_view *v = &ls->view[u];
    put_int(p, "X-RateLimit-Limit", v->limit);
    put_int(p, "X-RateLimit-Remaining", v->remaining);
    cm_us at = cm_us_add(now, v->reset); /* scenario time of the reset */
    int64_t epoch_us = p->known.epoch_s * CM_US_PER_S;
    switch (form) {
    case MOCK_PLAIN_UNIX_MS:
        put_int(p, "X-RateLimit-Reset", (epoch_us + at + CM_US_PER_MS - 1) / CM_US_PER_MS);
        break;
    case MOCK_PLAIN_UNIX:
        put_int(p, "X-RateLimit-Reset", (epoch_us + at + CM_US_PER_S - 1) / CM_US_PER_S);
        break;
    case MOCK_PLAIN_SECONDS:
        put_int(p, "X-RateLimit-Reset", ceil_s(v->reset));
        break;
    }
}

void mock_limit_headers(mock_plan *p, const mock_limit_set *ls, cm_us now, bool ietf)
{
    mock_provider_def prov = {.limit_style = p->shape == MOCK_SHAPE_ANTHROPIC
                                                 ? MOCK_LIMITS_ANTHROPIC
                                                 : MOCK_LIMITS_OPENAI,
                              .ietf_headers = ietf};
    mock_limit_headers_for(p, ls, now, &prov);
}

void mock_limit_headers_for(mock_plan *p, const mock_limit_set *ls, cm_us now,
                            const mock_provider_def *prov)
{
    if (prov->limit_style == MOCK_LIMITS_PLAIN) {
        plain_headers(p, ls, now, prov->plain_reset);
    } else if (prov->limit_style == MOCK_LIMITS_NONE) {
        /* nothing */
    } else if (prov->limit_style == MOCK_LIMITS_OPENAI) {
        if (ls->has[MOCK_UNIT_REQUESTS])
            openai_unit(p, &ls->view[MOCK_UNIT_REQUESTS], 0);
        int tok = ls->has[MOCK_UNIT_TOKENS] ? MOCK_UNIT_TOKENS : MOCK_UNIT_INPUT_TOKENS;
        if (ls->has[tok])
            openai_unit(p, &ls->view[tok], 1);
    } else {
        if (ls->has[MOCK_UNIT_REQUESTS])
            anthropic_unit(p, &ls->view[MOCK_UNIT_REQUESTS], anthropic_names[MOCK_UNIT_REQUESTS],
                           now);
        int tok = anthropic_tokens_unit(ls);
        if (tok >= 0)
            anthropic_unit(p, &ls->view[tok], anthropic_names[MOCK_UNIT_TOKENS], now);
        for (int u = MOCK_UNIT_INPUT_TOKENS; u <= MOCK_UNIT_OUTPUT_TOKENS; u++)
            if (ls->has[u])
                anthropic_unit(p, &ls->view[u], anthropic_names[u], now);
    }
    if (prov->ietf_headers)
        ietf_headers(p, ls);
}
