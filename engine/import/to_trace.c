/* to_trace.c: grouped exchanges written as a run folder (trace.jsonl and
 * summary.json, the format of sim and run), with measured waits. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/driver/rundir.h"
#include "engine/driver/summary.h"
#include "engine/driver/trace.h"
#include "engine/import/import.h"

static cm_us end_of(const rl_exchange *e)
{
    return e->latency > 0 ? cm_us_add(e->t, e->latency) : e->t;
}

static bool ok(const rl_exchange *e)
{
    return e->status >= 200 && e->status < 300;
}

/* The response event of e, with its evidence and what the headers say. */
static void write_response(rl_trace *tr, const rl_exchanges *x, const rl_exchange *e,
                           const rl_trace_who *w)
{
    rl_signals g;
    rl_headers_parse(e->headers, e->nheaders, CM_SCENARIO_EPOCH * CM_US_PER_S + e->t, &g);
    rl_trace_reply r;
    rl_trace_reply_init(&r);
    r.status = e->status;
    r.error = e->status == 0 ? e->error : NULL;
    r.latency = e->latency;
    r.retry_after = g.has_retry_after ? g.retry_after : -1;
    r.retry_after_note = g.retry_after_note;
    r.limit = g.limit_requests, r.remaining = g.remaining_requests, r.reset = g.reset_requests;
    r.limit_tokens = g.limit_tokens, r.remaining_tokens = g.remaining_tokens;
    r.reset_tokens = g.reset_tokens;
    rl_header keep[RL_EVIDENCE_MAX_HEADERS];
    rl_trace_evidence ev = {.headers = keep,
                            .error_type = e->error_type[0] ? e->error_type : NULL,
                            .error_code = e->error_code[0] ? e->error_code : NULL,
                            .group = rl_group_rule_name((rl_group_rule)x->task_rule[e->task])};
    ev.nheaders = rl_trace_evidence_headers(e->headers, e->nheaders, keep, RL_EVIDENCE_MAX_HEADERS,
                                            &ev.request_id);
    r.evidence = &ev;
    rl_trace_response(tr, end_of(e), w, &r);
}

/* Every event of one task: its attempts (indices into x->v, in order). */
static cm_us write_task(rl_trace *tr, const rl_exchanges *x, const size_t *idx, size_t n,
                        uint64_t *successes, cm_us *total_wait)
{
    cm_us waited = 0;
    const rl_exchange *last = NULL;
    for (size_t i = 0; i < n; i++) {
        const rl_exchange *e = &x->v[idx[i]];
        rl_trace_who w = {.task = (uint32_t)e->task,
                          .attempt = e->attempt,
                          .provider = e->provider,
                          .model = e->model,
                          .key_id = e->key};
        if (last) {
            cm_us from = end_of(last), gap = e->t > from ? e->t - from : 0;
            rl_trace_who ww = {.task = (uint32_t)e->task, .attempt = last->attempt};
            rl_trace_wait(tr, from, &ww, gap, gap, "client", NULL);
            waited += gap;
        }
        rl_trace_send(tr, e->t, &w, 0);
        write_response(tr, x, e, &w);
        last = e;
    }
    char msg[96];
    snprintf(msg, sizeof msg, "the last attempt got %s %d",
             last->status ? "status" : "no answer:", last->status);
    if (!last->status)
        snprintf(msg, sizeof msg, "the last attempt got no answer (%s)", last->error);
    rl_trace_done(tr, end_of(last), (uint32_t)last->task, (uint32_t)n, ok(last), waited,
                  ok(last) ? NULL : msg);
    *successes += ok(last);
    *total_wait += waited;
    return end_of(last);
}

/* idx: the exchanges ordered by task, then attempt; first[k]: task k's start. */
static int order_by_task(const rl_exchanges *x, size_t **idx, size_t **first)
{
    size_t nt = x->ntasks;
    *idx = malloc((x->n ? x->n : 1) * sizeof **idx);
    *first = calloc(nt + 1, sizeof **first);
    if (!*idx || !*first)
        return -1;
    for (size_t i = 0; i < x->n; i++)
        (*first)[x->v[i].task + 1]++;
    for (size_t k = 0; k < nt; k++)
        (*first)[k + 1] += (*first)[k];
    size_t *fill = calloc(nt ? nt : 1, sizeof *fill);
    if (!fill)
        return -1;
    for (size_t i = 0; i < x->n; i++) {
        size_t k = (size_t)x->v[i].task;
        (*idx)[(*first)[k] + fill[k]++] = i;
    }
    free(fill);
    return 0;
}

