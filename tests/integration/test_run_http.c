/* test_run_http.c: `retrylab run` against bin/mockserver on loopback:
 * equivalence with `sim` (same attempts, candidates, keys, statuses and
 * planned delays to the microsecond; also when error bodies decide: delays
 * named in the message, a rule on the body's type, insufficient_quota;
 * stochastic success rates within 3 points), the seed 003 ladder in scaled real time, SIGTERM
 * mid-run, key values never written, bad scale / unreachable target / server killed mid-run, and
 * --live against the mockserver standing in for providers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <math.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "tests/lib/run_harness.h"
#include "tests/lib/test_assert.h"

#define DATA "tests/data/run/"

/* ---- helpers ---- */

typedef struct fixture {
    char dir[256];
    mh_server ms;
    bool ms_up;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || !rh_tmpdir(f->dir, sizeof f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->ms_up)
        mh_stop(&f->ms);
    if (!getenv("RL_KEEP_TMP"))
        rh_rmdir(f->dir);
    free(f);
    return 0;
}

static void start_mock(fixture *f, const char *scenario, const char *scale)
{
    const char *args[] = {scenario, "--port", "0", "--time-scale", scale, NULL};
    assert_int_equal(mh_start(&f->ms, args), 0);
    f->ms_up = true;
}

/* DIR/NAME into buf, created. */
static const char *subdir(const fixture *f, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", f->dir, name);
    assert_int_equal(mkdir(buf, 0755), 0);
    return buf;
}

/* One task's story, one line per response, wait and done: what must be the
 * same in sim and run (no times except planned delays). */
static void task_story(const cJSON *trace, int task, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    const cJSON *e;
    cJSON_ArrayForEach(e, trace)
    {
        const char *ev = rh_str(e, "event");
        if ((int)rh_num(e, "task", -1) != task || n + 200 >= size)
            continue;
        int a = (int)rh_num(e, "attempt", 0);
        if (strcmp(ev, "response") == 0 && rh_str(e, "stream")[0])
            n += (size_t)snprintf(out + n, size - n, "R%d %s/%s %s %d%s stream %s %d %s\n", a,
                                  rh_str(e, "provider"), rh_str(e, "model"), rh_str(e, "key"),
                                  (int)rh_num(e, "status", -1), rh_str(e, "error"),
                                  rh_str(e, "stream"), (int)rh_num(e, "tokens", -1),
                                  rh_str(e, "stream_error"));
        else if (strcmp(ev, "response") == 0)
            n += (size_t)snprintf(out + n, size - n, "R%d %s/%s %s %d%s\n", a,
                                  rh_str(e, "provider"), rh_str(e, "model"), rh_str(e, "key"),
                                  (int)rh_num(e, "status", -1), rh_str(e, "error"));
        else if (strcmp(ev, "wait") == 0)
            n += (size_t)snprintf(out + n, size - n, "W%d %.6f %s\n", a, rh_num(e, "delay", -1),
                                  rh_str(e, "reason"));
        else if (strcmp(ev, "done") == 0)
            n += (size_t)snprintf(out + n, size - n, "D %s %d\n", rh_str(e, "outcome"),
                                  (int)rh_num(e, "attempts", -1));
    }
}

static void run_sim(const char *scenario, const char *out)
{
    const char *args[] = {"sim", scenario, "--out", out, "--quiet", NULL};
    assert_int_equal(rh_run(args, NULL, out, 30000), 0);
}

/* retrylab run against the fixture's mockserver; `flag` and `value` (both
 * NULL for none) add one flag. */
static void run_mock_with(fixture *f, const char *scenario, const char *scale, const char *out,
                          int timeout_ms, const char *flag, const char *value)
{
    const char *args[] = {"run",   scenario, "--target", f->ms.base, "--time-scale", scale,
                          "--out", out,      "--quiet",  flag,       value,          NULL};
    int rc = rh_run(args, NULL, out, timeout_ms);
    if (rc != 0) {
        char path[1100];
        snprintf(path, sizeof path, "%s/stderr.txt", out);
        char *err = rh_slurp(path, NULL);
        fprintf(stderr, "retrylab run exited %d: %s\n", rc, err ? err : "");
        free(err);
    }
    assert_int_equal(rc, 0);
}

