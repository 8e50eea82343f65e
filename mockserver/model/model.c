/* provider.c: the provider model's decision for one request. The order is
 * fixed and documented in mockserver/README.md: provider -> endpoint -> key
 * -> model -> phase -> script -> windows -> faults -> latency; the first
 * rule that answers wins, and the limit headers of the windows go on every
 * answer that got past the model check. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/sbuf.h"
#include "common/timefmt.h"
#include "mockserver/model/limit_headers.h"
#include "mockserver/model/plan.h"
#include "mockserver/model/plan_known.h"
#include "mockserver/model/state.h"

/* Everything one decision needs about its request. */
typedef struct req_ctx {
    mock_model *m;
    cm_rng *rng; /* this request's draws: the shared stream or its own */
    const mock_request *req;
    const mock_provider_def *p;
    mock_prov_state *ps;
    int key;                   /* index of the key, -1 when the provider lists none */
    char key_id[CM_KEYID_LEN]; /* set only when key < 0 or the key is empty */
    int model;
    int tier; /* in force now (a phase may change it), -1 none */
    /* What output_tokens windows count for this answer: its planned length
     * while the windows are checked (the admission's estimate), then what
     * it delivers once the plan is made (a stream cut after N tokens: N).
     * Anthropic estimates output tokens at a request's start and adjusts to
     * the tokens produced (docs.anthropic.com/en/api/rate-limits). */
    int64_t out_tokens;
} req_ctx;

static void put_retry_after(mock_plan *out, mock_ra_form form, cm_us delay, cm_us now)
{
    int64_t epoch_s = out->known.epoch_s;
    char buf[48];
    if (delay < 0)
        delay = 0;
    out->retry_delay = delay; /* also without a header: Gemini's body says it */
    switch (form) {
    case MOCK_RA_SECONDS:
    case MOCK_RA_DEFAULT:
        mock_known_retry_after(out, false, (delay + CM_US_PER_S - 1) / CM_US_PER_S);
        break;
    case MOCK_RA_HTTP_DATE:
        cm_fmt_http_date_at(epoch_s, cm_us_add(now, delay), buf, sizeof buf);
        mock_plan_header_set(out, "Retry-After", buf);
        break;
    case MOCK_RA_MS:
        mock_known_retry_after(out, true, (delay + CM_US_PER_MS - 1) / CM_US_PER_MS);
        break;
    case MOCK_RA_SECONDS_AND_MS:
        mock_known_retry_after_both(out, (delay + CM_US_PER_S - 1) / CM_US_PER_S,
                                    (delay + CM_US_PER_MS - 1) / CM_US_PER_MS);
        break;
    case MOCK_RA_X_MS: {
        cm_sbuf b;
        cm_sbuf_init(&b, buf, sizeof buf);
        cm_sbuf_i64(&b, (delay + CM_US_PER_MS - 1) / CM_US_PER_MS);
        mock_plan_header_set(out, "x-ms-retry-after-ms", buf);
        break;
    }
    case MOCK_RA_NONE:
        break;
    }
}

static cm_us draw_latency(cm_rng *rng, const mock_latency *l)
{
    double s = 0;
    switch (l->kind) {
    case MOCK_LAT_FIXED:
        s = l->a;
        break;
    case MOCK_LAT_UNIFORM:
        s = l->b > l->a ? cm_rng_range(rng, l->a, l->b) : l->a;
        break;
    case MOCK_LAT_NORMAL:
        s = l->a + l->b * cm_rng_normal(rng);
        break;
    case MOCK_LAT_LOGNORMAL:
        s = exp(l->a + l->b * cm_rng_normal(rng));
        break;
    }
    return s > 0 ? cm_us_from_s(s) : 0;
}

static void success(req_ctx *c, mock_plan *out)
{
    const mock_model_def *md = &c->p->models[c->model];
    out->status = 200;
    out->body = MOCK_BODY_COMPLETION;
    out->tokens_in = c->req->tokens;
    out->tokens_out = md->output_tokens;
    out->latency = draw_latency(c->rng, &md->latency);
}

/* Makes out what answer `a` says; `hits` (from 1) scales an escalating delay. */
static void apply_answer(req_ctx *c, const mock_answer *a, int64_t hits, mock_plan *out)
{
    if (a->status >= 400)
        mock_plan_error(out, a->status, a->error_type, a->error_code, a->error_message);
    else {
        success(c, out);
        out->status = a->status;
    }
    out->fault = a->fault;
    out->slow_body = a->slow_body;
    if (a->has_latency)
        out->latency = a->latency;
    if (a->has_retry_after) {
        double s = a->retry_after_s * pow(a->escalate_factor, (double)(hits > 1 ? hits - 1 : 0));
        s = fmin(s, fmax(a->escalate_cap_s, a->retry_after_s));
        put_retry_after(out, a->ra_form == MOCK_RA_DEFAULT ? c->p->ra_form : a->ra_form,
                        cm_us_from_s(s), c->req->now);
    }
}