/* The summary's per-candidate figures. */
static cJSON *candidates_json(const rl_exchanges *x)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < x->n; i++) {
        const rl_exchange *e = &x->v[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen =
                strcmp(x->v[j].provider, e->provider) == 0 && strcmp(x->v[j].model, e->model) == 0;
        if (seen)
            continue;
        double req = 0, succ = 0, limited = 0, lsum = 0, lmin = -1, lmax = 0;
        for (size_t j = i; j < x->n; j++) {
            const rl_exchange *f = &x->v[j];
            if (strcmp(f->provider, e->provider) || strcmp(f->model, e->model))
                continue;
            double l = f->latency > 0 ? cm_s_from_us(f->latency) : 0;
            req++, succ += ok(f), limited += f->status == 429, lsum += l;
            lmin = lmin < 0 || l < lmin ? l : lmin;
            lmax = l > lmax ? l : lmax;
        }
        cJSON *c = cJSON_CreateObject(), *lat = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "provider", e->provider);
        cJSON_AddStringToObject(c, "model", e->model);
        cJSON_AddNumberToObject(c, "requests", req);
        cJSON_AddNumberToObject(c, "successes", succ);
        cJSON_AddNumberToObject(c, "failures", req - succ);
        cJSON_AddNumberToObject(c, "rate_limited", limited);
        cJSON_AddNumberToObject(lat, "mean", lsum / req);
        cJSON_AddNumberToObject(lat, "min", lmin);
        cJSON_AddNumberToObject(lat, "max", lmax);
        cJSON_AddItemToObject(c, "latency_s", lat);
        cJSON_AddItemToArray(arr, c);
    }
    return arr;
}

static cJSON *extra_json(const rl_exchanges *x)
{
    cJSON *o = cJSON_CreateObject(), *rules = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "candidates", candidates_json(x));
    cJSON_AddStringToObject(o, "source", x->source);
    for (int r = RL_GROUP_TASK_HEADER; r <= RL_GROUP_TRACE; r++) {
        double n = 0;
        for (size_t k = 0; k < x->ntasks; k++)
            n += x->task_rule[k] == r;
        if (n > 0)
            cJSON_AddNumberToObject(rules, rl_group_rule_name((rl_group_rule)r), n);
    }
    cJSON_AddItemToObject(o, "grouped_by", rules);
    cJSON_AddNumberToObject(o, "skipped_entries", (double)x->skipped);
    return o;
}

static int write_all(rl_trace *tr, const rl_exchanges *x, const rl_import_run_info *info,
                     rl_summary *s)
{
    size_t *idx = NULL, *first = NULL;
    if (order_by_task(x, &idx, &first) != 0) {
        free(idx);
        free(first);
        return -1;
    }
    rl_trace_start_info si = {.scenario = info->scenario,
                              .scenario_name = info->scenario_name,
                              .policy = info->policy,
                              .policy_name = info->policy_name,
                              .mode = info->mode,
                              .time_scale = 1,
                              .tasks = x->ntasks};
    rl_trace_start(tr, &si);
    cm_us end = 0;
    for (size_t k = 0; k < x->ntasks; k++) {
        cm_us e = write_task(tr, x, idx + first[k], first[k + 1] - first[k], &s->successes,
                             &s->total_wait);
        end = e > end ? e : end;
    }
    s->scenario_time = end;
    free(idx);
    free(first);
    return 0;
}

int rl_import_write_run(const rl_exchanges *x, const rl_import_run_info *info, const char *dir,
                        cm_err *err)
{
    rl_rundir rd;
    if (rl_rundir_make(dir) != 0) {
        cm_err_set(err, "%s: cannot create: %s", dir, strerror(errno));
        return CM_ERR_RUNTIME;
    }
    snprintf(rd.trace, sizeof rd.trace, "%s/trace.jsonl", dir);
    snprintf(rd.summary, sizeof rd.summary, "%s/summary.json", dir);
    rl_trace *tr;
    if (rl_trace_open(rd.trace, &tr, err) != 0)
        return CM_ERR_RUNTIME;
    rl_summary s = {.tasks = x->ntasks,
                    .tasks_done = x->ntasks,
                    .attempts = x->n,
                    .scenario = info->scenario,
                    .scenario_name = info->scenario_name,
                    .policy = info->policy,
                    .policy_name = info->policy_name,
                    .mode = info->mode,
                    .time_scale = 1};
    int rc = write_all(tr, x, info, &s);
    if (rl_trace_close(tr) != 0 || rc != 0) {
        cm_err_set(err, "%s: cannot write%s", rd.trace, rc ? ": out of memory" : "");
        return CM_ERR_RUNTIME;
    }
    cJSON *extra = extra_json(x);
    rc = rl_summary_write(rd.summary, &s, extra, err);
    cJSON_Delete(extra);
    return rc == 0 ? 0 : CM_ERR_RUNTIME;
}
