/* test_sweep.c: the parts of retrylab sweep that need no run: --vary
 * values and ranges, JSON paths, percentiles, the t quantile, the 95%
 * interval, the Pareto front, the objective and the policy text of the
 * best variant. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/sweep/sweep.h"
#include "tests/lib/test_assert.h"

static void ranges_and_lists(void **state)
{
    (void)state;
    sw_grid g = {0};
    cm_err err;
    assert_int_equal(sw_grid_add(&g, "backoff.base_s=0.1..0.5:0.1", SW_POLICY, &err), 0);
    assert_int_equal(g.axes[0].n, 5);
    assert_string_equal(g.axes[0].values[2].text, "0.3"); /* not 0.30000000000000004 */
    assert_string_equal(g.axes[0].values[4].text, "0.5");
    assert_int_equal(sw_grid_add(&g, "backoff.cap_s=1..100:*10", SW_POLICY, &err), 0);
    assert_int_equal(g.axes[1].n, 3);
    assert_string_equal(g.axes[1].values[2].text, "100");
    assert_int_equal(sw_grid_add(&g, "backoff.jitter=none,full,true,5.", SW_POLICY, &err), 0);
    assert_int_equal(g.axes[2].values[0].type, SW_STR);
    assert_int_equal(g.axes[2].values[2].type, SW_BOOL);
    assert_string_equal(g.axes[2].values[3].text, "5");
    assert_int_equal(sw_grid_add(&g, "x=1..0:1", SW_POLICY, &err), -1);
    assert_non_null(strstr(err.msg, "'x=1..0:1'"));
    assert_int_equal(sw_grid_add(&g, "x=1,,2", SW_POLICY, &err), -1);
    assert_int_equal(sw_grid_finish(&g, &err), 0);
    assert_int_equal(g.total, 5 * 3 * 4);
    size_t idx[SW_MAX_AXES];
    sw_grid_index(&g, 5 * 3 * 4 - 1, idx); /* the last axis varies fastest */
    assert_int_equal(idx[0], 4);
    assert_int_equal(idx[1], 2);
    assert_int_equal(idx[2], 3);
    sw_grid_free(&g);
}

static void shards_tile_the_grid(void **state)
{
    (void)state;
    uint64_t end_before = 0;
    for (uint64_t k = 0; k < 7; k++) {
        uint64_t first, end;
        sw_shard_range(100, k, 7, &first, &end);
        assert_int_equal(first, end_before);
        end_before = end;
    }
    assert_int_equal(end_before, 100);
}

static void paths_set_and_create(void **state)
{
    (void)state;
    cJSON *root = cJSON_Parse("{\"providers\":[{\"windows\":[{\"limit\":5}]}],\"a\":{}}");
    sw_path p;
    cm_err err;
    sw_value v;
    sw_value_parse("9", 1, &v);
    assert_int_equal(sw_path_parse("providers[0].windows[0].limit", &p, &err), 0);
    assert_int_equal(sw_path_set(root, &p, &v, &err), 0);
    assert_int_equal(sw_path_find(root, &p)->valueint, 9);
    assert_int_equal(sw_path_parse("a.b.c", &p, &err), 0);
    assert_int_equal(sw_path_set(root, &p, &v, &err), 0); /* members are made on the way */
    assert_non_null(sw_path_find(root, &p));
    assert_int_equal(sw_path_parse("providers[1].x", &p, &err), 0);
    assert_int_equal(sw_path_set(root, &p, &v, &err), -1);
    assert_int_equal(sw_path_parse("providers", &p, &err), 0);
    assert_int_equal(sw_path_set(root, &p, &v, &err), -1);
    assert_int_equal(sw_path_parse("a..b", &p, &err), -1);
    assert_int_equal(sw_path_parse("a[x]", &p, &err), -1);
    cJSON_Delete(root);
}

