/* check.c: evaluates expectations on a run: ladder, success rate, attempt,
 * wait and call limits, candidates used or not, final messages, rotation order. */
#include "reports/check.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/grow.h"
#include "reports/stats.h"
#include "reports/text.h"

static int add(rep_verdicts *vs, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int add(rep_verdicts *vs, bool ok, const char *fmt, ...)
{
    rep_verdict *v = rep_grow(vs->v, vs->n, &vs->cap, sizeof *v, 16);
    if (!v)
        return -1;
    vs->v = v;
    rep_verdict *d = &vs->v[vs->n++];
    d->ok = ok;
    d->expectation = vs->cur;
    snprintf(d->name, sizeof d->name, "%s", vs->cur ? vs->cur_name : "run");
    d->key = vs->cur ? vs->cur_key : NULL;
    d->index = vs->cur ? vs->cur_index : -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->text, sizeof d->text, fmt, ap);
    va_end(ap);
    vs->failed += !ok;
    return 0;
}

/* Starts the next expectation, named printf-style: the lines added until
 * the next call are its. `key` is its key in the expect object, `index` its
 * item there (-1: the key holds no array). */
static void begin(rep_verdicts *vs, const char *key, int index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void begin(rep_verdicts *vs, const char *key, int index, const char *fmt, ...)
{
    vs->cur = ++vs->seq;
    vs->cur_key = key;
    vs->cur_index = index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vs->cur_name, sizeof vs->cur_name, fmt, ap);
    va_end(ap);
}

/* Counts the expectations and failed ones among verdicts from..n (an
 * expectation's lines are consecutive). */
static void tally(rep_verdicts *vs, size_t from)
{
    size_t last = 0, last_failed = 0;
    for (size_t i = from; i < vs->n; i++) {
        size_t id = vs->v[i].expectation;
        if (id == 0) {
            vs->run_failed += !vs->v[i].ok;
            continue;
        }
        if (id != last)
            vs->n_expect++, last = id;
        if (!vs->v[i].ok && id != last_failed)
            vs->failed_expect++, last_failed = id;
    }
}

void rep_verdicts_free(rep_verdicts *vs)
{
    free(vs->v);
    memset(vs, 0, sizeof *vs);
}

const char *rep_claim_source(const char *source, char *buf, size_t size)
{
    if (!source || !*source)
        snprintf(buf, size, "the seed document");
    else if (isdigit((unsigned char)source[0]) && isdigit((unsigned char)source[1]) &&
             isdigit((unsigned char)source[2]) && (source[3] == '_' || source[3] == '.'))
        snprintf(buf, size, "seed %.3s", source);
    else
        snprintf(buf, size, "%s", source);
    return buf;
}

/* Seconds for messages: one decimal when that is exact, else up to 3; from
 * ten million seconds on, 3 significant digits ("3.15e+09 s"). */
static const char *secs(double v, char *buf, size_t size)
{
    if (fabs(v) >= 1e7)
        snprintf(buf, size, "%.3g s", v);
    else if (fabs(v * 10 - round(v * 10)) < 1e-6)
        snprintf(buf, size, "%.1f s", v);
    else
        snprintf(buf, size, "%.3f s", v);
    return buf;
}

/* A small tolerance in seconds with every digit it has ("0.00001 s"). */
static const char *fine_secs(double v, char *buf, size_t size)
{
    if (v >= 1e7 || v < 1e-9)
        return secs(v, buf, size);
    int n = snprintf(buf, size, "%.9f", v);
    while (n > 0 && (size_t)n < size && buf[n - 1] == '0' && buf[n - 2] != '.')
        buf[--n] = '\0';
    if ((size_t)n + 2 < size)
        memcpy(buf + n, " s", 3);
    return buf;
}

static const char *tolerance_text(const cm_expect_ladder *l, double expected, char *buf,
                                  size_t size)
{
    char s[40];
    if (l->tolerance * expected >= l->abs_tolerance_s && l->tolerance > 0)
        snprintf(buf, size, "+/- %g%%", l->tolerance * 100);
    else
        snprintf(buf, size, "+/- %s", fine_secs(l->abs_tolerance_s, s, sizeof s));
    return buf;
}

