/* model_state.c: creating, resetting and freeing the provider model's state,
 * finding window instances by scope value, and the admin view of usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockserver/model/state.h"

static void set_clear(mock_window_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        mock_window_free(&s->inst[i]);
    free(s->inst);
    free(s->ids);
    s->inst = NULL;
    s->ids = NULL;
    s->n = s->cap = 0;
}

static int set_grow(mock_window_set *s)
{
    size_t cap = s->cap ? s->cap * 2 : 4;
    mock_window *inst = realloc(s->inst, cap * sizeof *inst);
    if (!inst)
        return -1;
    s->inst = inst;
    char(*ids)[MOCK_INSTANCE_ID] = realloc(s->ids, cap * sizeof *ids);
    if (!ids)
        return -1;
    s->ids = ids;
    s->cap = cap;
    return 0;
}

mock_window *mock_window_set_get(mock_window_set *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0)
            return &s->inst[i];
    if (s->n == MOCK_MAX_INSTANCES - 1 && strcmp(id, "overflow") != 0)
        return mock_window_set_get(s, "overflow");
    if (s->n == s->cap && set_grow(s) != 0)
        return NULL;
    snprintf(s->ids[s->n], MOCK_INSTANCE_ID, "%s", id);
    mock_window_init(&s->inst[s->n], s->def);
    return &s->inst[s->n++];
}

mock_script_cursor *mock_script_cursor_of(mock_prov_state *ps, const mock_provider_def *p,
                                          size_t script, int key)
{
    size_t slot = p->nkeys; /* shared */
    if (p->scripts[script].per_key && key >= 0)
        slot = (size_t)key;
    return &ps->cursors[script * (p->nkeys + 1) + slot];
}

cm_us mock_day_origin(const mock_model *m, const mock_window_def *d)
{
    const cm_us day = INT64_C(86400) * CM_US_PER_S;
    /* A day starts where (epoch + t) is day_offset past a UTC midnight. */
    int64_t into = m->epoch_s % 86400;
    cm_us origin = (d->day_offset - (into < 0 ? into + 86400 : into) * CM_US_PER_S) % day;
    return origin < 0 ? origin + day : origin;
}

/* Tickets: (sequence << 24) | (entry index + 1), so that a stale ticket of
 * a reused entry never matches it. */
#define HOLD_INDEX_BITS 24
#define HOLD_INDEX_MAX ((UINT64_C(1) << HOLD_INDEX_BITS) - 1)

mock_hold *mock_hold_new(mock_model *m)
{
    size_t i;
    if (m->nfree_holds > 0) {
        i = m->free_holds[--m->nfree_holds];
    } else {
        if (m->nholds == HOLD_INDEX_MAX)
            return NULL;
        if (m->nholds == m->cap_holds) {
            size_t cap = m->cap_holds ? m->cap_holds * 2 : 16;
            mock_hold *h = realloc(m->holds, cap * sizeof *h);
            if (!h)
                return NULL;
            m->holds = h;
            uint32_t *f = realloc(m->free_holds, cap * sizeof *f);
            if (!f)
                return NULL;
            m->free_holds = f;
            m->cap_holds = cap;
        }
        i = m->nholds++;
    }
    mock_hold *h = &m->holds[i];
    h->ticket = (++m->hold_seq << HOLD_INDEX_BITS) | (uint64_t)(i + 1);
    h->n = 0;
    h->end = CM_US_MAX;
    return h;
}

void mock_holds_clear(mock_model *m)
{
    m->nholds = m->nfree_holds = 0;
}

void mock_model_release(mock_model *m, uint64_t ticket, cm_us now)
{
    (void)now;
    uint64_t i = ticket & HOLD_INDEX_MAX;
    if (ticket == 0 || i == 0 || i > m->nholds || m->holds[i - 1].ticket != ticket)
        return; /* none, already released, or from before a reset */
    mock_hold *h = &m->holds[i - 1];
    mock_prov_state *ps = &m->ps[h->provider];
    for (uint8_t k = 0; k < h->n; k++) {
        mock_window_set *set = &ps->sets[h->w[k].set];
        if (h->w[k].inst < set->n)
            mock_window_give_back(&set->inst[h->w[k].inst]);
    }
    h->ticket = 0;
    m->free_holds[m->nfree_holds++] = (uint32_t)(i - 1);
}

static int prov_state_init(mock_prov_state *ps, const mock_provider_def *p)
{
    ps->nsets = p->nwindows;
    for (size_t t = 0; t < p->ntiers; t++) {
        ps->tier_first[t] = ps->nsets;
        ps->nsets += p->tiers[t].nwindows;
    }
    ps->sets = calloc(ps->nsets + 1, sizeof *ps->sets);
    ps->cursors = calloc(p->nscripts * (p->nkeys + 1) + 1, sizeof *ps->cursors);
    ps->fault_hits = calloc(p->nfaults + 1, sizeof *ps->fault_hits);
    if (!ps->sets || !ps->cursors || !ps->fault_hits)
        return -1;
    for (size_t w = 0; w < p->nwindows; w++)
        ps->sets[w].def = &p->windows[w];
    for (size_t t = 0; t < p->ntiers; t++)
        for (size_t w = 0; w < p->tiers[t].nwindows; w++)
            ps->sets[ps->tier_first[t] + w].def = &p->tiers[t].windows[w];
    return 0;
}

static void prov_state_clear(mock_prov_state *ps)
{
    for (size_t i = 0; ps->sets && i < ps->nsets; i++)
        set_clear(&ps->sets[i]);
    free(ps->sets);
    free(ps->cursors);
    free(ps->fault_hits);
    memset(ps, 0, sizeof *ps);
}

