/* journal.c: a mockserver journal (mockserver/README.md, "Admin API") read
 * into exchanges: JSON Lines as --journal writes them, or the JSON array of
 * GET /__admin/journal. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/io/file.h"
#include "common/jsonpos.h"
#include "engine/import/import.h"
#include "engine/import/read.h"

/* The largest journal read: 10 million entries of ~400 bytes. */
#define JOURNAL_MAX_BYTES ((size_t)4 << 30)

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The request members that group attempts (all optional). */
static void read_grouping(const cJSON *o, rl_exchange *e)
{
    const char *s;
    if ((s = str_of(o, "task")))
        snprintf(e->task_header, sizeof e->task_header, "%s", s);
    if ((s = str_of(o, "idempotency_key")))
        snprintf(e->idem, sizeof e->idem, "%s", s);
    if ((s = str_of(o, "endpoint")))
        snprintf(e->endpoint, sizeof e->endpoint, "%s", s);
    if ((s = str_of(o, "error_type")))
        snprintf(e->error_type, sizeof e->error_type, "%s", s);
    if ((s = str_of(o, "error_code")))
        snprintf(e->error_code, sizeof e->error_code, "%s", s);
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(o, "retry_count");
    if (cJSON_IsNumber(rc) && rc->valuedouble >= 0 && rc->valuedouble <= 1e6)
        e->retry_count = (int)rc->valuedouble;
    if ((s = str_of(o, "body")) && strncmp(s, "fnv1a64:", 8) == 0)
        e->body = strtoull(s + 8, NULL, 16);
    unsigned long long task, attempt;
    char tail;
    if ((s = str_of(o, "attempt")) && sscanf(s, "%llu/%llu%c", &task, &attempt, &tail) == 2 &&
        task < (unsigned long long)RL_IMPORT_MAX_ENTRIES)
        e->attempt_task = (int64_t)task;
}

/* What the client saw when the answer did not reach it, or was a fault. */
static void read_fate(const cJSON *o, rl_exchange *e)
{
    const char *fault = str_of(o, "fault");
    const cJSON *delivered = cJSON_GetObjectItemCaseSensitive(o, "delivered");
    if (fault && strcmp(fault, "reset") == 0)
        e->status = 0, e->error = "reset";
    else if (fault && strcmp(fault, "hang") == 0)
        e->status = 0, e->error = "timeout";
    else if (fault && strcmp(fault, "truncate") == 0)
        e->status = 0, e->error = "truncated";
    else if (cJSON_IsFalse(delivered)) /* the client left first: its timeout */
        e->status = 0, e->error = "timeout";
    if (e->status == 0 && !e->error)
        e->error = "other";
}

static int read_headers(const cJSON *o, rl_exchange *e)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "headers");
    rl_header hv[RL_IMPORT_MAX_HEADERS];
    size_t n = 0;
    for (const cJSON *m = cJSON_IsObject(h) ? h->child : NULL; m && n < RL_IMPORT_MAX_HEADERS;
         m = m->next)
        if (m->string && cJSON_IsString(m))
            hv[n++] = (rl_header){m->string, m->valuestring};
    return rl_exchange_set_headers(e, hv, n);
}

/* One journal entry into a new exchange: 0, 1 skipped (why in *why), or
 * -1 bad (why says what). */
static int read_entry(const cJSON *o, rl_exchanges *out, const char **why)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "t");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(o, "latency_s");
    const char *provider = str_of(o, "provider");
    if (!cJSON_IsObject(o))
        return *why = "not a JSON object", -1;
    if (!cJSON_IsNumber(t) || !isfinite(t->valuedouble) || fabs(t->valuedouble) > 1e10)
        return *why = "\"t\" must be a number of seconds", -1;
    if (!cJSON_IsNumber(st) || st->valuedouble < 0 || st->valuedouble > 999)
        return *why = "\"status\" must be a number from 0 to 999", -1;
    if (lat && !cJSON_IsNull(lat) && (!cJSON_IsNumber(lat) || !(lat->valuedouble >= 0)))
        return *why = "\"latency_s\" must be a number of seconds >= 0", -1;
    if (!provider)
        return *why = "no provider (a request off the provider routes)", 1;
    rl_exchange *e = rl_exchanges_add(out);
    if (!e)
        return *why = "out of memory, or more than 1000000 entries", -1;
    e->t = cm_us_from_s(t->valuedouble);
    e->latency = cJSON_IsNumber(lat) ? cm_us_from_s(lat->valuedouble) : 0;
    e->status = (int)st->valuedouble;
    snprintf(e->provider, sizeof e->provider, "%s", provider);
    const char *model = str_of(o, "model");
    snprintf(e->model, sizeof e->model, "%s", model ? model : "unknown");
    rl_import_key_id(str_of(o, "key"), e->key);
    read_grouping(o, e);
    read_fate(o, e);
    if (read_headers(o, e) != 0)
        return *why = "out of memory", -1;
    return 0;
}

