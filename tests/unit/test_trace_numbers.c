/* test_trace_numbers.c: the trace writer's hand-made numbers, memoised times
 * and numbered name sets against lines built independently with snprintf:
 * edge and random values, every optional field, name ids reused and mixed. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/driver/trace.h"
#include "tests/lib/test_file.h"

#define LINE_MAX_LEN 2048

/* The expected text, appended with snprintf. */
typedef struct expect {
    char *text;
    size_t len, cap;
} expect;

static void add(expect *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(expect *e, const char *fmt, ...)
{
    if (e->cap - e->len < LINE_MAX_LEN) {
        e->cap = e->cap * 2 + 4 * LINE_MAX_LEN;
        e->text = realloc(e->text, e->cap);
        assert_non_null(e->text);
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->text + e->len, e->cap - e->len, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < e->cap - e->len);
    e->len += (size_t)n;
}

/* Seconds with six decimals, as the trace contract says. */
static void add_secs(expect *e, int64_t us)
{
    uint64_t a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    add(e, "%s%" PRIu64 ".%06" PRIu64, us < 0 ? "-" : "", a / 1000000u, a % 1000000u);
}

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static const int64_t edges[] = {0,
                                1,
                                9,
                                10,
                                99,
                                100,
                                999,
                                1000,
                                9999,
                                10000,
                                99999,
                                100000,
                                999999,
                                1000000,
                                1000001,
                                9999999,
                                10000000,
                                123456789,
                                4294967295LL,
                                4294967296LL,
                                999999999999LL,
                                INT64_MAX,
                                INT64_MAX - 1,
                                1000000000000000000LL};

/* A value from the edges (either sign when `sign`), or random of random width. */
static int64_t pick(uint64_t *s, int i, int sign)
{
    size_t ne = sizeof edges / sizeof edges[0];
    int64_t v = i < (int)ne ? edges[i] : (int64_t)(next(s) >> (next(s) % 64));
    if (v < 0)
        v = INT64_MAX;
    if (sign && (next(s) & 1))
        v = v == INT64_MAX && (next(s) & 1) ? INT64_MIN : -v;
    return v;
}

static void add_names(expect *e, const rl_trace_who *w)
{
    if (w->provider && strcmp(w->provider, "open\"router") == 0)
        add(e, ",\"provider\":\"open\\\"router\"");
    else if (w->provider)
        add(e, ",\"provider\":\"%s\"", w->provider);
    if (w->model)
        add(e, ",\"model\":\"%s\"", w->model);
    if (w->key_id)
        add(e, ",\"key\":\"%s\"", w->key_id);
}

static void add_head(expect *e, int64_t t, const char *event, const rl_trace_who *w)
{
    add(e, "{\"t\":");
    add_secs(e, t);
    add(e, ",\"event\":\"%s\",\"task\":%" PRIu32 ",\"attempt\":%" PRIu32, event, w->task,
        w->attempt);
    add_names(e, w);
}

static void add_opt_secs(expect *e, const char *key, int64_t v)
{
    if (v < 0)
        return;
    add(e, ",\"%s\":", key);
    add_secs(e, v);
}

static void add_opt_int(expect *e, const char *key, int64_t v)
{
    if (v >= 0)
        add(e, ",\"%s\":%" PRId64, key, v);
}

/* r with at most one field changed (strings dropped half the time, so that
 * the writer's memo of string-free replies is hit and just missed). */
static rl_trace_reply vary_one(rl_trace_reply r, uint64_t *s, int i)
{
    if (next(s) & 1) {
        r.error = "none";
        r.retry_after_note = r.tier = NULL;
    }
    int64_t v = pick(s, i, 1);
    switch (next(s) % 12) {
    case 0:
        r.status = (int)(v % 1000);
        break;
    case 1:
        r.latency = v;
        break;
    case 2:
        r.retry_after = v;
        break;
    case 3:
        r.limit = v;
        break;
    case 4:
        r.remaining = v;
        break;
    case 5:
        r.reset = v;
        break;
    case 6:
        r.limit_tokens = v;
        break;
    case 7:
        r.remaining_tokens = v;
        break;
    case 8:
        r.reset_tokens = v;
        break;
    case 9:
        r.tier = "pro";
        break;
    default:
        break;
    }
    return r;
}

/* One response line with every field drawn from edge or random values. */
static void response_line(rl_trace *tr, expect *e, uint64_t *s, int i, const rl_trace_who *w)
{
    rl_trace_reply r;
    rl_trace_reply_init(&r);
    r.status = (int)(pick(s, i, 1) % 1000);
    r.error = (next(s) & 3) == 0 ? "timeout" : "none";
    r.latency = pick(s, i, 1);
    r.retry_after = pick(s, i + 1, 1);
    r.retry_after_note = (next(s) & 3) == 0 ? "clamped" : NULL;
    r.limit = pick(s, i + 2, 1);
    r.remaining = pick(s, i + 3, 1);
    r.reset = pick(s, i + 4, 1);
    r.limit_tokens = pick(s, i + 5, 1);
    r.remaining_tokens = pick(s, i + 6, 1);
    r.reset_tokens = pick(s, i + 7, 1);
    r.tier = (next(s) & 1) ? "free" : NULL;
    static rl_trace_reply last;
    if (i > 0 && (next(s) & 1)) /* the last reply again, one number changed or none */
        r = vary_one(last, s, i);
    last = r;
    int64_t t = (next(s) & 1) ? 5000000 : pick(s, i, 1); /* runs of equal times too */
    rl_trace_response(tr, t, w, &r);
    add_head(e, t, "response", w);
    add(e, ",\"status\":%d", r.status);
    if (strcmp(r.error, "none") != 0)
        add(e, ",\"error\":\"%s\"", r.error);
    add_opt_secs(e, "latency", r.latency);
    add_opt_secs(e, "retry_after", r.retry_after);
    if (r.retry_after_note)
        add(e, ",\"retry_after_note\":\"%s\"", r.retry_after_note);
    add_opt_int(e, "limit", r.limit);
    add_opt_int(e, "remaining", r.remaining);
    add_opt_secs(e, "reset", r.reset);
    add_opt_int(e, "limit_tokens", r.limit_tokens);
    add_opt_int(e, "remaining_tokens", r.remaining_tokens);
    add_opt_secs(e, "reset_tokens", r.reset_tokens);
    if (r.tier)
        add(e, ",\"tier\":\"%s\"", r.tier);
    add(e, "}\n");
}

static void other_lines(rl_trace *tr, expect *e, uint64_t *s, int i, const rl_trace_who *w)
{
    int64_t t = pick(s, i, 1), timeout = pick(s, i + 1, 1), delay = pick(s, i + 2, 1);
    rl_trace_send(tr, t, w, timeout);
    add_head(e, t, "send", w);
    if (timeout > 0) {
        add(e, ",\"timeout\":");
        add_secs(e, timeout);
    }
    add(e, "}\n");
    rl_trace_who bare = {.task = w->task, .attempt = w->attempt};
    bool note = next(s) & 1;
    /* the engine's own names (copied pre-rendered) and other strings */
    uint64_t r = next(s) % (RL_WAIT_TRANSPORT + 3);
    const char *reason = r <= RL_WAIT_TRANSPORT       ? rl_wait_reason_name((rl_wait_reason)r)
                         : r == RL_WAIT_TRANSPORT + 1 ? "retry_after"
                                                      : "odd";
    rl_trace_wait(tr, t, &bare, delay, -1, reason, note ? "capped" : "");
    add_head(e, t, "wait", &bare);
    add(e, ",\"delay\":");
    add_secs(e, delay);
    add(e, ",\"reason\":\"%s\"%s}\n", reason, note ? ",\"note\":\"capped\"" : "");
    uint32_t attempts = (uint32_t)next(s);
    bool ok = next(s) & 1;
    rl_trace_done(tr, t, w->task, attempts, ok, delay, NULL);
    add(e, "{\"t\":");
    add_secs(e, t);
    add(e,
        ",\"event\":\"done\",\"task\":%" PRIu32 ",\"attempt\":%" PRIu32
        ",\"outcome\":\"%s\",\"attempts\":%" PRIu32 ",\"total_wait\":",
        w->task, attempts, ok ? "success" : "failure", attempts);
    add_secs(e, delay);
    add(e, "%s}\n", ok ? "" : ",\"message\":\"the request failed\"");
}

static void numbers_match_snprintf(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/tmp/rl-test-trace-numbers-%d.jsonl", (int)getpid());
    rl_trace *tr = NULL;
    cm_err err;
    assert_int_equal(rl_trace_open(path, &tr, &err), 0);
    expect e = {0};
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    static const char *const providers[] = {"groq", "open\"router", "p"};
    static const char *const models[] = {"llama", "mixtral", "m"};
    static const char *const keys[] = {"k-0badcafe", "k-none", "k-12345678"};
    for (int i = 0; i < 20000; i++) {
        rl_trace_who w = {.task = (uint32_t)pick(&s, i, 0), .attempt = (uint32_t)next(&s)};
        /* 27 name sets, more than the writer's slots: ids share slots */
        uint32_t set = (uint32_t)(next(&s) % 27);
        w.provider = providers[set % 3];
        w.model = models[set / 3 % 3];
        w.key_id = keys[set / 9];
        w.names_id = (next(&s) & 3) ? set + 1 : 0; /* numbered and not, interleaved */
        if (w.names_id == 0 && set == 26)
            w.provider = w.model = w.key_id = NULL;
        response_line(tr, &e, &s, i, &w);
        other_lines(tr, &e, &s, i, &w);
    }
    assert_int_equal(rl_trace_close(tr), 0);
    char *got = tf_slurp(path, NULL);
    size_t at = 0;
    while (got[at] && got[at] == e.text[at])
        at++;
    if (got[at] != e.text[at])
        fail_msg("differs at byte %zu: got \"%.80s\" want \"%.80s\"", at, got + at, e.text + at);
    free(got);
    free(e.text);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_match_snprintf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