static void extra_headers(mock_plan *out, const mock_extra_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mock_plan_header_set(out, h[i].name, h[i].value);
}

static bool matches(const char *want, const char *have)
{
    return !want || (have && strcmp(want, have) == 0);
}

static const char *key_name(const req_ctx *c)
{
    return c->key >= 0 ? c->p->key_names[c->key] : NULL;
}

/* The active phase with an answer, and the tier in force (phases may change it). */
static const mock_phase_def *phase_now(req_ctx *c)
{
    const mock_phase_def *found = NULL;
    const char *model = c->p->models[c->model].name;
    c->tier = c->p->tier;
    for (size_t i = 0; i < c->p->nphases; i++) {
        const mock_phase_def *ph = &c->p->phases[i];
        if (c->req->now < ph->from || c->req->now >= ph->to || !matches(ph->model, model))
            continue;
        if (ph->tier >= 0)
            c->tier = ph->tier;
        if (ph->has_answer && !found)
            found = ph;
    }
    return found;
}

/* The step of the first script that has one for this request, advancing its
 * cursor; NULL when no script speaks (then *which is untouched). */
static const mock_step *script_step(req_ctx *c, size_t *which, int64_t *nth)
{
    const char *model = c->p->models[c->model].name;
    for (size_t i = 0; i < c->p->nscripts; i++) {
        const mock_script_def *s = &c->p->scripts[i];
        if (!matches(s->model, model) || !matches(s->key, key_name(c)))
            continue;
        mock_script_cursor *cur = mock_script_cursor_of(c->ps, c->p, i, c->key);
        if (cur->step >= s->nsteps && s->repeat)
            *cur = (mock_script_cursor){0};
        if (cur->step >= s->nsteps)
            continue;
        const mock_step *st = &s->steps[cur->step];
        *nth = ++cur->used;
        if (!st->forever && cur->used >= st->times)
            *cur = (mock_script_cursor){.step = cur->step + 1};
        *which = i;
        return st;
    }
    return NULL;
}

static const char *scope_id(const req_ctx *c, const mock_window_def *d, char *buf, size_t size)
{
    switch (d->scope) {
    case MOCK_SCOPE_KEY:
        return c->key >= 0 ? c->p->key_names[c->key] : c->key_id;
    case MOCK_SCOPE_ORG:
        return c->key >= 0 ? c->p->key_orgs[c->key] : c->key_id;
    case MOCK_SCOPE_MODEL:
        cm_strcpy_cut(buf, size, c->p->models[c->model].name);
        return buf;
    case MOCK_SCOPE_GROUP:
        return "group";
    case MOCK_SCOPE_ORG_MODEL: {
        cm_sbuf b;
        cm_sbuf_init(&b, buf, size);
        cm_sbuf_str(&b, c->key >= 0 ? c->p->key_orgs[c->key] : c->key_id);
        cm_sbuf_char(&b, '/');
        cm_sbuf_str(&b, c->p->models[c->model].name);
        return buf;
    }
    case MOCK_SCOPE_PROVIDER:
        break;
    }
    return "provider";
}

static int64_t amount_of(const req_ctx *c, const mock_window_def *d)
{
    switch (d->unit) {
    case MOCK_UNIT_REQUESTS:
        return 1;
    case MOCK_UNIT_OUTPUT_TOKENS:
        return c->out_tokens;
    case MOCK_UNIT_TOKENS:
    case MOCK_UNIT_INPUT_TOKENS:
        break;
    }
    return c->req->tokens > 0 ? c->req->tokens : 0;
}

/* Until the first request in flight that holds instance `inst` of set `set`
 * is planned to end (0 when it is past); 1 s when none has a known end
 * (hangs, which end only when their client gives up). */
static cm_us slot_wait(const req_ctx *c, size_t set, size_t inst)
{
    const mock_model *m = c->m;
    cm_us first = CM_US_MAX;
    uint16_t pi = (uint16_t)(c->ps - m->ps);
    for (size_t i = 0; i < m->nholds; i++) {
        const mock_hold *h = &m->holds[i];
        if (!h->ticket || h->provider != pi || h->end >= first)
            continue;
        for (uint8_t k = 0; k < h->n; k++)
            if (h->w[k].set == set && h->w[k].inst == inst)
                first = h->end;
    }
    if (first == CM_US_MAX)
        return CM_US_PER_S;
    return first > c->req->now ? first - c->req->now : 0;
}

