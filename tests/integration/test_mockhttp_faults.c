/* test_mockhttp_faults.c: bin/mockserver's transport faults over loopback:
 * hangs (a client timeout fires while other requests are answered; 2,000
 * hanging connections; the --max-hung cap), resets, truncated and slow
 * bodies, latency under a time scale. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sys/resource.h>

#include "tests/lib/mockhttp_harness.h"

#define KEY "Authorization: Bearer sk-test"
#define FAULTS "tests/data/mockhttp/faults.json"

/* connections.hung from /__admin/state, or -1. */
static int hung_now(const mh_server *s, int *rejected)
{
    mh_resp *r = malloc(sizeof *r);
    mh_request(s, "GET", "/__admin/state", NULL, NULL, 5000, r);
    cJSON *j = cJSON_Parse(r->body);
    free(r);
    cJSON *c = cJSON_GetObjectItem(j, "connections");
    int n = c ? cJSON_GetObjectItem(c, "hung")->valueint : -1;
    if (rejected && c)
        *rejected = cJSON_GetObjectItem(c, "hung_rejected")->valueint;
    cJSON_Delete(j);
    return n;
}

/* Drives m until `want` connections hang at the server (or 10 s pass). */
static int pump_until_hung(CURLM *m, const mh_server *s, int want)
{
    double until = mh_now() + 10;
    int running = 0, hung = -1;
    while (mh_now() < until) {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 50, NULL);
        if ((hung = hung_now(s, NULL)) >= want)
            break;
    }
    return hung;
}

static void hang_times_out_while_others_are_answered(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, FAULTS, NULL);
    mh_resp *hr = calloc(1, sizeof *hr), *r = malloc(sizeof *r);
    struct curl_slist *hd;
    CURL *h = mh_easy(&s, "POST", "/hang/v1/chat/completions", KEY, MH_CHAT("m1"), 1000, hr, &hd);
    CURLM *m = curl_multi_init();
    curl_multi_add_handle(m, h);
    double t0 = mh_now();
    assert_int_equal(pump_until_hung(m, &s, 1), 1);
    mh_request(&s, "POST", "/ok/v1/chat/completions", KEY, MH_CHAT("m1"), 2000, r);
    assert_int_equal(r->status, 200);
    assert_true(mh_now() - t0 < 0.95); /* answered while the hung request still waits */
    int running = 1;
    while (running) {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 50, NULL);
    }
    CURLMsg *msg;
    int left;
    CURLcode rc = CURLE_OK;
    while ((msg = curl_multi_info_read(m, &left)))
        rc = msg->data.result;
    double took = mh_now() - t0;
    assert_int_equal(rc, CURLE_OPERATION_TIMEDOUT);
    assert_true(took >= 0.9 && took < 3);
    curl_multi_remove_handle(m, h);
    curl_easy_cleanup(h);
    curl_slist_free_all(hd);
    curl_multi_cleanup(m);
    /* the server notices the client left and stops counting the hang */
    double until = mh_now() + 3;
    while (hung_now(&s, NULL) != 0 && mh_now() < until)
        curl_multi_poll(NULL, NULL, 0, 50, NULL);
    assert_int_equal(hung_now(&s, NULL), 0);
    free(hr);
    free(r);
    mh_stop_ok(&s);
}

static void two_thousand_hangs_do_not_block_others(void **state)
{
    (void)state;
    enum { N = 2000 };
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 4 * N && rl.rlim_max >= 4 * N) {
        rl.rlim_cur = 4 * N;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    mh_server s;
    const char *extra[] = {"--max-hung", "4096", NULL};
    mh_start_ok(&s, FAULTS, extra);
    mh_resp *hr = calloc(N, sizeof *hr), *r = malloc(sizeof *r);
    CURL **h = calloc(N, sizeof *h);
    struct curl_slist **hd = calloc(N, sizeof *hd);
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)N);
    for (int i = 0; i < N; i++) {
        h[i] = mh_easy(&s, "POST", "/hang/v1/chat/completions", KEY, MH_CHAT("m1"), 30000, &hr[i],
                       &hd[i]);
        curl_multi_add_handle(m, h[i]);
    }
    assert_int_equal(pump_until_hung(m, &s, N), N);
    mh_request(&s, "POST", "/ok/v1/chat/completions", KEY, MH_CHAT("m1"), 2000, r);
    assert_int_equal(r->status, 200);
    assert_true(r->seconds < 2); /* the hangs time out after 30 s: not waited for */
    for (int i = 0; i < N; i++) {
        curl_multi_remove_handle(m, h[i]);
        curl_easy_cleanup(h[i]);
        curl_slist_free_all(hd[i]);
    }
    curl_multi_cleanup(m);
    free(h);
    free(hd);
    free(hr);
    free(r);
    mh_stop_ok(&s); /* resumes whatever still hangs before the daemon stops */
}

