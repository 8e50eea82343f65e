/* breaker.c: the per-candidate circuit breaker (closed / open / half-open),
 * its policy section parser and its summary JSON. */
#include "engine/core/breaker.h"

#include <stddef.h>

static const char *const rl_breaker_names[] = {
#define X(name, text) text,
    RL_BREAKER_STATES(X)
#undef X
};

#define RL_BREAKER_MAX_OPEN_S (365.0 * 24 * 3600)

void rl_breaker_cfg_default(rl_breaker_cfg *cfg)
{
    cfg->enabled = false;
    cfg->failures = 5;
    cfg->open_for = 30 * CM_US_PER_S;
    cfg->half_open_probes = 1;
}

int rl_breaker_parse(const cm_json *doc, const cJSON *node, const char *ctx, rl_breaker_cfg *cfg,
                     cm_err *err)
{
    static const char *const keys[] = {"failures", "open_s",  "half_open_probes",
                                       "enabled",  "comment", NULL};
    rl_breaker_cfg_default(cfg);
    if (!node)
        return 0;
    if (cm_json_check_keys(doc, node, ctx, keys, err) != 0)
        return -1;
    int64_t failures = cfg->failures, probes = cfg->half_open_probes;
    double open_s = cm_s_from_us(cfg->open_for);
    bool enabled = true;
    const char *comment = NULL;
    if (cm_json_get_int(doc, node, ctx, "failures", false, 1, 1000000, &failures, err) != 0 ||
        cm_json_get_number(doc, node, ctx, "open_s", false, 0.001, RL_BREAKER_MAX_OPEN_S, &open_s,
                           err) != 0 ||
        cm_json_get_int(doc, node, ctx, "half_open_probes", false, 1, 1000, &probes, err) != 0 ||
        cm_json_get_bool(doc, node, ctx, "enabled", false, &enabled, err) != 0 ||
        cm_json_get_string(doc, node, ctx, "comment", false, 4096, &comment, err) != 0) {
        rl_breaker_cfg_default(cfg);
        return -1;
    }
    cfg->enabled = enabled;
    cfg->failures = (uint32_t)failures;
    cfg->open_for = cm_us_from_s(open_s);
    cfg->half_open_probes = (uint32_t)probes;
    return 0;
}

void rl_breaker_init(rl_breaker *b)
{
    *b = (rl_breaker){.state = RL_BREAKER_CLOSED};
}

/* The one place that changes state, so every transition resets the same way. */
static void rl_breaker_set(rl_breaker *b, const rl_breaker_cfg *c, rl_breaker_state to, cm_us now)
{
    b->state = to;
    b->consecutive_failures = 0;
    b->probes_sent = 0;
    b->probes_ok = 0;
    b->open_until = 0;
    b->probe_at = 0;
    if (to == RL_BREAKER_OPEN) {
        b->open_until = cm_us_add(now, c->open_for);
        b->opens++;
    }
}

bool rl_breaker_allows(rl_breaker *b, const rl_breaker_cfg *c, cm_us now)
{
    if (!c->enabled)
        return true;
    if (b->state == RL_BREAKER_OPEN && now >= b->open_until)
        rl_breaker_set(b, c, RL_BREAKER_HALF_OPEN, now);
    switch (b->state) {
    case RL_BREAKER_CLOSED:
        return true;
    case RL_BREAKER_HALF_OPEN:
        return b->probes_sent < c->half_open_probes;
    case RL_BREAKER_OPEN:
    default:
        return false;
    }
}

void rl_breaker_on_send(rl_breaker *b, const rl_breaker_cfg *c, cm_us now)
{
    if (c->enabled && b->state == RL_BREAKER_HALF_OPEN && b->probes_sent < UINT32_MAX) {
        b->probes_sent++;
        b->probe_at = now;
    }
}

cm_us rl_breaker_ready_at(const rl_breaker *b, const rl_breaker_cfg *c, cm_us now)
{
    if (!c->enabled)
        return now;
    switch (b->state) {
    case RL_BREAKER_OPEN:
        return b->open_until > now ? b->open_until : now;
    case RL_BREAKER_HALF_OPEN:
        return b->probes_sent < c->half_open_probes ? now : CM_US_MAX;
    case RL_BREAKER_CLOSED:
    default:
        return now;
    }
}

cm_us rl_breaker_recheck_at(const rl_breaker *b, const rl_breaker_cfg *c, cm_us probe_timeout,
                            cm_us now)
{
    cm_us at = rl_breaker_ready_at(b, c, now);
    if (at < CM_US_MAX)
        return at;
    cm_us next = cm_us_add(now, c->open_for);
    cm_us known = cm_us_add(b->probe_at, probe_timeout > 0 ? probe_timeout : 0);
    return known > now && known < next ? known : next;
}

void rl_breaker_record(rl_breaker *b, const rl_breaker_cfg *c, cm_us now, bool ok)
{
    if (!c->enabled)
        return;
    switch (b->state) {
    case RL_BREAKER_CLOSED:
        if (ok)
            b->consecutive_failures = 0;
        else if (++b->consecutive_failures >= c->failures)
            rl_breaker_set(b, c, RL_BREAKER_OPEN, now);
        break;
    case RL_BREAKER_HALF_OPEN:
        if (!ok)
            rl_breaker_set(b, c, RL_BREAKER_OPEN, now);
        else if (++b->probes_ok >= c->half_open_probes)
            rl_breaker_set(b, c, RL_BREAKER_CLOSED, now);
        break;
    case RL_BREAKER_OPEN:
    default:
        break; /* a late result of a call sent before it opened */
    }
}

const char *rl_breaker_state_name(rl_breaker_state s)
{
    if ((size_t)s >= sizeof rl_breaker_names / sizeof rl_breaker_names[0])
        return "?";
    return rl_breaker_names[s];
}

cJSON *rl_breaker_json(const rl_breaker *b, const rl_breaker_cfg *c, cm_us now)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool open_now = b->state == RL_BREAKER_OPEN && now < b->open_until;
    rl_breaker_state shown =
        b->state == RL_BREAKER_OPEN && !open_now ? RL_BREAKER_HALF_OPEN : b->state;
    bool ok = cJSON_AddStringToObject(o, "state", rl_breaker_state_name(shown)) &&
              cJSON_AddBoolToObject(o, "enabled", c->enabled) &&
              cJSON_AddNumberToObject(o, "consecutive_failures", b->consecutive_failures) &&
              cJSON_AddNumberToObject(o, "opens", (double)b->opens);
    if (ok && open_now)
        ok = cJSON_AddNumberToObject(o, "open_until_s", cm_s_from_us(b->open_until)) != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