/* Whether set s counts this request (its tier is in force, its model matches). */
static bool set_applies(const req_ctx *c, size_t s)
{
    const mock_window_def *d = c->ps->sets[s].def;
    if (!matches(d->model, c->p->models[c->model].name))
        return false;
    if (d->models && !(d->models & (UINT64_C(1) << c->model)))
        return false;
    if (s < c->p->nwindows)
        return true;
    return c->tier >= 0 && s >= c->ps->tier_first[c->tier] &&
           s < c->ps->tier_first[c->tier] + c->p->tiers[c->tier].nwindows;
}

#define MAX_APPLY (2 * MOCK_MAX_WINDOWS)

/* The windows that apply to one request: instance, its set, and its view. */
typedef struct applied {
    size_t n;
    mock_window *inst[MAX_APPLY];
    size_t set[MAX_APPLY];
    mock_window_view v[MAX_APPLY];
} applied;

/* Checks every window that applies into a; *wait is the longest wait of a
 * window that refuses (-1 when all admit), *refused that window's set index
 * (-1 when none). A refusing concurrency window's wait is until the first
 * request in flight it counts is planned to end. */
static void check_each(req_ctx *c, applied *a, cm_us *wait, int *refused)
{
    char buf[MOCK_INSTANCE_ID];
    a->n = 0;
    *wait = -1;
    *refused = -1;
    for (size_t s = 0; s < c->ps->nsets && a->n < MAX_APPLY; s++) {
        if (!set_applies(c, s))
            continue;
        const mock_window_def *d = c->ps->sets[s].def;
        mock_window *w = mock_window_set_get(&c->ps->sets[s], scope_id(c, d, buf, sizeof buf));
        if (!w)
            continue;
        mock_window_view *v = &a->v[a->n];
        if (d->algo == MOCK_ALGO_DAY)
            w->origin = mock_day_origin(c->m, d);
        mock_window_check(w, c->req->now, amount_of(c, d), v);
        if (!v->admit && d->algo == MOCK_ALGO_CONCURRENCY)
            v->retry_after = slot_wait(c, s, (size_t)(w - c->ps->sets[s].inst));
        if (!v->admit && v->retry_after > *wait) {
            *wait = v->retry_after;
            *refused = (int)s;
        }
        a->inst[a->n] = w;
        a->set[a->n++] = s;
    }
}

/* Counts the request in every window of a; the concurrency slots it takes
 * are noted in *held (set, instance), *nheld of them. */
static void take_each(req_ctx *c, const applied *a, mock_hold_slot *held, uint8_t *nheld)
{
    for (size_t i = 0; i < a->n; i++) {
        const mock_window_def *d = a->inst[i]->def;
        mock_window_take(a->inst[i], c->req->now, amount_of(c, d));
        if (d->algo == MOCK_ALGO_CONCURRENCY && *nheld < MOCK_MAX_CONCURRENCY)
            held[(*nheld)++] = (mock_hold_slot){
                (uint16_t)a->set[i], (uint16_t)(a->inst[i] - c->ps->sets[a->set[i]].inst)};
    }
}

/* Checks every window that applies into *a; *wait is the longest wait of a
 * window that refuses (-1 when all admit). Returns the index of the
 * refusing set for the note, or -1. Counts nothing: charge_windows does,
 * once the answer is planned. */
static int check_windows(req_ctx *c, applied *a, cm_us *wait, mock_window_view *refused_view)
{
    int refused;
    check_each(c, a, wait, &refused);
    for (size_t i = 0; i < a->n && refused >= 0; i++)
        if (a->set[i] == (size_t)refused)
            *refused_view = a->v[i];
    return refused;
}

/* Counts the request in every window of a when `take` (every window
 * admitted it); an output_tokens window counts c->out_tokens as the plan
 * left it, and its view is taken again for that amount (never more than
 * the estimate it admitted). Otherwise the request is counted nowhere, and
 * every window's view (so its headers) says "now", whichever window
 * refused. Fills ls; concurrency windows and windows with "report": false
 * stay out of the headers. The concurrency slots taken go to *held. */
static void charge_windows(req_ctx *c, applied *a, bool take, mock_limit_set *ls,
                           mock_hold_slot *held, uint8_t *nheld)
{
    for (size_t i = 0; i < a->n && take; i++)
        if (a->inst[i]->def->unit == MOCK_UNIT_OUTPUT_TOKENS)
            mock_window_check(a->inst[i], c->req->now, c->out_tokens, &a->v[i]);
    if (take)
        take_each(c, a, held, nheld);
    for (size_t i = 0; i < a->n; i++) {
        const mock_window_def *d = a->inst[i]->def;
        if (!take && a->v[i].admit)
            mock_window_check(a->inst[i], c->req->now, 0, &a->v[i]); /* uncharged: now */
        if (d->report && d->algo != MOCK_ALGO_CONCURRENCY)
            mock_limit_set_add(ls, d, &a->v[i]);
    }
}

