/* providers.c: the providers file loader (live runs). */
#include "engine/http/providers.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct prov_key {
    const char *name; /* key name, as policies' candidates list it */
    const char *env;  /* the environment variable holding its value */
} prov_key;

typedef struct prov {
    rl_provider_info info;
    prov_key *keys;
    size_t nkeys;
} prov;

struct rl_providers {
    prov *v;
    size_t n;
    cm_json *doc_owned; /* the loaded file, when rl_providers_load made it */
};

static bool name_ok(const char *s)
{
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

static bool env_name_ok(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return false;
    return true;
}

/* https anywhere; plain http only to a loopback host. */
static bool url_ok(const char *u, const char **why)
{
    static const char *const loop[] = {"127.0.0.1", "localhost", "[::1]", NULL};
    if (strncasecmp(u, "https://", 8) == 0) {
        *why = NULL;
        return u[8] != '\0';
    }
    *why = "must start with https:// (plain http:// only to 127.0.0.1, localhost or [::1]: "
           "keys must not cross a network in clear)";
    if (strncasecmp(u, "http://", 7) != 0)
        return false;
    for (int i = 0; loop[i]; i++) {
        size_t n = strlen(loop[i]);
        char after = strncasecmp(u + 7, loop[i], n) == 0 ? u[7 + n] : 'x';
        if (after == '\0' || after == ':' || after == '/')
            return true;
    }
    return false;
}

static int parse_keys(const cm_json *doc, const cJSON *obj, const char *ctx, prov *pv, cm_err *err)
{
    int n = cJSON_GetArraySize(obj);
    if (n > RL_PROVIDERS_MAX_KEYS)
        return cm_json_fail(err, doc, obj, ctx, "at most %d keys", RL_PROVIDERS_MAX_KEYS);
    pv->keys = calloc(n > 0 ? (size_t)n : 1, sizeof *pv->keys);
    if (!pv->keys)
        return cm_json_fail(err, doc, obj, ctx, "out of memory");
    const cJSON *k;
    char field[256];
    cJSON_ArrayForEach(k, obj)
    {
        cm_json_field(field, sizeof field, ctx, k->string);
        if (!k->string[0] || strlen(k->string) > 63 || !name_ok(k->string))
            return cm_json_fail(err, doc, k, field,
                                "key names are 1 to 63 letters, digits, "
                                "'-', '_' or '.'");
        if (!cJSON_IsString(k) || !k->valuestring[0] || strlen(k->valuestring) > 128 ||
            !env_name_ok(k->valuestring))
            return cm_json_fail(err, doc, k, field,
                                "must name an environment variable "
                                "(letters, digits, '_'; not a key value)");
        pv->keys[pv->nkeys++] = (prov_key){k->string, k->valuestring};
    }
    return 0;
}

static int parse_provider(const cm_json *doc, const cJSON *o, const char *ctx, prov *pv,
                          cm_err *err)
{
    static const char *const allowed[] = {"name", "base_url", "shape", "keys", "comment", NULL};
    static const char *const shapes[] = {"openai", "anthropic", NULL};
    const char *note = NULL, *why = NULL;
    const cJSON *keys = NULL;
    int shape = 0;
    char field[256];
    if (cm_json_check_keys(doc, o, ctx, allowed, err) ||
        cm_json_get_string(doc, o, ctx, "name", true, 63, &pv->info.name, err) ||
        cm_json_get_string(doc, o, ctx, "base_url", true, 512, &pv->info.base_url, err) ||
        cm_json_get_enum(doc, o, ctx, "shape", true, shapes, &shape, err) ||
        cm_json_get_object(doc, o, ctx, "keys", false, &keys, err) ||
        cm_json_get_string(doc, o, ctx, "comment", false, 4096, &note, err))
        return -1;
    pv->info.shape = shape == 1 ? RL_SHAPE_ANTHROPIC : RL_SHAPE_OPENAI;
    if (!name_ok(pv->info.name))
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(o, "name"),
                            cm_json_field(field, sizeof field, ctx, "name"),
                            "letters, digits, '-', '_' or '.' only");
    if (!url_ok(pv->info.base_url, &why))
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(o, "base_url"),
                            cm_json_field(field, sizeof field, ctx, "base_url"), "%s",
                            why ? why : "empty host");
    return keys ? parse_keys(doc, keys, cm_json_field(field, sizeof field, ctx, "keys"), pv, err)
                : 0;
}