/* The waits of `task` in trace order (delay or observed), malloc'd; -1 OOM. */
static int task_waits(const rep_run *run, const cm_expect_ladder *l, double **out, size_t *n)
{
    *n = 0;
    *out = malloc((run->n_ev ? run->n_ev : 1) * sizeof **out);
    if (!*out)
        return -1;
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        if (e->kind == REP_WAIT && e->task == l->task)
            (*out)[(*n)++] = l->field == CM_EXPECT_OBSERVED ? e->observed : e->delay;
    }
    return 0;
}

static int ladder_compare(rep_verdicts *vs, const cm_expect_ladder *l, const double *got, size_t n)
{
    const char *what = l->field == CM_EXPECT_OBSERVED ? "observed" : "waited";
    char a[40], b[40], t[64];
    size_t bad = 0;
    for (size_t i = 0; i < n && i < l->n_waits; i++) {
        double want = l->waits_s[i];
        double allowed = fmax(l->tolerance * want, l->abs_tolerance_s);
        if (got[i] < 0) {
            bad++;
            if (add(vs, false,
                    "ladder task %lld: attempt %zu has no observed wait "
                    "(not a real-time run?)",
                    (long long)l->task, i + 1))
                return -1;
        } else if (fabs(got[i] - want) > allowed + 1e-9) {
            bad++;
            if (add(vs, false, "ladder task %lld: attempt %zu %s %s, expected %s %s",
                    (long long)l->task, i + 1, what, secs(got[i], a, sizeof a),
                    secs(want, b, sizeof b), tolerance_text(l, want, t, sizeof t)))
                return -1;
        }
    }
    return (int)bad;
}

static int check_ladder(const rep_run *run, const cm_expect_ladder *l, int index, rep_verdicts *vs)
{
    long long task = (long long)l->task;
    begin(vs, "ladder", index, "ladder task %lld", task);
    if (!rep_run_task(run, l->task))
        return add(vs, false, "ladder task %lld: the task is not in the trace", task);
    double *got;
    size_t n;
    if (task_waits(run, l, &got, &n) != 0)
        return -1;
    int bad = ladder_compare(vs, l, got, n);
    free(got);
    if (bad < 0)
        return -1;
    if (n < l->n_waits || (!l->prefix && n != l->n_waits))
        return add(vs, false, "ladder task %lld: %zu waits, expected %s%zu", task, n,
                   l->prefix ? "at least " : "", l->n_waits);
    if (bad == 0)
        return add(vs, true, "ladder task %lld: %zu waits as expected", task, l->n_waits);
    return 0;
}

static int check_rate(const rep_stats *s, const cm_expect *e, rep_verdicts *vs)
{
    char claim[CM_EXPECT_TEXT_MAX + 64] = "", src[CM_EXPECT_TEXT_MAX];
    if (e->has_rate_claimed)
        snprintf(claim, sizeof claim, " (%s claims %g%%)",
                 rep_claim_source(e->rate_source, src, sizeof src), e->rate_claimed * 100);
    double r = s->success_rate;
    begin(vs, "success_rate", -1, "success_rate");
    if (e->has_rate_min && r < e->rate_min)
        return add(vs, false, "success rate %.2f < %.2f%s", r, e->rate_min, claim);
    if (e->has_rate_max && r > e->rate_max)
        return add(vs, false, "success rate %.2f > %.2f%s", r, e->rate_max, claim);
    if (!e->has_rate_min && !e->has_rate_max)
        return 0;
    return add(vs, true, "success rate %.2f within [%.2f, %.2f]%s", r,
               e->has_rate_min ? e->rate_min : 0.0, e->has_rate_max ? e->rate_max : 1.0, claim);
}

/* The row of the task with the most sends / the longest planned wait. */
static size_t worst_task(const rep_run *run, bool by_wait)
{
    size_t w = 0;
    for (size_t i = 1; i < run->n_tasks; i++) {
        const rep_task *a = &run->tasks[i], *b = &run->tasks[w];
        if (by_wait ? a->wait_planned > b->wait_planned : a->sends > b->sends)
            w = i;
    }
    return w;
}

