/* group.c: the exchange list, and the grouping of a client's attempts into
 * tasks by the rules of RL_GROUP_RULES, tried in order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/import/import.h"

static const char *const rule_names[] = {
#define X(id, name) name,
    RL_GROUP_RULES(X)
#undef X
};

const char *rl_group_rule_name(rl_group_rule r)
{
    return (unsigned)r < sizeof rule_names / sizeof rule_names[0] ? rule_names[r] : "alone";
}

void rl_exchanges_free(rl_exchanges *x)
{
    for (size_t i = 0; x->v && i < x->n; i++)
        free(x->v[i].header_text);
    free(x->v);
    free(x->task_rule);
    memset(x, 0, sizeof *x);
}

rl_exchange *rl_exchanges_add(rl_exchanges *x)
{
    if (x->n >= RL_IMPORT_MAX_ENTRIES)
        return NULL;
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 256;
        rl_exchange *v = realloc(x->v, cap * sizeof *v);
        if (!v)
            return NULL;
        x->v = v;
        x->cap = cap;
    }
    rl_exchange *e = &x->v[x->n++];
    memset(e, 0, sizeof *e);
    e->latency = -1;
    e->retry_count = -1;
    e->attempt_task = -1;
    e->task = -1;
    e->retry_after = e->reset = e->reset_tokens = -1;
    e->limit = e->remaining = e->limit_tokens = e->remaining_tokens = -1;
    return e;
}

int rl_exchange_set_headers(rl_exchange *e, const rl_header *in, size_t n)
{
    n = n < RL_IMPORT_MAX_HEADERS ? n : RL_IMPORT_MAX_HEADERS;
    size_t size = 1;
    for (size_t i = 0; i < n; i++)
        size += strlen(in[i].name) + strlen(in[i].value) + 2;
    char *text = malloc(size), *p = text;
    if (!text)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t a = strlen(in[i].name) + 1, b = strlen(in[i].value) + 1;
        memcpy(p, in[i].name, a);
        e->headers[i].name = p;
        p += a;
        memcpy(p, in[i].value, b);
        e->headers[i].value = p;
        p += b;
    }
    free(e->header_text);
    e->header_text = text;
    e->nheaders = n;
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const rl_exchange *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x < y ? -1 : x > y; /* qsort is not stable: see rl_exchanges_sort */
}

void rl_exchanges_sort(rl_exchanges *x)
{
    /* Stable by construction: the comparison breaks ties by position, and
     * positions only change relative to other times. Insertion order among
     * equal times survives because a sorted input (the common case) is
     * checked first and left alone. */
    bool sorted = true;
    for (size_t i = 1; i < x->n && sorted; i++)
        sorted = x->v[i - 1].t <= x->v[i].t;
    if (!sorted)
        qsort(x->v, x->n, sizeof *x->v, by_time);
}

/* ---- grouping ---- */

/* An open task: what a next attempt is matched against. */
typedef struct open_task {
    int64_t id;
    rl_group_rule rule;
    const rl_exchange *last; /* its latest attempt */
    bool done;               /* its latest attempt succeeded: nothing joins it by body */
    uint32_t attempts;
    char kind;                       /* 'T', 'A', 'I', or 0 (body rules) */
    char value[RL_IMPORT_VALUE_MAX]; /* the header value, or "" */
} open_task;

typedef struct grouper {
    open_task *t;
    size_t n, cap;
} grouper;

static bool same_call(const rl_exchange *a, const rl_exchange *b)
{
    return a->body == b->body && strcmp(a->provider, b->provider) == 0 &&
           strcmp(a->model, b->model) == 0 && strcmp(a->key, b->key) == 0;
}

static cm_us end_of(const rl_exchange *e)
{
    return e->latency > 0 ? e->t + e->latency : e->t;
}

static bool succeeded(const rl_exchange *e)
{
    return e->status >= 200 && e->status < 300;
}

/* The open task keyed by header kind and value, or NULL. */
static open_task *find_keyed(grouper *g, char kind, const char *value)
{
    for (size_t i = g->n; i-- > 0;)
        if (g->t[i].kind == kind && strcmp(g->t[i].value, value) == 0)
            return &g->t[i];
    return NULL;
}

/* The newest open body task that e continues, or NULL. */
static open_task *find_body(grouper *g, const rl_exchange *e, cm_us window)
{
    for (size_t i = g->n; i-- > 0;) {
        open_task *o = &g->t[i];
        if (o->kind || o->done || !same_call(o->last, e))
            continue;
        if (e->retry_count > 0 && o->rule == RL_GROUP_RETRY_COUNT &&
            o->last->retry_count == e->retry_count - 1)
            return o;
        if (e->retry_count < 0 && o->rule == RL_GROUP_BODY_WINDOW &&
            e->t - end_of(o->last) <= window)
            return o;
    }
    return NULL;
}

static open_task *new_task(grouper *g, int64_t id, rl_group_rule rule, char kind, const char *value)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 64;
        open_task *t = realloc(g->t, cap * sizeof *t);
        if (!t)
            return NULL;
        g->t = t;
        g->cap = cap;
    }
    open_task *o = &g->t[g->n++];
    memset(o, 0, sizeof *o);
    o->id = id;
    o->rule = rule;
    o->kind = kind;
    snprintf(o->value, sizeof o->value, "%s", value ? value : "");
    return o;
}

/* The key rule that names e's task (T, A, I), with its value in buf. */
static char key_of(const rl_exchange *e, char *buf, size_t size, rl_group_rule *rule)
{
    if (e->task_header[0]) {
        *rule = RL_GROUP_TASK_HEADER;
        snprintf(buf, size, "%s", e->task_header);
        return 'T';
    }
    if (e->attempt_task >= 0) {
        *rule = RL_GROUP_ATTEMPT_HEADER;
        snprintf(buf, size, "%lld", (long long)e->attempt_task);
        return 'A';
    }
    if (e->idem[0]) {
        *rule = RL_GROUP_IDEMPOTENCY_KEY;
        snprintf(buf, size, "%s", e->idem);
        return 'I';
    }
    return 0;
}

static open_task *place(grouper *g, const rl_exchange *e, cm_us window, int64_t *next_id)
{
    char value[RL_IMPORT_VALUE_MAX];
    rl_group_rule rule = RL_GROUP_ALONE;
    char kind = key_of(e, value, sizeof value, &rule);
    open_task *o = kind ? find_keyed(g, kind, value) : e->body ? find_body(g, e, window) : NULL;
    if (o)
        return o;
    if (!kind)
        rule = !e->body              ? RL_GROUP_ALONE
               : e->retry_count >= 0 ? RL_GROUP_RETRY_COUNT
                                     : RL_GROUP_BODY_WINDOW;
    return new_task(g, (*next_id)++, rule, kind, value);
}

int rl_import_group(rl_exchanges *x, cm_us window)
{
    grouper g = {0};
    int64_t next = 0;
    for (size_t i = 0; i < x->n; i++) {
        rl_exchange *e = &x->v[i];
        open_task *o = place(&g, e, window, &next);
        if (!o) {
            free(g.t);
            return -1;
        }
        e->task = o->id;
        e->attempt = ++o->attempts;
        o->last = e;
        o->done = succeeded(e);
    }
    free(x->task_rule);
    x->task_rule = calloc(next ? (size_t)next : 1, 1);
    if (!x->task_rule) {
        free(g.t);
        return -1;
    }
    for (size_t i = 0; i < g.n; i++)
        x->task_rule[g.t[i].id] = (uint8_t)g.t[i].rule;
    x->ntasks = (size_t)next;
    free(g.t);
    return 0;
}
