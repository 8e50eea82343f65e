/* test_engine_limits.c: limits and ladders through rl_task_next: max
 * attempts, deadline (and the SEND timeout it shortens), cumulative wait,
 * list ladders that give up or repeat, every jitter's range, and the run's
 * retry budget stopping retries. */
#include "tests/lib/engine_fixture.h"

#define BASE                                                                                       \
    "{\"kind\":\"policy\",\"name\":\"limits\",\"candidates\":[{\"provider\":\"o\","                \
    "\"model\":\"m\"}],%s}"

static void load(fx_policy *f, const char *body)
{
    char json[2048];
    snprintf(json, sizeof json, BASE, body);
    fx_load(f, json);
}

static const fx_outcome always500[] = {{500, RL_TE_NONE, {{NULL, NULL}}}};

static void deadline_stops_waits_and_shortens_timeout(void **state)
{
    (void)state;
    fx_policy f;
    load(&f, "\"backoff\":{\"kind\":\"constant\",\"base_s\":4},"
             "\"limits\":{\"deadline_s\":10,\"attempt_timeout_s\":5,\"max_attempts\":50}");
    fx_trail tr;
    fx_drive(&f, always500, 1, &tr);
    double want[] = {4, 4}; /* sends at 0, 4, 8; a wait to 12 would pass the deadline */
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.nsends, 3);
    assert_false(tr.ok);
    assert_non_null(strstr(tr.message, "deadline"));
    /* The SEND at t = 8 gets at most the 2 s left. */
    rl_task t;
    rl_action a;
    cm_rng rng;
    cm_rng_seed(&rng, 1);
    rl_task_start(&t, f.run, 9, 0);
    rl_task_next(&t, f.run, NULL, 0, &rng, &a);
    assert_int_equal(a.timeout, 5 * CM_US_PER_S);
    rl_outcome o = {500, RL_TE_NONE, NULL, 0, 0, NULL};
    rl_task_next(&t, f.run, &o, 4 * CM_US_PER_S, &rng, &a); /* answered at 4: wait to 8 */
    assert_int_equal(a.kind, RL_WAIT);
    rl_task_next(&t, f.run, NULL, a.until, &rng, &a);
    assert_int_equal(a.kind, RL_SEND);
    assert_int_equal(a.timeout, 2 * CM_US_PER_S);
    fx_free(&f);
}

static void max_total_wait(void **state)
{
    (void)state;
    fx_policy f;
    load(&f, "\"backoff\":{\"kind\":\"linear\",\"base_s\":2},"
             "\"limits\":{\"max_total_wait_s\":7,\"max_attempts\":50},"
             "\"messages\":{\"max_total_wait\":\"waited too long after {attempts} attempts\"}");
    fx_trail tr;
    fx_drive(&f, always500, 1, &tr);
    double want[] = {2, 4}; /* + 6 = 12 > 7 */
    fx_expect_waits(&tr, want, FX_N(want));
    assert_string_equal(tr.message, "waited too long after 3 attempts");
    fx_free(&f);
}

static void list_give_up_and_repeat(void **state)
{
    (void)state;
    fx_policy f;
    load(&f, "\"backoff\":{\"kind\":\"list\",\"waits_s\":[1,5],\"after_list\":\"give_up\"},"
             "\"limits\":{\"max_attempts\":50}");
    fx_trail tr;
    fx_drive(&f, always500, 1, &tr);
    double want[] = {1, 5};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.nsends, 3);
    fx_free(&f);
    load(&f, "\"backoff\":{\"kind\":\"list\",\"waits_s\":[1,5]},\"limits\":{\"max_attempts\":5}");
    fx_drive(&f, always500, 1, &tr);
    double want2[] = {1, 5, 5, 5};
    fx_expect_waits(&tr, want2, FX_N(want2));
    fx_free(&f);
}

static void constant_and_max_retries(void **state)
{
    (void)state;
    fx_policy f;
    load(&f, "\"backoff\":{\"kind\":\"constant\",\"base_s\":2.5},"
             "\"limits\":{\"max_retries_per_candidate\":2}");
    fx_trail tr;
    fx_drive(&f, always500, 1, &tr);
    double want[] = {2.5, 2.5};
    fx_expect_waits(&tr, want, FX_N(want));
    assert_int_equal(tr.nsends, 3);
    fx_free(&f);
}

/* Drives `tasks` tasks of 5 retries each; checks every wait against [lo, hi]
 * of the ladder value (as fractions) and returns the mean ratio wait/ladder. */
static double jitter_ratio(const char *backoff, double lo, double hi, const double *ladder)
{
    char body[512];
    snprintf(body, sizeof body, "\"backoff\":%s,\"limits\":{\"max_attempts\":6}", backoff);
    fx_policy f;
    load(&f, body);
    cm_rng rng;
    cm_rng_seed(&rng, 11);
    fx_trail tr;
    double ratio = 0;
    for (uint32_t t = 0; t < 2000; t++) {
        fx_drive_at(&f, t, 0, always500, 1, 0, &rng, &tr);
        assert_int_equal(tr.nwaits, 5);
        for (size_t i = 0; i < 5; i++) {
            double r = tr.wait_s[i] / ladder[i];
            if (r < lo - 1e-9 || r > hi + 1e-9)
                fail_msg("%s: wait %zu = %g outside [%g, %g] x %g", backoff, i, tr.wait_s[i], lo,
                         hi, ladder[i]);
            ratio += r;
        }
    }
    fx_free(&f);
    return ratio / (2000 * 5);
}