/* What a refusal knows: the window, its view now, the wait, the request. */
typedef struct refusal {
    const mock_window_def *d;
    const mock_window_view *v;
    cm_us wait;
    int64_t amount;
} refusal;

/* "org-NAME": the key's organisation as OpenAI names one in messages. */
static void put_org(cm_sbuf *b, const req_ctx *c)
{
    const char *org = c->key >= 0 ? c->p->key_orgs[c->key] : "mock";
    if (strncmp(org, "org-", 4) != 0)
        cm_sbuf_str(b, "org-");
    cm_sbuf_str(b, org);
}

/* "requests per min (RPM)", "tokens per day (TPD)", "requests per 10s". */
static void put_window_unit(cm_sbuf *b, const mock_window_def *d)
{
    bool req = d->unit == MOCK_UNIT_REQUESTS;
    cm_sbuf_str(b, req ? "requests per " : "tokens per ");
    if (d->period == 60 * CM_US_PER_S) {
        cm_sbuf_str(b, req ? "min (RPM)" : "min (TPM)");
    } else if (d->period == 86400 * CM_US_PER_S) {
        cm_sbuf_str(b, req ? "day (RPD)" : "day (TPD)");
    } else {
        cm_sbuf_g(b, cm_s_from_us(d->period));
        cm_sbuf_char(b, 's');
    }
}

/* A delay as Go writes durations, rounded up to the millisecond ("20s", "2m13.5s"). */
static void put_go_delay(cm_sbuf *b, cm_us wait)
{
    char dur[32];
    cm_fmt_go_duration((wait + CM_US_PER_MS - 1) / CM_US_PER_MS * CM_US_PER_MS, dur, sizeof dur);
    cm_sbuf_str(b, dur);
}

/* OpenAI (and Groq): "Rate limit reached for MODEL in organization ORG on
 * requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in
 * 20s. Visit ..." as in real 429 bodies (OpenBMB/ChatDev#26, read
 * 2026-12-04). */
static void openai_message(const req_ctx *c, const refusal *r, cm_sbuf *b)
{
    cm_sbuf_str(b, "Rate limit reached for ");
    cm_sbuf_str(b, c->p->models[c->model].name);
    cm_sbuf_str(b, " in organization ");
    put_org(b, c);
    cm_sbuf_str(b, " on ");
    put_window_unit(b, r->d);
    cm_sbuf_str(b, ": Limit ");
    cm_sbuf_i64(b, r->d->limit);
    cm_sbuf_str(b, ", Used ");
    cm_sbuf_i64(b, r->d->limit - r->v->remaining);
    cm_sbuf_str(b, ", Requested ");
    cm_sbuf_i64(b, r->amount);
    cm_sbuf_str(b, ". Please try again in ");
    put_go_delay(b, r->wait);
    cm_sbuf_str(b, ". Visit https://platform.openai.com/account/rate-limits to learn more.");
}

/* "ORG<KEYID>": the account as Moonshot names it in messages (the key by its
 * id, never its value). */
static void put_moonshot_account(cm_sbuf *b, const req_ctx *c)
{
    char id[CM_KEYID_LEN];
    put_org(b, c);
    cm_keyid(c->req->key, id);
    cm_sbuf_char(b, '<');
    cm_sbuf_str(b, id);
    cm_sbuf_char(b, '>');
}

/* Moonshot, as in real 429 bodies: "Your account ORG<ak-...> request reached
 * max organization concurrency: 1, please try again after 1 seconds", "...
 * request reached organization max RPM: 3, please try again after 1
 * seconds" (LLM-Red-Team/kimi-cc#16, MoonshotAI/Kimi-K2#34) and "request
 * reached organization TPD rate limit, current: 1508351, limit: 1500000"
 * (farion1231/cc-switch#240), read 2026-12-04. */
static void moonshot_message(const req_ctx *c, const refusal *r, cm_sbuf *b)
{
    const mock_window_def *d = r->d;
    bool day = d->period >= 86400 * CM_US_PER_S;
    cm_sbuf_str(b, "Your account ");
    put_moonshot_account(b, c);
    if (d->algo == MOCK_ALGO_CONCURRENCY) {
        cm_sbuf_str(b, " request reached max organization concurrency: ");
    } else if (d->unit != MOCK_UNIT_REQUESTS && day) {
        cm_sbuf_str(b, " request reached organization TPD rate limit, current: ");
        cm_sbuf_i64(b, d->limit - r->v->remaining);
        cm_sbuf_str(b, ", limit: ");
        cm_sbuf_i64(b, d->limit);
        return;
    } else {
        cm_sbuf_str(b, " request reached organization max ");
        cm_sbuf_str(b, d->unit == MOCK_UNIT_REQUESTS ? (day ? "RPD" : "RPM") : "TPM");
        cm_sbuf_str(b, ": ");
    }
    cm_sbuf_i64(b, d->limit);
    cm_sbuf_str(b, ", please try again after ");
    cm_sbuf_i64(b, (r->wait + CM_US_PER_S - 1) / CM_US_PER_S);
    cm_sbuf_str(b, " seconds");
}

