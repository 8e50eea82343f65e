/* test_mockhttp_concurrency.c: a "concurrency" window over real HTTP: while
 * one request is in flight (its 2 s latency at --time-scale 10), a second
 * gets 429 with Retry-After until the first is planned to end; once the
 * first response is complete the front gives its slot back and the next
 * request succeeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>

#include "tests/lib/mockhttp_harness.h"

#define CONC "tests/data/mockhttp/concurrency.json"
#define MS_KEY "Authorization: Bearer sk-test-ms"
#define CHAT "/ms/v1/chat/completions"

typedef struct slow_call {
    const mh_server *s;
    mh_resp r;
} slow_call;

static void *send_one(void *arg)
{
    slow_call *c = arg;
    mh_request(c->s, "POST", CHAT, MS_KEY, MH_CHAT("kimi"), 5000, &c->r);
    return NULL;
}

static void second_in_flight_is_refused_until_the_first_ends(void **state)
{
    (void)state;
    mh_server s;
    const char *extra[] = {"--time-scale", "10", NULL};
    mh_start_ok(&s, CONC, extra);
    slow_call *first = calloc(1, sizeof *first);
    first->s = &s;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, send_one, first), 0);
    struct timespec ts = {0, 60 * 1000 * 1000}; /* the first is in flight (0.2 s) */
    nanosleep(&ts, NULL);
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", CHAT, MS_KEY, MH_CHAT("kimi"), 5000, r);
    assert_int_equal(r->status, 429);
    char v[64];
    assert_int_equal(mh_header(r, "Retry-After", v, sizeof v), 0);
    assert_true(strcmp(v, "1") == 0 || strcmp(v, "2") == 0); /* until t = 2 from ~0.6 */
    assert_non_null(strstr(r->body, "in flight"));
    pthread_join(th, NULL);
    assert_int_equal(first->r.status, 200);
    mh_request(&s, "POST", CHAT, MS_KEY, MH_CHAT("kimi"), 5000, r);
    assert_int_equal(r->status, 200);
    free(first);
    free(r);
    mh_stop_ok(&s);
}

/* A client that gives up on a request in flight does not keep its slot
 * forever: the front sees it gone when the answer is due (the connection
 * sleeps until then) and gives the slot back. */
static void a_client_that_leaves_frees_its_slot(void **state)
{
    (void)state;
    mh_server s;
    const char *extra[] = {"--time-scale", "10", NULL};
    mh_start_ok(&s, CONC, extra); /* 2 s answers: 0.2 s of wall time */
    mh_resp *r = malloc(sizeof *r);
    mh_request(&s, "POST", CHAT, MS_KEY, MH_CHAT("kimi"), 50, r); /* gives up after 0.05 s */
    assert_int_equal(r->rc, CURLE_OPERATION_TIMEDOUT);
    mh_request(&s, "POST", CHAT, MS_KEY, MH_CHAT("kimi"), 5000, r);
    assert_int_equal(r->status, 429); /* still held: its answer is not due yet */
    struct timespec ts = {0, 250 * 1000 * 1000};
    nanosleep(&ts, NULL);
    mh_request(&s, "POST", CHAT, MS_KEY, MH_CHAT("kimi"), 5000, r);
    assert_int_equal(r->status, 200);
    free(r);
    mh_stop_ok(&s);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(second_in_flight_is_refused_until_the_first_ends, mh_teardown),
        cmocka_unit_test_teardown(a_client_that_leaves_frees_its_slot, mh_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
