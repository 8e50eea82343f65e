/* task.c: the task state machine. rl_task_next dispatches on the state to one
 * function per state; every state change goes through set_state. The
 * decisions (classify, Retry-After, ladder, rotation, cooldown, breaker,
 * budget, limits) are taken in on_outcome and the plan_* helpers below. No
 * call allocates: everything lives in the task, the run and the action. */
#include <stdio.h>
#include <string.h>

#include "engine/core/run.h"

static const char *const state_names[] = {
#define X(name, text) text,
    RL_TASK_STATES(X)
#undef X
};

static const char *const wait_names[] = {
#define X(name, text) text,
    RL_WAIT_REASONS(X)
#undef X
};

static const char *const te_names[] = {
#define X(name, text) text,
    RL_TRANSPORT_ERRORS(X)
#undef X
};

const char *rl_task_state_name(rl_task_state s)
{
    return (unsigned)s < sizeof state_names / sizeof *state_names ? state_names[s] : "?";
}

const char *rl_wait_reason_name(rl_wait_reason r)
{
    return (unsigned)r < sizeof wait_names / sizeof *wait_names ? wait_names[r] : "?";
}

const char *rl_transport_error_name(rl_transport_error e)
{
    return (unsigned)e < sizeof te_names / sizeof *te_names ? te_names[e] : "?";
}

/* One call's context. */
typedef struct step {
    rl_task *t;
    rl_run *run;
    const rl_policy *p;
    cm_us now;
    cm_rng *rng;
    rl_action *out;
    const rl_signals *sig;     /* the outcome's signals, NULL when there was none */
    const rl_signals *given;   /* the driver's reading of the outcome, or NULL: parse */
    const rl_error_body *body; /* the outcome's error body, NULL when none was read */
} step;

static void set_state(rl_task *t, rl_task_state s)
{
    t->state = (uint8_t)s;
}

static bool tried(const rl_task *t, uint32_t c)
{
    return (t->tried[c / 8] >> (c % 8)) & 1;
}

static void mark_tried(rl_task *t, uint32_t c)
{
    t->tried[c / 8] |= (uint8_t)(1u << (c % 8));
}

/* ---- leaving a call: DONE, SEND, WAIT ---- */

static void emit_done(step *s, bool ok, rl_fail_reason why, cm_us retry_after)
{
    rl_task *t = s->t;
    const rl_cand *c = &s->p->cands[t->candidate];
    char avail[192];
    set_state(t, RL_TASK_DONE);
    t->done_ok = ok;
    t->fail_reason = (uint8_t)why;
    s->out->kind = RL_DONE;
    s->out->success = ok;
    if (ok)
        return;
    rl_message_vars v = {.status = t->last_status,
                         .error = t->stream_failed ? "a stream that broke off"
                                                   : rl_transport_error_name(t->last_error),
                         .attempts = t->attempt,
                         .provider = c->provider,
                         .model = c->model,
                         .retry_after_s = retry_after >= 0 ? cm_s_from_us(retry_after) : -1,
                         .reason = why};
    if (rl_classify_message_names_available(&s->p->classify, &v)) {
        rl_cooldown_available_text(s->p, s->run->cool_until, s->now, avail, sizeof avail);
        v.available = avail;
    }
    rl_classify_message(&s->p->classify, &v, s->out->message, sizeof s->out->message);
}

static cm_us remaining(const step *s)
{
    if (s->p->limits.deadline < 0)
        return CM_US_MAX;
    return cm_us_add(s->t->started, s->p->limits.deadline) - s->now;
}

/* A retry (any send after the first) needs the run's budget, asked once per
 * retry at the moment one is really planned (its WAIT or its SEND). */
static bool approve_retry(step *s)
{
    rl_task *t = s->t;
    if (t->attempt == 0 || t->retry_approved)
        return true;
    t->retry_approved = rl_budget_try_retry(&s->run->budget, s->now, t->last_error == RL_TE_TIMEOUT,
                                            s->rng, &t->charged);
    return t->retry_approved;
}

/* A send: an application attempt (app true: its first send, which the
 * breaker admits and which restarts the transport layer's count) or one of
 * the transport layer's retries inside it (app false). */
