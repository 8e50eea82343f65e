/* test_workload.c: task start schedules (counts, order, determinism, Poisson
 * mean), the round-robin task -> client mapping, and key resolution
 * (environment first, then the scenario's test keys). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/driver/workload.h"

static mock_workload wl(int64_t clients, int64_t per, mock_arrival arrival)
{
    mock_workload w = {.clients = clients,
                       .tasks_per_client = per,
                       .arrival = arrival,
                       .over = 0,
                       .rate_per_s = 1.0,
                       .tokens = 100};
    return w;
}

static void burst_starts_everything_at_zero(void **state)
{
    (void)state;
    mock_workload w = wl(3, 4, MOCK_ARRIVAL_BURST);
    cm_rng r;
    cm_rng_seed(&r, 1);
    rl_schedule s;
    cm_err err;
    assert_int_equal(rl_workload_schedule(&w, &r, &s, &err), 0);
    assert_int_equal(s.n, 12);
    for (size_t i = 0; i < s.n; i++)
        assert_int_equal(s.start[i], 0);
    rl_schedule_free(&s);
    assert_null(s.start);
}

static void uniform_spreads_evenly_over_the_span(void **state)
{
    (void)state;
    mock_workload w = wl(2, 5, MOCK_ARRIVAL_UNIFORM);
    w.over = 10 * CM_US_PER_S;
    rl_schedule s;
    cm_err err;
    assert_int_equal(rl_workload_schedule(&w, NULL, &s, &err), 0);
    assert_int_equal(s.n, 10);
    for (size_t i = 0; i < s.n; i++)
        assert_int_equal(s.start[i], (cm_us)i * CM_US_PER_S);
    rl_schedule_free(&s);
}

static void start_delays_every_arrival(void **state)
{
    (void)state;
    mock_workload w = wl(1, 4, MOCK_ARRIVAL_UNIFORM);
    w.over = 4 * CM_US_PER_S;
    w.start = 370000; /* 0.37 s */
    rl_schedule s;
    cm_err err;
    assert_int_equal(rl_workload_schedule(&w, NULL, &s, &err), 0);
    for (size_t i = 0; i < s.n; i++)
        assert_int_equal(s.start[i], (cm_us)i * CM_US_PER_S + 370000);
    rl_schedule_free(&s);
}

static void poisson_is_deterministic_with_the_right_mean(void **state)
{
    (void)state;
    mock_workload w = wl(100, 100, MOCK_ARRIVAL_POISSON);
    w.rate_per_s = 4.0; /* mean gap 0.25 s */
    cm_rng a, b, c;
    cm_rng_seed(&a, 7);
    cm_rng_seed(&b, 7);
    cm_rng_seed(&c, 8);
    rl_schedule sa, sb, sc;
    cm_err err;
    assert_int_equal(rl_workload_schedule(&w, &a, &sa, &err), 0);
    assert_int_equal(rl_workload_schedule(&w, &b, &sb, &err), 0);
    assert_int_equal(rl_workload_schedule(&w, &c, &sc, &err), 0);
    assert_int_equal(sa.n, 10000);
    assert_memory_equal(sa.start, sb.start, sa.n * sizeof *sa.start);
    assert_memory_not_equal(sa.start, sc.start, sa.n * sizeof *sa.start);
    assert_true(sa.start[0] > 0);
    for (size_t i = 1; i < sa.n; i++)
        assert_true(sa.start[i] >= sa.start[i - 1]);
    double mean_gap = cm_s_from_us(sa.start[sa.n - 1]) / (double)sa.n;
    assert_true(mean_gap > 0.24 && mean_gap < 0.26);
    rl_schedule_free(&sa);
    rl_schedule_free(&sb);
    rl_schedule_free(&sc);
}

static void bad_workloads_are_refused(void **state)
{
    (void)state;
    rl_schedule s;
    cm_err err;
    mock_workload w = wl(0, 1, MOCK_ARRIVAL_BURST);
    assert_int_equal(rl_workload_schedule(&w, NULL, &s, &err), -1);
    assert_non_null(strstr(err.msg, "no tasks"));
    w = wl(100000, 1000, MOCK_ARRIVAL_BURST);
    assert_int_equal(rl_workload_schedule(&w, NULL, &s, &err), -1);
    assert_non_null(strstr(err.msg, "too many"));
    w = wl(1, 1, MOCK_ARRIVAL_POISSON);
    w.rate_per_s = 0;
    assert_int_equal(rl_workload_schedule(&w, NULL, &s, &err), -1);
    assert_int_equal(s.n, 0);
    assert_null(s.start);
}

static void tasks_are_dealt_round_robin_to_clients(void **state)
{
    (void)state;
    mock_workload w = wl(3, 4, MOCK_ARRIVAL_BURST);
    assert_int_equal(rl_workload_client(&w, 0), 0);
    assert_int_equal(rl_workload_client(&w, 4), 1);
    assert_int_equal(rl_workload_client(&w, 11), 2);
    assert_int_equal(rl_workload_client_task(&w, 0), 0);
    assert_int_equal(rl_workload_client_task(&w, 4), 1);
    assert_int_equal(rl_workload_client_task(&w, 11), 3);
}

static const char scenario_text[] =
    "{ \"kind\": \"scenario\", \"name\": \"keys\", \"seed\": 1,\n"
    "  \"providers\": [ { \"name\": \"groq\", \"shape\": \"openai\",\n"
    "    \"keys\": { \"RL_TEST_KEY_A\": \"sk-file-a\", \"RL_TEST_KEY_B\": \"sk-file-b\" },\n"
    "    \"models\": [ { \"name\": \"llama\" } ] } ] }\n";

static void keys_resolve_from_the_scenario_only(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/tmp/rl-test-workload-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(scenario_text, f);
    fclose(f);
    mock_scenario *sc = NULL;
    cm_err err;
    if (mock_scenario_load(path, &sc, &err) != 0)
        fail_msg("%s", err.msg);
    unsetenv("RL_TEST_KEY_A");
    setenv("RL_TEST_KEY_B", "sk-env-b", 1); /* an exported key never overrides the scenario's */
    assert_string_equal(rl_key_resolve(sc, "groq", "RL_TEST_KEY_A"), "sk-file-a");
    assert_string_equal(rl_key_resolve(sc, "groq", "RL_TEST_KEY_B"), "sk-file-b");
    setenv("RL_TEST_KEY_C", "sk-env-c", 1); /* nor stands in for a key the scenario lacks */
    assert_null(rl_key_resolve(sc, "groq", "RL_TEST_KEY_C"));
    unsetenv("RL_TEST_KEY_B");
    unsetenv("RL_TEST_KEY_C");
    assert_null(rl_key_resolve(sc, "nosuch", "RL_TEST_KEY_A"));
    assert_null(rl_key_resolve(NULL, "groq", "RL_TEST_KEY_A"));
    setenv("RL_TEST_KEY_A", "sk-env-a", 1);
    assert_null(rl_key_resolve(NULL, NULL, "RL_TEST_KEY_A"));
    unsetenv("RL_TEST_KEY_A");
    unsetenv("RL_TEST_KEY_B");
    mock_scenario_free(sc);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_starts_everything_at_zero),
        cmocka_unit_test(uniform_spreads_evenly_over_the_span),
        cmocka_unit_test(start_delays_every_arrival),
        cmocka_unit_test(poisson_is_deterministic_with_the_right_mean),
        cmocka_unit_test(bad_workloads_are_refused),
        cmocka_unit_test(tasks_are_dealt_round_robin_to_clients),
        cmocka_unit_test(keys_resolve_from_the_scenario_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
