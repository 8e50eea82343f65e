/* cooldown.c: the cooldown cache's rules, snapshot and "cooldown" section. */
#include "engine/core/cooldown.h"

#include <stdio.h>
#include <string.h>

#include "common/sbuf.h"
#include "engine/core/policy.h"
#include "engine/core/rotation.h"

int rl_cooldown_parse(const cm_json *doc, const cJSON *node, rl_cooldown_cfg *c, cm_err *err)
{
    static const char *const keys[] = {"default_s", "max_s", "comment", "source", NULL};
    memset(c, 0, sizeof *c);
    c->max = -1;
    if (!node)
        return 0;
    double dflt = 60, max = -1;
    const char *note;
    if (cm_json_check_keys(doc, node, "cooldown", keys, err) ||
        cm_json_get_number(doc, node, "cooldown", "default_s", true, 0.001, 365.0 * 86400, &dflt,
                           err) ||
        cm_json_get_number(doc, node, "cooldown", "max_s", false, 0.001, 365.0 * 86400, &max,
                           err) ||
        cm_json_get_string(doc, node, "cooldown", "comment", false, 4096, &note, err) ||
        cm_json_get_string(doc, node, "cooldown", "source", false, 4096, &note, err))
        return -1;
    if (max >= 0 && max < dflt)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(node, "max_s"),
                            "cooldown.max_s", "must not be below default_s");
    c->enabled = true;
    c->dflt = cm_us_from_s(dflt);
    c->max = max >= 0 ? cm_us_from_s(max) : -1;
    return 0;
}

void rl_cooldown_put(const rl_cooldown_cfg *c, cm_us *until, cm_us now, cm_us dur)
{
    if (dur < 0)
        dur = c->dflt;
    if (c->max >= 0 && dur > c->max)
        dur = c->max;
    cm_us t = cm_us_add(now, dur);
    if (t > *until)
        *until = t;
}

void rl_cooldown_available_text(const rl_policy *p, const cm_us *until, cm_us now, char *out,
                                size_t size)
{
    /* One pass over the candidates and no snprintf: a run whose tasks fail
     * at once with {available} in their message builds this per task. */
    unsigned avail[RL_MAX_PROVIDERS] = {0};
    for (size_t i = 0; i < p->ncand; i++)
        if (p->cands[i].provider_idx < RL_MAX_PROVIDERS && !rl_cooldown_active(until[i], now))
            avail[p->cands[i].provider_idx]++;
    cm_sbuf b;
    cm_sbuf_init(&b, out, size);
    for (size_t v = 0; v < p->nprov && v < RL_MAX_PROVIDERS; v++) {
        if (v)
            cm_sbuf_mem(&b, ", ", 2);
        cm_sbuf_str(&b, p->providers[v]);
        cm_sbuf_mem(&b, ": ", 2);
        cm_sbuf_i64(&b, avail[v]);
    }
}

static int add_entry(cJSON *entries, const rl_cand *c, cm_us left)
{
    cJSON *e = cJSON_CreateObject();
    if (!e || !cJSON_AddItemToArray(entries, e))
        return cJSON_Delete(e), -1;
    return cJSON_AddStringToObject(e, "provider", c->provider) &&
                   cJSON_AddStringToObject(e, "model", c->model) &&
                   cJSON_AddNumberToObject(e, "remaining_s", cm_s_from_us(left))
               ? 0
               : -1;
}

static int fill_snapshot(cJSON *o, const rl_policy *p, const cm_us *until, cm_us now)
{
    cJSON *byp = cJSON_AddObjectToObject(o, "by_provider");
    cJSON *avail = cJSON_AddObjectToObject(o, "available");
    cJSON *entries = cJSON_AddArrayToObject(o, "entries");
    if (!byp || !avail || !entries)
        return -1;
    size_t total = 0;
    for (size_t v = 0; v < p->nprov; v++) {
        size_t cooling = 0, count = 0;
        for (size_t i = 0; i < p->ncand; i++) {
            if (p->cands[i].provider_idx != v)
                continue;
            count++;
            if (!rl_cooldown_active(until[i], now))
                continue;
            cooling++;
            if (add_entry(entries, &p->cands[i], until[i] - now))
                return -1;
        }
        total += cooling;
        if (!cJSON_AddNumberToObject(byp, p->providers[v], (double)cooling) ||
            !cJSON_AddNumberToObject(avail, p->providers[v], (double)(count - cooling)))
            return -1;
    }
    return cJSON_AddNumberToObject(o, "total", (double)total) ? 0 : -1;
}

cJSON *rl_cooldown_snapshot(const rl_policy *p, const cm_us *until, cm_us now)
{
    cJSON *o = cJSON_CreateObject();
    if (o && fill_snapshot(o, p, until, now)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
