/* test_sim.c: the simulation driver end to end, in process: a scripted
 * scenario gives the expected send/response/wait/done sequence at exact
 * virtual times; the same seed gives a byte-identical trace; counts agree
 * with the trace; hangs end at the attempt timeout; a stop request ends the
 * run early and marks it interrupted. Data: tests/data/sim/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "engine/core/engine.h"
#include "engine/driver/trace.h"
#include "engine/sim/sim.h"
#include "mockserver/scenario/scenario.h"
#include "tests/lib/test_file.h"

#define DATA "tests/data/sim/"
#define MAX_LINES 20000

typedef struct run_out {
    rl_drv_result res;
    char path[128];
} run_out;

/* Runs scenario `name` (its own policy) with `seed` into a fresh trace file. */
static void run_sim(const char *name, uint64_t seed, volatile sig_atomic_t *stop, run_out *out)
{
    static int serial;
    char spath[256];
    snprintf(spath, sizeof spath, DATA "%s", name);
    mock_scenario *sc = NULL;
    rl_policy *p = NULL;
    cm_err err;
    if (mock_scenario_load(spath, &sc, &err) != 0)
        fail_msg("%s", err.msg);
    if (rl_policy_load(mock_scenario_policy_path(sc), &p, &err) != 0)
        fail_msg("%s", err.msg);
    snprintf(out->path, sizeof out->path, "/tmp/rl-test-sim-%d-%d.jsonl", (int)getpid(), serial++);
    rl_trace *tr = NULL;
    assert_int_equal(rl_trace_open(out->path, &tr, &err), 0);
    rl_sim_config cfg = {.scenario = sc, .policy = p, .seed = seed, .trace = tr, .stop = stop};
    if (rl_sim_run(&cfg, &out->res, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(rl_trace_close(tr), 0);
    cJSON_Delete(out->res.run_json);
    out->res.run_json = NULL;
    rl_policy_free(p);
    mock_scenario_free(sc);
}

/* Parses every line; returns the count. */
static size_t parse_trace(const char *path, cJSON **ev, size_t max)
{
    char *text = tf_slurp(path, NULL);
    size_t n = 0;
    for (char *line = text, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = 0;
        assert_true(n < max);
        ev[n] = cJSON_Parse(line);
        if (!ev[n])
            fail_msg("unparsable trace line: %s", line);
        n++;
    }
    free(text);
    return n;
}

static void free_events(cJSON **ev, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(ev[i]);
}

static const char *ev_str(const cJSON *e, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double ev_num(const cJSON *e, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, k);
    if (!cJSON_IsNumber(v))
        fail_msg("event %s: field %s missing", ev_str(e, "event"), k);
    return v->valuedouble;
}

static void near(double got, double want)
{
    if (got < want - 1e-9 || got > want + 1e-9)
        fail_msg("got %.6f, want %.6f", got, want);
}

static void scripted_429s_wait_retry_after_then_succeed(void **state)
{
    (void)state;
    run_out r;
    run_sim("scripted-429.json", 11, NULL, &r);
    assert_int_equal(r.res.tasks, 1);
    assert_int_equal(r.res.successes, 1);
    assert_int_equal(r.res.attempts, 4);
    static cJSON *ev[MAX_LINES];
    size_t n = parse_trace(r.path, ev, MAX_LINES);
    /* send, response, wait x3; send, response; done */
    assert_int_equal(n, 3 * 3 + 2 + 1);
    double t = 0;
    for (int i = 0; i < 3; i++) {
        const cJSON *send = ev[3 * i], *resp = ev[3 * i + 1], *wait = ev[3 * i + 2];
        assert_string_equal(ev_str(send, "event"), "send");
        assert_int_equal((int)ev_num(send, "attempt"), i + 1);
        assert_string_equal(ev_str(send, "provider"), "groq");
        assert_string_equal(ev_str(send, "model"), "llama");
        assert_int_equal(strncmp(ev_str(send, "key"), "k-", 2), 0);
        near(ev_num(send, "t"), t);
        assert_string_equal(ev_str(resp, "event"), "response");
        assert_int_equal((int)ev_num(resp, "status"), 429);
        near(ev_num(resp, "t"), t + ev_num(resp, "latency"));
        near(ev_num(resp, "retry_after"), 20);
        assert_string_equal(ev_str(wait, "event"), "wait");
        assert_string_equal(ev_str(wait, "reason"), "retry_after");
        near(ev_num(wait, "t"), ev_num(resp, "t"));
        near(ev_num(wait, "delay"), 20);
        t = ev_num(wait, "t") + 20;
    }
    near(ev_num(ev[9], "t"), t);
    assert_int_equal((int)ev_num(ev[10], "status"), 200);
    near(ev_num(ev[10], "latency"), 0.5); /* the model's fixed latency, in virtual time */
    near(ev_num(ev[10], "t"), t + 0.5);
    assert_string_equal(ev_str(ev[11], "event"), "done");
    assert_string_equal(ev_str(ev[11], "outcome"), "success");
    assert_int_equal((int)ev_num(ev[11], "attempts"), 4);
    near(ev_num(ev[11], "total_wait"), 60);
    free_events(ev, n);
    char *text = tf_slurp(r.path, NULL);
    assert_null(strstr(text, "sk-sim-scripted-test-value-1"));
    free(text);
    unlink(r.path);
}

static void same_seed_gives_the_same_trace(void **state)
{
    (void)state;
    run_out a, b, c;
    run_sim("many-jitter.json", 5, NULL, &a);
    run_sim("many-jitter.json", 5, NULL, &b);
    run_sim("many-jitter.json", 6, NULL, &c);
    size_t la, lb, lc;
    char *ta = tf_slurp(a.path, &la), *tb = tf_slurp(b.path, &lb), *tc = tf_slurp(c.path, &lc);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    assert_true(la != lc || memcmp(ta, tc, la) != 0);
    free(ta);
    free(tb);
    free(tc);
    unlink(a.path);
    unlink(b.path);
    unlink(c.path);
}

static void counts_agree_with_the_trace(void **state)
{
    (void)state;
    run_out r;
    run_sim("many-jitter.json", 5, NULL, &r);
    static cJSON *ev[MAX_LINES];
    size_t n = parse_trace(r.path, ev, MAX_LINES);
    uint64_t sends = 0, dones = 0, ok = 0, responses = 0;
    double last_t = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = ev_str(ev[i], "event");
        double t = ev_num(ev[i], "t");
        assert_true(t >= last_t); /* events come out in time order */
        last_t = t;
        sends += strcmp(e, "send") == 0;
        responses += strcmp(e, "response") == 0;
        if (strcmp(e, "done") == 0) {
            dones++;
            ok += strcmp(ev_str(ev[i], "outcome"), "success") == 0;
        }
    }
    assert_int_equal(r.res.tasks, 200);
    assert_int_equal(r.res.tasks_done, 200);
    assert_int_equal(dones, 200);
    assert_int_equal(sends, r.res.attempts);
    assert_int_equal(responses, sends);
    assert_int_equal(ok, r.res.successes);
    assert_true(r.res.attempts > 200); /* the faults made some retries */
    assert_true(r.res.successes > 150);
    free_events(ev, n);
    unlink(r.path);
}

static void hang_ends_at_the_attempt_timeout(void **state)
{
    (void)state;
    run_out r;
    run_sim("hang.json", 2, NULL, &r);
    static cJSON *ev[MAX_LINES];
    size_t n = parse_trace(r.path, ev, MAX_LINES);
    assert_int_equal(r.res.attempts, 2);
    assert_int_equal(r.res.successes, 0);
    const cJSON *resp = ev[1];
    assert_string_equal(ev_str(resp, "event"), "response");
    assert_int_equal((int)ev_num(resp, "status"), 0);
    assert_string_equal(ev_str(resp, "error"), "timeout");
    near(ev_num(resp, "t"), 5);
    const cJSON *done = ev[n - 1];
    assert_string_equal(ev_str(done, "outcome"), "failure");
    assert_true(strlen(ev_str(done, "message")) > 0);
    free_events(ev, n);
    unlink(r.path);
}

/* Checks event i is a response with this status, error ("" for none) and latency. */
static void check_response(cJSON **ev, size_t i, int status, const char *error, double latency)
{
    assert_string_equal(ev_str(ev[i], "event"), "response");
    assert_int_equal((int)ev_num(ev[i], "status"), status);
    assert_string_equal(ev_str(ev[i], "error"), error);
    near(ev_num(ev[i], "latency"), latency);
}

static void transport_faults_map_to_outcomes_in_virtual_time(void **state)
{
    (void)state;
    run_out r;
    run_sim("faults.json", 4, NULL, &r);
    static cJSON *ev[MAX_LINES];
    size_t n = parse_trace(r.path, ev, MAX_LINES);
    /* send, response, wait; send, response, wait; send, response; done (no start:
       the command writes that) */
    assert_int_equal(n, 9);
    check_response(ev, 1, 0, "reset", 0.1);
    near(ev_num(ev[2], "delay"), 1);
    check_response(ev, 4, 0, "truncated", 0.2);
    near(ev_num(ev[6], "t"), 2.3);
    check_response(ev, 7, 200, "", 3.5); /* latency 0.5 + slow body 3 */
    near(ev_num(ev[7], "t"), 5.8);
    assert_string_equal(ev_str(ev[8], "outcome"), "success");
    assert_int_equal(r.res.attempts, 3);
    near(cm_s_from_us(r.res.end_time), 5.8);
    free_events(ev, n);
    unlink(r.path);
}

static void stop_request_interrupts_the_run(void **state)
{
    (void)state;
    volatile sig_atomic_t stop = 1;
    run_out r;
    run_sim("many-jitter.json", 5, &stop, &r);
    assert_true(r.res.interrupted);
    assert_true(r.res.tasks_done < r.res.tasks);
    unlink(r.path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scripted_429s_wait_retry_after_then_succeed),
        cmocka_unit_test(same_seed_gives_the_same_trace),
        cmocka_unit_test(counts_agree_with_the_trace),
        cmocka_unit_test(hang_ends_at_the_attempt_timeout),
        cmocka_unit_test(transport_faults_map_to_outcomes_in_virtual_time),
        cmocka_unit_test(stop_request_interrupts_the_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
