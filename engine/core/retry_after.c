/* retry_after.c: the server-given delay policy (see retry_after.h and the
 * `retry_after` section of engine/README.md, which names the peers whose
 * rules each option writes; scenarios/policies/peers/ cites their source). */
#include "engine/core/retry_after.h"

#include <stdio.h>
#include <string.h>

static const char *const mode_names[] = {
#define X(name, text) text,
    RL_RA_MODES(X)
#undef X
        "cap",
    NULL};

#define NAMES(list, var)                                                                           \
    static const char *const var[] = {                                                             \
        list(NAME_OF) NULL,                                                                        \
    }
#define NAME_OF(name, text) text,
NAMES(RL_RA_ABOVE, above_names);
NAMES(RL_RA_BELOW, below_names);
NAMES(RL_RA_PAST, past_names);
NAMES(RL_RA_SOURCES, source_names);
NAMES(RL_RA_HEADERS, header_names);
NAMES(RL_RA_LADDER_AFTER, then_names);
NAMES(RL_RA_COMBINE, combine_names);
static const char *const date_ref_names[] = {"date_header", "clock", NULL};
#undef NAME_OF
#undef NAMES

void rl_ra_defaults(rl_ra_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->mode = RL_RA_HONOUR;
    c->max = -1;
    c->max_inclusive = true;
    c->above = RL_RA_ABOVE_LADDER;
    c->min = 0;
    c->min_inclusive = true;
    c->below = RL_RA_BELOW_CLAMP;
    c->past = RL_RA_PAST_ZERO;
    c->total_max = -1;
    c->headers[0] = RL_RA_HDR_MS; /* retry-after-ms first: every SDK that reads it does */
    c->headers[1] = RL_RA_HDR_SECONDS;
    c->nheaders = 2;
    c->dates = true;
    c->from[0] = RL_RA_SRC_HEADERS;
    c->nfrom = 1;
    c->ladder_after = RL_RA_THEN_CONTINUE;
    c->combine = RL_RA_COMBINE_REPLACE;
    c->bounded_plus = -1;
    c->plain_read = true;
}

#define YEAR_S (365.0 * 24 * 3600)

static int get_seconds(const cm_json *doc, const cJSON *node, const char *ctx, const char *key,
                       cm_us *out, cm_err *err)
{
    double v = -1;
    if (cm_json_get_number(doc, node, ctx, key, false, 0, 100 * YEAR_S, &v, err))
        return -1;
    if (v >= 0)
        *out = cm_us_from_s(v);
    return 0;
}

/* An array of distinct names from `names` into out[] (their indices); a
 * present array replaces the default. */
static int get_name_list(const cm_json *doc, const cJSON *node, const char *ctx, const char *key,
                         const char *const *names, size_t max, uint8_t *out, uint8_t *n,
                         cm_err *err)
{
    const cJSON *arr, *it;
    char field[256];
    if (cm_json_get_array(doc, node, ctx, key, false, 1, max, &arr, err))
        return -1;
    if (!arr)
        return 0;
    cm_json_field(field, sizeof field, ctx, key);
    *n = 0;
    cJSON_ArrayForEach(it, arr)
    {
        int found = -1;
        for (int i = 0; cJSON_IsString(it) && names[i]; i++)
            if (strcmp(it->valuestring, names[i]) == 0)
                found = i;
        if (found < 0) {
            char list[160] = "";
            for (int i = 0; names[i]; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                         names[i]);
            return cm_json_fail(err, doc, it, field, "item %u must be one of: %s", (unsigned)*n,
                                list);
        }
        for (uint8_t j = 0; j < *n; j++)
            if (out[j] == found)
                return cm_json_fail(err, doc, it, field, "\"%s\" is listed twice", names[found]);
        out[(*n)++] = (uint8_t)found;
    }
    return 0;
}

static int get_statuses(const cm_json *doc, const cJSON *node, const char *ctx, rl_ra_cfg *c,
                        cm_err *err)
{
    const cJSON *arr, *it;
    char field[256];
    if (cm_json_get_array(doc, node, ctx, "statuses", false, 1, RL_RA_MAX_STATUSES, &arr, err))
        return -1;
    cm_json_field(field, sizeof field, ctx, "statuses");
    cJSON_ArrayForEach(it, arr)
    {
        double v = cJSON_IsNumber(it) ? it->valuedouble : -1;
        if (v < 100 || v > 599 || v != (double)(int)v)
            return cm_json_fail(err, doc, it, field,
                                "item %u must be an HTTP status from 100 to 599",
                                (unsigned)c->nstatuses);
        for (uint8_t j = 0; j < c->nstatuses; j++)
            if (c->statuses[j] == (uint16_t)v)
                return cm_json_fail(err, doc, it, field, "%d is listed twice", (int)v);
        c->statuses[c->nstatuses++] = (uint16_t)v;
    }
    return 0;
}