static int check_limits(const rep_run *run, const rep_stats *s, const cm_expect *e,
                        rep_verdicts *vs)
{
    char a[40], b[40];
    if (e->has_max_attempts && run->n_tasks) {
        begin(vs, "max_attempts", -1, "max_attempts");
        size_t w = worst_task(run, false);
        long got = run->tasks[w].sends;
        if (add(vs, got <= e->max_attempts, "task %lld made %ld attempts, max_attempts is %lld",
                (long long)run->tasks[w].id, got, (long long)e->max_attempts))
            return -1;
    }
    if (e->has_max_total_wait && run->n_tasks) {
        begin(vs, "max_total_wait_s", -1, "max_total_wait_s");
        size_t w = worst_task(run, true);
        double got = run->tasks[w].wait_planned;
        if (add(vs, got <= e->max_total_wait_s + 1e-6,
                "task %lld waited %s in total, max_total_wait_s is %s", (long long)run->tasks[w].id,
                secs(got, a, sizeof a), secs(e->max_total_wait_s, b, sizeof b)))
            return -1;
    }
    if (!e->has_max_calls_per_success)
        return 0;
    begin(vs, "max_calls_per_success", -1, "max_calls_per_success");
    if (s->calls_per_success < 0)
        return add(vs, false, "no task succeeded: calls per success is unbounded (max %g)",
                   e->max_calls_per_success);
    return add(vs, s->calls_per_success <= e->max_calls_per_success + 1e-9,
               "calls per success %.2f, max_calls_per_success is %g", s->calls_per_success,
               e->max_calls_per_success);
}

static long cand_requests(const rep_run *run, const char *name)
{
    for (size_t i = 0; i < run->n_cands; i++)
        if (strcmp(run->cands[i].name, name) == 0)
            return run->cands[i].requests;
    return 0;
}

static int check_candidates(const rep_run *run, const cm_expect *e, rep_verdicts *vs)
{
    for (size_t i = 0; i < e->n_used; i++) {
        begin(vs, "candidates_used", (int)i, "candidates_used %s", e->used[i]);
        long n = cand_requests(run, e->used[i]);
        if (add(vs, n > 0, "candidate %s received %ld requests (expected in candidates_used)",
                e->used[i], n))
            return -1;
    }
    for (size_t i = 0; i < e->n_not_used; i++) {
        begin(vs, "candidates_not_used", (int)i, "candidates_not_used %s", e->not_used[i]);
        long n = cand_requests(run, e->not_used[i]);
        if (add(vs, n == 0, "candidate %s received %ld requests (expected in candidates_not_used)",
                e->not_used[i], n))
            return -1;
    }
    return 0;
}

static int check_duration(const rep_run *run, const cm_expect *e, rep_verdicts *vs)
{
    char a[40], b[40];
    if (!e->has_max_task_duration)
        return 0;
    begin(vs, "max_task_duration_s", -1, "max_task_duration_s");
    double worst = -1;
    size_t w = 0;
    for (size_t k = 0; k < run->n_tasks; k++) {
        double d = rep_task_duration(run, k);
        if (d > worst)
            worst = d, w = k;
    }
    if (worst < 0)
        return add(vs, true, "no task sent a request: max_task_duration_s holds");
    const char *open = run->tasks[w].done_t < 0 ? " (never done)" : "";
    long long id = (long long)run->tasks[w].id;
    if (worst > e->max_task_duration_s + 1e-6)
        return add(vs, false, "task %lld took %s%s > %s", id, secs(worst, a, sizeof a), open,
                   secs(e->max_task_duration_s, b, sizeof b));
    return add(vs, true, "task %lld took %s%s, max_task_duration_s is %s", id,
               secs(worst, a, sizeof a), open, secs(e->max_task_duration_s, b, sizeof b));
}