static void run_mock(fixture *f, const char *scenario, const char *scale, const char *out,
                     int timeout_ms)
{
    run_mock_with(f, scenario, scale, out, timeout_ms, NULL, NULL);
}

/* ---- equivalence ---- */

/* Runs `scenario` in sim and against the fixture's mockserver at `scale`
 * (with one extra flag when `flag` is not NULL) into f's sim/ and run/, and
 * asserts that tasks 0..ntasks-1 tell the same story in both traces (every
 * line parses); returns how often `mark` occurs in those stories. */
static int same_stories(fixture *f, const char *scenario, const char *scale, int ntasks,
                        const char *mark, const char *flag, const char *value)
{
    char sd[300], rd[300];
    subdir(f, "sim", sd, sizeof sd);
    subdir(f, "run", rd, sizeof rd);
    run_sim(scenario, sd);
    start_mock(f, scenario, scale);
    run_mock_with(f, scenario, scale, rd, 60000, flag, value);
    int bad = 0, marks = 0;
    cJSON *ts = rh_trace(sd, &bad), *tr = rh_trace(rd, &bad);
    assert_non_null(ts);
    assert_non_null(tr);
    assert_int_equal(bad, 0);
    assert_string_equal(rh_str(cJSON_GetArrayItem(tr, 0), "mode"), "mock");
    for (int task = 0; task < ntasks; task++) {
        char a[8192], b[8192];
        task_story(ts, task, a, sizeof a);
        task_story(tr, task, b, sizeof b);
        assert_true(strlen(a) > 0);
        if (strcmp(a, b) != 0)
            fprintf(stderr, "task %d\nsim:\n%srun:\n%s", task, a, b);
        assert_string_equal(a, b);
        for (const char *p = a; (p = strstr(p, mark)); p++)
            marks++;
    }
    cJSON_Delete(ts);
    cJSON_Delete(tr);
    return marks;
}

static void equivalence_deterministic(void **state)
{
    int waits = same_stories(*state, DATA "equiv-deterministic.json", "200", 6, "\nW", NULL, NULL);
    assert_true(waits >= 10); /* the story has waits to compare, not only sends */
}

/* The body decides: the runner reads each error body's JSON, the sim the
 * model's values, and both tell the engine the same (tests/data/run/
 * equiv-bodies.json: no Retry-After header anywhere). */
static void equivalence_error_bodies(void **state)
{
    int hints = same_stories(*state, DATA "equiv-bodies.json", "200", 8, "retry_after", NULL, NULL);
    assert_true(hints >= 4); /* waits the message named: 1.5 s, 250 ms */
    fixture *f = *state;
    char path[320];
    snprintf(path, sizeof path, "%s/run/trace.jsonl", f->dir);
    char *trace = rh_slurp(path, NULL);
    assert_non_null(trace);
    /* insufficient_quota on the second model ended tasks at once */
    assert_non_null(strstr(trace, "last status 429 on oai/other"));
    free(trace);
}

/* Streams that break off (an error event, a cut, a stall past the idle
 * timeout, a malformed event), are resumed on the fallback model, and
 * complete: the same story, stream ends and tokens included. */
static void equivalence_streams(void **state)
{
    int streams = same_stories(*state, DATA "equiv-stream.json", "20", 6, " stream ", NULL, NULL);
    assert_int_equal(streams, 14); /* every attempt streamed */
}

static void transport_faults_match_sim(void **state)
{
    fixture *f = *state;
    char sd[300], rd[300];
    subdir(f, "sim", sd, sizeof sd);
    subdir(f, "run", rd, sizeof rd);
    /* Scale 10: the 5 s attempt timeout is 0.5 s of wall time, ten times the
     * slow body's 0.1 s, so a busy machine cannot turn one into the other. */
    run_sim(DATA "faults.json", sd);
    start_mock(f, DATA "faults.json", "10");
    run_mock(f, DATA "faults.json", "10", rd, 30000);
    int bad = 0;
    cJSON *ts = rh_trace(sd, &bad), *tr = rh_trace(rd, &bad);
    assert_int_equal(bad, 0);
    char a[4096], b[4096];
    task_story(ts, 0, a, sizeof a);
    task_story(tr, 0, b, sizeof b);
    assert_string_equal(a, b);
    /* The hang ended at the 5 s attempt timeout, not at the 600 s default. */
    assert_non_null(strstr(b, "R1 anth/claude k-6ab24b89 0timeout"));
    assert_non_null(strstr(b, "R2 anth/claude k-6ab24b89 0reset"));
    assert_non_null(strstr(b, "R3 anth/claude k-6ab24b89 0truncated"));
    const cJSON *e;
    cJSON_ArrayForEach(e, tr)
    {
        if (strcmp(rh_str(e, "error"), "timeout") == 0) {
            double lat = rh_num(e, "latency", -1);
            assert_true(lat >= 5.0 && lat < 8.0); /* 0.3 s of wall time for a busy machine */
        }
    }
    cJSON_Delete(ts);
    cJSON_Delete(tr);
}

