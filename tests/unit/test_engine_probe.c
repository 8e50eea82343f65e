/* test_engine_probe.c: a half-open breaker whose probe is in flight makes
 * the other tasks of the run WAIT (reason breaker) and look again when the
 * probe's result must be known (bounded by open_s), never DONE at once and
 * never a zero-delay loop; when the probe succeeds they proceed, when it
 * fails they wait for the next half-open. Two tasks share one run, driven
 * by hand through rl_task_next. */
#include "tests/lib/engine_fixture.h"

#include "engine/core/run.h"

#define S(x) ((cm_us)((x)*1000000.0))

/* One candidate, breaker opening at the first failure for 30 s, attempt
 * timeout 10 s; `none` is the rotation's when_none_available. */
#define PROBE_POLICY(none)                                                                         \
    "{\"kind\":\"policy\",\"name\":\"probe\",\"candidates\":[{\"provider\":\"p\","                 \
    "\"model\":\"m\"}],\"backoff\":{\"kind\":\"constant\",\"base_s\":1},"                          \
    "\"classify\":{\"503\":\"retry\"},\"rotation\":{\"when_none_available\":\"" none "\"},"        \
    "\"breaker\":{\"failures\":1,\"open_s\":30},"                                                  \
    "\"limits\":{\"max_attempts\":10,\"attempt_timeout_s\":10}}"

typedef struct two_tasks {
    fx_policy f;
    cm_rng rng;
    rl_task a, b;
    rl_action act;
} two_tasks;

static void next(two_tasks *w, rl_task *t, int status, cm_us now)
{
    rl_outcome o = {status, RL_TE_NONE, NULL, 0, S(1), NULL};
    rl_task_next(t, w->f.run, status ? &o : NULL, now, &w->rng, &w->act);
}

static void expect_wait(const rl_action *a, rl_wait_reason why, cm_us until, cm_us now)
{
    assert_int_equal(a->kind, RL_WAIT);
    assert_int_equal(a->reason, why);
    assert_int_equal(a->until, until);
    assert_int_equal(a->delay, until - now);
    assert_true(a->delay > 0);
}

/* Task A fails at t=1 (breaker open until 31), waits (under "fail": ends,
 * and a new task takes its place) and sends the probe at t=31; task B starts at t=32 and must wait
 * for it: until 41, when the probe's 10 s attempt timeout ends (sooner than open_s = 30 s from
 * now). */
static void setup_probe_in_flight(two_tasks *w, const char *policy)
{
    fx_load(&w->f, policy);
    cm_rng_seed(&w->rng, 1);
    rl_task_start(&w->a, w->f.run, 0, 0);
    next(w, &w->a, 0, 0);
    assert_int_equal(w->act.kind, RL_SEND);
    next(w, &w->a, 503, S(1));
    if (w->act.kind == RL_DONE) { /* "fail": A gives up; a new task sends the probe */
        rl_task_start(&w->a, w->f.run, 2, S(31));
        next(w, &w->a, 0, S(31));
        assert_int_equal(w->act.attempt, 1);
    } else {
        expect_wait(&w->act, RL_WAIT_BREAKER, S(31), S(1));
        next(w, &w->a, 0, S(31));
        assert_int_equal(w->act.attempt, 2);
    }
    assert_int_equal(w->act.kind, RL_SEND);
    assert_int_equal(w->f.run->breakers[0].state, RL_BREAKER_HALF_OPEN);
    rl_task_start(&w->b, w->f.run, 1, S(32));
    next(w, &w->b, 0, S(32));
}

static void other_task_waits_for_the_probe(void **state)
{
    (void)state;
    two_tasks w;
    setup_probe_in_flight(&w, PROBE_POLICY("wait"));
    expect_wait(&w.act, RL_WAIT_BREAKER, S(41), S(32));
    next(&w, &w.b, 0, S(35)); /* woken early: the same wait, shorter */
    expect_wait(&w.act, RL_WAIT_BREAKER, S(41), S(35));
    fx_free(&w.f);
}