/* A whole JSON array (GET /__admin/journal). */
static int read_array(const char *path, const char *text, size_t len, rl_exchanges *out,
                      rl_import_warn warn, void *ctx, cm_err *err)
{
    cm_json *doc = cm_json_parse(path, text, len, err);
    if (!doc)
        return CM_ERR_INPUT;
    const cJSON *root = cm_json_root(doc);
    int rc = 0;
    if (!cJSON_IsArray(root))
        rc = cm_json_fail(err, doc, root, NULL, "a journal is JSON Lines or a JSON array");
    size_t i = 0;
    for (const cJSON *it = rc ? NULL : root->child; it && rc == 0; it = it->next, i++) {
        const char *why = NULL;
        int r = read_entry(it, out, &why);
        if (r < 0)
            rc = cm_json_fail(err, doc, it, NULL, "entry %zu: %s", i, why);
        else if (r > 0)
            rl_import_warnf(warn, ctx, "%s: entry %zu: %s; skipped", path, i, why), out->skipped++;
    }
    cm_json_free(doc);
    return rc ? CM_ERR_INPUT : 0;
}

/* One line of JSON Lines; `last_cut`: the file's last line, without its
 * newline (a writer killed mid-line). */
static int read_line(const char *path, size_t no, const char *s, size_t n, bool last_cut,
                     rl_exchanges *out, rl_import_warn warn, void *ctx, cm_err *err)
{
    const char *spot_why = NULL;
    if (cm_json_limit_spot(s, n, &spot_why) < n) {
        cm_err_set(err, "%s:%zu: %s", path, no, spot_why);
        return CM_ERR_INPUT;
    }
    cJSON *o = cJSON_ParseWithLength(s, n);
    if (!o && last_cut) {
        rl_import_warnf(warn, ctx, "%s:%zu: last line cut off (a writer stopped mid-line); skipped",
                        path, no);
        out->skipped++;
        return 0;
    }
    const char *why = "not JSON";
    int r = o ? read_entry(o, out, &why) : -1;
    cJSON_Delete(o);
    if (r < 0) {
        cm_err_set(err, "%s:%zu: %s", path, no, why);
        return CM_ERR_INPUT;
    }
    if (r > 0) {
        rl_import_warnf(warn, ctx, "%s:%zu: %s; skipped", path, no, why);
        out->skipped++;
    }
    return 0;
}

static int read_lines(const char *path, const char *text, size_t len, rl_exchanges *out,
                      rl_import_warn warn, void *ctx, cm_err *err)
{
    size_t no = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        no++;
        if (!rl_import_blank(text + at, n)) {
            int rc = read_line(path, no, text + at, n, !nl, out, warn, ctx, err);
            if (rc != 0)
                return rc;
        }
        at += n + 1;
    }
    return 0;
}

int rl_import_journal(const char *path, rl_exchanges *out, rl_import_warn warn, void *ctx,
                      cm_err *err)
{
    char *text = NULL;
    size_t len = 0;
    if (cm_file_read(path, JOURNAL_MAX_BYTES, &text, &len, err) != 0)
        return CM_ERR_INPUT;
    snprintf(out->source, sizeof out->source, "%s", path);
    size_t first = 0;
    while (first < len && (text[first] == ' ' || text[first] == '\n' || text[first] == '\r' ||
                           text[first] == '\t'))
        first++;
    int rc = first < len && text[first] == '[' ? read_array(path, text, len, out, warn, ctx, err)
                                               : read_lines(path, text, len, out, warn, ctx, err);
    free(text);
    if (rc == 0 && out->n == 0) {
        cm_err_set(err, "%s: no journal entries (is it a mockserver journal?)", path);
        rc = CM_ERR_INPUT;
    }
    if (rc == 0)
        rl_exchanges_sort(out);
    return rc;
}
