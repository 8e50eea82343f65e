/* har.c: a HAR 1.2 file (HTTP Archive: browsers' dev tools, mitmproxy)
 * read into exchanges. Keys in its request headers are only hashed into key
 * ids; bodies are digested and read for the model and the error type. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/jsonpos.h"
#include "common/timefmt.h"
#include "engine/import/import.h"
#include "engine/import/read.h"

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static uint64_t digest(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
    return h ? h : 1;
}

/* Base64 (RFC 4648) of s decoded into a new string; NULL when not base64. */
static char *unbase64(const char *s, size_t *len)
{
    size_t n = strlen(s), o = 0;
    char *out = malloc(n / 4 * 3 + 4);
    unsigned v = 0;
    int bits = 0;
    for (size_t i = 0; out && i < n; i++) {
        const char *al = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *c = s[i] ? strchr(al, s[i]) : NULL;
        if (s[i] == '=' || s[i] == '\n' || s[i] == '\r')
            continue;
        if (!c) {
            free(out);
            return NULL;
        }
        v = (v << 6) | (unsigned)(c - al);
        if ((bits += 6) >= 8) {
            bits -= 8;
            out[o++] = (char)((v >> bits) & 0xff);
        }
    }
    if (out)
        out[o] = '\0';
    *len = o;
    return out;
}

/* The request's headers that matter: the key (hashed), grouping headers. */
static void read_request_headers(const cJSON *hs, rl_exchange *e)
{
    const char *auth = NULL, *xkey = NULL;
    for (const cJSON *h = cJSON_IsArray(hs) ? hs->child : NULL; h; h = h->next) {
        const char *n = str_of(h, "name"), *v = str_of(h, "value");
        if (!n || !v)
            continue;
        if (strcasecmp(n, "authorization") == 0)
            auth = strncasecmp(v, "Bearer ", 7) == 0 ? v + 7 : v;
        else if (strcasecmp(n, "x-api-key") == 0)
            xkey = v;
        else if (strcasecmp(n, "x-retrylab-task") == 0)
            snprintf(e->task_header, sizeof e->task_header, "%s", v);
        else if (strcasecmp(n, "idempotency-key") == 0)
            snprintf(e->idem, sizeof e->idem, "%s", v);
        else if (strcasecmp(n, "x-stainless-retry-count") == 0)
            e->retry_count = atoi(v) >= 0 ? atoi(v) : -1;
    }
    cm_keyid(auth ? auth : xkey, e->key);
}

static int read_response(const cJSON *res, rl_exchange *e)
{
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(res, "status");
    e->status = cJSON_IsNumber(st) && st->valuedouble >= 0 && st->valuedouble < 1000
                    ? (int)st->valuedouble
                    : 0;
    if (e->status == 0)
        e->error = "other";
    rl_header hv[RL_IMPORT_MAX_HEADERS];
    size_t n = 0;
    const cJSON *hs = cJSON_GetObjectItemCaseSensitive(res, "headers");
    for (const cJSON *h = cJSON_IsArray(hs) ? hs->child : NULL; h && n < RL_IMPORT_MAX_HEADERS;
         h = h->next)
        if (str_of(h, "name") && str_of(h, "value"))
            hv[n++] = (rl_header){str_of(h, "name"), str_of(h, "value")};
    if (rl_exchange_set_headers(e, hv, n) != 0)
        return -1;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(res, "content");
    const char *text = str_of(c, "text"), *enc = str_of(c, "encoding");
    size_t len = text ? strlen(text) : 0;
    char *plain = text && enc && strcmp(enc, "base64") == 0 ? unbase64(text, &len) : NULL;
    cJSON *body =
        e->status >= 400 && text ? cJSON_ParseWithLength(plain ? plain : text, len) : NULL;
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");
    if (str_of(err, "type"))
        snprintf(e->error_type, sizeof e->error_type, "%s", str_of(err, "type"));
    if (str_of(err, "code"))
        snprintf(e->error_code, sizeof e->error_code, "%s", str_of(err, "code"));
    cJSON_Delete(body);
    free(plain);
    return 0;
}