static void send_now(step *s, bool app)
{
    rl_task *t = s->t;
    if (t->attempt >= s->p->limits.max_attempts) {
        emit_done(s, false, RL_FAIL_MAX_ATTEMPTS, -1);
        return;
    }
    if (remaining(s) <= 0) {
        emit_done(s, false, RL_FAIL_DEADLINE, -1);
        return;
    }
    if (!approve_retry(s)) {
        emit_done(s, false, RL_FAIL_BUDGET, -1);
        return;
    }
    t->retry_approved = false;
    if (app) {
        rl_breaker_on_send(&s->run->breakers[t->candidate], &s->p->breaker, s->now);
        t->tp_retries = 0;
        t->tp_prev = 0;
    }
    rl_budget_on_attempt(&s->run->budget, s->now, t->attempt > 0);
    set_state(t, RL_TASK_SENT);
    s->out->kind = RL_SEND;
    s->out->attempt = ++t->attempt;
    s->out->candidate = t->candidate;
    s->out->key = t->key;
    cm_us timeout = s->p->limits.attempt_timeout;
    if (s->p->limits.deadline >= 0 && (timeout == 0 || remaining(s) < timeout))
        timeout = remaining(s);
    s->out->timeout = timeout;
    const rl_stream_cfg *sc = &s->p->stream;
    s->out->stream = sc->on;
    s->out->stream_usage = sc->on && sc->usage;
    s->out->idle_timeout = sc->on ? sc->idle_timeout : 0;
    s->out->resume_from = sc->on && sc->resume ? t->stream_kept : 0;
}

static void emit_send(step *s)
{
    send_now(s, true);
}

static void emit_wait(step *s, cm_us delay, rl_wait_reason why, rl_task_then then)
{
    rl_task *t = s->t;
    if (delay < 0)
        delay = 0;
    if (cm_us_add(s->now, delay) >=
        CM_US_MAX) { /* it would end past retrylab's time: never resume */
        emit_done(s, false, why == RL_WAIT_RETRY_AFTER ? RL_FAIL_RETRY_AFTER : RL_FAIL_MAX_WAIT,
                  why == RL_WAIT_RETRY_AFTER ? delay : -1);
        return;
    }
    if (s->p->limits.max_total_wait >= 0 &&
        cm_us_add(t->waited, delay) > s->p->limits.max_total_wait) {
        emit_done(s, false, RL_FAIL_MAX_WAIT, -1);
        return;
    }
    if (s->p->limits.deadline >= 0 && delay >= remaining(s)) {
        emit_done(s, false, RL_FAIL_DEADLINE, -1);
        return;
    }
    if (!approve_retry(s)) {
        emit_done(s, false, RL_FAIL_BUDGET, -1);
        return;
    }
    t->waited = cm_us_add(t->waited, delay);
    t->until = s->now + delay; /* below CM_US_MAX, checked above */
    t->then = (uint8_t)then;
    t->wait_reason = (uint8_t)why;
    set_state(t, RL_TASK_WAITING);
    s->out->kind = RL_WAIT;
    s->out->until = t->until;
    s->out->delay = delay;
    s->out->reason = why;
    if (s->sig && s->sig->retry_after_note)
        snprintf(s->out->message, sizeof s->out->message, "retry-after %s: %s",
                 s->sig->has_retry_after ? "noted" : "ignored", s->sig->retry_after_note);
}

/* ---- choosing a candidate ---- */

static bool usable(void *ctx, uint32_t c)
{
    step *s = ctx;
    return !tried(s->t, c) && !rl_cooldown_active(s->run->cool_until[c], s->now) &&
           rl_breaker_allows(&s->run->breakers[c], &s->p->breaker, s->now);
}

/* The ladder of backoff.by_outcome that fits the last outcome best (exact
 * status or transport error over class, the first listed among equals), or
 * NULL: the policy's own. */
static const rl_backoff *outcome_ladder(const step *s)
{
    const rl_backoff *best = NULL;
    int rank = 0;
    for (size_t i = 0; i < s->p->nladders; i++) {
        int r = rl_pattern_rank(&s->p->ladders[i].pat, s->t->last_status, s->t->last_error, NULL);
        if (r > rank) {
            rank = r;
            best = &s->p->ladders[i].b;
        }
    }
    return best;
}

/* The backoff in force for candidate c after the last outcome: the ladder
 * by_outcome names for it as it stands, else the policy's with its
 * provider's tier. */