static int parse_list(const cm_json *doc, const cJSON *arr, rl_providers *ps, cm_err *err)
{
    ps->v = calloc((size_t)cJSON_GetArraySize(arr), sizeof *ps->v);
    if (!ps->v)
        return cm_json_fail(err, doc, arr, "providers", "out of memory");
    const cJSON *o;
    char ctx[64];
    cJSON_ArrayForEach(o, arr)
    {
        snprintf(ctx, sizeof ctx, "providers[%zu]", ps->n);
        if (!cJSON_IsObject(o))
            return cm_json_fail(err, doc, o, ctx, "expected an object");
        prov *pv = &ps->v[ps->n++];
        if (parse_provider(doc, o, ctx, pv, err) != 0)
            return -1;
        for (size_t i = 0; i + 1 < ps->n; i++)
            if (strcmp(ps->v[i].info.name, pv->info.name) == 0)
                return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(o, "name"), ctx,
                                    "provider \"%s\" is listed twice", pv->info.name);
    }
    return 0;
}

int rl_providers_from_json(const cm_json *doc, rl_providers **out, cm_err *err)
{
    static const char *const allowed[] = {"kind", "name", "comment", "providers", NULL};
    const cJSON *root = cm_json_root(doc), *arr = NULL;
    const char *kind = NULL, *s = NULL;
    if (!cJSON_IsObject(root))
        return cm_json_fail(err, doc, root, NULL, "expected a JSON object");
    if (cm_json_get_string(doc, root, NULL, "kind", true, 32, &kind, err))
        return -1;
    if (strcmp(kind, "providers") != 0)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(root, "kind"), "kind",
                            "expected \"providers\", got \"%s\"", kind);
    if (cm_json_check_keys(doc, root, NULL, allowed, err))
        return -1;
    if (cm_json_get_string(doc, root, NULL, "name", false, 200, &s, err) ||
        cm_json_get_string(doc, root, NULL, "comment", false, 8192, &s, err) ||
        cm_json_get_array(doc, root, NULL, "providers", true, 1, RL_PROVIDERS_MAX, &arr, err))
        return -1;
    rl_providers *ps = calloc(1, sizeof *ps);
    if (!ps)
        return cm_json_fail(err, doc, root, NULL, "out of memory");
    if (parse_list(doc, arr, ps, err) != 0) {
        rl_providers_free(ps);
        return -1;
    }
    *out = ps;
    return 0;
}

int rl_providers_load(const char *path, rl_providers **out, cm_err *err)
{
    cm_json *doc = cm_json_load(path, err);
    if (!doc)
        return -1;
    rl_providers *ps = NULL;
    if (rl_providers_from_json(doc, &ps, err) != 0) {
        cm_json_free(doc);
        return -1;
    }
    ps->doc_owned = doc; /* names point into it */
    *out = ps;
    return 0;
}

void rl_providers_free(rl_providers *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->v && i < p->n; i++)
        free(p->v[i].keys);
    free(p->v);
    cm_json_free(p->doc_owned);
    free(p);
}

size_t rl_providers_count(const rl_providers *p)
{
    return p->n;
}

void rl_providers_get(const rl_providers *p, size_t i, rl_provider_info *out)
{
    *out = p->v[i].info;
}

int rl_providers_find(const rl_providers *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].info.name, name) == 0)
            return (int)i;
    return -1;
}

const char *rl_providers_key_env(const rl_providers *p, size_t i, const char *key_name)
{
    const prov *pv = &p->v[i];
    for (size_t j = 0; j < pv->nkeys; j++)
        if (strcmp(pv->keys[j].name, key_name) == 0)
            return pv->keys[j].env;
    return key_name;
}
