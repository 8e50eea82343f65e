/* path.c: the values of a --vary and the JSON paths they are set at. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sweep/sweep.h"

void sw_num_text(double v, char *out, size_t size)
{
    snprintf(out, size, "%.15g", v);
    if (strtod(out, NULL) != v)
        snprintf(out, size, "%.17g", v);
}

int sw_value_parse(const char *s, size_t len, sw_value *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || len >= SW_VALUE_TEXT)
        return -1;
    memcpy(out->text, s, len);
    out->text[len] = '\0';
    if (strcmp(out->text, "true") == 0 || strcmp(out->text, "false") == 0) {
        out->type = SW_BOOL;
        out->b = out->text[0] == 't';
        return 0;
    }
    char *end = NULL;
    double v = strtod(out->text, &end);
    bool numeric = end && *end == '\0' && end != out->text && isfinite(v) &&
                   strpbrk(out->text, "xXnNiI") == NULL; /* no hex, nan or inf */
    if (numeric) {
        out->type = SW_NUM;
        out->num = v;
        sw_num_text(v, out->text, sizeof out->text); /* "5." and "+5" read as 5 */
        return 0;
    }
    for (const char *p = out->text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
            return -1;
    out->type = SW_STR;
    return 0;
}

cJSON *sw_value_json(const sw_value *v)
{
    switch (v->type) {
    case SW_NUM:
        return cJSON_CreateNumber(v->num);
    case SW_BOOL:
        return cJSON_CreateBool(v->b);
    case SW_STR:
        return cJSON_CreateString(v->text);
    }
    return NULL;
}

/* ---- paths ---- */

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* One "name[i][j]" segment from *s; 0, or -1. */
static int parse_segment(const char **s, sw_path *out)
{
    const char *p = *s;
    size_t len = 0;
    while (name_char(p[len]))
        len++;
    if (len == 0 || len >= sizeof out->steps[0].name || out->n >= 16)
        return -1;
    sw_step *st = &out->steps[out->n++];
    memset(st, 0, sizeof *st);
    memcpy(st->name, p, len);
    p += len;
    while (*p == '[') {
        char *end = NULL;
        if (!isdigit((unsigned char)p[1]) || out->n >= 16)
            return -1;
        unsigned long n = strtoul(p + 1, &end, 10);
        if (*end != ']' || n > 1000000)
            return -1;
        st = &out->steps[out->n++];
        *st = (sw_step){.index = true, .n = n};
        p = end + 1;
    }
    *s = p;
    return 0;
}

int sw_path_parse(const char *text, sw_path *out, cm_err *err)
{
    memset(out, 0, sizeof *out);
    const char *s = text;
    for (;;) {
        if (parse_segment(&s, out) != 0)
            break;
        if (*s == '\0')
            return 0;
        if (*s != '.')
            break;
        s++;
    }
    cm_err_set(err,
               "'%.200s' is not a field path (names joined by dots, array items as [N]: "
               "backoff.base_s, providers[0].windows[0].limit)",
               text);
    return -1;
}

static cJSON *step_into(cJSON *node, const sw_step *st)
{
    if (st->index)
        return cJSON_IsArray(node) ? cJSON_GetArrayItem(node, (int)st->n) : NULL;
    return cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, st->name) : NULL;
}

cJSON *sw_path_find(cJSON *root, const sw_path *p)
{
    cJSON *node = root;
    for (size_t i = 0; node && i < p->n; i++)
        node = step_into(node, &p->steps[i]);
    return node;
}

/* The path's first i + 1 steps as text, for messages. */
static void prefix_text(const sw_path *p, size_t i, char *out, size_t size)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t k = 0; k <= i && at < size; k++) {
        const sw_step *st = &p->steps[k];
        int w = st->index ? snprintf(out + at, size - at, "[%zu]", st->n)
                          : snprintf(out + at, size - at, "%s%s", k ? "." : "", st->name);
        if (w < 0)
            return;
        at += (size_t)w;
    }
}

/* The child of `node` at step st, made (an empty object, or the leaf) when
 * it is a missing member of an object. NULL with err when it cannot be. */
static cJSON *child_or_make(cJSON *node, const sw_path *p, size_t i, bool leaf, cm_err *err)
{
    const sw_step *st = &p->steps[i];
    char where[SW_PATH_MAX];
    prefix_text(p, i, where, sizeof where);
    cJSON *c = step_into(node, st);
    if (c)
        return c;
    if (st->index) {
        cm_err_set(err, "%s: %s", where,
                   cJSON_IsArray(node) ? "no such item (past the end of the array)"
                                       : "not an array");
        return NULL;
    }
    if (!cJSON_IsObject(node)) {
        cm_err_set(err, "%s: its parent is not an object", where);
        return NULL;
    }
    c = leaf ? cJSON_CreateNull() : cJSON_CreateObject();
    if (!c || !cJSON_AddItemToObject(node, st->name, c)) {
        cJSON_Delete(c);
        cm_err_set(err, "out of memory");
        return NULL;
    }
    return c;
}

int sw_path_set(cJSON *root, const sw_path *p, const sw_value *v, cm_err *err)
{
    cJSON *node = root, *parent = NULL;
    for (size_t i = 0; i < p->n; i++) {
        parent = node;
        if (!(node = child_or_make(node, p, i, i + 1 == p->n, err)))
            return -1;
    }
    if (!parent || cJSON_IsObject(node) || cJSON_IsArray(node)) {
        char where[SW_PATH_MAX];
        prefix_text(p, p->n ? p->n - 1 : 0, where, sizeof where);
        cm_err_set(err, "%s: names %s, not a number, boolean or string field", where,
                   cJSON_IsArray(node) ? "an array" : "an object");
        return -1;
    }
    cJSON *nv = sw_value_json(v);
    const sw_step *last = &p->steps[p->n - 1];
    bool put = nv && (last->index ? cJSON_ReplaceItemInArray(parent, (int)last->n, nv)
                                  : cJSON_ReplaceItemInObjectCaseSensitive(parent, last->name, nv));
    if (!put) {
        cJSON_Delete(nv);
        cm_err_set(err, "out of memory");
        return -1;
    }
    return 0;
}