static int get_enums(const cm_json *doc, const cJSON *node, const char *ctx, rl_ra_cfg *c,
                     int *mode, cm_err *err)
{
    int above = (int)c->above, below = (int)c->below, past = (int)c->past,
        then = (int)c->ladder_after, comb = (int)c->combine, ref = 0;
    if (cm_json_get_enum(doc, node, ctx, "mode", false, mode_names, mode, err) ||
        cm_json_get_enum(doc, node, ctx, "above_max", false, above_names, &above, err) ||
        cm_json_get_enum(doc, node, ctx, "below_min", false, below_names, &below, err) ||
        cm_json_get_enum(doc, node, ctx, "past_date", false, past_names, &past, err) ||
        cm_json_get_enum(doc, node, ctx, "ladder_after", false, then_names, &then, err) ||
        cm_json_get_enum(doc, node, ctx, "combine", false, combine_names, &comb, err) ||
        cm_json_get_enum(doc, node, ctx, "date_reference", false, date_ref_names, &ref, err))
        return -1;
    c->clock_dates = ref == 1;
    c->above = (rl_ra_above)above;
    c->below = (rl_ra_below)below;
    c->past = (rl_ra_past)past;
    c->ladder_after = (rl_ra_ladder_after)then;
    c->combine = (rl_ra_combine)comb;
    return 0;
}

/* Checks between keys, once every key is read. */
static int check_together(const cm_json *doc, const cJSON *node, const char *ctx,
                          const rl_ra_cfg *c, int mode, cm_err *err)
{
    char field[256];
    /* "cap" is "honour" with a ceiling that must be given. */
    if (mode == 2 && c->max < 0)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(node, "mode"),
                            cm_json_field(field, sizeof field, ctx, "mode"), "\"cap\" needs max_s");
    if (c->max >= 0 && c->min > c->max)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(node, "min_s"),
                            cm_json_field(field, sizeof field, ctx, "min_s"),
                            "must not exceed max_s");
    bool bounded = c->combine == RL_RA_COMBINE_BOUNDED;
    if (bounded != (c->bounded_plus >= 0))
        return cm_json_fail(
            err, doc,
            cJSON_GetObjectItemCaseSensitive(node, bounded ? "combine" : "bounded_plus_s"),
            cm_json_field(field, sizeof field, ctx, "bounded_plus_s"),
            "goes with \"combine\": \"bounded\", and it with bounded_plus_s");
    return 0;
}

int rl_ra_parse(const cm_json *doc, const cJSON *node, const char *ctx, rl_ra_cfg *c, cm_err *err)
{
    static const char *const keys[] = {
        "mode",          "max_s",          "max_inclusive", "above_max",   "min_s",
        "min_inclusive", "below_min",      "past_date",     "total_max_s", "statuses",
        "headers",       "dates",          "from",          "combine",     "bounded_plus_s",
        "ladder_after",  "date_reference", "comment",       "source",      NULL};
    rl_ra_defaults(c);
    if (!node)
        return 0;
    if (cm_json_check_keys(doc, node, ctx, keys, err))
        return -1;
    int mode = 0;
    const char *s;
    if (get_enums(doc, node, ctx, c, &mode, err) ||
        cm_json_get_bool(doc, node, ctx, "max_inclusive", false, &c->max_inclusive, err) ||
        cm_json_get_bool(doc, node, ctx, "min_inclusive", false, &c->min_inclusive, err) ||
        cm_json_get_bool(doc, node, ctx, "dates", false, &c->dates, err) ||
        get_seconds(doc, node, ctx, "max_s", &c->max, err) ||
        get_seconds(doc, node, ctx, "min_s", &c->min, err) ||
        get_seconds(doc, node, ctx, "total_max_s", &c->total_max, err) ||
        get_seconds(doc, node, ctx, "bounded_plus_s", &c->bounded_plus, err) ||
        get_statuses(doc, node, ctx, c, err) ||
        get_name_list(doc, node, ctx, "headers", header_names, 2, c->headers, &c->nheaders, err) ||
        get_name_list(doc, node, ctx, "from", source_names, 3, c->from, &c->nfrom, err) ||
        check_together(doc, node, ctx, c, mode, err) ||
        cm_json_get_string(doc, node, ctx, "comment", false, 4096, &s, err) ||
        cm_json_get_string(doc, node, ctx, "source", false, 4096, &s, err))
        return -1;
    c->mode = mode == 1 ? RL_RA_IGNORE : RL_RA_HONOUR;
    c->plain_read = c->nfrom == 1 && c->from[0] == RL_RA_SRC_HEADERS && c->nheaders == 2 &&
                    c->headers[0] == RL_RA_HDR_MS && c->dates;
    return 0;
}