static double success_rate(const char *dir)
{
    cJSON *s = rh_summary(dir);
    assert_non_null(s);
    double r = rh_num(s, "success_rate", -1);
    assert_int_equal((int)rh_num(s, "tasks", 0), 200);
    cJSON_Delete(s);
    return r;
}

static void equivalence_stochastic(void **state)
{
    fixture *f = *state;
    char sd[300], rd[300];
    subdir(f, "sim", sd, sizeof sd);
    subdir(f, "run", rd, sizeof rd);
    run_sim(DATA "stochastic.json", sd);
    start_mock(f, DATA "stochastic.json", "200");
    run_mock(f, DATA "stochastic.json", "200", rd, 60000);
    double a = success_rate(sd), b = success_rate(rd);
    fprintf(stderr, "success rate: sim %.3f, run %.3f\n", a, b);
    assert_true(a > 0.5 && a < 0.95); /* the faults matter: not all success */
    assert_true(fabs(a - b) <= 0.03);
}

/* "draws": "per_attempt": the runner names each attempt (X-Retrylab-Attempt)
 * and the mockserver draws its dice for that attempt alone, so every task's
 * story, the 503s included, is the sim's, even with only 2 connections
 * reordering when requests arrive. */
static void equivalence_per_attempt_draws(void **state)
{
    fixture *f = *state;
    int fives = same_stories(f, DATA "stochastic-per-attempt.json", "200", 200, " 503",
                             "--max-connections", "2");
    assert_true(fives >= 50); /* the dice matter: many 503s to agree on */
    char sd[300], rd[300];    /* same_stories' directories */
    snprintf(sd, sizeof sd, "%s/sim", f->dir);
    snprintf(rd, sizeof rd, "%s/run", f->dir);
    assert_num_equal(success_rate(sd), success_rate(rd));
}

/* ---- seed 003 ladder in scaled real time ---- */

static void ladder_003_scaled(void **state)
{
    fixture *f = *state;
    char rd[300];
    subdir(f, "run", rd, sizeof rd);
    /* 1,260 s of waiting at scale 2000: 0.63 s of wall time. */
    start_mock(f, DATA "ladder-003.json", "2000");
    double t0 = mh_now();
    run_mock(f, DATA "ladder-003.json", "2000", rd, 60000);
    double wall = mh_now() - t0;
    fprintf(stderr, "ladder wall time %.3f s\n", wall);
    assert_true(wall >= 0.63 && wall < 2.0);
    int bad = 0, n = 0;
    cJSON *tr = rh_trace(rd, &bad);
    assert_non_null(tr);
    assert_int_equal(bad, 0);
    const double want[] = {20, 40, 80, 160, 320, 640};
    const cJSON *e;
    cJSON_ArrayForEach(e, tr)
    {
        if (strcmp(rh_str(e, "event"), "wait") != 0)
            continue;
        assert_true(n < 6);
        double planned = rh_num(e, "delay", -1), observed = rh_num(e, "observed", -1);
        assert_num_equal(planned, want[n]);
        /* 50 ms of wall time (x scale) for a loaded machine: bench/runner.sh measures the
         * fidelity itself */
        assert_true(fabs(observed - planned) <= 0.050 * 2000);
        assert_true(observed >= planned);
        n++;
    }
    assert_int_equal(n, 6);
    cJSON *s = rh_summary(rd);
    assert_num_equal(rh_num(s, "total_wait_s", -1), 1260);
    assert_int_equal((int)rh_num(s, "attempts", -1), 7);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "partial")));
    cJSON_Delete(s);
    cJSON_Delete(tr);
}

/* ---- interruption ---- */

