/* test_mockhttp_reset.c: POST /__admin/reset is a clean cut in
 * bin/mockserver's journal: with 8 clients sending requests all along, the
 * journal read right after a reset never holds an entry decided before it.
 * Such an entry carries the old clock's time; at --time-scale 1e6 a
 * generation that lived 5 wall ms reads as ~5000 scenario s, while
 * everything decided since the reset is younger than the state page's
 * now_s read after the journal. Bounded: 1.5 wall s of resets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "tests/lib/mockhttp_harness.h"

#define FAULTS "tests/data/mockhttp/faults.json"
#define CLIENTS 16

typedef struct client {
    const mh_server *s;
    atomic_bool *stop;
    long sent;
} client;

/* One client: requests on one keep-alive connection until told to stop. */
static void *client_run(void *arg)
{
    client *c = arg;
    mh_resp *r = malloc(sizeof *r);
    struct curl_slist *hd = NULL;
    CURL *h = mh_easy(c->s, "POST", "/ok/v1/chat/completions", "Authorization: Bearer sk-test",
                      MH_CHAT("m1"), 5000, r, &hd);
    while (!atomic_load(c->stop)) {
        r->body_len = r->headers_len = 0;
        if (curl_easy_perform(h) == CURLE_OK)
            c->sent++;
    }
    curl_easy_cleanup(h);
    curl_slist_free_all(hd);
    free(r);
    return NULL;
}

/* The body of GET/POST path on the keep-alive handle h (into r). */
static void admin(CURL *h, const mh_server *s, const char *method, const char *path, mh_resp *r)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    r->body_len = r->headers_len = 0;
    r->body[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
}

/* Entries of the JSON Lines journal text whose t is above now_s. */
static int entries_after(const char *jsonl, double now_s, int *entries)
{
    int late = 0;
    for (const char *line = jsonl; line && *line;) {
        const char *t = strstr(line, "{\"t\":");
        if (!t)
            break;
        double v = strtod(t + 5, NULL);
        late += v > now_s;
        (*entries)++;
        line = strchr(t, '\n');
        line = line ? line + 1 : NULL;
    }
    return late;
}

static void reset_is_a_clean_cut_under_load(void **state)
{
    (void)state;
    mh_server s;
    const char *extra[] = {"--time-scale", "1000000", "--threads", "4", NULL};
    mh_start_ok(&s, FAULTS, extra);
    atomic_bool stop = false;
    client cs[CLIENTS];
    pthread_t th[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        cs[i] = (client){.s = &s, .stop = &stop};
        pthread_create(&th[i], NULL, client_run, &cs[i]);
    }
    mh_resp *r = malloc(sizeof *r);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, mh_body_cb);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
    int resets = 0, late = 0, entries = 0;
    double until = mh_now() + 1.5;
    while (mh_now() < until) {
        struct timespec ts = {0, 2 * 1000 * 1000}; /* the generation lives ~2 ms */
        nanosleep(&ts, NULL);
        admin(h, &s, "POST", "/__admin/reset", r);
        admin(h, &s, "GET", "/__admin/journal?format=jsonl", r);
        char *jl = strdup(r->body);
        admin(h, &s, "GET", "/__admin/state", r);
        cJSON *st = cJSON_Parse(r->body);
        assert_non_null(st);
        late += entries_after(jl, cJSON_GetObjectItem(st, "now_s")->valuedouble, &entries);
        cJSON_Delete(st);
        free(jl);
        resets++;
    }
    atomic_store(&stop, true);
    long sent = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(th[i], NULL);
        sent += cs[i].sent;
    }
    curl_easy_cleanup(h);
    free(r);
    print_message("%d resets, %ld requests, %d entries read after a reset, %d from before it\n",
                  resets, sent, entries, late);
    assert_true(resets >= 20 && sent >= 200);
    assert_int_equal(late, 0);
    mh_stop_ok(&s);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(reset_is_a_clean_cut_under_load, mh_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