/* The listed headers' value, the first usable in the policy's order; -1. */
static cm_us header_value(const rl_ra_cfg *c, const rl_signals *s, bool *past)
{
    for (uint8_t i = 0; i < c->nheaders; i++) {
        if (c->headers[i] == RL_RA_HDR_MS && s->ra_ms >= 0)
            return s->ra_ms;
        bool date =
            s->ra_header_form == RL_RA_FORM_DATE || s->ra_header_form == RL_RA_FORM_PAST_DATE;
        if (c->headers[i] == RL_RA_HDR_SECONDS && s->ra_header >= 0 && (c->dates || !date)) {
            *past = s->ra_header_form == RL_RA_FORM_PAST_DATE;
            return s->ra_header;
        }
    }
    return -1;
}

static inline cm_us server_value(const rl_ra_cfg *c, const rl_signals *s, const rl_error_body *body,
                                 bool *past)
{
    *past = false;
    if (c->plain_read) { /* retry-after-ms when usable, else Retry-After: as headers.c reads */
        if (!s || !s->has_retry_after)
            return -1;
        *past = s->ra_ms < 0 && s->ra_header_form == RL_RA_FORM_PAST_DATE;
        return s->retry_after;
    }
    for (uint8_t i = 0; i < c->nfrom; i++) {
        cm_us v = -1;
        switch ((rl_ra_source)c->from[i]) {
        case RL_RA_SRC_HEADERS:
            v = s ? header_value(c, s, past) : -1;
            break;
        case RL_RA_SRC_RETRY_INFO:
            v = body ? body->retry_delay : -1;
            break;
        case RL_RA_SRC_MESSAGE:
            v = body ? body->message_delay : -1;
            break;
        }
        if (v >= 0)
            return v;
    }
    return -1;
}

cm_us rl_ra_server_value(const rl_ra_cfg *c, const rl_signals *s, const rl_error_body *body,
                         bool *past)
{
    bool dummy;
    return server_value(c, s, body, past ? past : &dummy);
}

static bool status_listed(const rl_ra_cfg *c, int status)
{
    if (c->nstatuses == 0)
        return true;
    for (uint8_t i = 0; i < c->nstatuses; i++)
        if (c->statuses[i] == status)
            return true;
    return false;
}

static bool above_max(const rl_ra_cfg *c, cm_us v)
{
    if (c->max < 0)
        return false;
    return c->max_inclusive ? v > c->max : v >= c->max;
}

static bool below_min(const rl_ra_cfg *c, cm_us v)
{
    return c->min_inclusive ? v < c->min : v <= c->min;
}

rl_ra_verdict rl_ra_decide(const rl_ra_cfg *c, const rl_signals *s, const rl_error_body *body,
                           int status, cm_us waited, cm_us *delay)
{
    bool past;
    if (c->mode == RL_RA_IGNORE || !status_listed(c, status))
        return RL_RAV_LADDER;
    cm_us v = server_value(c, s, body, &past);
    if (v < 0 || (past && c->past == RL_RA_PAST_LADDER))
        return RL_RAV_LADDER;
    if (past && c->past == RL_RA_PAST_IMMEDIATE) {
        *delay = 0;
        return RL_RAV_WAIT;
    }
    if (below_min(c, v)) {
        if (c->below == RL_RA_BELOW_LADDER)
            return RL_RAV_LADDER;
        v = c->min;
    }
    if (above_max(c, v)) {
        *delay = v;
        switch (c->above) {
        case RL_RA_ABOVE_LADDER:
            return RL_RAV_LADDER;
        case RL_RA_ABOVE_GIVE_UP:
            return RL_RAV_GIVE_UP;
        case RL_RA_ABOVE_ROTATE:
            return RL_RAV_ROTATE;
        case RL_RA_ABOVE_CLAMP:
            v = c->max;
            break;
        }
    }
    *delay = v;
    if (c->total_max >= 0 && cm_us_add(waited, v) > c->total_max)
        return RL_RAV_GIVE_UP;
    return RL_RAV_WAIT;
}