static int check_counts(const rep_run *run, const cm_expect *e, rep_verdicts *vs)
{
    for (size_t i = 0; i < e->n_counts; i++) {
        const cm_expect_count *c = &e->counts[i];
        begin(vs, "candidate_requests", (int)i, "candidate_requests %s", c->candidate);
        long long n = cand_requests(run, c->candidate);
        int rc;
        if (c->has_min && n < c->min)
            rc = add(vs, false, "candidate %s: %lld requests < %lld", c->candidate, n,
                     (long long)c->min);
        else if (c->has_max && n > c->max)
            rc = add(vs, false, "candidate %s: %lld requests > %lld", c->candidate, n,
                     (long long)c->max);
        else if (c->has_max)
            rc = add(vs, true, "candidate %s: %lld requests within [%lld, %lld]", c->candidate, n,
                     c->has_min ? (long long)c->min : 0LL, (long long)c->max);
        else
            rc = add(vs, true, "candidate %s: %lld requests >= %lld", c->candidate, n,
                     (long long)c->min);
        if (rc)
            return -1;
    }
    return 0;
}

static int check_message(const rep_run *run, const cm_expect_message *m, int index,
                         rep_verdicts *vs)
{
    long long task = (long long)m->task;
    begin(vs, "final_message", index, "final_message task %lld", task);
    const rep_task *k = rep_run_task(run, m->task);
    if (!k || k->outcome == 0)
        return add(vs, false, "final message task %lld: the task never finished", task);
    if (k->outcome == 1)
        return add(vs, false,
                   "final message task %lld: the task succeeded, expected a failure "
                   "saying \"%s\"",
                   task, m->contains);
    const char *msg = k->message ? k->message : "";
    bool ok = strstr(msg, m->contains) != NULL;
    char shown[201];
    rep_text_copy(shown, sizeof shown, msg); /* cut at a character boundary */
    return add(vs, ok, "final message task %lld: \"%s\"%s \"%s\"", task, shown,
               ok ? " contains" : " does not contain", m->contains);
}

/* Appends "a -> b" style text, stopping quietly when buf is full. */
static void append(char *buf, size_t size, const char *sep, const char *s)
{
    size_t used = strlen(buf);
    if (used < size)
        snprintf(buf + used, size - used, "%s%s", used ? sep : "", s);
}

static int check_rotation(const rep_run *run, const cm_expect_rotation *r, int index,
                          rep_verdicts *vs)
{
    char got[200] = "", want[200] = "";
    int last = -1;
    size_t n = 0;
    bool same = true;
    begin(vs, "rotation_order", index, "rotation_order task %lld", (long long)r->task);
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        if (e->kind != REP_SEND || e->task != r->task || e->cand == last)
            continue;
        last = e->cand;
        const char *name = run->cands[e->cand].name;
        same = same && (n >= r->n ? r->prefix : strcmp(name, r->candidates[n]) == 0);
        append(got, sizeof got, " -> ", name);
        n++;
    }
    for (size_t i = 0; i < r->n; i++)
        append(want, sizeof want, " -> ", r->candidates[i]);
    same = same && (n == r->n || (r->prefix && n > r->n));
    if (same)
        return add(vs, true, "rotation task %lld: %s", (long long)r->task, want);
    return add(vs, false, "rotation task %lld: went %s, expected %s%s", (long long)r->task,
               n ? got : "nowhere (no sends)", want, r->prefix ? " ..." : "");
}

/* Time to first token of every streamed response that got one, sorted,
 * malloc'd (*n items); NULL with *n = 0 when none (or out of memory: *oom). */
static double *ttfts(const rep_run *run, size_t *n, bool *oom)
{
    *n = 0;
    *oom = false;
    double *v = malloc((run->n_ev ? run->n_ev : 1) * sizeof *v);
    if (!v) {
        *oom = true;
        return NULL;
    }
    for (size_t i = 0; i < run->n_ev; i++)
        if (run->ev[i].kind == REP_RESPONSE && run->ev[i].ttft >= 0)
            v[(*n)++] = run->ev[i].ttft;
    rep_sort(v, *n);
    return v;
}

