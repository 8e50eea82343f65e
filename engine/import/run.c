/* run.c: a run folder's trace.jsonl read back into exchanges, with the
 * trace's own tasks (a live, mock or sim run, or a graded journal). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/io/file.h"
#include "engine/import/import.h"
#include "engine/import/read.h"

#define TRACE_MAX_BYTES ((size_t)4 << 30)

static double num(const cJSON *o, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : dflt;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *error_name(const char *e)
{
    static const char *const known[] = {"timeout", "reset", "connect", "truncated"};
    for (size_t i = 0; e && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(e, known[i]) == 0)
            return known[i];
    return "other";
}

/* The task's latest exchange (its send), or NULL. */
static rl_exchange *open_send(rl_exchanges *x, int64_t task)
{
    for (size_t i = x->n; i-- > 0;)
        if (x->v[i].task == task)
            return x->v[i].latency < 0 ? &x->v[i] : NULL;
    return NULL;
}

static int take(rl_exchanges *x, const cJSON *o, const char **why)
{
    const char *ev = str(o, "event");
    double t = num(o, "t", NAN), task = num(o, "task", -1);
    if (!ev || isnan(t))
        return *why = "not a trace event (\"t\" and \"event\")", -1;
    if (strcmp(ev, "start") == 0) {
        const char *p = str(o, "policy");
        snprintf(x->policy, sizeof x->policy, "%s", p ? p : "");
        return 0;
    }
    if (task < 0 || task >= RL_IMPORT_MAX_ENTRIES)
        return strcmp(ev, "send") && strcmp(ev, "response") ? 0 : (*why = "bad \"task\"", -1);
    if (strcmp(ev, "send") == 0) {
        rl_exchange *e = rl_exchanges_add(x);
        if (!e)
            return *why = "out of memory, or more than 1000000 attempts", -1;
        e->t = cm_us_from_s(t);
        e->task = (int64_t)task;
        e->attempt = (uint32_t)num(o, "attempt", 1);
        const char *p = str(o, "provider"), *m = str(o, "model");
        snprintf(e->provider, sizeof e->provider, "%s", p ? p : "unknown");
        snprintf(e->model, sizeof e->model, "%s", m ? m : "unknown");
        rl_import_key_id(str(o, "key"), e->key);
        return 0;
    }
    rl_exchange *e = strcmp(ev, "response") == 0 ? open_send(x, (int64_t)task) : NULL;
    if (!e)
        return 0; /* waits, dones, newer events; a response without its send */
    e->latency = cm_us_from_s(num(o, "latency", t - cm_s_from_us(e->t)));
    e->status = (int)num(o, "status", 0);
    e->error = e->status ? NULL : error_name(str(o, "error"));
    double ra = num(o, "retry_after", -1), rs = num(o, "reset", -1),
           rt = num(o, "reset_tokens", -1);
    e->retry_after = ra >= 0 ? cm_us_from_s(ra) : -1;
    e->limit = (int64_t)num(o, "limit", -1), e->remaining = (int64_t)num(o, "remaining", -1);
    e->reset = rs >= 0 ? cm_us_from_s(rs) : -1;
    e->limit_tokens = (int64_t)num(o, "limit_tokens", -1);
    e->remaining_tokens = (int64_t)num(o, "remaining_tokens", -1);
    e->reset_tokens = rt >= 0 ? cm_us_from_s(rt) : -1;
    const char *et = str(o, "error_type");
    snprintf(e->error_type, sizeof e->error_type, "%s", et ? et : "");
    return 0;
}

int rl_import_run(const char *dir, rl_exchanges *out, rl_import_warn warn, void *ctx, cm_err *err)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/trace.jsonl", dir);
    char *text = NULL;
    size_t len = 0;
    if (cm_file_read(path, TRACE_MAX_BYTES, &text, &len, err) != 0)
        return CM_ERR_INPUT;
    snprintf(out->source, sizeof out->source, "%s", dir);
    size_t no = 0;
    int rc = 0;
    for (size_t at = 0; at < len && rc == 0;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        no++;
        cJSON *o = rl_import_blank(text + at, n) ? NULL : cJSON_ParseWithLength(text + at, n);
        const char *why = "not JSON";
        if (o ? take(out, o, &why) != 0 : !rl_import_blank(text + at, n) && nl) {
            cm_err_set(err, "%s:%zu: %s", path, no, why);
            rc = CM_ERR_INPUT;
        } else if (!o && !nl && !rl_import_blank(text + at, n)) {
            rl_import_warnf(warn, ctx, "%s:%zu: last line cut off; skipped", path, no);
            out->skipped++;
        }
        cJSON_Delete(o);
        at += n + 1;
    }
    free(text);
    for (size_t i = 0; rc == 0 && i < out->n; i++) /* a send that never got its answer */
        if (out->v[i].latency < 0)
            out->v[i].latency = 0, out->v[i].status = 0, out->v[i].error = "other";
    int64_t top = -1;
    for (size_t i = 0; i < out->n; i++)
        top = out->v[i].task > top ? out->v[i].task : top;
    out->ntasks = (size_t)(top + 1);
    out->task_rule = rc == 0 ? calloc(out->ntasks ? out->ntasks : 1, 1) : NULL;
    for (size_t k = 0; out->task_rule && k < out->ntasks; k++)
        out->task_rule[k] = RL_GROUP_TRACE;
    if (rc == 0 && !out->task_rule)
        rc = CM_ERR_RUNTIME;
    if (rc == 0 && out->n == 0) {
        cm_err_set(err, "%s: no attempts in the trace", path);
        rc = CM_ERR_INPUT;
    }
    if (rc == 0)
        rl_exchanges_sort(out);
    return rc;
}
