/* scenario.c: the scenario that replays grouped exchanges, with where each
 * value came from in its description. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/import/import.h"

/* Provenance: one line per value, gathered into "description". */
typedef struct notes {
    char *text;
    size_t len, cap;
} notes;

static void note(notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(notes *n, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (k <= 0)
        return;
    size_t need = n->len + (size_t)k + 3;
    if (need > n->cap) {
        size_t cap = need * 2;
        char *t = realloc(n->text, cap);
        if (!t)
            return;
        n->text = t;
        n->cap = cap;
    }
    n->len += (size_t)snprintf(n->text + n->len, n->cap - n->len, "%s%s", n->len ? "; " : "", line);
}

static bool ok(const rl_exchange *e)
{
    return e->status >= 200 && e->status < 300;
}

/* What the engine reads from e's headers (a journal or HAR), or what the
 * trace said (a run folder). */
static void signals_of(const rl_exchange *e, rl_signals *g)
{
    rl_headers_parse(e->headers, e->nheaders, CM_SCENARIO_EPOCH * CM_US_PER_S + e->t, g);
    if (e->nheaders == 0) { /* a trace's own numbers */
        g->has_retry_after = e->retry_after >= 0;
        g->retry_after = e->retry_after;
        g->limit_requests = e->limit, g->remaining_requests = e->remaining;
        g->reset_requests = e->reset;
        g->limit_tokens = e->limit_tokens, g->remaining_tokens = e->remaining_tokens;
        g->reset_tokens = e->reset_tokens;
    }
}

/* A 429 that a rate window explains: its headers say nothing remains. */
static bool window_refusal(const rl_exchange *e, const rl_signals *g)
{
    return e->status == 429 && (g->remaining_requests == 0 || g->remaining_tokens == 0);
}

static bool same(const rl_exchange *e, const char *provider, const char *model)
{
    return strcmp(e->provider, provider) == 0 && (!model || strcmp(e->model, model) == 0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The model's latency from its successful answers. */
static cJSON *latency_json(const rl_exchanges *x, const char *p, const char *m, notes *n,
                           const char *where)
{
    size_t k = 0;
    double *v = malloc((x->n ? x->n : 1) * sizeof *v);
    for (size_t i = 0; v && i < x->n; i++)
        if (same(&x->v[i], p, m) && ok(&x->v[i]) && x->v[i].latency >= 0)
            v[k++] = cm_s_from_us(x->v[i].latency);
    cJSON *o = cJSON_CreateObject();
    if (!v || k == 0) {
        cJSON_AddStringToObject(o, "kind", "fixed");
        cJSON_AddNumberToObject(o, "s", 0);
        note(n, "%s latency: fixed 0 s (no successful answer to measure)", where);
        free(v);
        return o;
    }
    qsort(v, k, sizeof *v, cmp_double);
    double med = v[k / 2], p99 = v[(size_t)floor(0.99 * (double)(k - 1))];
    med = round(med * 1e4) / 1e4, p99 = round(p99 * 1e4) / 1e4;
    if (med <= 0 || p99 <= med * 1.05) {
        cJSON_AddStringToObject(o, "kind", "fixed");
        cJSON_AddNumberToObject(o, "s", med > 0 ? med : 0);
        note(n, "%s latency: fixed %g s (median of %zu successful answers)", where, med, k);
    } else {
        cJSON_AddStringToObject(o, "kind", "lognormal");
        cJSON_AddNumberToObject(o, "median_s", med);
        cJSON_AddNumberToObject(o, "p99_s", p99);
        note(n, "%s latency: lognormal, median %g s, p99 %g s (%zu successful answers)", where, med,
             p99, k);
    }
    free(v);
    return o;
}

/* A window per unit the headers announce: limit as sent, period the longest
 * reset seen (a fixed window's reset is its period when it opens). */
static void add_windows(cJSON *prov, const rl_exchanges *x, const char *p, notes *n,
                        const char *where, int64_t *tokens)
{
    int64_t lim[2] = {-1, -1};
    cm_us per[2] = {0, 0};
    size_t seen[2] = {0, 0};
    int64_t first_used = -1;
    for (size_t i = 0; i < x->n; i++) {
        if (!same(&x->v[i], p, NULL))
            continue;
        rl_signals g;
        signals_of(&x->v[i], &g);
        int64_t l[2] = {g.limit_requests, g.limit_tokens};
        cm_us r[2] = {g.reset_requests, g.reset_tokens};
        for (int u = 0; u < 2; u++)
            if (l[u] > 0) {
                lim[u] = l[u] > lim[u] ? l[u] : lim[u];
                per[u] = r[u] > per[u] ? r[u] : per[u];
                seen[u]++;
            }
        if (first_used < 0 && g.limit_tokens > 0 && g.remaining_tokens >= 0 &&
            g.remaining_requests == g.limit_requests - 1)
            first_used = g.limit_tokens - g.remaining_tokens;
    }
    cJSON *arr = NULL;
    static const char *const units[] = {"requests", "tokens"};
    for (int u = 0; u < 2; u++) {
        if (lim[u] <= 0 || per[u] <= 0)
            continue;
        double period = ceil(cm_s_from_us(per[u]) * 1000) / 1000;
        if (!arr)
            arr = cJSON_AddArrayToObject(prov, "windows");
        cJSON *w = cJSON_CreateObject();
        cJSON_AddStringToObject(w, "unit", units[u]);
        cJSON_AddNumberToObject(w, "limit", (double)lim[u]);
        cJSON_AddNumberToObject(w, "period_s", period);
        cJSON_AddItemToArray(arr, w);
        note(n,
             "%s window: %lld %s per %g s (the limit header on %zu answers; the period is "
             "the longest reset seen)",
             where, (long long)lim[u], units[u], period, seen[u]);
    }
    if (first_used > 0)
        *tokens = first_used;
}

/* The Retry-After form of the refusals: seconds (or ms when fractional). */
static const char *retry_after_form(const rl_exchanges *x, const char *p)
{
    bool any = false, frac = false;
    for (size_t i = 0; i < x->n; i++) {
        rl_signals g;
        if (!same(&x->v[i], p, NULL) || x->v[i].status < 400)
            continue;
        signals_of(&x->v[i], &g);
        any = any || g.has_retry_after;
        frac = frac || (g.has_retry_after && g.retry_after % CM_US_PER_S != 0);
    }
    return !any ? "none" : frac ? "ms" : "seconds";
}

/* An answer no window explains: its status (or fault), and Retry-After. */
static void answer_members(cJSON *o, const rl_exchange *e)
{
    if (e->status == 0)
        cJSON_AddStringToObject(
            o, "fault", strcmp(e->error ? e->error : "", "timeout") == 0 ? "hang" : "reset");
    else
        cJSON_AddNumberToObject(o, "status", e->status);
    rl_signals g;
    signals_of(e, &g);
    if (e->status && g.has_retry_after)
        cJSON_AddNumberToObject(o, "retry_after_s", cm_s_from_us(g.retry_after));
    if (e->status >= 400 && e->error_type[0])
        cJSON_AddStringToObject(o, "error_type", e->error_type);
}

/* Runs of the same unexplained error with no success between: phases (3 or
 * more answers); the rest: faults with their share of the model's requests. */
static void add_errors(cJSON *prov, const rl_exchanges *x, const char *p, const char *m, notes *n,
                       const char *where)
{
    cJSON *phases = NULL, *faults = NULL;
    size_t total = 0, i = 0;
    for (size_t k = 0; k < x->n; k++)
        total += same(&x->v[k], p, m);
    while (i < x->n) {
        const rl_exchange *e = &x->v[i];
        rl_signals g;
        signals_of(e, &g);
        if (!same(e, p, m) || ok(e) || window_refusal(e, &g)) {
            i++;
            continue;
        }
        size_t run = 0, j = i;
        cm_us last = e->t, next_ok = -1;
        for (; j < x->n; j++) {
            const rl_exchange *f = &x->v[j];
            if (!same(f, p, m))
                continue;
            if (ok(f)) {
                next_ok = f->t;
                break;
            }
            if (f->status != e->status)
                break;
            run++, last = f->t;
        }
        if (run >= 3) {
            cJSON *ph = cJSON_CreateObject();
            double to = cm_s_from_us(next_ok >= 0 ? next_ok : last + 1000);
            cJSON_AddNumberToObject(ph, "from_s", cm_s_from_us(e->t));
            cJSON_AddNumberToObject(ph, "to_s", to);
            cJSON_AddStringToObject(ph, "model", m);
            answer_members(ph, e);
            if (!phases)
                phases = cJSON_AddArrayToObject(prov, "phases");
            cJSON_AddItemToArray(phases, ph);
            note(n,
                 "%s phase: status %d from %.3f to %.3f s (%zu answers in a row, none a "
                 "success)",
                 where, e->status, cm_s_from_us(e->t), to, run);
            i = j;
            continue;
        }
        size_t hits = 0;
        for (size_t k = 0; k < x->n; k++) {
            rl_signals h;
            const rl_exchange *f = &x->v[k];
            signals_of(f, &h);
            hits += same(f, p, m) && f->status == e->status && !window_refusal(f, &h) &&
                    !(f->status == 0 && strcmp(f->error ? f->error : "", e->error ? e->error : ""));
        }
        bool listed = false;
        for (cJSON *f = faults ? faults->child : NULL; f && !listed; f = f->next) {
            const cJSON *st = cJSON_GetObjectItem(f, "status");
            listed = st ? st->valueint == e->status : e->status == 0;
        }
        if (!listed) {
            cJSON *f = cJSON_CreateObject();
            double prob = round((double)hits / (double)total * 1e4) / 1e4;
            cJSON_AddNumberToObject(f, "probability", prob);
            cJSON_AddStringToObject(f, "model", m);
            answer_members(f, e);
            if (!faults)
                faults = cJSON_AddArrayToObject(prov, "faults");
            cJSON_AddItemToArray(faults, f);
            note(n, "%s fault: %s %d with probability %g (%zu of %zu requests, scattered)", where,
                 e->status ? "status" : "transport error", e->status, prob, hits, total);
        }
        i++;
    }
}

/* The keys: the policy's names for this provider, else one per key id seen. */
static void add_keys(cJSON *prov, const rl_exchanges *x, const char *p,
                     const rl_import_scenario_opts *o, notes *n, const char *where)
{
    cJSON *keys = cJSON_AddObjectToObject(prov, "keys");
    size_t made = 0, plen = strlen(p);
    char val[64];
    for (size_t i = 0; i < o->nkeys; i++)
        if (strncmp(o->keys[i], p, plen) == 0 && o->keys[i][plen] == '/' &&
            !cJSON_HasObjectItem(keys, o->keys[i] + plen + 1)) {
            snprintf(val, sizeof val, "sk-imported-%zu", ++made);
            cJSON_AddStringToObject(keys, o->keys[i] + plen + 1, val);
        }
    if (made) {
        note(n, "%s keys: the policy's key names, with test values", where);
        return;
    }
    for (size_t i = 0; i < x->n; i++) {
        if (!same(&x->v[i], p, NULL))
            continue;
        char name[32];
        snprintf(name, sizeof name, "KEY_%s", x->v[i].key + 2);
        if (cJSON_HasObjectItem(keys, name) || made == 16)
            continue;
        snprintf(val, sizeof val, "sk-imported-%zu", ++made);
        cJSON_AddStringToObject(keys, name, val);
    }
    note(n, "%s keys: one per key id seen (KEY_<id>), test values; name them in the policy", where);
}

static const char *shape_of(const rl_exchanges *x, const char *p)
{
    for (size_t i = 0; i < x->n; i++) {
        const rl_exchange *e = &x->v[i];
        if (!same(e, p, NULL))
            continue;
        if (strcmp(e->endpoint, "messages") == 0)
            return "anthropic";
        for (size_t h = 0; h < e->nheaders; h++)
            if (strncasecmp(e->headers[h].name, "anthropic-", 10) == 0)
                return "anthropic";
    }
    return "openai";
}

static cJSON *provider_json(const rl_exchanges *x, const char *p, size_t pi,
                            const rl_import_scenario_opts *o, notes *n, int64_t *tokens)
{
    cJSON *prov = cJSON_CreateObject();
    char where[160];
    snprintf(where, sizeof where, "providers[%zu] %s", pi, p);
    cJSON_AddStringToObject(prov, "name", p);
    const char *shape = shape_of(x, p);
    cJSON_AddStringToObject(prov, "shape", shape);
    note(n, "%s: shape %s (its endpoint and headers)", where, shape);
    add_keys(prov, x, p, o, n, where);
    cJSON *models = cJSON_AddArrayToObject(prov, "models");
    for (size_t i = 0; i < x->n; i++) {
        const rl_exchange *e = &x->v[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same(&x->v[j], p, e->model);
        if (!same(e, p, NULL) || seen)
            continue;
        cJSON *m = cJSON_CreateObject();
        char mw[300];
        snprintf(mw, sizeof mw, "%s model %s", where, e->model);
        cJSON_AddStringToObject(m, "name", e->model);
        cJSON_AddItemToObject(m, "latency", latency_json(x, p, e->model, n, mw));
        cJSON_AddItemToArray(models, m);
    }
    const char *form = retry_after_form(x, p);
    cJSON_AddStringToObject(prov, "retry_after", form);
    note(n, "%s retry_after: %s (the refusals' Retry-After headers)", where, form);
    add_windows(prov, x, p, n, where, tokens);
    for (const cJSON *m = models->child; m; m = m->next)
        add_errors(prov, x, p, cJSON_GetObjectItem(m, "name")->valuestring, n, where);
    return prov;
}

/* The workload: one client per task; arrivals burst, uniform or Poisson by
 * the first attempts' times. */
static cJSON *workload_json(const rl_exchanges *x, int64_t tokens, notes *n)
{
    size_t nt = x->ntasks;
    double *at = calloc(nt ? nt : 1, sizeof *at);
    for (size_t i = 0; at && i < x->n; i++)
        if (x->v[i].attempt == 1 && x->v[i].task >= 0 && (size_t)x->v[i].task < nt)
            at[x->v[i].task] = cm_s_from_us(x->v[i].t);
    cJSON *w = cJSON_CreateObject();
    cJSON_AddNumberToObject(w, "clients", (double)(nt ? nt : 1));
    cJSON_AddNumberToObject(w, "tokens", (double)tokens);
    if (!at || nt < 2) {
        free(at);
        note(n, "workload: %zu task, at t=0", nt);
        return w;
    }
    qsort(at, nt, sizeof *at, cmp_double);
    double span = at[nt - 1] - at[0], mean = span / (double)(nt - 1), var = 0;
    for (size_t i = 1; i < nt; i++)
        var += pow(at[i] - at[i - 1] - mean, 2);
    double cv = mean > 0 ? sqrt(var / (double)(nt - 1)) / mean : 0;
    if (span < 0.001) {
        cJSON_AddStringToObject(w, "arrival", "burst");
        note(n, "workload: %zu tasks, all at once (their first attempts within 1 ms)", nt);
    } else if (cv < 0.5) {
        double over = round(at[nt - 1] * (double)nt / (double)(nt - 1) * 1000) / 1000;
        cJSON_AddStringToObject(w, "arrival", "uniform");
        cJSON_AddNumberToObject(w, "over_s", over);
        note(n,
             "workload: %zu tasks, uniform over %g s (first attempts' arrivals, gaps vary "
             "by %.0f%%)",
             nt, over, cv * 100);
    } else {
        cJSON_AddStringToObject(w, "arrival", "poisson");
        cJSON_AddNumberToObject(w, "rate_per_s", (double)(nt - 1) / span);
        note(n, "workload: %zu tasks, Poisson at %.3g a second (gaps vary by %.0f%%)", nt,
             (double)(nt - 1) / span, cv * 100);
    }
    free(at);
    return w;
}

char *rl_import_scenario(const rl_exchanges *x, const rl_import_scenario_opts *o, cm_err *err)
{
    notes n = {0};
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "kind", "scenario");
    cJSON_AddStringToObject(root, "name", o->name);
    if (o->policy_path)
        cJSON_AddStringToObject(root, "policy", o->policy_path);
    cJSON_AddNumberToObject(root, "seed", 1);
    note(&n, "imported by retrylab import from %s (%zu attempts in %zu tasks)", x->source, x->n,
         x->ntasks);
    int64_t tokens = 100;
    cJSON *provs = cJSON_CreateArray();
    size_t np = 0;
    for (size_t i = 0; i < x->n && np < 64; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(x->v[j].provider, x->v[i].provider) == 0;
        if (!seen)
            cJSON_AddItemToArray(provs, provider_json(x, x->v[i].provider, np++, o, &n, &tokens));
    }
    cJSON_AddItemToObject(root, "workload", workload_json(x, tokens, &n));
    cJSON_AddItemToObject(root, "providers", provs);
    cJSON_AddStringToObject(root, "description", n.text ? n.text : "");
    free(n.text);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        cm_err_set(err, "import: out of memory");
    return text;
}