static int check_ttft(const rep_run *run, const cm_expect *e, rep_verdicts *vs)
{
    size_t n;
    bool oom;
    char a[40], b[40];
    if (!e->n_ttft)
        return 0;
    double *v = ttfts(run, &n, &oom);
    if (oom)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < e->n_ttft; i++) {
        const cm_expect_ttft *t = &e->ttft[i];
        begin(vs, "ttft", (int)i, "ttft p%g", t->p);
        if (n == 0) {
            rc = add(vs, false, "ttft p%g: no streamed response received a first token", t->p);
            continue;
        }
        double got = rep_quantile(v, n, t->p / 100);
        rc = add(vs, got <= t->max_s + 1e-9, "ttft p%g %s %s %s (%zu streamed responses)", t->p,
                 secs(got, a, sizeof a), got <= t->max_s + 1e-9 ? "<=" : ">",
                 secs(t->max_s, b, sizeof b), n);
    }
    free(v);
    return rc;
}

/* One re-send after tokens: attempt `attempt` of task `task`, sent after
 * attempt `after` delivered `tokens` tokens and ended `how`. */
typedef struct resend {
    long long task, attempt, after;
    long tokens;
    rep_stream how;
} resend;

/* Counts attempts sent after an earlier attempt of the same task received
 * tokens (> 0) and failed; *first is the first such. */
static long count_resends(const rep_run *run, resend *first)
{
    long n = 0;
    /* per task row: the last failed attempt that had delivered tokens */
    typedef struct seen {
        long long attempt;
        long tokens;
        rep_stream how;
    } seen;
    seen *s = calloc(run->n_tasks ? run->n_tasks : 1, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < run->n_ev; i++) {
        const rep_event *e = &run->ev[i];
        seen *k = &s[e->ti];
        if (e->kind == REP_RESPONSE && e->tokens > 0 && e->stream != REP_STREAM_NONE &&
            e->stream != REP_STREAM_COMPLETE && k->tokens <= 0)
            *k = (seen){e->attempt, e->tokens, e->stream};
        else if (e->kind == REP_SEND && k->tokens > 0 && e->attempt != k->attempt) {
            if (n++ == 0)
                *first = (resend){(long long)e->task, (long long)e->attempt, k->attempt, k->tokens,
                                  k->how};
        }
    }
    free(s);
    return n;
}

static int check_resends(const rep_run *run, const cm_expect *e, rep_verdicts *vs)
{
    if (!e->has_max_resends_after_tokens)
        return 0;
    begin(vs, "max_resends_after_tokens", -1, "max_resends_after_tokens");
    resend r = {0};
    long n = count_resends(run, &r);
    long long max = (long long)e->max_resends_after_tokens;
    if (n < 0)
        return -1;
    if (n <= max)
        return add(vs, true, "%ld re-send%s after tokens, max_resends_after_tokens is %lld", n,
                   n == 1 ? "" : "s", max);
    return add(vs, false,
               "%ld re-send%s after tokens > %lld: task %lld sent attempt %lld after attempt "
               "%lld received %ld token%s and ended %s",
               n, n == 1 ? "" : "s", max, r.task, r.attempt, r.after, r.tokens,
               r.tokens == 1 ? "" : "s", rep_stream_name(r.how));
}

/* respects_retry_after: every send of a task comes at least the Retry-After
 * of its previous error answer after that answer (within the tolerance). */
