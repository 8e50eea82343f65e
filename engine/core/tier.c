/* tier.c: tier table parsing and detection (see tier.h). */
#include "engine/core/tier.h"

#include <stdio.h>
#include <string.h>

static int parse_row(const cm_json *doc, const cJSON *row, size_t i, bool last, rl_tiers *t,
                     cm_err *err)
{
    static const char *const keys[] = {"name",  "up_to",   "base_s", "factor",
                                       "cap_s", "comment", "source", NULL};
    char ctx[64];
    snprintf(ctx, sizeof ctx, "tiers.table[%zu]", i);
    rl_tier *r = &t->t[i];
    memset(r, 0, sizeof *r);
    r->up_to = -1;
    const char *note;
    if (cm_json_check_keys(doc, row, ctx, keys, err) ||
        cm_json_get_string(doc, row, ctx, "name", true, 64, &r->name, err) ||
        cm_json_get_int(doc, row, ctx, "up_to", !last, 0, INT64_C(1) << 52, &r->up_to, err) ||
        cm_json_get_number(doc, row, ctx, "base_s", true, 0, 86400, &r->base_s, err) ||
        cm_json_get_number(doc, row, ctx, "factor", false, 1e-6, 1000, &r->factor, err) ||
        cm_json_get_number(doc, row, ctx, "cap_s", false, 1e-6, 1e9, &r->cap_s, err) ||
        cm_json_get_string(doc, row, ctx, "comment", false, 4096, &note, err) ||
        cm_json_get_string(doc, row, ctx, "source", false, 4096, &note, err))
        return -1;
    if (i > 0 && (t->t[i - 1].up_to < 0 || (r->up_to >= 0 && r->up_to <= t->t[i - 1].up_to))) {
        char field[80];
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(row, "up_to"),
                            cm_json_field(field, sizeof field, ctx, "up_to"),
                            "rows must be in increasing up_to");
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(t->t[j].name, r->name) == 0) {
            char field[80];
            return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(row, "name"),
                                cm_json_field(field, sizeof field, ctx, "name"),
                                "duplicate tier name \"%s\"", r->name);
        }
    return 0;
}

int rl_tiers_parse(const cm_json *doc, const cJSON *node, rl_tiers *t, cm_err *err)
{
    static const char *const keys[] = {"from", "table", "comment", "source", NULL};
    static const char *const from_names[] = {"limit_requests", "limit_tokens", NULL};
    memset(t, 0, sizeof *t);
    if (!node)
        return 0;
    int from = 0;
    const cJSON *table;
    const char *note;
    if (cm_json_check_keys(doc, node, "tiers", keys, err) ||
        cm_json_get_enum(doc, node, "tiers", "from", false, from_names, &from, err) ||
        cm_json_get_array(doc, node, "tiers", "table", true, 1, RL_TIER_MAX, &table, err) ||
        cm_json_get_string(doc, node, "tiers", "comment", false, 4096, &note, err) ||
        cm_json_get_string(doc, node, "tiers", "source", false, 4096, &note, err))
        return -1;
    t->from_tokens = from == 1;
    size_t n = (size_t)cJSON_GetArraySize(table), i = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, table)
    {
        if (parse_row(doc, row, i, i + 1 == n, t, err))
            return -1;
        i++;
    }
    t->n = n;
    return 0;
}

int rl_tiers_detect(const rl_tiers *t, const rl_signals *s)
{
    if (!t->n || !s)
        return -1;
    int64_t limit = t->from_tokens ? s->limit_tokens : s->limit_requests;
    if (limit < 0)
        return -1;
    for (size_t i = 0; i < t->n; i++)
        if (t->t[i].up_to < 0 || limit <= t->t[i].up_to)
            return (int)i;
    return -1;
}

void rl_tier_apply(const rl_tiers *t, int i, rl_backoff *b)
{
    if (i < 0 || (size_t)i >= t->n)
        return;
    const rl_tier *r = &t->t[i];
    b->base_s = r->base_s;
    if (r->factor > 0)
        b->factor = r->factor;
    if (r->cap_s > 0)
        b->cap_s = r->cap_s;
}