/* 1000000 as "1,000,000". */
static void put_thousands(cm_sbuf *b, int64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)v);
    for (int i = 0; i < n; i++) {
        if (i > 0 && digits[0] != '-' && (n - i) % 3 == 0)
            cm_sbuf_char(b, ',');
        cm_sbuf_char(b, digits[i]);
    }
}

/* Anthropic, as in a real 429: "This request would exceed the rate limit
 * for your organization (ORG) of 1,000,000 input tokens per minute. For
 * details, refer to: ... or try again later." (stackblitz/bolt.new#8589,
 * read 2026-12-04). */
static void anthropic_message(const req_ctx *c, const refusal *r, cm_sbuf *b)
{
    static const char *const units[] = {"requests", "tokens", "input tokens", "output tokens"};
    const mock_window_def *d = r->d;
    cm_sbuf_str(b, "This request would exceed the rate limit for your organization (");
    cm_sbuf_str(b, c->key >= 0 ? c->p->key_orgs[c->key] : "mock");
    cm_sbuf_str(b, ") of ");
    put_thousands(b, d->limit);
    cm_sbuf_char(b, ' ');
    cm_sbuf_str(b, units[d->unit]);
    if (d->period == 60 * CM_US_PER_S) {
        cm_sbuf_str(b, " per minute");
    } else if (d->period == 86400 * CM_US_PER_S) {
        cm_sbuf_str(b, " per day");
    } else {
        cm_sbuf_str(b, " per ");
        cm_sbuf_g(b, cm_s_from_us(d->period));
        cm_sbuf_str(b, " seconds");
    }
    cm_sbuf_str(b, ". For details, refer to: https://docs.anthropic.com/en/api/rate-limits. You "
                   "can see the response headers for current usage. Please reduce the prompt "
                   "length or the maximum tokens requested, or try again later.");
}

/* The message of a refusal in the provider's error style; "" to keep the
 * style's default (OpenRouter's "Rate limit exceeded"). */
static void refusal_message(const req_ctx *c, const refusal *r, const mock_plan *out, char *msg,
                            size_t size)
{
    cm_sbuf b;
    cm_sbuf_init(&b, msg, size);
    mock_error_style style = mock_plan_style(out);
    if (style == MOCK_ERRORS_OPENROUTER)
        return;
    if (style == MOCK_ERRORS_MOONSHOT) {
        moonshot_message(c, r, &b);
    } else if (r->d->algo == MOCK_ALGO_CONCURRENCY) {
        cm_sbuf_str(&b, "Too many requests in flight: limit ");
        cm_sbuf_i64(&b, r->d->limit);
        cm_sbuf_str(&b, " at a time. Please try again when one has finished.");
    } else if (style == MOCK_ERRORS_GEMINI) {
        /* The documented quota message and the observed "Please retry in
         * 55.576865699s." (continuedev/continue#12205). */
        cm_sbuf_str(&b, "You exceeded your current quota, please check your plan and billing "
                        "details. Please retry in ");
        cm_sbuf_g(&b, cm_s_from_us(r->wait));
        cm_sbuf_str(&b, "s.");
    } else if (style == MOCK_ERRORS_ANTHROPIC) {
        anthropic_message(c, r, &b);
    } else {
        openai_message(c, r, &b);
    }
}

/* OpenAI's quota refusal (no wait cures it): developers.openai.com/docs/guides/error-codes
 * ("429 - You exceeded your current quota, ..."), read 2026-12-04. */
static const char insufficient_quota[] =
    "You exceeded your current quota, please check your plan and billing details.";