/* The host of url ("api.openai.com"), into out: the provider's name. */
static void host_of(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/:?#");
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p);
    if (!out[0])
        snprintf(out, size, "unknown");
}

/* One entry: 0 read, 1 skipped (why), -1 bad (why). */
static int read_entry(const cJSON *en, int64_t *t0, rl_exchanges *out, const char **why)
{
    const cJSON *rq = cJSON_GetObjectItemCaseSensitive(en, "request");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(en, "response");
    const char *started = str_of(en, "startedDateTime"), *url = str_of(rq, "url");
    int64_t at;
    if (!cJSON_IsObject(rq) || !cJSON_IsObject(res) || !url || !started)
        return *why = "an entry needs startedDateTime, request.url and response", -1;
    if (cm_rfc3339_parse(started, strlen(started), &at) != 0)
        return *why = "startedDateTime is not an ISO 8601 date-time", -1;
    const cJSON *post = cJSON_GetObjectItemCaseSensitive(rq, "postData");
    const char *text = str_of(post, "text");
    cJSON *body = text ? cJSON_Parse(text) : NULL;
    const char *model = str_of(body, "model");
    if (!model) {
        cJSON_Delete(body);
        return *why = "not an API call (no JSON body with a model)", 1;
    }
    rl_exchange *e = rl_exchanges_add(out);
    if (!e) {
        cJSON_Delete(body);
        return *why = "out of memory, or more than 1000000 entries", -1;
    }
    if (*t0 < 0)
        *t0 = at;
    e->t = at - *t0;
    double ms = cJSON_GetObjectItemCaseSensitive(en, "time")
                    ? cJSON_GetObjectItemCaseSensitive(en, "time")->valuedouble
                    : 0;
    e->latency = isfinite(ms) && ms > 0 ? cm_us_from_s(ms / 1000) : 0;
    host_of(url, e->provider, sizeof e->provider);
    snprintf(e->model, sizeof e->model, "%s", model);
    snprintf(e->endpoint, sizeof e->endpoint, "%s", strstr(url, "/messages") ? "messages" : "chat");
    e->body = digest(text, strlen(text));
    cJSON_Delete(body);
    read_request_headers(cJSON_GetObjectItemCaseSensitive(rq, "headers"), e);
    return read_response(res, e) ? (*why = "out of memory", -1) : 0;
}

int rl_import_har(const char *path, rl_exchanges *out, rl_import_warn warn, void *ctx, cm_err *err)
{
    cm_json *doc = cm_json_load(path, err);
    if (!doc)
        return CM_ERR_INPUT;
    snprintf(out->source, sizeof out->source, "%s", path);
    const cJSON *log = cJSON_GetObjectItemCaseSensitive(cm_json_root(doc), "log");
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(log, "entries");
    int rc = 0;
    if (!cJSON_IsArray(entries))
        rc =
            cm_json_fail(err, doc, cm_json_root(doc), "log.entries", "not a HAR file (no entries)");
    int64_t t0 = -1;
    size_t i = 0;
    for (const cJSON *en = rc ? NULL : entries->child; en && rc == 0; en = en->next, i++) {
        const char *why = NULL;
        int r = read_entry(en, &t0, out, &why);
        char f[64];
        snprintf(f, sizeof f, "log.entries[%zu]", i);
        if (r < 0)
            rc = cm_json_fail(err, doc, en, f, "%s", why);
        else if (r > 0)
            rl_import_warnf(warn, ctx, "%s: %s: %s; skipped", path, f, why), out->skipped++;
    }
    cm_json_free(doc);
    if (rc == 0 && out->n == 0) {
        cm_err_set(err, "%s: no API calls among the HAR's entries", path);
        return CM_ERR_INPUT;
    }
    if (rc == 0)
        rl_exchanges_sort(out); /* entries may come in any order; t is from the earliest seen */
    return rc ? CM_ERR_INPUT : 0;
}