static void sigterm_leaves_whole_trace_and_partial_summary(void **state)
{
    fixture *f = *state;
    char rd[300];
    subdir(f, "run", rd, sizeof rd);
    start_mock(f, DATA "ladder-003.json", "100");
    const char *args[] = {
        "run", DATA "ladder-003.json", "--target", f->ms.base, "--time-scale", "100", "--out", rd,
        NULL};
    pid_t pid = rh_spawn(args, NULL, rd);
    assert_true(pid > 0);
    /* Once the first answer is out the task waits 20 s (0.2 s of wall time). */
    assert_int_equal(rh_wait_requests(&f->ms, 1, 20000), 0);
    struct timespec soon = {0, 50 * 1000 * 1000};
    nanosleep(&soon, NULL);
    kill(pid, SIGTERM);
    assert_int_equal(mh_wait(pid, 5000), 143);
    int bad = 0;
    cJSON *tr = rh_trace(rd, &bad);
    assert_non_null(tr);
    assert_int_equal(bad, 0);
    assert_true(cJSON_GetArraySize(tr) >= 4); /* start, send, response, wait at least */
    cJSON *s = rh_summary(rd);
    assert_non_null(s);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "partial")));
    assert_int_equal((int)rh_num(s, "tasks_done", -1), 0);
    cJSON_Delete(s);
    cJSON_Delete(tr);
}

/* ---- failures of the target ---- */

/* A target at another time scale, or playing another scenario, is refused. */
static void target_mismatch_exits_2(void **state)
{
    fixture *f = *state;
    char rd[300];
    subdir(f, "run", rd, sizeof rd);
    start_mock(f, DATA "ladder-003.json", "100");
    const char *args[] = {
        "run", DATA "ladder-003.json", "--target", f->ms.base, "--time-scale", "200", "--out", rd,
        NULL};
    assert_int_equal(rh_run(args, NULL, rd, 10000), 2);
    char path[400];
    snprintf(path, sizeof path, "%s/stderr.txt", rd);
    char *err = rh_slurp(path, NULL);
    assert_non_null(strstr(err, "time-scale 100"));
    free(err);
    /* the right scale, another scenario: its answers would measure that one */
    const char *other[] = {"run",
                           DATA "equiv-deterministic.json",
                           "--target",
                           f->ms.base,
                           "--time-scale",
                           "100",
                           "--out",
                           rd,
                           NULL};
    assert_int_equal(rh_run(other, NULL, rd, 10000), 2);
    err = rh_slurp(path, NULL);
    assert_non_null(strstr(err, "plays scenario \""));
    free(err);
    snprintf(path, sizeof path, "%s/trace.jsonl", rd);
    assert_int_equal(access(path, F_OK), -1); /* refused before any request */
}

static void unreachable_target_exits_3(void **state)
{
    fixture *f = *state;
    char rd[300];
    subdir(f, "run", rd, sizeof rd);
    start_mock(f, DATA "ladder-003.json", "100");
    char dead[64];
    snprintf(dead, sizeof dead, "%s", f->ms.base);
    mh_stop(&f->ms); /* the port is now closed */
    f->ms_up = false;
    const char *args[] = {
        "run", DATA "ladder-003.json", "--target", dead, "--time-scale", "100", "--out", rd, NULL};
    assert_int_equal(rh_run(args, NULL, rd, 10000), 3);
}

static void server_killed_midrun_ends_cleanly(void **state)
{
    fixture *f = *state;
    char rd[300];
    subdir(f, "run", rd, sizeof rd);
    start_mock(f, DATA "ladder-003.json", "1000");
    const char *args[] = {"run",          DATA "ladder-003.json",
                          "--target",     f->ms.base,
                          "--time-scale", "1000",
                          "--out",        rd,
                          "--quiet",      NULL};
    pid_t pid = rh_spawn(args, NULL, rd);
    assert_int_equal(rh_wait_requests(&f->ms, 1, 20000), 0); /* the run has begun */
    kill(f->ms.pid, SIGKILL);
    waitpid(f->ms.pid, NULL, 0);
    f->ms_up = false;
    assert_int_equal(mh_wait(pid, 20000), 0);
    int bad = 0, connect_errors = 0;
    cJSON *tr = rh_trace(rd, &bad);
    assert_int_equal(bad, 0);
    const cJSON *e;
    cJSON_ArrayForEach(e, tr) connect_errors += strcmp(rh_str(e, "error"), "connect") == 0;
    assert_true(connect_errors >= 1);
    cJSON *s = rh_summary(rd);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "partial")));
    assert_int_equal((int)rh_num(s, "tasks_done", -1), 1);
    assert_true(rh_num(s, "transport_errors", 0) >= 1);
    cJSON_Delete(s);
    cJSON_Delete(tr);
}