static void window_refusal(req_ctx *c, int set, const mock_window_view *v, cm_us wait,
                           mock_plan *out)
{
    const mock_window_def *d = c->ps->sets[set].def;
    mock_ra_form form = d->ra_form == MOCK_RA_DEFAULT ? c->p->ra_form : d->ra_form;
    if (out->known.no_text) { /* the same answer without its message and note */
        mock_plan_error(out, 429, NULL, NULL, NULL);
        put_retry_after(out, form, wait, c->req->now);
        return;
    }
    char msg[sizeof out->error_message];
    refusal r = {d, v, wait, amount_of(c, d)};
    refusal_message(c, &r, out, msg, sizeof msg);
    const char *type = d->error_type;
    bool oa = mock_plan_style(out) == MOCK_ERRORS_OPENAI;
    if (!type && oa) /* OpenAI names the unit that tripped: "requests" or "tokens" */
        type = d->unit == MOCK_UNIT_REQUESTS || d->algo == MOCK_ALGO_CONCURRENCY ? "requests"
                                                                                 : "tokens";
    const char *text = d->error_message                                        ? d->error_message
                       : oa && type && strcmp(type, "insufficient_quota") == 0 ? insufficient_quota
                       : msg[0]                                                ? msg
                                                                               : NULL;
    mock_plan_error(out, 429, type, d->error_code, text);
    put_retry_after(out, form, wait, c->req->now);
    out->quota_id = d->name;
    cm_sbuf b;
    cm_sbuf_init(&b, out->note, sizeof out->note);
    cm_sbuf_str(&b, "window ");
    if (d->name)
        cm_sbuf_str(&b, d->name);
    else
        cm_sbuf_i64(&b, set);
}

/* The request holds the concurrency slots in held[] until its ticket is
 * released; planned to end when its answer ends (a hang: unknown). Out of
 * memory, the slots are given back at once (the request is not held). */
static void hold_slots(req_ctx *c, const mock_hold_slot *held, uint8_t n, mock_plan *out)
{
    mock_hold *h = mock_hold_new(c->m);
    if (!h) {
        for (uint8_t k = 0; k < n; k++)
            mock_window_give_back(&c->ps->sets[held[k].set].inst[held[k].inst]);
        return;
    }
    h->provider = (uint16_t)(c->ps - c->m->ps);
    h->n = n;
    memcpy(h->w, held, n * sizeof *held);
    cm_us len = out->latency > 0 ? out->latency : 0;
    if (out->fault == MOCK_FAULT_SLOW_BODY)
        len = cm_us_add(len, out->slow_body);
    h->end = out->fault == MOCK_FAULT_HANG ? CM_US_MAX : cm_us_add(c->req->now, len);
    out->ticket = h->ticket;
}

/* out->note = text + rest (rest may be NULL); left empty for a no_text request. */
static void note_text(mock_plan *out, const char *text, const char *rest)
{
    if (!out->known.no_text)
        snprintf(out->note, sizeof out->note, "%s%s", text, rest ? rest : "");
}

/* out->note = prefix + n. */
static void note_n(mock_plan *out, const char *prefix, size_t n)
{
    if (out->known.no_text)
        return;
    cm_sbuf b;
    cm_sbuf_init(&b, out->note, sizeof out->note);
    cm_sbuf_str(&b, prefix);
    cm_sbuf_u64_pad(&b, n, 0);
}

/* out->note = "script W step S". */
static void note_script(mock_plan *out, size_t which, size_t step)
{
    if (out->known.no_text)
        return;
    note_n(out, "script ", which);
    cm_sbuf b = {out->note, sizeof out->note, strlen(out->note)};
    cm_sbuf_str(&b, " step ");
    cm_sbuf_u64_pad(&b, step, 0);
}

/* A rule whose only effect is a fault inside a stream does not apply to a
 * request that did not ask for one: it is answered as if the rule were not
 * there. */
static bool applies(const req_ctx *c, const mock_answer *a)
{
    return c->req->stream || a->stream_fault == MOCK_STREAM_NONE || a->status != 200 ||
           a->fault != MOCK_FAULT_NONE;
}

/* The first fault rule whose draw hits; every matching rule draws once, in
 * order, until one hits, so the sequence of draws depends only on requests.
 * The answer it applied, or NULL. */
static const mock_answer *roll_faults(req_ctx *c, mock_plan *out)
{
    const char *model = c->p->models[c->model].name;
    for (size_t i = 0; i < c->p->nfaults; i++) {
        const mock_fault_def *f = &c->p->faults[i];
        if (!matches(f->model, model) || !matches(f->key, key_name(c)) || !applies(c, &f->answer))
            continue;
        if (!cm_rng_chance(c->rng, f->probability)) {
            c->ps->fault_hits[i] = 0;
            continue;
        }
        apply_answer(c, &f->answer, ++c->ps->fault_hits[i], out);
        extra_headers(out, f->answer.headers, f->answer.nheaders);
        note_n(out, "fault ", i);
        return &f->answer;
    }
    return NULL;
}

/* Tokens a stream of this request would carry whole: the model's stream
 * length (else its output_tokens) less what the client already holds, at
 * least 1. */