mock_model *mock_model_new(const mock_scenario *sc)
{
    mock_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->sc = sc;
    m->date_second = -1;
    m->epoch_s = CM_SCENARIO_EPOCH;
    m->ps = calloc(sc->nproviders + 1, sizeof *m->ps);
    if (!m->ps) {
        free(m);
        return NULL;
    }
    for (size_t i = 0; i < sc->nproviders; i++)
        if (prov_state_init(&m->ps[i], &sc->providers[i]) != 0) {
            mock_model_free(m);
            return NULL;
        }
    cm_rng_seed(&m->rng, sc->seed);
    cm_rng_seed(&m->base, sc->seed);
    return m;
}

void mock_model_free(mock_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; m->ps && i < m->sc->nproviders; i++)
        prov_state_clear(&m->ps[i]);
    free(m->ps);
    free(m->holds);
    free(m->free_holds);
    free(m);
}

void mock_model_reset(mock_model *m)
{
    for (size_t i = 0; i < m->sc->nproviders; i++) {
        const mock_provider_def *p = &m->sc->providers[i];
        mock_prov_state *ps = &m->ps[i];
        for (size_t s = 0; s < ps->nsets; s++) {
            const mock_window_def *def = ps->sets[s].def;
            set_clear(&ps->sets[s]);
            ps->sets[s].def = def;
        }
        memset(ps->cursors, 0, (p->nscripts * (p->nkeys + 1) + 1) * sizeof *ps->cursors);
        memset(ps->fault_hits, 0, (p->nfaults + 1) * sizeof *ps->fault_hits);
    }
    cm_rng_seed(&m->rng, m->sc->seed);
    mock_holds_clear(m);
    m->requests = 0;
}

static const char *const scope_names[] = {"key",      "organisation", "model",
                                          "provider", "group",        "organisation_model"};
static const char *const algo_names[] = {"fixed", "sliding", "token_bucket", "concurrency", "day"};
static const char *const unit_names[] = {"requests", "tokens", "input_tokens", "output_tokens"};

/* One instance's usage; the check runs on a copy so the state stays as it is. */
static cJSON *instance_json(const mock_window_set *s, size_t i, const char *tier, cm_us now,
                            cm_us origin)
{
    const mock_window_def *d = s->def;
    mock_window copy = s->inst[i];
    copy.origin = origin;
    mock_window_view v;
    mock_window_check(&copy, now, 0, &v);
    cJSON *o = cJSON_CreateObject();
    char name[96];
    if (d->name)
        snprintf(name, sizeof name, "%s", d->name);
    else
        snprintf(name, sizeof name, "%s/%gs", unit_names[d->unit], cm_s_from_us(d->period));
    if (!d->name && d->algo == MOCK_ALGO_CONCURRENCY)
        snprintf(name, sizeof name, "%s/in-flight", unit_names[d->unit]);
    cJSON_AddStringToObject(o, "window", name);
    if (tier)
        cJSON_AddStringToObject(o, "tier", tier);
    cJSON_AddStringToObject(o, "scope", scope_names[d->scope]);
    cJSON_AddStringToObject(o, "instance", s->ids[i]);
    cJSON_AddStringToObject(o, "algorithm", algo_names[d->algo]);
    cJSON_AddStringToObject(o, "unit", unit_names[d->unit]);
    cJSON_AddNumberToObject(o, "limit", (double)d->limit);
    cJSON_AddNumberToObject(o, "used", (double)(d->limit - v.remaining));
    cJSON_AddNumberToObject(o, "remaining", (double)v.remaining);
    cJSON_AddNumberToObject(o, "reset_s", cm_s_from_us(v.reset));
    return o;
}

static const char *set_tier(const mock_provider_def *p, const mock_prov_state *ps, size_t set)
{
    const char *tier = NULL;
    for (size_t t = 0; t < p->ntiers; t++)
        if (set >= ps->tier_first[t])
            tier = p->tiers[t].name;
    return tier;
}

/* The tier in force at `now` for requests of any model (phases without a model filter). */
static int tier_at(const mock_provider_def *p, cm_us now)
{
    int tier = p->tier;
    for (size_t i = 0; i < p->nphases; i++) {
        const mock_phase_def *ph = &p->phases[i];
        if (!ph->model && ph->tier >= 0 && now >= ph->from && now < ph->to)
            tier = ph->tier;
    }
    return tier;
}

cJSON *mock_model_state_json(const mock_model *m, cm_us now)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *provs = cJSON_AddArrayToObject(root, "providers");
    for (size_t i = 0; i < m->sc->nproviders; i++) {
        const mock_provider_def *p = &m->sc->providers[i];
        const mock_prov_state *ps = &m->ps[i];
        cJSON *po = cJSON_CreateObject();
        cJSON_AddStringToObject(po, "name", p->name);
        int tier = tier_at(p, now);
        if (tier >= 0)
            cJSON_AddStringToObject(po, "tier", p->tiers[tier].name);
        cJSON *wins = cJSON_AddArrayToObject(po, "windows");
        for (size_t s = 0; s < ps->nsets; s++)
            for (size_t k = 0; k < ps->sets[s].n; k++)
                cJSON_AddItemToArray(wins, instance_json(&ps->sets[s], k, set_tier(p, ps, s), now,
                                                         mock_day_origin(m, ps->sets[s].def)));
        cJSON_AddItemToArray(provs, po);
    }
    return root;
}