/* ---- keys never written ---- */

static void assert_no_secret(const char *dir, const char *const *secrets)
{
    for (int i = 0; secrets[i]; i++)
        if (rh_grep_dir(dir, secrets[i]))
            fail_msg("key value %d found under %s", i, dir);
}

static void keys_never_written_sim_and_run(void **state)
{
    fixture *f = *state;
    char sd[300], rd[300];
    subdir(f, "sim", sd, sizeof sd);
    subdir(f, "run", rd, sizeof rd);
    static const char *const env[] = {"RL_RUN_EQ_KEY_B=sk-run-eq-value-b", NULL};
    const char *sargs[] = {"sim", DATA "equiv-deterministic.json", "--out", sd, NULL};
    assert_int_equal(rh_run(sargs, env, sd, 30000), 0);
    start_mock(f, DATA "equiv-deterministic.json", "200");
    const char *rargs[] = {"run",
                           DATA "equiv-deterministic.json",
                           "--target",
                           f->ms.base,
                           "--time-scale",
                           "200",
                           "--out",
                           rd,
                           NULL};
    assert_int_equal(rh_run(rargs, env, rd, 60000), 0);
    int bad = 0;
    cJSON *tr = rh_trace(rd, &bad);
    assert_true(cJSON_GetArraySize(tr) > 10);
    cJSON_Delete(tr);
    static const char *const secrets[] = {"sk-run-eq-value-a", "sk-run-eq-value-b",
                                          "sk-ant-run-eq-value-c", NULL};
    assert_no_secret(f->dir, secrets); /* traces, summaries, stdout.txt, stderr.txt */
}

/* ---- --live against the mockserver standing in for providers ---- */

static void write_providers(const fixture *f, const char *path)
{
    FILE *p = fopen(path, "w");
    assert_non_null(p);
    fprintf(
        p,
        "{ \"kind\": \"providers\", \"name\": \"stand-in\",\n"
        "  \"providers\": [\n"
        "    { \"name\": \"groq\", \"base_url\": \"%s/groq/v1\", \"shape\": \"openai\",\n"
        "      \"keys\": { \"RL_RUN_LIVE_KEY_A\": \"RL_TEST_GROQ_A\",\n"
        "                  \"RL_RUN_LIVE_KEY_B\": \"RL_TEST_GROQ_B\" } },\n"
        "    { \"name\": \"claude\", \"base_url\": \"%s/claude/v1/\", \"shape\": \"anthropic\" }\n"
        "  ] }\n",
        f->ms.base, f->ms.base);
    fclose(p);
}

static void live_run_against_stand_in(void **state)
{
    fixture *f = *state;
    char rd[300], prov[400];
    subdir(f, "live", rd, sizeof rd);
    start_mock(f, DATA "live-stand-in.json", "1");
    snprintf(prov, sizeof prov, "%s/providers.json", f->dir);
    write_providers(f, prov);
    static const char *const env[] = {"RL_TEST_GROQ_A=sk-live-stand-in-value-a",
                                      "RL_TEST_GROQ_B=sk-live-stand-in-value-b",
                                      "RL_RUN_LIVE_KEY_C=sk-ant-live-stand-in-value-c", NULL};
    const char *args[] = {
        "run", "--live", prov, "--policy", DATA "live-policy.json", "--tasks", "4", "--concurrency",
        "2",   "--out",  rd,   NULL};
    assert_int_equal(rh_run(args, env, rd, 30000), 0);
    int bad = 0, s401 = 0, s503 = 0, s200 = 0;
    cJSON *tr = rh_trace(rd, &bad);
    assert_int_equal(bad, 0);
    assert_string_equal(rh_str(cJSON_GetArrayItem(tr, 0), "mode"), "live");
    const cJSON *e;
    cJSON_ArrayForEach(e, tr)
    {
        int st = (int)rh_num(e, "status", -1);
        s401 += st == 401;
        s503 += st == 503;
        s200 += st == 200;
    }
    assert_int_equal(s401, 4); /* key A is revoked: every task rotates once */
    assert_int_equal(s503, 2);
    assert_int_equal(s200, 4);
    cJSON *s = rh_summary(rd);
    assert_num_equal(rh_num(s, "success_rate", -1), 1.0);
    cJSON_Delete(s);
    cJSON_Delete(tr);
    static const char *const secrets[] = {"sk-live-stand-in-value-a", "sk-live-stand-in-value-b",
                                          "sk-ant-live-stand-in-value-c", NULL};
    assert_no_secret(f->dir, secrets);
}