#define RA_LINES_MAX 20
static int check_retry_after(const rep_run *run, const cm_expect *e, rep_verdicts *vs)
{
    if (!e->has_respect_retry_after)
        return 0;
    begin(vs, "respects_retry_after", -1, "respects_retry_after");
    const rep_event **last = calloc(run->n_tasks ? run->n_tasks : 1, sizeof *last);
    if (!last)
        return -1;
    size_t seen = 0, early = 0;
    char a[40], b[40], c[40];
    int rc = 0;
    for (size_t i = 0; i < run->n_ev && rc == 0; i++) {
        const rep_event *v = &run->ev[i];
        if (v->kind == REP_RESPONSE) {
            bool says = v->retry_after >= 0 && (v->status >= 400 || v->status == 0);
            last[v->ti] = says ? v : NULL;
            seen += says;
            continue;
        }
        const rep_event *r = v->kind == REP_SEND ? last[v->ti] : NULL;
        if (!r)
            continue;
        last[v->ti] = NULL;
        double gap = v->t - r->t;
        if (gap + e->retry_after_tolerance_s + 1e-9 >= r->retry_after)
            continue;
        if (++early <= RA_LINES_MAX)
            rc = add(vs, false,
                     "retry-after task %lld: attempt %lld sent %s after a %d that said "
                     "Retry-After %s (%s early)",
                     (long long)v->task, (long long)v->attempt, secs(gap, a, sizeof a), r->status,
                     secs(r->retry_after, b, sizeof b), secs(r->retry_after - gap, c, sizeof c));
    }
    free(last);
    if (rc != 0)
        return -1;
    if (early > RA_LINES_MAX)
        return add(vs, false, "retry-after: %zu more attempts sent early (%zu in all)",
                   early - RA_LINES_MAX, early);
    if (early == 0)
        return add(vs, true,
                   "retry-after: no attempt before the Retry-After elapsed (%zu answers "
                   "gave one)",
                   seen);
    return 0;
}

/* A run against the mockserver (mode neither sim nor live) in which some
 * attempts never reached it: the mockserver cannot refuse a connection, so
 * the harness broke (the server died) and those attempts measured nothing. */
static bool mock_unreachable(const rep_run *run)
{
    return run->connect_errors > 0 && run->mode[0] && strcmp(run->mode, "sim") != 0 &&
           strcmp(run->mode, "live") != 0;
}

int rep_check_run(const rep_run *run, const cm_expect *e, rep_verdicts *out)
{
    rep_check_opts o = {0};
    return rep_check_run_opts(run, e, &o, out);
}

/* --strict: a scenario or policy file changed since the run fails it. */
static int check_files(const rep_run *run, const rep_check_opts *o, rep_verdicts *out)
{
    if (!o->strict)
        return 0;
    if (run->scenario_changed &&
        add(out, false,
            "scenario file %s changed since the run (--strict): run it again, or check the "
            "run against the file it ran with",
            run->scenario_file))
        return -1;
    if (run->policy_changed && add(out, false,
                                   "policy file %s changed since the run (--strict): the run "
                                   "does not measure the policy as it is",
                                   run->policy_file))
        return -1;
    return 0;
}

int rep_check_run_opts(const rep_run *run, const cm_expect *e, const rep_check_opts *o,
                       rep_verdicts *out)
{
    rep_stats s;
    rep_stats_compute(run, &s);
    size_t before = out->failed, first = out->n;
    out->cur = 0;
    if (run->summary.partial && add(out, false,
                                    "the run was interrupted (summary.json says "
                                    "partial): its numbers are incomplete"))
        return -1;
    if (mock_unreachable(run) &&
        add(out, false,
            "%ld attempt%s could not connect to the mockserver: the run does not "
            "measure the scenario",
            run->connect_errors, run->connect_errors == 1 ? "" : "s"))
        return -1;
    if (check_files(run, o, out))
        return -1;
    for (size_t i = 0; i < e->n_ladders; i++)
        if (check_ladder(run, &e->ladders[i], (int)i, out))
            return -1;
    if (check_rate(&s, e, out) || check_limits(run, &s, e, out) || check_duration(run, e, out) ||
        check_candidates(run, e, out) || check_counts(run, e, out) || check_ttft(run, e, out) ||
        check_resends(run, e, out) || check_retry_after(run, e, out))
        return -1;
    for (size_t i = 0; i < e->n_messages; i++)
        if (check_message(run, &e->messages[i], (int)i, out))
            return -1;
    for (size_t i = 0; i < e->n_rotations; i++)
        if (check_rotation(run, &e->rotations[i], (int)i, out))
            return -1;
    tally(out, first);
    return (int)(out->failed - before);
}