static void jitters_stay_in_range(void **state)
{
    (void)state;
    const double ladder[] = {1, 2, 4, 8, 16};
    double r = jitter_ratio("{\"kind\":\"exponential\",\"jitter\":\"equal\"}", 0.5, 1, ladder);
    assert_true(r > 0.73 && r < 0.77);
    r = jitter_ratio("{\"kind\":\"exponential\",\"jitter\":\"proportional\","
                     "\"jitter_range\":[0.75,1.0]}",
                     0.75, 1, ladder);
    assert_true(r > 0.86 && r < 0.89);
    r = jitter_ratio("{\"kind\":\"exponential\",\"jitter\":\"full\"}", 0, 1, ladder);
    assert_true(r > 0.48 && r < 0.52);
}

static void decorrelated_jitter(void **state)
{
    (void)state;
    fx_policy f;
    load(&f, "\"backoff\":{\"kind\":\"exponential\",\"base_s\":1,\"cap_s\":20,"
             "\"jitter\":\"decorrelated\"},\"limits\":{\"max_attempts\":9}");
    cm_rng rng;
    cm_rng_seed(&rng, 3);
    fx_trail tr;
    bool grew = false;
    for (uint32_t t = 0; t < 500; t++) {
        fx_drive_at(&f, t, 0, always500, 1, 0, &rng, &tr);
        double prev = 1;
        for (size_t i = 0; i < tr.nwaits; i++) {
            double w = tr.wait_s[i];
            double hi = prev * 3 < 20 ? prev * 3 : 20;
            if (w < 1 - 1e-9 || w > hi + 1e-9)
                fail_msg("wait %zu = %g outside [1, %g]", i, w, hi);
            grew |= w > 3;
            prev = w;
        }
    }
    assert_true(grew);
    fx_free(&f);
}

static void budget_stops_retries(void **state)
{
    (void)state;
    fx_policy f;
    load(&f, "\"backoff\":{\"kind\":\"constant\",\"base_s\":1},"
             "\"budget\":{\"kind\":\"token_quota\",\"capacity\":10,\"retry_cost\":5},"
             "\"limits\":{\"max_attempts\":50},"
             "\"messages\":{\"budget\":\"retry budget exhausted\"}");
    fx_trail tr;
    fx_drive(&f, always500, 1, &tr);
    /* 10 tokens pay for two retries of 5: the third failure ends the task. */
    assert_int_equal(tr.nsends, 3);
    assert_string_equal(tr.message, "retry budget exhausted");
    /* The next task gets no retry at all. */
    fx_drive(&f, always500, 1, &tr);
    assert_int_equal(tr.nsends, 1);
    cJSON *sum = rl_run_summary_json(f.run, 0);
    cJSON *b = cJSON_GetObjectItem(sum, "budget");
    assert_int_equal(cJSON_GetObjectItem(b, "retries_refused")->valueint, 2);
    cJSON_Delete(sum);
    fx_free(&f);
}

static void protocol_edges(void **state)
{
    (void)state;
    fx_policy f;
    load(&f, "\"backoff\":{\"kind\":\"constant\",\"base_s\":10},\"limits\":{\"max_attempts\":2}");
    rl_task t;
    rl_action a;
    cm_rng rng;
    cm_rng_seed(&rng, 1);
    rl_task_start(&t, f.run, 0, 0);
    assert_string_equal(rl_task_state_name((rl_task_state)t.state), "new");
    rl_task_next(&t, f.run, NULL, 0, &rng, &a);
    assert_int_equal(a.kind, RL_SEND);
    /* An outcome-less call while SENT counts as a transport error ("other"). */
    rl_task_next(&t, f.run, NULL, CM_US_PER_S, &rng, &a);
    assert_int_equal(a.kind, RL_WAIT);
    assert_int_equal(a.until, 11 * CM_US_PER_S);
    /* Woken early: the same wait, shorter; an outcome passed now is ignored. */
    rl_outcome o = {200, RL_TE_NONE, NULL, 0, 0, NULL};
    rl_task_next(&t, f.run, &o, 4 * CM_US_PER_S, &rng, &a);
    assert_int_equal(a.kind, RL_WAIT);
    assert_int_equal(a.until, 11 * CM_US_PER_S);
    assert_int_equal(a.delay, 7 * CM_US_PER_S);
    assert_int_equal(a.reason, RL_WAIT_BACKOFF);
    rl_task_next(&t, f.run, NULL, 12 * CM_US_PER_S, &rng, &a);
    assert_int_equal(a.kind, RL_SEND);
    assert_int_equal(a.attempt, 2);
    o.status = 0;
    o.error = RL_TE_CONNECT;
    rl_task_next(&t, f.run, &o, 13 * CM_US_PER_S, &rng, &a);
    assert_int_equal(a.kind, RL_DONE);
    assert_false(a.success);
    assert_non_null(strstr(a.message, "connect"));
    /* DONE repeats. */
    rl_task_next(&t, f.run, NULL, 14 * CM_US_PER_S, &rng, &a);
    assert_int_equal(a.kind, RL_DONE);
    assert_false(a.success);
    assert_string_equal(rl_task_state_name((rl_task_state)t.state), "done");
    assert_string_equal(rl_wait_reason_name(RL_WAIT_TASK_RETRY), "task_retry");
    assert_string_equal(rl_transport_error_name(RL_TE_TRUNCATED), "truncated");
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deadline_stops_waits_and_shortens_timeout),
        cmocka_unit_test(max_total_wait),
        cmocka_unit_test(list_give_up_and_repeat),
        cmocka_unit_test(constant_and_max_retries),
        cmocka_unit_test(jitters_stay_in_range),
        cmocka_unit_test(decorrelated_jitter),
        cmocka_unit_test(budget_stops_retries),
        cmocka_unit_test(protocol_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