/* Most tasks under way at once, from the trace: +1 at a task's first send,
 * -1 at its done. */
static int peak_active(const cJSON *trace)
{
    int active = 0, peak = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, trace)
    {
        const char *ev = rh_str(e, "event");
        if (strcmp(ev, "send") == 0 && (int)rh_num(e, "attempt", 0) == 1)
            active++;
        else if (strcmp(ev, "done") == 0)
            active--;
        if (active > peak)
            peak = active;
    }
    return peak;
}

static void live_caps_tasks_and_connections(void **state)
{
    fixture *f = *state;
    char rd[300], prov[400];
    subdir(f, "live", rd, sizeof rd);
    start_mock(f, DATA "live-stand-in.json", "1");
    snprintf(prov, sizeof prov, "%s/providers.json", f->dir);
    write_providers(f, prov);
    static const char *const env[] = {"RL_TEST_GROQ_A=sk-live-stand-in-value-a",
                                      "RL_TEST_GROQ_B=sk-live-stand-in-value-b",
                                      "RL_RUN_LIVE_KEY_C=sk-ant-live-stand-in-value-c", NULL};
    const char *args[] = {"run",
                          "--live",
                          prov,
                          "--policy",
                          DATA "live-policy.json",
                          "--tasks",
                          "30",
                          "--concurrency",
                          "3",
                          "--max-connections",
                          "2",
                          "--out",
                          rd,
                          NULL};
    assert_int_equal(rh_run(args, env, rd, 30000), 0);
    int bad = 0;
    cJSON *tr = rh_trace(rd, &bad);
    assert_int_equal(bad, 0);
    int peak = peak_active(tr);
    assert_true(peak >= 2 && peak <= 3);
    cJSON *s = rh_summary(rd);
    assert_int_equal((int)rh_num(s, "tasks_done", -1), 30);
    assert_num_equal(rh_num(s, "success_rate", -1), 1.0);
    cJSON_Delete(s);
    cJSON_Delete(tr);
}

static void live_missing_env_key_exits_2(void **state)
{
    fixture *f = *state;
    char rd[300], prov[400];
    subdir(f, "live", rd, sizeof rd);
    snprintf(f->ms.base, sizeof f->ms.base, "http://127.0.0.1:9");
    snprintf(prov, sizeof prov, "%s/providers.json", f->dir);
    write_providers(f, prov);
    const char *args[] = {"run",   "--live", prov, "--policy", DATA "live-policy.json",
                          "--out", rd,       NULL};
    assert_int_equal(rh_run(args, NULL, rd, 10000), 2);
    char path[400];
    snprintf(path, sizeof path, "%s/stderr.txt", rd);
    char *err = rh_slurp(path, NULL);
    assert_non_null(strstr(err, "RL_TEST_GROQ_A is not set"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(equivalence_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(equivalence_error_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(equivalence_stochastic, setup, teardown),
        cmocka_unit_test_setup_teardown(equivalence_per_attempt_draws, setup, teardown),
        cmocka_unit_test_setup_teardown(transport_faults_match_sim, setup, teardown),
        cmocka_unit_test_setup_teardown(equivalence_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(ladder_003_scaled, setup, teardown),
        cmocka_unit_test_setup_teardown(sigterm_leaves_whole_trace_and_partial_summary, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(target_mismatch_exits_2, setup, teardown),
        cmocka_unit_test_setup_teardown(unreachable_target_exits_3, setup, teardown),
        cmocka_unit_test_setup_teardown(server_killed_midrun_ends_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(keys_never_written_sim_and_run, setup, teardown),
        cmocka_unit_test_setup_teardown(live_run_against_stand_in, setup, teardown),
        cmocka_unit_test_setup_teardown(live_caps_tasks_and_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(live_missing_env_key_exits_2, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