static void effective_backoff(const step *s, uint32_t c, rl_backoff *b)
{
    const rl_backoff *own = outcome_ladder(s);
    if (own) {
        *b = *own;
        return;
    }
    *b = s->p->backoff;
    rl_tier_apply(&s->p->tiers, s->run->tier[s->p->cands[c].provider_idx], b);
}

/* The next ladder wait for the current candidate; -1 when the list gave up;
 * 0 once a server-given wait has zeroed the ladder (ladder_after "zero"). */
static cm_us ladder_wait(step *s)
{
    rl_task *t = s->t;
    if (t->ladder_zeroed) {
        t->ladder_n++;
        return 0;
    }
    rl_backoff b;
    effective_backoff(s, t->candidate, &b);
    cm_us d = rl_backoff_delay(&b, t->ladder_n, t->prev_delay, s->rng);
    if (d >= 0) {
        t->ladder_n++;
        t->prev_delay = d;
    }
    return d;
}

static void plan_rerun(step *s)
{
    rl_task *t = s->t;
    if (t->reruns >= s->p->task_retry.max) {
        emit_done(s, false, RL_FAIL_EXHAUSTED, -1);
        return;
    }
    cm_us d = rl_backoff_delay(&s->p->task_retry.waits, t->reruns, 0, s->rng);
    if (d < 0) {
        emit_done(s, false, RL_FAIL_EXHAUSTED, -1);
        return;
    }
    t->reruns++;
    t->stream_kept = 0; /* the whole task again: a new answer */
    emit_wait(s, d, RL_WAIT_TASK_RETRY, RL_THEN_RERUN);
}

/* When a candidate not yet given up on in this pass is usable again, or (a
 * half-open breaker whose probe is in flight) worth looking at again. */
static cm_us ready_at(step *s, uint32_t c, bool *by_breaker)
{
    cm_us cool = s->run->cool_until[c];
    cm_us probe_timeout = s->p->limits.attempt_timeout > 0 ? s->p->limits.attempt_timeout
                                                           : RL_DEFAULT_ATTEMPT_TIMEOUT;
    cm_us br = rl_breaker_recheck_at(&s->run->breakers[c], &s->p->breaker, probe_timeout, s->now);
    *by_breaker = br > cool;
    return br > cool ? br : cool;
}

static bool all_cooling(const step *s)
{
    for (uint32_t c = 0; c < s->p->ncand; c++)
        if (!rl_cooldown_active(s->run->cool_until[c], s->now))
            return false;
    return true;
}

/* The first time a candidate (only those not given up on in this pass, when
 * untried_only) is usable again; CM_US_MAX when never by time alone. */
static cm_us first_ready(step *s, bool untried_only, bool *any, bool *by_breaker)
{
    cm_us first = CM_US_MAX;
    *any = *by_breaker = false;
    for (uint32_t c = 0; c < s->p->ncand; c++) {
        if (untried_only && tried(s->t, c))
            continue;
        bool b;
        cm_us at = ready_at(s, c, &b);
        *any = true;
        if (at < first) {
            first = at;
            *by_breaker = b;
        }
    }
    return first;
}

/* Nothing usable. Some candidates not yet given up on are cooling or open:
 * wait for the first (policy's choice) or fail. Every candidate given up on:
 * re-run the task, or (waiting policy) start a new pass when the first one
 * is back, or fail. */
static void plan_none_available(step *s)
{
    bool any, by_breaker;
    bool wait = s->p->rotation.wait_when_none;
    cm_us first = first_ready(s, true, &any, &by_breaker);
    if (!any) {
        if (s->t->reruns < s->p->task_retry.max) {
            plan_rerun(s);
            return;
        }
        first = first_ready(s, false, &any, &by_breaker);
        if (!wait || first <= s->now || first >= CM_US_MAX) {
            emit_done(s, false, all_cooling(s) ? RL_FAIL_ALL_COOLING : RL_FAIL_EXHAUSTED,
                      first < CM_US_MAX ? first - s->now : -1);
            return;
        }
        memset(s->t->tried, 0, sizeof s->t->tried);
    } else if (!wait || first >= CM_US_MAX) {
        emit_done(s, false, RL_FAIL_ALL_COOLING, first < CM_US_MAX ? first - s->now : -1);
        return;
    }
    emit_wait(s, first - s->now, by_breaker ? RL_WAIT_BREAKER : RL_WAIT_COOLDOWN, RL_THEN_PICK);
}

