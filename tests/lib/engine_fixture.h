/* engine_fixture.h: helpers shared by the engine's unit tests: build a policy
 * from JSON text, and drive one task through rl_task_next with a script of
 * fake outcomes, collecting what it did. Header-only (static inline). */
#ifndef ENGINE_FIXTURE_H
#define ENGINE_FIXTURE_H
// clang-format off: cmocka.h needs these four first
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on
#include <stdio.h>
#include <string.h>

#include "engine/core/engine.h"

typedef struct fx_policy {
    cm_json *doc;
    rl_policy *p;
    rl_run *run;
} fx_policy;

/* Loads a policy from text; fails the test with the loader's message. */
static inline void fx_load(fx_policy *f, const char *json)
{
    cm_err err = {{0}};
    f->doc = cm_json_parse("test-policy.json", json, strlen(json), &err);
    if (!f->doc)
        fail_msg("%s", err.msg);
    if (rl_policy_from_json(f->doc, &f->p, &err) != 0)
        fail_msg("%s", err.msg);
    f->run = rl_run_new(f->p, 1);
    assert_non_null(f->run);
}

/* Loads a policy file; fails the test with the loader's message. */
static inline void fx_load_file(fx_policy *f, const char *path)
{
    cm_err err = {{0}};
    f->doc = NULL;
    if (rl_policy_load(path, &f->p, &err) != 0)
        fail_msg("%s", err.msg);
    f->run = rl_run_new(f->p, 1);
    assert_non_null(f->run);
}

static inline void fx_free(fx_policy *f)
{
    rl_run_free(f->run);
    rl_policy_free(f->p);
    cm_json_free(f->doc);
}

/* One fake outcome; up to 4 headers. */
typedef struct fx_outcome {
    int status;
    rl_transport_error error;
    const char *h[4][2];
} fx_outcome;

/* How an outcome's stream ended, beside it (fx_drive_streams). */
typedef struct fx_stream {
    rl_stream_end end;
    uint32_t tokens;
} fx_stream;

#define FX_MAX 128
typedef struct fx_trail {
    size_t nsends, nwaits;
    uint32_t cand[FX_MAX], key[FX_MAX];
    cm_us send_at[FX_MAX];
    bool stream[FX_MAX];          /* each SEND asked for a stream */
    uint32_t resume_from[FX_MAX]; /* and held that many tokens */
    cm_us idle_timeout[FX_MAX];
    double wait_s[FX_MAX];
    rl_wait_reason why[FX_MAX];
    char wait_msg[FX_MAX][64];
    const char *tier[FX_MAX]; /* tier reported with each outcome */
    bool done, ok;
    char message[256];
    cm_us end;
} fx_trail;

/* Drives task `id` from time `start` until DONE (or FX_MAX steps). Each SEND
 * takes the next scripted outcome (the last one repeats), with bodies[i] as
 * its error body and streams[i] as its stream (either may be NULL: none),
 * and `latency` of scenario time; each WAIT is slept through exactly. */
static inline void fx_run(fx_policy *f, uint32_t id, cm_us start, const fx_outcome *script,
                          const rl_error_body *const *bodies, const fx_stream *streams, size_t n,
                          cm_us latency, cm_rng *rng, fx_trail *tr)
{
    memset(tr, 0, sizeof *tr);
    rl_task t;
    rl_action a;
    cm_us now = start;
    rl_task_start(&t, f->run, id, now);
    rl_task_next(&t, f->run, NULL, now, rng, &a);
    for (int step = 0; step < 4 * FX_MAX && a.kind != RL_DONE; step++) {
        if (a.kind == RL_WAIT) {
            assert_true(tr->nwaits < FX_MAX);
            assert_int_equal(a.until, now + a.delay);
            tr->why[tr->nwaits] = a.reason;
            snprintf(tr->wait_msg[tr->nwaits], 64, "%.63s", a.message);
            tr->wait_s[tr->nwaits++] = cm_s_from_us(a.delay);
            now = a.until;
            rl_task_next(&t, f->run, NULL, now, rng, &a);
            continue;
        }
        assert_true(tr->nsends < FX_MAX);
        size_t at = tr->nsends < n ? tr->nsends : n - 1;
        const fx_outcome *o = &script[at];
        const fx_stream st = streams ? streams[at] : (fx_stream){RL_STREAM_NONE, 0};
        rl_header hs[4];
        size_t nh = 0;
        for (; nh < 4 && o->h[nh][0]; nh++)
            hs[nh] = (rl_header){o->h[nh][0], o->h[nh][1]};
        tr->send_at[tr->nsends] = now;
        tr->stream[tr->nsends] = a.stream;
        tr->resume_from[tr->nsends] = a.resume_from;
        tr->idle_timeout[tr->nsends] = a.idle_timeout;
        tr->cand[tr->nsends] = a.candidate;
        tr->key[tr->nsends++] = a.key;
        now += latency;
        rl_outcome out = {.status = o->status,
                          .error = o->error,
                          .headers = hs,
                          .nheaders = nh,
                          .latency = latency,
                          .stream = st.end,
                          .tokens = st.tokens,
                          .ttft = st.tokens ? latency / 2 : -1,
                          .body = bodies ? bodies[at] : NULL};
        rl_task_next(&t, f->run, &out, now, rng, &a);
        tr->tier[tr->nsends - 1] = a.tier;
    }
    assert_int_equal(a.kind, RL_DONE);
    tr->done = true;
    tr->ok = a.success;
    snprintf(tr->message, sizeof tr->message, "%s", a.message);
    tr->end = now;
}

static inline void fx_drive_body(fx_policy *f, uint32_t id, cm_us start, const fx_outcome *script,
                                 const rl_error_body *const *bodies, size_t n, cm_us latency,
                                 cm_rng *rng, fx_trail *tr)
{
    fx_run(f, id, start, script, bodies, NULL, n, latency, rng, tr);
}

static inline void fx_drive_at(fx_policy *f, uint32_t id, cm_us start, const fx_outcome *script,
                               size_t n, cm_us latency, cm_rng *rng, fx_trail *tr)
{
    fx_run(f, id, start, script, NULL, NULL, n, latency, rng, tr);
}

static inline void fx_drive(fx_policy *f, const fx_outcome *script, size_t n, fx_trail *tr)
{
    cm_rng rng;
    cm_rng_seed(&rng, 7);
    fx_drive_at(f, 0, 0, script, n, 0, &rng, tr);
}

/* fx_drive with each outcome's stream beside it. */
static inline void fx_drive_streams(fx_policy *f, const fx_outcome *script,
                                    const fx_stream *streams, size_t n, fx_trail *tr)
{
    cm_rng rng;
    cm_rng_seed(&rng, 7);
    fx_run(f, 0, 0, script, NULL, streams, n, 0, &rng, tr);
}

/* Asserts the waits, in seconds, to 1 microsecond. */
static inline void fx_expect_waits(const fx_trail *tr, const double *want, size_t n)
{
    if (tr->nwaits != n) {
        char got[512] = "";
        size_t used = 0;
        for (size_t i = 0; i < tr->nwaits && used < sizeof got; i++)
            used += (size_t)snprintf(got + used, sizeof got - used, "%g ", tr->wait_s[i]);
        fail_msg("expected %zu waits, got %zu: %s", n, tr->nwaits, got);
    }
    for (size_t i = 0; i < n; i++)
        if (cm_us_from_s(tr->wait_s[i]) != cm_us_from_s(want[i]))
            fail_msg("wait %zu: expected %g s, got %g s", i, want[i], tr->wait_s[i]);
}

#define FX_N(a) (sizeof(a) / sizeof((a)[0]))

#endif