static int64_t stream_length(const req_ctx *c)
{
    const mock_model_def *md = &c->p->models[c->model];
    int64_t total = md->stream.tokens ? md->stream.tokens : md->output_tokens;
    int64_t left = total - (int64_t)c->req->resume_from;
    return left > 1 ? left : 1;
}

/* A 2xx answer to a request that asked for a stream goes out as one: the
 * model's stream settings (model/stream.h's timeline), the client's resume
 * point, and the fault of the rule that decided the answer, if it has one.
 * Streamed tokens are what the answer reports as its output. */
static void plan_stream(req_ctx *c, const mock_answer *a, mock_plan *out)
{
    if (out->status < 200 || out->status > 299 || out->fault != MOCK_FAULT_NONE ||
        out->body != MOCK_BODY_COMPLETION)
        return;
    const mock_model_def *md = &c->p->models[c->model];
    const mock_stream_cfg *cfg = &md->stream;
    mock_stream *st = &out->stream;
    *st = (mock_stream){.on = true,
                        .usage = c->req->stream_usage,
                        .tokens = (uint32_t)stream_length(c),
                        .first = cfg->has_ttft ? draw_latency(c->rng, &cfg->ttft) : 0,
                        .every = cm_us_from_s(1.0 / cfg->tokens_per_s)};
    if (a && a->stream_fault != MOCK_STREAM_NONE && a->fault_after < st->tokens) {
        st->fault = a->stream_fault;
        st->fault_after = a->fault_after;
        st->stall = a->stall;
        const char *type = a->stream_error                      ? a->stream_error
                           : out->shape == MOCK_SHAPE_ANTHROPIC ? "overloaded_error"
                                                                : "server_error";
        cm_strcpy_cut(st->error_type, sizeof st->error_type, type);
    }
    out->tokens_out = mock_stream_delivered(st);
    c->out_tokens = out->tokens_out;
}

/* The rules after the model check: phase, script, windows, faults, latency. */
static void decide(req_ctx *c, mock_plan *out)
{
    const mock_phase_def *ph = phase_now(c);
    size_t which = 0;
    int64_t nth = 0;
    const mock_step *st = ph ? NULL : script_step(c, &which, &nth);
    const mock_answer *a = ph ? &ph->answer : st && !st->answer.pass ? &st->answer : NULL;
    if (a && !applies(c, a))
        a = NULL;
    mock_limit_set ls = {0};
    cm_us wait;
    mock_hold_slot held[MOCK_MAX_CONCURRENCY];
    uint8_t nheld = 0;
    mock_window_view rv = {0};
    const mock_answer *used = NULL;
    c->out_tokens = c->req->stream ? stream_length(c) : c->p->models[c->model].output_tokens;
    applied aw;
    int refused = check_windows(c, &aw, &wait, &rv);
    if (a) {
        apply_answer(c, a, nth, out);
        if (ph)
            note_n(out, "phase ", (size_t)(ph - c->p->phases));
        else
            note_script(out, which, (size_t)(st - c->p->scripts[which].steps));
    } else if (refused >= 0) {
        window_refusal(c, refused, &rv, wait, out);
    } else if (!(used = roll_faults(c, out))) {
        success(c, out);
        if (!out->known.no_text)
            cm_strcpy_cut(out->note, sizeof out->note, st ? "script pass" : "ok");
    }
    if (c->req->stream && refused < 0)
        plan_stream(c, a ? a : used, out);
    charge_windows(c, &aw, a == NULL && refused < 0, &ls, held, &nheld);
    if (nheld)
        hold_slots(c, held, nheld, out);
    if (!c->p->limits_on_refusals || refused >= 0)
        mock_limit_headers_for(out, &ls, c->req->now, c->p);
    if (c->tier >= 0)
        extra_headers(out, c->p->tiers[c->tier].headers, c->p->tiers[c->tier].nheaders);
    if (a)
        extra_headers(out, a->headers, a->nheaders);
}

static bool endpoint_ok(const mock_provider_def *p, mock_endpoint ep)
{
    if (ep == MOCK_EP_MODELS)
        return true;
    if (p->shape == MOCK_SHAPE_OPENAI)
        return ep == MOCK_EP_CHAT || ep == MOCK_EP_RESPONSES;
    return ep == MOCK_EP_MESSAGES;
}