static void switch_to(step *s, uint32_t c)
{
    rl_task *t = s->t;
    t->candidate = c;
    t->key = 0;
    t->key_failures = 0;
    t->cand_retries = 0;
    if (s->p->backoff.reset_on_rotate) {
        t->ladder_n = 0;
        t->prev_delay = 0;
    }
}

/* Picks the next usable candidate after `from` (-1: the first) and sends to
 * it, after the ladder's wait when the policy rotates with a wait. */
static void plan_pick(step *s, int from)
{
    int c = rl_rotation_next(s->p, from, usable, s);
    if (c < 0) {
        plan_none_available(s);
        return;
    }
    switch_to(s, (uint32_t)c);
    if (from < 0 || !s->p->rotation.wait_backoff) {
        emit_send(s);
        return;
    }
    cm_us d = ladder_wait(s);
    if (d < 0) {
        emit_done(s, false, RL_FAIL_GIVE_UP, -1);
        return;
    }
    emit_wait(s, d, RL_WAIT_BACKOFF, RL_THEN_SEND);
}

/* Gives up on the current candidate for this pass (cooling it down after a
 * 429) and moves on. */
static void plan_rotate(step *s)
{
    rl_task *t = s->t;
    mark_tried(t, t->candidate);
    if (s->p->cooldown.enabled && t->last_status == 429 && t->last_error == RL_TE_NONE) {
        cm_us dur = rl_ra_server_value(&s->p->retry_after, s->sig, s->body, NULL);
        rl_cooldown_put(&s->p->cooldown, &s->run->cool_until[t->candidate], s->now, dur);
    }
    plan_pick(s, (int)t->candidate);
}

/* The wait for a server-given delay v as the policy combines it with the
 * ladder (which moves on a step either way), and what the ladder does
 * after it. */
static cm_us server_wait(step *s, cm_us v)
{
    rl_task *t = s->t;
    const rl_ra_cfg *c = &s->p->retry_after;
    if (c->combine == RL_RA_COMBINE_REPLACE) {
        t->ladder_n++;
    } else {
        cm_us b = ladder_wait(s);
        if (b >= 0 && c->combine == RL_RA_COMBINE_MAX)
            v = v > b ? v : b;
        else if (b >= 0) { /* bounded: max(b, min(v, b + plus)) */
            cm_us hi = cm_us_add(b, c->bounded_plus);
            v = v < hi ? v : hi;
            v = v > b ? v : b;
        }
    }
    if (c->ladder_after == RL_RA_THEN_RESET) {
        t->ladder_n = 0;
        t->prev_delay = 0;
    } else if (c->ladder_after == RL_RA_THEN_ZERO) {
        t->ladder_zeroed = true;
    }
    return v;
}

/* Same candidate again, after the server-given delay or the ladder. */
static void plan_retry(step *s)
{
    rl_task *t = s->t;
    cm_us delay = 0;
    switch (
        rl_ra_decide(&s->p->retry_after, s->sig, s->body, t->last_status, t->ra_waited, &delay)) {
    case RL_RAV_WAIT:
        t->cand_retries++;
        delay = server_wait(s, delay);
        t->ra_waited = cm_us_add(t->ra_waited, delay);
        emit_wait(s, delay, RL_WAIT_RETRY_AFTER, RL_THEN_SEND);
        return;
    case RL_RAV_GIVE_UP: {
        emit_done(s, false, RL_FAIL_RETRY_AFTER, delay);
        return;
    }
    case RL_RAV_ROTATE: {
        plan_rotate(s);
        return;
    }
    case RL_RAV_LADDER:
        break;
    }
    delay = ladder_wait(s);
    if (delay < 0) {
        emit_done(s, false, RL_FAIL_GIVE_UP, -1);
        return;
    }
    t->cand_retries++;
    emit_wait(s, delay, RL_WAIT_BACKOFF, RL_THEN_SEND);
}

/* ---- reading an outcome ---- */

