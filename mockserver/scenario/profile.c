/* profile.c: provider profiles: checking a profile file and starting a
 * scenario's provider from one (a shallow merge: the scenario's members
 * win, whole). */
#include "mockserver/scenario/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockserver/scenario/internal.h"
#include "mockserver/scenario/parse.h"

static const char *const profile_keys[] = {"kind",  "name",     "description", "sources",
                                           "notes", "provider", NULL};
static const char *const source_keys[] = {"url", "read", "says", NULL};

/* "YYYY-MM-DD" with plausible month and day. */
static bool is_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static int check_sources(const cm_json *doc, const cJSON *root, cm_err *err)
{
    const cJSON *arr;
    char ctx[64], field[96];
    if (cm_json_get_array(doc, root, "", "sources", true, 1, 100, &arr, err) != 0)
        return -1;
    int i = 0;
    for (const cJSON *s = arr->child; s; s = s->next, i++) {
        const char *url = NULL, *read = NULL, *says = NULL;
        snprintf(ctx, sizeof ctx, "sources[%d]", i);
        if (!cJSON_IsObject(s))
            return cm_json_fail(err, doc, s, ctx,
                                "must be an object {\"url\", \"read\", \"says\"}");
        if (cm_json_check_keys(doc, s, ctx, source_keys, err) != 0 ||
            cm_json_get_string(doc, s, ctx, "url", true, 1000, &url, err) != 0 ||
            cm_json_get_string(doc, s, ctx, "read", true, 10, &read, err) != 0 ||
            cm_json_get_string(doc, s, ctx, "says", false, 4000, &says, err) != 0)
            return -1;
        if (!is_date(read))
            return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(s, "read"),
                                cm_json_field(field, sizeof field, ctx, "read"),
                                "the date the source was read, YYYY-MM-DD");
    }
    return 0;
}

int mock_profile_check(const cm_json *doc, cm_err *err)
{
    static const char *const kinds[] = {"profile", NULL};
    const cJSON *root = cm_json_root(doc), *prov;
    int kind = -1;
    const char *name = NULL, *text = NULL;
    if (!cJSON_IsObject(root))
        return cm_json_fail(err, doc, root, NULL, "a profile must be a JSON object");
    if (cm_json_get_enum(doc, root, "", "kind", true, kinds, &kind, err) != 0 ||
        cm_json_check_keys(doc, root, "", profile_keys, err) != 0 ||
        cm_json_get_string(doc, root, "", "name", true, MOCK_NAME_MAX, &name, err) != 0 ||
        cm_json_get_string(doc, root, "", "description", false, 100000, &text, err) != 0 ||
        cm_json_get_string(doc, root, "", "notes", false, 100000, &text, err) != 0 ||
        check_sources(doc, root, err) != 0 ||
        cm_json_get_object(doc, root, "", "provider", true, &prov, err) != 0)
        return -1;
    const cJSON *nested = cJSON_GetObjectItemCaseSensitive(prov, "profile");
    if (nested)
        return cm_json_fail(err, doc, nested, "provider.profile",
                            "a profile cannot start from another profile");
    mock_provider_def *p = calloc(1, sizeof *p);
    if (!p)
        return cm_json_fail(err, doc, prov, "provider", "out of memory");
    int rc = mock_parse_provider_as(doc, prov, "provider", name, p, err);
    mock_provider_def_free(p);
    free(p);
    return rc;
}

/* profiles/NAME.json beside the scenario for a bare name; else the value as
 * a path, relative to the scenario's folder unless absolute. */
static char *profile_path(const char *scenario_path, const char *value)
{
    bool bare =
        strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
            strlen(value) &&
        value[0] != '.';
    const char *slash = strrchr(scenario_path, '/');
    size_t dirlen = slash ? (size_t)(slash - scenario_path) + 1 : 0;
    if (value[0] == '/')
        dirlen = 0;
    size_t n = dirlen + strlen(value) + sizeof "profiles/.json";
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%.*s%s%s%s", (int)dirlen, scenario_path, bare ? "profiles/" : "", value,
                 bare ? ".json" : "");
    return out;
}

/* Moves every member of `from` that `to` lacks into `to`. */
static void move_missing(cJSON *from, cJSON *to)
{
    cJSON *next;
    for (cJSON *m = from->child; m; m = next) {
        next = m->next;
        if (cJSON_GetObjectItemCaseSensitive(to, m->string))
            continue;
        cJSON_DetachItemViaPointer(from, m);
        cJSON_AddItemToObject(to, m->string, m);
    }
}

int mock_profile_apply(cm_json *doc, cJSON *prov, const char *scenario_path, const char *ctx,
                       cm_err *err)
{
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(prov, "profile");
    char field[160];
    if (!ref)
        return 0;
    cm_json_field(field, sizeof field, ctx, "profile");
    if (!cJSON_IsString(ref) || !ref->valuestring[0] || strlen(ref->valuestring) > 4000)
        return cm_json_fail(err, doc, ref, field, "must be a profile name or path");
    char *path = profile_path(scenario_path, ref->valuestring);
    if (!path)
        return cm_json_fail(err, doc, ref, field, "out of memory");
    cm_err lerr;
    cm_json *pd = cm_json_load(path, &lerr);
    if (!pd) {
        cm_json_fail(err, doc, ref, field, "cannot load profile \"%s\": %s", ref->valuestring,
                     lerr.msg);
        free(path);
        return -1;
    }
    free(path);
    if (mock_profile_check(pd, err) != 0) {
        cm_json_free(pd);
        return -1;
    }
    /* The document is the loader's own: its nodes may move (cm_json_root is
     * const only to keep other readers from changing it). */
    cJSON *pprov = cJSON_GetObjectItemCaseSensitive((cJSON *)cm_json_root(pd), "provider");
    move_missing(pprov, prov);
    cm_json_adopt(doc, pd);
    return 0;
}