/* Provider, endpoint, key and model checks; false when they already answered. */
static bool admit_request(req_ctx *c, mock_plan *out)
{
    const mock_request *req = c->req;
    if (!endpoint_ok(c->p, req->endpoint)) {
        mock_plan_error(out, 404, NULL, "", "Unknown endpoint for this provider.");
        note_text(out, "unknown endpoint", NULL);
        return false;
    }
    c->key = !c->p->nkeys ? -1
             : req->key_ix && req->key_ix <= c->p->nkeys
                 ? (int)req->key_ix - 1
                 : mock_provider_key_by_value(c->p, req->key);
    /* The id is read only when the key is not one of the provider's (notes,
     * per-key windows of a provider without a key list): hash it only then. */
    if (c->key < 0 || !req->key || !req->key[0])
        cm_keyid(req->key, c->key_id);
    if ((c->p->nkeys && c->key < 0) || !req->key || !req->key[0]) {
        mock_plan_error(out, 401, NULL, NULL, NULL); /* the style's texts for a bad key */
        out->status = c->p->invalid_key_status;
        note_text(out, "invalid key ", c->key_id);
        return false;
    }
    if (req->endpoint == MOCK_EP_MODELS) {
        out->body = MOCK_BODY_MODELS;
        note_text(out, "models", NULL);
        return false;
    }
    c->model = req->model_ix && req->model_ix <= c->p->nmodels
                   ? (int)req->model_ix - 1
                   : mock_provider_model_find(c->p, req->model);
    if (c->model < 0) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "The model `%.100s` does not exist or you do not have access "
                 "to it.",
                 req->model ? req->model : "");
        mock_plan_error(out, 404, NULL, NULL, msg);
        note_text(out, "unknown model", NULL);
        return false;
    }
    return true;
}

/* The Date header for `now`, formatted once per scenario second. */
static const char *date_of(mock_model *m, cm_us now)
{
    cm_us second = now - now % CM_US_PER_S;
    if (m->date_second != second) {
        cm_fmt_http_date_at(m->epoch_s, second, m->date_text, sizeof m->date_text);
        m->date_second = second;
    }
    return m->date_text;
}

void mock_model_respond(mock_model *m, const mock_request *request, mock_plan *out)
{
    /* Times outside [0, CM_US_MAX] are clamped so window arithmetic cannot overflow. */
    mock_request r = *request;
    r.now = r.now < 0 ? 0 : r.now > CM_US_MAX ? CM_US_MAX : r.now;
    const mock_request *req = &r;
    req_ctx c = {.m = m, .rng = &m->rng, .req = req, .key = -1, .model = -1, .tier = -1};
    cm_rng own;
    if (req->attempt_id != 0 && mock_scenario_draws_per_attempt(m->sc)) {
        cm_rng_fork(&m->base, req->attempt_id, &own);
        c.rng = &own;
    }
    const char *date = date_of(m, req->now);
    m->requests++;
    mock_plan_init_dated(out, MOCK_SHAPE_OPENAI, NULL);
    out->known.exact = true;
    out->known.lazy = request->values_only;
    out->known.no_text = request->no_text;
    out->known.date_at = m->date_second;
    out->known.epoch_s = m->epoch_s;
    mock_known_date(out, date);
    int pi = req->provider_ix && req->provider_ix <= m->sc->nproviders
                 ? (int)req->provider_ix - 1
                 : mock_scenario_provider_find(m->sc, req->provider);
    if (pi < 0) {
        mock_plan_error(out, 404, NULL, "", "Unknown provider.");
        note_text(out, "unknown provider", NULL);
        return;
    }
    c.p = &m->sc->providers[pi];
    c.ps = &m->ps[pi];
    out->shape = c.p->shape;
    out->error_style = c.p->error_style;
    if (c.p->request_id_header) /* deterministic: the seed and the request's number */
        mock_known_request_id(out, c.p->request_id_header, c.p->request_id_prefix,
                              m->sc->seed * UINT64_C(0xd1b54a32d192ed03) + m->requests);
    if (admit_request(&c, out))
        decide(&c, out);
}

void mock_model_resolve(const mock_model *m, mock_request *req)
{
    req->provider_ix = req->model_ix = req->key_ix = 0;
    int pi = mock_scenario_provider_find(m->sc, req->provider);
    if (pi < 0)
        return;
    const mock_provider_def *p = &m->sc->providers[pi];
    int mi = mock_provider_model_find(p, req->model);
    int ki = p->nkeys ? mock_provider_key_by_value(p, req->key) : -1;
    req->provider_ix = (uint32_t)pi + 1;
    req->model_ix = mi >= 0 ? (uint32_t)mi + 1 : 0;
    req->key_ix = ki >= 0 ? (uint32_t)ki + 1 : 0;
}

void mock_model_set_epoch(mock_model *m, int64_t epoch_unix_s)
{
    if (m->epoch_s != epoch_unix_s)
        m->date_second = -1; /* the cached Date text was for the old epoch */
    m->epoch_s = epoch_unix_s;
}

int64_t mock_model_epoch(const mock_model *m)
{
    return m->epoch_s;
}