static void max_hung_answers_504(void **state)
{
    (void)state;
    mh_server s;
    const char *extra[] = {"--max-hung", "2", NULL};
    mh_start_ok(&s, FAULTS, extra);
    mh_resp *hr = calloc(2, sizeof *hr), *r = malloc(sizeof *r);
    struct curl_slist *hd[2];
    CURL *h[2];
    CURLM *m = curl_multi_init();
    for (int i = 0; i < 2; i++) {
        h[i] = mh_easy(&s, "POST", "/hang/v1/chat/completions", KEY, MH_CHAT("m1"), 20000, &hr[i],
                       &hd[i]);
        curl_multi_add_handle(m, h[i]);
    }
    assert_int_equal(pump_until_hung(m, &s, 2), 2);
    mh_request(&s, "POST", "/hang/v1/chat/completions", KEY, MH_CHAT("m1"), 2000, r);
    assert_int_equal(r->status, 504);
    int rejected = 0;
    assert_int_equal(hung_now(&s, &rejected), 2);
    assert_int_equal(rejected, 1);
    mh_stop_ok(&s); /* with two connections still hanging */
    for (int i = 0; i < 2; i++) {
        curl_multi_remove_handle(m, h[i]);
        curl_easy_cleanup(h[i]);
        curl_slist_free_all(hd[i]);
    }
    curl_multi_cleanup(m);
    free(hr);
    free(r);
}

static void reset_is_a_transport_error(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, FAULTS, NULL);
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", "/reset/v1/chat/completions", KEY, MH_CHAT("m1"), 2000, r);
    assert_true(r->rc == CURLE_RECV_ERROR || r->rc == CURLE_GOT_NOTHING);
    assert_int_equal(r->status, 0);
    mh_request(&s, "POST", "/ok/v1/chat/completions", KEY, MH_CHAT("m1"), 2000, r);
    assert_int_equal(r->status, 200);
    free(r);
    mh_stop_ok(&s);
}

static void truncated_body_is_short_of_its_length(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, FAULTS, NULL);
    mh_resp *r = malloc(sizeof *r);
    mh_request(
        &s, "POST", "/trunc/v1/messages", "x-api-key: sk-test",
        "{\"model\":\"m1\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        2000, r);
    assert_int_equal(r->rc, CURLE_PARTIAL_FILE);
    assert_int_equal(r->status, 200);
    assert_true(r->body_len > 0);
    assert_null(cJSON_Parse(r->body)); /* half a JSON document */
    free(r);
    mh_stop_ok(&s);
}

static void slow_body_arrives_whole_over_its_duration(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, FAULTS, NULL);
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", "/slow/v1/chat/completions", KEY, MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->rc, CURLE_OK);
    assert_int_equal(r->status, 200);
    assert_true(r->seconds >= 0.55 && r->seconds < 3);
    cJSON *j = cJSON_Parse(r->body);
    assert_non_null(j);
    assert_non_null(cJSON_GetObjectItem(j, "choices"));
    cJSON_Delete(j);
    free(r);
    mh_stop_ok(&s);
}

static void latency_follows_the_time_scale(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, FAULTS, NULL);
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", "/lat/v1/chat/completions", KEY, MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 200);
    assert_true(r->seconds >= 0.48 && r->seconds < 2); /* 0.5 scenario s at scale 1 */
    mh_stop_ok(&s);
    const char *extra[] = {"--time-scale", "10", NULL};
    mh_start_ok(&s, FAULTS, extra);
    mh_request(&s, "POST", "/lat/v1/chat/completions", KEY, MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 200);
    assert_true(r->seconds >= 0.045 && r->seconds < 0.4); /* 0.05 wall s at scale 10 */
    free(r);
    mh_stop_ok(&s);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(hang_times_out_while_others_are_answered, mh_teardown),
        cmocka_unit_test_teardown(two_thousand_hangs_do_not_block_others, mh_teardown),
        cmocka_unit_test_teardown(max_hung_answers_504, mh_teardown),
        cmocka_unit_test_teardown(reset_is_a_transport_error, mh_teardown),
        cmocka_unit_test_teardown(truncated_body_is_short_of_its_length, mh_teardown),
        cmocka_unit_test_teardown(slow_body_arrives_whole_over_its_duration, mh_teardown),
        cmocka_unit_test_teardown(latency_follows_the_time_scale, mh_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
