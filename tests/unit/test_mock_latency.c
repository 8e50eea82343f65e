/* test_mock_latency.c: per-model latency distributions drawn through
 * mock_model_respond (fixed, uniform, normal, lognormal by median and p99
 * over 10,000 draws), and determinism: the same seed and requests give the
 * same plans, another seed gives others, reset replays from the start. */
#include <math.h>
#include <stdlib.h>

#include "tests/lib/mock_test_util.h"
#include "tests/lib/test_assert.h"

#define N 10000

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* N latencies (seconds) of model m of a one-model scenario with `latency`. */
static double *draw(const char *latency)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"kind\":\"scenario\",\"seed\":4,\"providers\":[{\"name\":\"p\","
             "\"shape\":\"openai\",\"models\":[{\"name\":\"m\",\"latency\":%s}]}]}",
             latency);
    fixture fx;
    fx_open(&fx, json);
    double *v = malloc(N * sizeof *v);
    assert_non_null(v);
    for (int i = 0; i < N; i++) {
        mock_plan p = fx_send(&fx, "p", "m", "k", i);
        assert_int_equal(p.status, 200);
        v[i] = cm_s_from_us(p.latency);
    }
    fx_close(&fx);
    qsort(v, N, sizeof *v, cmp_double);
    return v;
}

static double mean_of(const double *v)
{
    double s = 0;
    for (int i = 0; i < N; i++)
        s += v[i];
    return s / N;
}

static void near(double got, double want, double rel)
{
    if (fabs(got - want) > rel * fabs(want))
        fail_msg("got %g, want %g within %g%%", got, want, rel * 100);
}

static void lognormal_median_and_p99(void **state)
{
    (void)state;
    /* seed 004's medians: 2.34 s, 6.60 s, 15.69 s, 17.0 s */
    double *v = draw("{\"kind\":\"lognormal\",\"median_s\":2.34,\"p99_s\":9.0}");
    near(v[N / 2], 2.34, 0.03);
    near(v[N * 99 / 100], 9.0, 0.06);
    assert_true(v[0] > 0);
    free(v);
    v = draw("{\"kind\":\"lognormal\",\"median_s\":15.69,\"p99_s\":40}");
    near(v[N / 2], 15.69, 0.03);
    near(v[N * 99 / 100], 40, 0.06);
    free(v);
}

static void fixed_uniform_normal(void **state)
{
    (void)state;
    double *v = draw("{\"kind\":\"fixed\",\"s\":1.25}");
    assert_true(v[0] == 1.25 && v[N - 1] == 1.25);
    free(v);
    v = draw("{\"kind\":\"uniform\",\"min_s\":1,\"max_s\":3}");
    assert_true(v[0] >= 1 && v[N - 1] < 3);
    near(mean_of(v), 2.0, 0.02);
    near(v[N / 4], 1.5, 0.03);
    free(v);
    v = draw("{\"kind\":\"normal\",\"mean_s\":5,\"sd_s\":1}");
    near(mean_of(v), 5.0, 0.01);
    near(v[N * 841 / 1000] - v[N / 2], 1.0, 0.05); /* one sd above the median */
    free(v);
    /* a normal that would go below zero is clamped at zero */
    v = draw("{\"kind\":\"normal\",\"mean_s\":0.1,\"sd_s\":1}");
    assert_num_equal(v[0], 0.0);
    free(v);
}

static const char *const random_json =
    "{\"kind\":\"scenario\",\"seed\":%d,\"providers\":[{\"name\":\"p\",\"shape\":\"anthropic\","
    "\"models\":[{\"name\":\"m\",\"latency\":{\"kind\":\"lognormal\",\"median_s\":1,\"p99_s\":5}}],"
    "\"windows\":[{\"algorithm\":\"token_bucket\",\"limit\":5,\"period_s\":10}],"
    "\"faults\":[{\"probability\":0.2,\"status\":529},{\"probability\":0.1,\"fault\":\"hang\"}]}]}";

static void run_sequence(fixture *fx, mock_plan *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = fx_send(fx, "p", "m", i % 3 ? "a" : "b", i * 0.7);
}

/* Field by field: header slots past nheaders (and padding) are not cleared
 * between plans, so a byte comparison of whole plans would see leftovers. */
static bool same_plan(const mock_plan *a, const mock_plan *b)
{
    if (a->status != b->status || a->shape != b->shape || a->nheaders != b->nheaders ||
        a->body != b->body || a->latency != b->latency || a->fault != b->fault ||
        a->slow_body != b->slow_body || a->tokens_in != b->tokens_in ||
        a->tokens_out != b->tokens_out || strcmp(a->error_type, b->error_type) != 0 ||
        strcmp(a->error_message, b->error_message) != 0 ||
        strcmp(a->error_code, b->error_code) != 0 || strcmp(a->note, b->note) != 0)
        return false;
    for (size_t i = 0; i < a->nheaders && i < MOCK_MAX_HEADERS; i++)
        if (strcmp(a->headers[i].name, b->headers[i].name) != 0 ||
            strcmp(a->headers[i].value, b->headers[i].value) != 0)
            return false;
    return true;
}

static bool same_plans(const mock_plan *a, const mock_plan *b, int n)
{
    for (int i = 0; i < n; i++)
        if (!same_plan(&a[i], &b[i]))
            return false;
    return true;
}

static void same_seed_same_plans(void **state)
{
    (void)state;
    enum { M = 300 };
    static mock_plan a[M], b[M], c[M], d[M];
    char json[1024];
    fixture fx;
    snprintf(json, sizeof json, random_json, 7);
    fx_open(&fx, json);
    run_sequence(&fx, a, M);
    mock_model_reset(fx.m);
    run_sequence(&fx, d, M); /* reset replays the same answers */
    fx_close(&fx);
    fx_open(&fx, json);
    run_sequence(&fx, b, M);
    fx_close(&fx);
    snprintf(json, sizeof json, random_json, 8);
    fx_open(&fx, json);
    run_sequence(&fx, c, M);
    fx_close(&fx);
    assert_true(same_plans(a, b, M));
    assert_true(same_plans(a, d, M));
    assert_false(same_plans(a, c, M));
    int faults_a = 0, faults_c = 0, differ = 0;
    for (int i = 0; i < M; i++) {
        faults_a += a[i].status == 529;
        faults_c += c[i].status == 529;
        differ += a[i].status != c[i].status;
    }
    assert_true(faults_a > 0 && faults_c > 0);
    assert_true(differ > 0); /* the random fault itself differs, not only latency */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lognormal_median_and_p99),
        cmocka_unit_test(fixed_uniform_normal),
        cmocka_unit_test(same_seed_same_plans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