static void probe_success_lets_the_waiting_task_proceed(void **state)
{
    (void)state;
    two_tasks w;
    setup_probe_in_flight(&w, PROBE_POLICY("wait"));
    next(&w, &w.a, 200, S(33)); /* the probe succeeds: the breaker closes */
    assert_int_equal(w.act.kind, RL_DONE);
    assert_true(w.act.success);
    assert_int_equal(w.f.run->breakers[0].state, RL_BREAKER_CLOSED);
    next(&w, &w.b, 0, S(41));
    assert_int_equal(w.act.kind, RL_SEND);
    assert_int_equal(w.act.attempt, 1);
    next(&w, &w.b, 200, S(42));
    assert_int_equal(w.act.kind, RL_DONE);
    assert_true(w.act.success);
    fx_free(&w.f);
}

/* The probe fails at t=35: open again until 65. B, back at 41, waits for
 * that half-open and then sends the new probe; A, also back at 65, now
 * finds B's probe in flight and waits until 75 (65 + the 10 s timeout). */
static void probe_failure_makes_it_wait_for_the_next_half_open(void **state)
{
    (void)state;
    two_tasks w;
    setup_probe_in_flight(&w, PROBE_POLICY("wait"));
    next(&w, &w.a, 503, S(35));
    expect_wait(&w.act, RL_WAIT_BREAKER, S(65), S(35));
    next(&w, &w.b, 0, S(41));
    expect_wait(&w.act, RL_WAIT_BREAKER, S(65), S(41));
    next(&w, &w.b, 0, S(65));
    assert_int_equal(w.act.kind, RL_SEND);
    assert_int_equal(w.act.attempt, 1);
    next(&w, &w.a, 0, S(65));
    expect_wait(&w.act, RL_WAIT_BREAKER, S(75), S(65));
    fx_free(&w.f);
}

/* The probe's result is overdue when B looks again (the driver has not
 * reported it yet at 41): B waits open_s more, not zero. */
static void overdue_probe_waits_open_s_not_zero(void **state)
{
    (void)state;
    two_tasks w;
    setup_probe_in_flight(&w, PROBE_POLICY("wait"));
    next(&w, &w.b, 0, S(41));
    expect_wait(&w.act, RL_WAIT_BREAKER, S(71), S(41));
    for (int i = 0; i < 3; i++) { /* and so on, every 30 s */
        cm_us now = w.act.until;
        next(&w, &w.b, 0, now);
        expect_wait(&w.act, RL_WAIT_BREAKER, now + S(30), now);
    }
    fx_free(&w.f);
}

/* Under "fail" the task still fails at once (the policy's choice), and its
 * message names the real time until the re-check, not 0 s. */
static void fail_policy_fails_with_the_recheck_time(void **state)
{
    (void)state;
    two_tasks w;
    setup_probe_in_flight(&w, PROBE_POLICY("fail"));
    assert_int_equal(w.act.kind, RL_DONE);
    assert_false(w.act.success);
    if (!strstr(w.act.message, "back in 9 s"))
        fail_msg("message: %s", w.act.message);
    fx_free(&w.f);
}

static void recheck_at_unit(void **state)
{
    (void)state;
    rl_breaker_cfg c;
    rl_breaker_cfg_default(&c);
    c.enabled = true;
    c.failures = 1;
    rl_breaker b;
    rl_breaker_init(&b);
    assert_int_equal(rl_breaker_recheck_at(&b, &c, S(10), S(5)), S(5)); /* closed: now */
    rl_breaker_record(&b, &c, S(5), false);
    assert_int_equal(rl_breaker_recheck_at(&b, &c, S(10), S(6)), S(35)); /* open: open_until */
    assert_true(rl_breaker_allows(&b, &c, S(35)));
    rl_breaker_on_send(&b, &c, S(35));
    assert_int_equal(rl_breaker_recheck_at(&b, &c, S(10), S(36)), S(45));  /* probe + timeout */
    assert_int_equal(rl_breaker_recheck_at(&b, &c, S(100), S(36)), S(66)); /* open_s bound */
    assert_int_equal(rl_breaker_recheck_at(&b, &c, S(10), S(45)), S(75));  /* overdue */
    assert_int_equal(rl_breaker_recheck_at(&b, &c, 0, S(36)), S(66));      /* no timeout */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(other_task_waits_for_the_probe),
        cmocka_unit_test(probe_success_lets_the_waiting_task_proceed),
        cmocka_unit_test(probe_failure_makes_it_wait_for_the_next_half_open),
        cmocka_unit_test(overdue_probe_waits_open_s_not_zero),
        cmocka_unit_test(fail_policy_fails_with_the_recheck_time),
        cmocka_unit_test(recheck_at_unit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