static void percentiles_and_interval(void **state)
{
    (void)state;
    double v[100];
    for (int i = 0; i < 100; i++)
        v[i] = (double)((i * 37) % 100) + 1; /* 1..100 shuffled */
    assert_num_equal(sw_quantile(v, 100, 0.95), 95.0);
    assert_num_equal(sw_quantile(v, 100, 0.50), 50.0);
    assert_num_equal(sw_quantile(v, 100, 1.0), 100.0);
    double one = 3;
    assert_num_equal(sw_quantile(&one, 1, 0.99), 3.0);
    assert_true(fabs(sw_t95(1) - 12.706) < 1e-9);
    assert_true(fabs(sw_t95(30) - 2.042) < 1e-9);
    assert_true(fabs(sw_t95(1000) - 1.9623) < 1e-3);
    sw_acc a = {0};
    sw_run runs[3] = {{.tasks = 10, .successes = 5},
                      {.tasks = 10, .successes = 6},
                      {.tasks = 10, .successes = 7}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(sw_acc_run(&a, &runs[i], NULL), 0);
    assert_int_equal(sw_acc_task(&a, 2.0, 1.0), 0);
    sw_row r = {0};
    sw_acc_row(&a, &r);
    assert_true(fabs(r.m[SW_M_SUCCESS_RATE] - 0.6) < 1e-9);
    /* sd 0.1, t(2) 4.303: 0.6 +/- 0.248 */
    assert_true(fabs(r.m[SW_M_SUCCESS_CI_LOW] - 0.351567) < 1e-5);
    assert_true(fabs(r.m[SW_M_SUCCESS_CI_HIGH] - 0.848433) < 1e-5);
    assert_num_equal(isinf(r.m[SW_M_CALLS_PER_SUCCESS]), 0);
    sw_acc_free(&a);
}

static void front_keeps_the_undominated(void **state)
{
    (void)state;
    sw_front f = {0};
    sw_front_item a = {.variant = 0, .rate = 0.5, .calls = 2, .p95 = 10};
    sw_front_item b = {.variant = 1, .rate = 0.9, .calls = 3, .p95 = 10}; /* trade-off with a */
    sw_front_item c = {.variant = 2, .rate = 0.4, .calls = 2, .p95 = 11}; /* dominated by a */
    sw_front_item d = {.variant = 3, .rate = 0.9, .calls = 2, .p95 = 10}; /* dominates a and b */
    sw_front_item e = {.variant = 4, .rate = 0.9, .calls = 2, .p95 = 10}; /* equals d */
    assert_int_equal(sw_front_offer(&f, &a), 0);
    assert_int_equal(sw_front_offer(&f, &b), 0);
    assert_int_equal(f.n, 2);
    assert_int_equal(sw_front_offer(&f, &c), 0);
    assert_int_equal(f.n, 2);
    assert_int_equal(sw_front_offer(&f, &d), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.items[0].variant, 3);
    assert_int_equal(sw_front_offer(&f, &e), 0);
    assert_int_equal(f.n, 2);
    sw_front_free(&f);
}

static void objective_syntax(void **state)
{
    (void)state;
    sw_objective o;
    cm_err err;
    assert_int_equal(
        sw_objective_parse("max success_rate; calls_per_success<=2; p95_duration_s < 60 ; expect",
                           &o, &err),
        0);
    assert_int_equal(o.goal, SW_M_SUCCESS_RATE);
    assert_true(o.maximise && o.need_expect);
    assert_int_equal(o.n, 2);
    sw_row a = {.variant = 0, .ok = true, .expect = 1}, b = a;
    a.m[SW_M_SUCCESS_RATE] = 0.9;
    a.m[SW_M_CALLS_PER_SUCCESS] = 1.5;
    a.m[SW_M_P95_DURATION] = 30;
    b = a;
    b.variant = 1;
    b.m[SW_M_SUCCESS_RATE] = 0.95;
    b.m[SW_M_CALLS_PER_SUCCESS] = 2.5;
    assert_true(sw_objective_feasible(&o, &a));
    assert_false(sw_objective_feasible(&o, &b)); /* too many calls */
    b.m[SW_M_CALLS_PER_SUCCESS] = 2;
    assert_true(sw_objective_better(&o, &b, &a));
    b.expect = 0;
    assert_false(sw_objective_feasible(&o, &b));
    assert_int_equal(sw_objective_parse("calls_per_success<=2", &o, &err), -1);
    assert_int_equal(sw_objective_parse("max a; max b", &o, &err), -1);
    assert_int_equal(sw_objective_parse("max success_rate; nosuch<=1", &o, &err), -1);
    assert_int_equal(sw_objective_parse("max success_rate; calls_per_success<=x", &o, &err), -1);
}

static void best_policy_keeps_the_file(void **state)
{
    (void)state;
    const char *text = "{\n  \"kind\": \"policy\",\n  \"limits\": {\"max_attempts\": 25},\n"
                       "  \"backoff\": {\"jitter\": \"none\"}\n}\n";
    cm_err err;
    cm_json *doc = cm_json_parse("p.json", text, strlen(text), &err);
    assert_non_null(doc);
    sw_grid g = {0};
    assert_int_equal(sw_grid_add(&g, "limits.max_attempts=3,100", SW_POLICY, &err), 0);
    assert_int_equal(sw_grid_add(&g, "backoff.jitter=full", SW_POLICY, &err), 0);
    assert_int_equal(sw_grid_finish(&g, &err), 0);
    for (size_t i = 0; i < g.n; i++)
        sw_axis_locate(&g.axes[i], doc);
    assert_true(g.axes[0].existed);
    size_t idx[2] = {1, 0};
    char *out = sw_policy_text_for(text, cm_json_root(doc), &g, idx);
    assert_string_equal(out, "{\n  \"kind\": \"policy\",\n  \"limits\": {\"max_attempts\": 100},\n"
                             "  \"backoff\": {\"jitter\": \"full\"}\n}\n");
    free(out);
    sw_grid_free(&g);
    cm_json_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranges_and_lists),
        cmocka_unit_test(shards_tile_the_grid),
        cmocka_unit_test(paths_set_and_create),
        cmocka_unit_test(percentiles_and_interval),
        cmocka_unit_test(front_keeps_the_undominated),
        cmocka_unit_test(objective_syntax),
        cmocka_unit_test(best_policy_keeps_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