static rl_signals *read_outcome(step *s, const rl_outcome *o)
{
    rl_task *t = s->t;
    rl_run *run = s->run;
    const rl_cand *c = &s->p->cands[t->candidate];
    rl_signals *sig = &s->out->signals;
    int64_t now_unix = run->epoch_us + s->now;
    if (s->given)
        *sig = *s->given;
    else
        rl_headers_parse(o ? o->headers : NULL, o ? o->nheaders : 0, now_unix, sig);
    if (s->p->retry_after.clock_dates)
        rl_signals_date_from_clock(sig, now_unix);
    t->last_status = o ? o->status : 0;
    t->last_error = (uint8_t)(o ? o->error : RL_TE_OTHER);
    if (!o || (o->status <= 0 && o->error == RL_TE_NONE))
        t->last_error = RL_TE_OTHER;
    t->stream_failed = o && o->error == RL_TE_NONE && o->status >= 200 && o->status < 300 &&
                       o->stream != RL_STREAM_NONE && o->stream != RL_STREAM_COMPLETE;
    if (t->stream_failed && s->p->stream.resume)
        t->stream_kept += o->tokens;
    int tier = rl_tiers_detect(&s->p->tiers, sig);
    if (tier >= 0)
        run->tier[c->provider_idx] = tier;
    tier = run->tier[c->provider_idx];
    s->out->tier = tier >= 0 ? s->p->tiers.t[tier].name : NULL;
    bool ok = t->last_error == RL_TE_NONE && t->last_status >= 200 && t->last_status < 300 &&
              !t->stream_failed;
    rl_metrics_record(&run->metrics[t->candidate], ok, t->last_status, t->last_error,
                      o ? o->latency : -1);
    if (o && o->stream != RL_STREAM_NONE)
        rl_metrics_record_stream(&run->metrics[t->candidate], o->tokens, !ok);
    rl_budget_on_result(&run->budget, s->now, ok, t->charged);
    return sig;
}

/* The breaker sees application attempts: the response that reaches the
 * application layer (after any transport retries), once per attempt. */
static void record_breaker(step *s)
{
    const rl_task *t = s->t;
    bool ok = t->last_error == RL_TE_NONE && t->last_status < 500 && t->last_status != 429 &&
              t->last_status != 408 && !t->stream_failed;
    rl_breaker_record(&s->run->breakers[t->candidate], &s->p->breaker, s->now, ok);
}

/* ---- the transport layer (policy "transport") ---- */

/* Under the application's decisions: a response the layer retries goes
 * back to the same candidate and key after the layer's own wait (reason
 * transport), up to transport.retries times per application attempt and
 * while limits.max_attempts allows a send. true when it took the outcome;
 * false lets the response reach the application layer. */
static bool plan_transport_retry(step *s)
{
    rl_task *t = s->t;
    const rl_transport_cfg *tc = &s->p->transport;
    if (!rl_transport_wants(tc, t->last_status, t->last_error, s->sig))
        return false;
    if (t->tp_retries >= tc->retries || t->attempt >= s->p->limits.max_attempts)
        return false;
    if (remaining(s) <= 0)
        return false;
    bool by_ra;
    cm_us d = rl_transport_delay(tc, t->tp_retries, t->tp_prev, s->sig, s->rng, &by_ra);
    if (d < 0)
        return false; /* a list ladder gave up: the response goes up */
    t->tp_retries++;
    if (!by_ra)
        t->tp_prev = d;
    emit_wait(s, d, RL_WAIT_TRANSPORT, RL_THEN_RESEND);
    if (s->out->kind == RL_DONE)
        record_breaker(s); /* a limit ended the attempt */
    return true;
}

/* The transport layer's send after its wait; a limit that ends the task
 * there ends the application attempt too, which the breaker must hear. */
static void transport_resend(step *s)
{
    send_now(s, false);
    if (s->out->kind == RL_DONE)
        record_breaker(s);
}

/* ---- one function per state ---- */

static void on_new(step *s)
{
    plan_pick(s, -1);
}

