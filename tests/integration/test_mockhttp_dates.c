/* test_mockhttp_dates.c: bin/mockserver's dates against the wall clock: at
 * time scale 1 Date, an HTTP-date Retry-After and Anthropic's RFC 3339
 * resets are wall-clock true (t = 0 is the whole second the server started
 * or was reset in); GET /__admin/state and POST /__admin/reset report the
 * epoch; at another scale every date stays epoch + t, so date - Date is the
 * scenario delay; and the curl tool honours an HTTP-date Retry-After. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "common/timefmt.h"
#include "tests/lib/mockhttp_harness.h"
#include "tests/lib/test_assert.h"

#define DATES "tests/data/mockhttp/dates.json"
#define OA_KEY "Authorization: Bearer sk-test-oa"
#define AN_KEY "x-api-key: sk-ant-test"
#define CHAT "/oa/v1/chat/completions"
#define MESSAGES "/an/v1/messages"
#define AN_BODY                                                                                    \
    "{\"model\":\"c1\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"

static double real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Header `name` of r as an HTTP-date, Unix seconds. */
static int64_t date_header(const mh_resp *r, const char *name)
{
    char v[128];
    int64_t at = 0;
    assert_int_equal(mh_header(r, name, v, sizeof v), 0);
    assert_int_equal(cm_http_date_parse(v, strlen(v), &at), 0);
    return at;
}

static cJSON *post_json(const mh_server *s, const char *path)
{
    mh_resp *r = malloc(sizeof *r);
    mh_request(s, "POST", path, NULL, "", 5000, r);
    assert_int_equal(r->status, 200);
    cJSON *j = cJSON_Parse(r->body);
    free(r);
    assert_non_null(j);
    return j;
}

static cJSON *get_json(const mh_server *s, const char *path)
{
    mh_resp *r = malloc(sizeof *r);
    mh_request(s, "GET", path, NULL, NULL, 5000, r);
    assert_int_equal(r->status, 200);
    cJSON *j = cJSON_Parse(r->body);
    free(r);
    assert_non_null(j);
    return j;
}

static double num(const cJSON *j, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(j, name);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

static void dates_are_wall_clock_true_at_scale_1(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, DATES, NULL);
    mh_resp *r = malloc(sizeof *r);
    double before = real_now();
    mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    double after = real_now();
    assert_int_equal(r->status, 429);
    int64_t date = date_header(r, "Date"), ra = date_header(r, "Retry-After");
    /* Date is the wall clock's second; Retry-After 2 s after the arrival,
     * rounded up to the second. */
    assert_true(date >= (int64_t)before && date <= (int64_t)after);
    assert_true((double)ra >= before + 2 && (double)ra <= after + 3);
    mh_request(&s, "POST", MESSAGES, AN_KEY, AN_BODY, 5000, r);
    assert_int_equal(r->status, 200);
    char v[64];
    int64_t reset_us = 0;
    assert_int_equal(mh_header(r, "anthropic-ratelimit-requests-reset", v, sizeof v), 0);
    assert_int_equal(cm_rfc3339_parse(v, strlen(v), &reset_us), 0);
    double reset = (double)reset_us / 1e6; /* the window's end: 60 s on, rounded up */
    assert_true(reset >= before + 60 && reset <= real_now() + 61);
    cJSON *st = get_json(&s, "/__admin/state");
    double epoch = num(st, "epoch_unix_us") / 1e6;
    assert_num_equal(epoch, floor(epoch)); /* a whole second */
    assert_true(fabs(epoch + num(st, "now_s") - real_now()) < 0.5);
    cJSON_Delete(st);
    free(r);
    mh_stop_ok(&s);
}

static void reset_reports_the_new_epoch(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, DATES, NULL);
    struct timespec ts = {1, 100 * 1000 * 1000}; /* into the next second */
    nanosleep(&ts, NULL);
    cJSON *st = get_json(&s, "/__admin/state");
    double old_epoch = num(st, "epoch_unix_us");
    cJSON_Delete(st);
    double before = real_now();
    cJSON *rs = post_json(&s, "/__admin/reset");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(rs, "reset")));
    double epoch = num(rs, "epoch_unix_us"), now_us = num(rs, "now_us");
    assert_true(epoch > old_epoch);
    assert_true(epoch == floor(before) * 1e6 || epoch == floor(before) * 1e6 + 1e6);
    assert_true(now_us >= 0 && now_us < 1.2e6); /* the second already gone, and a little */
    assert_true(fabs(epoch / 1e6 + now_us / 1e6 - real_now()) < 0.5);
    cJSON_Delete(rs);
    /* The reset started the script again: the 429's dates are on the new epoch. */
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 429);
    assert_true(llabs(date_header(r, "Date") - (int64_t)real_now()) <= 1);
    free(r);
    mh_stop_ok(&s);
}

/* At scale 100 the dates run 100 times as fast as the wall, from the same
 * kind of epoch: Retry-After - Date is the scenario delay (2 s rounded to
 * whole seconds), and Date - epoch is the scenario time. */
static void scaled_dates_stay_consistent_with_date(void **state)
{
    (void)state;
    mh_server s;
    const char *extra[] = {"--time-scale", "100", NULL};
    mh_start_ok(&s, DATES, extra);
    struct timespec ts = {0, 200 * 1000 * 1000}; /* 20 scenario seconds */
    nanosleep(&ts, NULL);
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", CHAT, OA_KEY, MH_CHAT("m1"), 5000, r);
    assert_int_equal(r->status, 429);
    int64_t date = date_header(r, "Date"), ra = date_header(r, "Retry-After");
    assert_true(ra - date == 2 || ra - date == 3);
    cJSON *st = get_json(&s, "/__admin/state");
    double epoch = num(st, "epoch_unix_us") / 1e6, now = num(st, "now_s");
    assert_true(now >= 20);
    assert_true((double)date - epoch >= 20 && (double)date - epoch <= now);
    assert_true(epoch <= real_now() && epoch > real_now() - 5);
    cJSON_Delete(st);
    free(r);
    mh_stop_ok(&s);
}

/* The curl tool reads an HTTP-date Retry-After against its own clock: it
 * must wait about 2 s (not a negative time) and then succeed. Real time,
 * bounded: the one test here that waits wall seconds. */
static void curl_retry_waits_for_the_http_date(void **state)
{
    (void)state;
    mh_server s;
    mh_start_ok(&s, DATES, NULL);
    char cmd[1024], body[] = "/tmp/rl-dates-XXXXXX";
    int fd = mkstemp(body);
    assert_true(fd >= 0);
    close(fd);
    snprintf(cmd, sizeof cmd,
             "timeout 15 curl -sS --max-time 10 --retry 1 -o %s -w '%%{http_code}' -X POST "
             "-H 'Authorization: Bearer sk-test-oa' -H 'Content-Type: application/json' "
             "-d '" MH_CHAT("m1") "' %s" CHAT " 2>&1",
             body, s.base);
    double t0 = mh_now();
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char out[512] = "";
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    double took = mh_now() - t0;
    unlink(body);
    assert_non_null(strstr(out, "200"));
    assert_null(strstr(out, "in -"));
    assert_true(took >= 1.5 && took <= 4.5);
    mh_stop_ok(&s);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(dates_are_wall_clock_true_at_scale_1, mh_teardown),
        cmocka_unit_test_teardown(reset_reports_the_new_epoch, mh_teardown),
        cmocka_unit_test_teardown(scaled_dates_stay_consistent_with_date, mh_teardown),
        cmocka_unit_test_teardown(curl_retry_waits_for_the_http_date, mh_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
