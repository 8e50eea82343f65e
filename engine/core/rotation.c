/* rotation.c: candidate search order and the "rotation" policy section. */
#include "engine/core/rotation.h"

#include <string.h>

#include "engine/core/policy.h"

static int find_provider(const rl_policy *p, const char *name)
{
    for (size_t i = 0; i < p->nprov; i++)
        if (strcmp(p->providers[i], name) == 0)
            return (int)i;
    return -1;
}

static int parse_fallbacks(const cm_json *doc, const cJSON *node, const rl_policy *p,
                           rl_rotation_cfg *r, cm_err *err)
{
    char field[160];
    for (const cJSON *ch = node->child; ch; ch = ch->next) {
        cm_json_field(field, sizeof field, "rotation.provider_fallbacks", ch->string);
        int from = find_provider(p, ch->string);
        if (from < 0)
            return cm_json_fail(err, doc, ch, field, "no candidate has provider \"%s\"",
                                ch->string);
        if (!cJSON_IsArray(ch))
            return cm_json_fail(err, doc, ch, field, "must be an array of provider names");
        if (r->nfallbacks[from])
            return cm_json_fail(err, doc, ch, field, "duplicate field");
        const cJSON *it;
        cJSON_ArrayForEach(it, ch)
        {
            int to = cJSON_IsString(it) ? find_provider(p, it->valuestring) : -1;
            if (to < 0 || to == from || r->nfallbacks[from] >= RL_MAX_PROVIDERS)
                return cm_json_fail(err, doc, it, field,
                                    "must name other providers of the candidates, once each");
            for (int j = 0; j < r->nfallbacks[from]; j++)
                if (r->fallbacks[from][j] == to)
                    return cm_json_fail(err, doc, it, field, "\"%s\" is listed twice",
                                        it->valuestring);
            r->fallbacks[from][r->nfallbacks[from]++] = (uint8_t)to;
        }
    }
    return 0;
}

int rl_rotation_parse(const cm_json *doc, const cJSON *node, const rl_policy *p, rl_rotation_cfg *r,
                      cm_err *err)
{
    static const char *const keys[] = {
        "wait", "when_none_available", "provider_fallbacks", "comment", "source", NULL};
    static const char *const wait_names[] = {"none", "backoff", NULL};
    static const char *const none_names[] = {"fail", "wait", NULL};
    memset(r, 0, sizeof *r);
    if (!node)
        return 0;
    int wait = 0, none = 0;
    const cJSON *fb;
    const char *note;
    if (cm_json_check_keys(doc, node, "rotation", keys, err) ||
        cm_json_get_enum(doc, node, "rotation", "wait", false, wait_names, &wait, err) ||
        cm_json_get_enum(doc, node, "rotation", "when_none_available", false, none_names, &none,
                         err) ||
        cm_json_get_object(doc, node, "rotation", "provider_fallbacks", false, &fb, err) ||
        cm_json_get_string(doc, node, "rotation", "comment", false, 4096, &note, err) ||
        cm_json_get_string(doc, node, "rotation", "source", false, 4096, &note, err))
        return -1;
    r->wait_backoff = wait == 1;
    r->wait_when_none = none == 1;
    return fb ? parse_fallbacks(doc, fb, p, r, err) : 0;
}

/* First usable candidate of provider prov, scanning circularly from start. */
static int first_of_provider(const rl_policy *p, uint32_t prov, size_t start, int skip,
                             rl_usable_fn usable, void *ctx)
{
    for (size_t k = 0; k < p->ncand; k++) {
        size_t i = (start + k) % p->ncand;
        if ((int)i != skip && p->cands[i].provider_idx == prov && usable(ctx, (uint32_t)i))
            return (int)i;
    }
    return -1;
}

int rl_rotation_next(const rl_policy *p, int cur, rl_usable_fn usable, void *ctx)
{
    if (cur < 0 || (size_t)cur >= p->ncand) {
        for (size_t i = 0; i < p->ncand; i++)
            if (usable(ctx, (uint32_t)i))
                return (int)i;
        return -1;
    }
    uint32_t prov = p->cands[cur].provider_idx;
    int c = first_of_provider(p, prov, (size_t)cur + 1, cur, usable, ctx);
    if (c >= 0)
        return c;
    const rl_rotation_cfg *r = &p->rotation;
    for (int j = 0; j < r->nfallbacks[prov]; j++) {
        c = first_of_provider(p, r->fallbacks[prov][j], 0, cur, usable, ctx);
        if (c >= 0)
            return c;
    }
    for (size_t k = 1; k <= p->ncand; k++) {
        size_t i = ((size_t)cur + k) % p->ncand;
        if (usable(ctx, (uint32_t)i))
            return (int)i;
    }
    return -1;
}