static void on_outcome(step *s, const rl_outcome *o)
{
    rl_task *t = s->t;
    s->sig = read_outcome(s, o);
    s->body = o && t->last_error == RL_TE_NONE ? o->body : NULL;
    if (!t->stream_failed && plan_transport_retry(s))
        return;
    record_breaker(s);
    rl_decision d = t->stream_failed
                        ? rl_stream_decide(&s->p->stream, o->tokens)
                        : rl_classify_outcome(&s->p->classify, t->last_status, t->last_error,
                                              s->sig->should_retry, s->body);
    if (d == RL_DECIDE_SUCCESS) {
        emit_done(s, true, RL_FAIL_OUTCOME, -1);
        return;
    }
    if (d == RL_DECIDE_FAIL) {
        emit_done(s, false, RL_FAIL_OUTCOME, -1);
        return;
    }
    if (t->attempt >= s->p->limits.max_attempts) {
        emit_done(s, false, RL_FAIL_MAX_ATTEMPTS, -1);
        return;
    }
    if (remaining(s) <= 0) {
        emit_done(s, false, RL_FAIL_DEADLINE, -1);
        return;
    }
    const rl_cand *c = &s->p->cands[t->candidate];
    if (d == RL_DECIDE_ROTATE_KEY && ++t->key_failures < c->nkeys) {
        t->key = (t->key + 1) % (uint32_t)c->nkeys;
        plan_retry(s);
        return;
    }
    bool open = !rl_breaker_allows(&s->run->breakers[t->candidate], &s->p->breaker, s->now);
    if (d != RL_DECIDE_RETRY || open || t->cand_retries >= s->p->limits.max_retries_per_candidate) {
        plan_rotate(s);
        return;
    }
    plan_retry(s);
}

static void on_waiting(step *s)
{
    rl_task *t = s->t;
    if (s->now < t->until) { /* woken early: the same wait, shorter */
        set_state(t, RL_TASK_WAITING);
        s->out->kind = RL_WAIT;
        s->out->until = t->until;
        s->out->delay = t->until - s->now;
        s->out->reason = (rl_wait_reason)t->wait_reason;
        return;
    }
    switch ((rl_task_then)t->then) {
    case RL_THEN_SEND:
        if (!rl_breaker_allows(&s->run->breakers[t->candidate], &s->p->breaker, s->now)) {
            mark_tried(t, t->candidate);
            plan_pick(s, (int)t->candidate);
            return;
        }
        emit_send(s);
        return;
    case RL_THEN_PICK: {
        plan_pick(s, -1);
        return;
    }
    case RL_THEN_RESEND: {
        transport_resend(s);
        return;
    }
    case RL_THEN_RERUN:
        memset(t->tried, 0, sizeof t->tried);
        t->ladder_n = 0;
        t->prev_delay = 0;
        t->ladder_zeroed = false;
        plan_pick(s, -1);
        return;
    }
}

static void on_done(step *s)
{
    s->out->kind = RL_DONE;
    s->out->success = s->t->done_ok;
    if (!s->t->done_ok)
        snprintf(s->out->message, sizeof s->out->message, "task already finished (%s)",
                 rl_fail_reason_name((rl_fail_reason)s->t->fail_reason));
}

/* ---- the face ---- */

void rl_task_start(rl_task *t, rl_run *run, uint32_t id, cm_us now)
{
    (void)run;
    memset(t, 0, sizeof *t);
    t->id = id;
    t->started = now;
    set_state(t, RL_TASK_NEW);
}

static void action_reset(rl_action *a)
{
    a->kind = RL_DONE;
    a->attempt = a->candidate = a->key = 0;
    a->timeout = a->until = a->delay = 0;
    a->reason = RL_WAIT_BACKOFF;
    a->success = false;
    a->message[0] = '\0';
    rl_signals_clear(&a->signals);
    a->tier = NULL;
}

void rl_task_next(rl_task *t, rl_run *run, const rl_outcome *last, cm_us now, cm_rng *rng,
                  rl_action *out)
{
    rl_task_next_read(t, run, last, NULL, now, rng, out);
}

void rl_task_next_read(rl_task *t, rl_run *run, const rl_outcome *last, const rl_signals *parsed,
                       cm_us now, cm_rng *rng, rl_action *out)
{
    step s = {.t = t,
              .run = run,
              .p = run->p,
              .now = now,
              .rng = rng,
              .out = out,
              .sig = NULL,
              .given = last ? parsed : NULL,
              .body = NULL};
    action_reset(out);
    switch ((rl_task_state)t->state) {
    case RL_TASK_NEW:
        on_new(&s);
        return;
    case RL_TASK_SENT:
        on_outcome(&s, last);
        return;
    case RL_TASK_WAITING:
        on_waiting(&s);
        return;
    case RL_TASK_DONE:
        on_done(&s);
        return;
    }
}

const char *rl_stream_end_name(rl_stream_end e)
{
    switch (e) {
#define X(name, text)                                                                              \
    case RL_STREAM_##name:                                                                         \
        return text;
        RL_STREAM_ENDS(X)
#undef X
    }
    return "?";
}
