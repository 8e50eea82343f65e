/* test_reports_check.c: reports/: reading run directories (every malformed
 * trace line is "trace.jsonl:LINE: ..." and never a crash), the metrics, and
 * each kind of expectation failing with its diff line, which expectations
 * judge a run (expect.json in its folder, --expect, the scenario's) and
 * whether it used its scenario's own policy. Run dirs are written into a
 * temporary folder by the tests themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/expect.h"
#include "reports/check.h"
#include "reports/compare.h"
#include "reports/gnuplot.h"
#include "reports/html.h"
#include "reports/run_expect.h"
#include "reports/run_load.h"
#include "reports/stats.h"
#include "reports/text.h"
#include "tests/lib/test_assert.h"

static char tmp_root[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmp_root, sizeof tmp_root, "/tmp/rl-test-reports-XXXXXX");
    return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes a run dir NAME holding trace.jsonl = text; returns its path. */
static const char *write_run(const char *name, const char *text)
{
    static char dir[400];
    char path[500];
    snprintf(dir, sizeof dir, "%s/%s", tmp_root, name);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/trace.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return dir;
}

#define FORMAT "\"format\":\"retrylab-trace/1\","
#define START                                                                                      \
    "{\"t\":0,\"event\":\"start\"," FORMAT "\"scenario_name\":\"s\",\"policy_name\":\"p\","        \
    "\"tasks\":2}\n"
#define SEND(t, task, att, p, m)                                                                   \
    "{\"t\":" #t ",\"event\":\"send\",\"task\":" #task ",\"attempt\":" #att ",\"provider\":\"" p   \
    "\",\"model\":\"" m "\"}\n"
#define RESP(t, task, att, p, m, st)                                                               \
    "{\"t\":" #t ",\"event\":\"response\",\"task\":" #task ",\"attempt\":" #att                    \
    ",\"provider\":\"" p "\",\"model\":\"" m "\",\"status\":" #st ",\"latency\":0.5}\n"
#define WAIT(t, task, att, d, obs)                                                                 \
    "{\"t\":" #t ",\"event\":\"wait\",\"task\":" #task ",\"attempt\":" #att ",\"delay\":" #d       \
    ",\"observed\":" #obs "}\n"
#define DONE(t, task, outcome, msg)                                                                \
    "{\"t\":" #t ",\"event\":\"done\",\"task\":" #task ",\"outcome\":\"" outcome                   \
    "\",\"message\":\"" msg "\"}\n"

/* Task 0: a 429, wait 2, a 503 on another model, wait 4, success.
 * Task 1: 401, wait 1, 401, failure. */
static const char good_trace[] = START SEND(0, 0, 1, "groq", "a") RESP(0.5, 0, 1, "groq", "a", 429)
    WAIT(0.5, 0, 1, 2, 2.1) SEND(2.5, 0, 2, "groq", "b") RESP(3, 0, 2, "groq", "b", 503)
        WAIT(3, 0, 2, 4, 4.2) SEND(7, 0, 3, "openai", "c") RESP(7.5, 0, 3, "openai", "c", 200)
            DONE(7.5, 0, "success", "") SEND(1, 1, 1, "bytez", "k")
                RESP(1.5, 1, 1, "bytez", "k", 401) WAIT(1.5, 1, 1, 1, 1)
                    SEND(2.5, 1, 2, "bytez", "k") RESP(3, 1, 2, "bytez", "k", 401)
                        DONE(3, 1, "failure", "Every API key was rejected (401)");

static void load_good(rep_run *run)
{
    cm_err err = {{0}};
    if (rep_run_load(write_run("good", good_trace), run, &err) != 0)
        fail_msg("%s", err.msg);
}

static void reads_events_tasks_and_candidates(void **state)
{
    (void)state;
    rep_run run;
    load_good(&run);
    assert_int_equal(run.n_tasks, 2);
    assert_int_equal(run.n_cands, 4);
    assert_int_equal(run.tasks[0].sends, 3);
    assert_int_equal(run.tasks[0].outcome, 1);
    assert_num_equal(run.tasks[0].wait_planned, 6);
    assert_int_equal(run.tasks[1].outcome, 2);
    assert_string_equal(run.tasks[1].message, "Every API key was rejected (401)");
    assert_string_equal(run.label, "s / p");
    assert_int_equal(run.cands[0].by_class[REP_CLASS_LIMITED], 1);
    assert_int_equal(run.cands[1].by_class[REP_CLASS_SERVER], 1);
    assert_int_equal(run.cands[3].by_class[REP_CLASS_AUTH], 2);
    rep_stats s;
    rep_stats_compute(&run, &s);
    assert_true(s.tasks == 2 && s.successes == 1 && s.attempts == 5);
    assert_num_equal(s.success_rate, 0.5);
    assert_num_equal(s.calls_per_success, 5);
    assert_true(s.attempts_p50 == 2 && s.attempts_p99 == 3);
    assert_num_equal(s.success_time_p50, 7.5);
    rep_run_free(&run);
}

struct bad_line {
    const char *line;
    const char *says;
};

static void malformed_lines_name_their_line(void **state)
{
    (void)state;
    static const struct bad_line cases[] = {
        {"{\"t\":1,\"event\":\"send\",\"task\":0", "not a JSON object"},
        {"[1,2]", "not a JSON object"},
        {"{\"event\":\"send\",\"task\":0,\"provider\":\"a\",\"model\":\"b\"}", "\"t\""},
        {"{\"t\":\"x\",\"event\":\"wait\",\"task\":0,\"delay\":1}", "\"t\""},
        {"{\"t\":1,\"event\":\"send\",\"provider\":\"a\",\"model\":\"b\"}", "\"task\" is missing"},
        {"{\"t\":1,\"event\":\"send\",\"task\":-3,\"provider\":\"a\",\"model\":\"b\"}", "\"task\""},
        {"{\"t\":1,\"event\":\"send\",\"task\":1e300,\"provider\":\"a\",\"model\":\"b\"}",
         "\"task\""},
        {"{\"t\":1,\"event\":\"send\",\"task\":0}", "\"provider\""},
        {"{\"t\":1,\"event\":\"response\",\"task\":0,\"provider\":\"a\",\"model\":\"b\"}",
         "\"status\""},
        {"{\"t\":1,\"event\":\"wait\",\"task\":0,\"delay\":-1}", "\"delay\""},
        {"{\"t\":1,\"event\":\"done\",\"task\":0,\"outcome\":\"maybe\"}", "\"outcome\""},
        {"{\"t\":1,\"event\":7}", "\"event\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[600], want[500];
        snprintf(text, sizeof text, "%s%s\n", START, cases[i].line);
        const char *dir = write_run("bad", text);
        snprintf(want, sizeof want, "%s/trace.jsonl:2: ", dir);
        rep_run run;
        cm_err err = {{0}};
        assert_int_equal(rep_run_load(dir, &run, &err), -1);
        if (strncmp(err.msg, want, strlen(want)) != 0 || !strstr(err.msg, cases[i].says))
            fail_msg("case %zu: got \"%s\", want \"%s...%s\"", i, err.msg, want, cases[i].says);
        rep_run_free(&run);
    }
}

static void unknown_events_and_blank_lines_are_skipped(void **state)
{
    (void)state;
    rep_run run;
    cm_err err = {{0}};
    const char *dir = write_run(
        "extra", START "\n{\"t\":1,\"event\":\"note\",\"x\":1}\n\n" SEND(1, 0, 1, "a", "b"));
    assert_int_equal(rep_run_load(dir, &run, &err), 0);
    assert_int_equal(run.n_ev, 1);
    rep_run_free(&run);
}

static void control_characters_never_reach_the_outputs(void **state)
{
    (void)state;
    rep_run run;
    cm_err err = {{0}};
    const char *dir = write_run(
        "ctl", "{\"t\":0,\"event\":\"start\"," FORMAT "\"scenario_name\":\"a\\nplot 'x'\","
               "\"policy_name\":\"p\\u0007\"}\n" SEND(1, 0, 1, "gr\\noq", "m")
                   SEND(2, 0, 2, "gr\\noq", "m"));
    assert_int_equal(rep_run_load(dir, &run, &err), 0);
    assert_string_equal(run.label, "a?plot 'x' / p?");
    assert_int_equal(run.n_cands, 1);
    assert_string_equal(run.cands[0].name, "gr?oq/m");
    assert_int_equal(run.cands[0].requests, 2);
    rep_run_free(&run);
}

#define FFFD "\xEF\xBF\xBD"

/* What `write` wrote for s, in buf. */
static const char *written(void (*write)(FILE *, const char *), const char *s, char *buf,
                           size_t size)
{
    FILE *f = fmemopen(buf, size, "w");
    assert_non_null(f);
    write(f, s);
    fclose(f);
    return buf;
}

/* Bytes that are not UTF-8 in a trace's strings (the engine keeps what a
 * server sent) become U+FFFD on the way in and again in every escape, so
 * index.html (declared utf-8) and the SVG gnuplot writes stay valid; names
 * cut to fit are cut between characters. */
static void invalid_utf8_becomes_replacement_characters(void **state)
{
    (void)state;
    char buf[200];
    assert_int_equal(rep_text_copy(buf, sizeof buf,
                                   "a\xff"
                                   "b\x01"),
                     6);
    assert_string_equal(buf, "a" FFFD "b?");
    assert_int_equal(rep_text_copy(buf, 4, "\xc3\xa9\xc3\xa9"), 2); /* no half e-acute */
    assert_string_equal(buf, "\xc3\xa9");
    assert_string_equal(written(rep_html_esc, "<\xff\xe2\x82 \xc3\xa9\"", buf, sizeof buf),
                        "&lt;" FFFD FFFD FFFD " \xc3\xa9&quot;");
    assert_string_equal(written(rep_gp_quote, "it's \xff\xc3\xa9", buf, sizeof buf),
                        "'it''s " FFFD "\xc3\xa9'");
    char key[REP_KEY_MAX + 1];
    rep_gp_key_text(
        key, sizeof key,
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x");
    assert_string_equal(
        key, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...");
    static const char trace[] =
        "{\"t\":0,\"event\":\"start\"," FORMAT "\"scenario_name\":\"s\",\"policy_name\":"
        "\"p\xff\"}\n" SEND(1, 0, 1, "gr\xffq", "m") DONE(2, 0, "failure", "key \xff");
    rep_run run;
    cm_err err = {{0}};
    assert_int_equal(rep_run_from_text("mem", trace, strlen(trace), &run, &err), 0);
    assert_string_equal(run.label, "s / p" FFFD);
    assert_string_equal(run.cands[0].name, "gr" FFFD "q/m");
    assert_string_equal(run.tasks[0].message, "key " FFFD);
    rep_run_free(&run);
}

static void trace_text_in_memory(void **state)
{
    (void)state;
    rep_run run;
    cm_err err = {{0}};
    assert_int_equal(rep_run_from_text("mem", "", 0, &run, &err), 0);
    assert_int_equal(run.n_tasks, 0);
    rep_run_free(&run);
    const char *bad = START "{\"t\":1}\n";
    assert_int_equal(rep_run_from_text("mem", bad, strlen(bad), &run, &err), -1);
    assert_string_equal(err.msg, "mem:2: field \"event\" must be a string");
    assert_int_equal(rep_run_from_text("mem", good_trace, strlen(good_trace), &run, &err), 0);
    assert_int_equal(run.n_tasks, 2);
    rep_run_free(&run);
}

/* The fuzz_reports finding: a start event for 1 task, then tasks 1 and 2
 * succeed; the success rate came out as 200%. A task id at or past the start
 * event's count is now bad input, on its line. */
static void task_past_the_start_count_is_bad_input(void **state)
{
    (void)state;
    static const char crash[] = "{\"t\":0,\"event\":\"start\"," FORMAT "\"tasks\":1}\n"
                                "{\"t\":7,\"event\":\"done\",\"task\":2,\"outcome\":\"success\"}\n"
                                "{\"t\":0,\"event\":\"done\",\"task\":1,\"outcome\":\"success\"}\n";
    rep_run run;
    cm_err err = {{0}};
    assert_int_equal(rep_run_from_text("mem", crash, strlen(crash), &run, &err), -1);
    assert_string_equal(err.msg, "mem:2: field \"task\" is 2, but the start event says the "
                                 "run has 1 task");
    const char *ok = "{\"t\":0,\"event\":\"start\"," FORMAT "\"tasks\":3}\n"
                     "{\"t\":7,\"event\":\"done\",\"task\":2,\"outcome\":\"success\"}\n";
    assert_int_equal(rep_run_from_text("mem", ok, strlen(ok), &run, &err), 0);
    rep_stats s;
    rep_stats_compute(&run, &s);
    assert_true(s.successes <= s.tasks);
    rep_run_free(&run);
}

/* The start event's format: major version 1 only ("retrylab-trace/1" is
 * what engine/trace.c writes; a minor "1.N" only adds fields). */
static void trace_format_is_read(void **state)
{
    (void)state;
    static const struct bad_line cases[] = {
        {"{\"t\":0,\"event\":\"start\",\"tasks\":1}",
         "mem:1: format (none) is not one this retrylab reads (retrylab-trace/1)"},
        {"{\"t\":0,\"event\":\"start\",\"format\":\"retrylab-trace/99\"}",
         "mem:1: format \"retrylab-trace/99\" is not one this retrylab reads (retrylab-trace/1)"},
        {"{\"t\":0,\"event\":\"start\",\"format\":\"retrylab-trace/10\"}",
         "mem:1: format \"retrylab-trace/10\" is not one this retrylab reads (retrylab-trace/1)"},
        {"{\"t\":0,\"event\":\"start\",\"format\":7}",
         "mem:1: format (none) is not one this retrylab reads (retrylab-trace/1)"},
        {"{\"t\":0,\"event\":\"done\",\"task\":0,\"outcome\":\"success\"}",
         "mem:1: the first line is not a start event: not a retrylab trace (format "
         "retrylab-trace/1)"},
    };
    rep_run run;
    cm_err err = {{0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[300];
        snprintf(text, sizeof text, "%s\n", cases[i].line);
        assert_int_equal(rep_run_from_text("mem", text, strlen(text), &run, &err), -1);
        assert_string_equal(err.msg, cases[i].says);
    }
    const char *minor = "\n{\"t\":0,\"event\":\"start\",\"format\":\"retrylab-trace/1.4\"}\n";
    assert_int_equal(rep_run_from_text("mem", minor, strlen(minor), &run, &err), 0);
    rep_run_free(&run);
}

/* A run killed mid-write leaves a last line without its newline: skipped
 * and noted (cut_line); the same line with its newline is malformed. */
static void cut_last_line_is_skipped(void **state)
{
    (void)state;
    char text[4000];
    rep_run run;
    cm_err err = {{0}};
    snprintf(text, sizeof text, "%s{\"t\":9,\"event\":\"se", good_trace);
    assert_int_equal(rep_run_from_text("mem", text, strlen(text), &run, &err), 0);
    assert_int_equal(run.cut_line, 17);
    assert_int_equal(run.n_tasks, 2);
    assert_int_equal(run.tasks[0].outcome, 1);
    rep_run_free(&run);
    snprintf(text, sizeof text, "%s{\"t\":9,\"event\":\"se\n", good_trace);
    assert_int_equal(rep_run_from_text("mem", text, strlen(text), &run, &err), -1);
    assert_string_equal(err.msg, "mem:17: not a JSON object");
    snprintf(text, sizeof text, "%s{\"t\":9}\n{\"t\":1,\"event\":\"wait\",\"task\":0,\"delay\":1}",
             good_trace);
    assert_int_equal(rep_run_from_text("mem", text, strlen(text), &run, &err), -1);
    assert_string_equal(err.msg, "mem:17: field \"event\" must be a string");
    snprintf(text, sizeof text, "%s{\"t\":1,\"event\":\"wait\",\"task\":0,\"delay\":1}",
             good_trace); /* complete, only the newline is missing: read */
    assert_int_equal(rep_run_from_text("mem", text, strlen(text), &run, &err), 0);
    assert_int_equal(run.cut_line, 0);
    assert_int_equal(run.tasks[0].waits, 3);
    rep_run_free(&run);
}

/* A trace line nested past cJSON's 1000 levels says so, not "not a JSON
 * object". */
static void deep_line_names_the_nesting_limit(void **state)
{
    (void)state;
    char text[4000];
    int n = snprintf(text, sizeof text, "%s{\"t\":1,\"event\":\"note\",\"x\":", START);
    for (int i = 0; i < 1001; i++)
        text[n++] = '[';
    for (int i = 0; i < 1001; i++)
        text[n++] = ']';
    memcpy(text + n, "}\n", 3);
    rep_run run;
    cm_err err = {{0}};
    assert_int_equal(rep_run_from_text("mem", text, strlen(text), &run, &err), -1);
    assert_string_equal(err.msg, "mem:2: JSON nested deeper than 1000 levels");
}

/* A trace line may be 1 MiB long, its newline included; one byte more is bad
 * input on its line, also as the last line without its newline (no writer
 * cut off mid-line leaves a line that long). */
static void line_limit_is_one_mib(void **state)
{
    (void)state;
    size_t start = strlen(START), head = strlen("{\"t\":1,\"event\":\"note\",\"pad\":\"");
    char *text = malloc(start + REP_MAX_LINE + 2);
    assert_non_null(text);
    rep_run run;
    cm_err err = {{0}};
    for (size_t extra = 0; extra < 2; extra++) {
        size_t line = REP_MAX_LINE + extra; /* with its newline */
        memcpy(text, START, start);
        memcpy(text + start, "{\"t\":1,\"event\":\"note\",\"pad\":\"", head);
        memset(text + start + head, 'a', line - head - 3);
        memcpy(text + start + line - 3, "\"}\n", 3);
        int rc = rep_run_from_text("mem", text, start + line, &run, &err);
        assert_int_equal(rc, extra ? -1 : 0);
        if (extra)
            assert_string_equal(err.msg, "mem:2: line longer than 1 MiB");
        rep_run_free(&run);
        rc = rep_run_from_text("mem", text, start + line - 1 + extra, &run, &err); /* no newline */
        assert_int_equal(rc, extra ? -1 : 0);
        if (extra)
            assert_string_equal(err.msg, "mem:2: line longer than 1 MiB");
        else
            assert_int_equal(run.cut_line, 0);
        rep_run_free(&run);
    }
    free(text);
}

/* Parses an expect object given as text, checks `run` with it. */
static int check_text(const rep_run *run, const char *text, rep_verdicts *vs)
{
    cm_err err = {{0}};
    cm_json *doc = cm_json_parse("t.json", text, strlen(text), &err);
    if (!doc)
        fail_msg("%s", err.msg);
    cm_expect e;
    if (cm_expect_parse(doc, cm_json_root(doc), NULL, &e, &err) != 0)
        fail_msg("%s", err.msg);
    memset(vs, 0, sizeof *vs);
    int failed = rep_check_run(run, &e, vs);
    cm_expect_free(&e);
    cm_json_free(doc);
    return failed;
}

/* True when one verdict is a failure whose text is exactly `line`. */
static bool has_failure(const rep_verdicts *vs, const char *line)
{
    for (size_t i = 0; i < vs->n; i++)
        if (!vs->v[i].ok && strcmp(vs->v[i].text, line) == 0)
            return true;
    for (size_t i = 0; i < vs->n; i++)
        print_message("verdict: %s %s\n", vs->v[i].ok ? "ok" : "FAIL", vs->v[i].text);
    return false;
}

/* Task ids go up to what scenarios allow (CM_MAX_TASKS in all): task
 * 9999999 is read (the malformed line after it is the one named), 10000000
 * is not. */
static void task_ids_reach_the_scenario_limit(void **state)
{
    (void)state;
    static const char top[] =
        "{\"t\":0,\"event\":\"start\"," FORMAT "\"tasks\":10000000}\n"
        "{\"t\":1,\"event\":\"done\",\"task\":9999999,\"outcome\":\"success\"}\n"
        "{\"t\":2,\"event\":\"done\",\"task\":10000000,\"outcome\":\"success\"}\n";
    rep_run run;
    cm_err err = {{0}};
    assert_int_equal(CM_MAX_TASKS, 10000000);
    assert_int_equal(rep_run_from_text("mem", top, strlen(top), &run, &err), -1);
    assert_string_equal(err.msg, "mem:3: field \"task\" must be a whole number from 0 to 9999999");
}

/* The task table holds the tasks the trace holds, whatever their numbers or
 * the start event's count: a 12-line trace of task 9999999 in a run of 10
 * million took 790 MB (a row for every number up to the highest). Tasks are
 * kept in number order and found by number. */
static void task_table_holds_the_tasks_in_the_trace(void **state)
{
    (void)state;
    static const char sparse[] =
        "{\"t\":0,\"event\":\"start\"," FORMAT "\"tasks\":10000000}\n" SEND(1, 9999999, 1, "a", "m")
            RESP(1.5, 9999999, 1, "a", "m", 429) WAIT(1.5, 9999999, 1, 2, -1)
                SEND(3.5, 9999999, 2, "a", "m") RESP(4, 9999999, 2, "a", "m", 429)
                    SEND(2, 7, 1, "a", "m") DONE(4, 9999999, "failure", "gave up")
                        DONE(2.5, 7, "success", "");
    rep_run run;
    cm_err err = {{0}};
    assert_int_equal(rep_run_from_text("mem", sparse, strlen(sparse), &run, &err), 0);
    assert_int_equal(run.n_tasks, 2);
    assert_int_equal(run.tasks[0].id, 7);
    assert_int_equal(run.tasks[1].id, 9999999);
    assert_int_equal(run.tasks[1].sends, 2);
    assert_ptr_equal(rep_run_task(&run, 9999999), &run.tasks[1]);
    assert_null(rep_run_task(&run, 8));
    assert_num_equal(rep_run_task_count(&run), 10000000); /* the start event's count */
    rep_verdicts vs;
    assert_int_equal(check_text(&run,
                                "{\"final_message\":{\"task\":9999999,\"contains\":\"gave\"},"
                                "\"ladder\":{\"task\":9999999,\"waits_s\":[2]},"
                                "\"max_attempts\":1,\"max_task_duration_s\":1}",
                                &vs),
                     2);
    assert_true(has_failure(&vs, "task 9999999 made 2 attempts, max_attempts is 1"));
    assert_true(has_failure(&vs, "task 9999999 took 3.0 s > 1.0 s"));
    rep_verdicts_free(&vs);
    rep_run_free(&run);
}

struct expect_case {
    const char *expect;
    int failed;
    const char *line; /* the failure line, or NULL when all hold */
};

static const struct expect_case expect_cases[] = {
    {"{\"ladder\":{\"task\":0,\"waits_s\":[2,4]}}", 0, NULL},
    {"{\"ladder\":{\"task\":0,\"waits_s\":[2,5],\"tolerance\":0.1}}", 1,
     "ladder task 0: attempt 2 waited 4.0 s, expected 5.0 s +/- 10%"},
    {"{\"ladder\":{\"task\":0,\"waits_s\":[2,4,8]}}", 1, "ladder task 0: 2 waits, expected 3"},
    {"{\"ladder\":{\"task\":0,\"waits_s\":[2],\"prefix\":true}}", 0, NULL},
    {"{\"ladder\":{\"task\":0,\"waits_s\":[2,4],\"field\":\"observed\"}}", 2,
     "ladder task 0: attempt 1 observed 2.1 s, expected 2.0 s +/- 0.001 s"},
    {"{\"ladder\":{\"task\":0,\"waits_s\":[2,4],\"field\":\"observed\",\"abs_tolerance_s\":0.25}}",
     0, NULL},
    {"{\"ladder\":{\"task\":9,\"waits_s\":[1]}}", 1, "ladder task 9: the task is not in the trace"},
    {"{\"ladder\":{\"task\":0,\"waits_s\":[2,4.1],\"abs_tolerance_s\":0.00001}}", 1,
     "ladder task 0: attempt 2 waited 4.0 s, expected 4.1 s +/- 0.00001 s"},
    {"{\"success_rate\":{\"min\":0.9,\"claimed\":0.95,\"source\":\"004_x.txt\"}}", 1,
     "success rate 0.50 < 0.90 (seed 004 claims 95%)"},
    {"{\"success_rate\":{\"max\":0.4}}", 1, "success rate 0.50 > 0.40"},
    {"{\"max_attempts\":2}", 1, "task 0 made 3 attempts, max_attempts is 2"},
    {"{\"max_total_wait_s\":5}", 1, "task 0 waited 6.0 s in total, max_total_wait_s is 5.0 s"},
    {"{\"max_calls_per_success\":4}", 1, "calls per success 5.00, max_calls_per_success is 4"},
    {"{\"candidates_used\":[\"groq/a\",\"anthropic/x\"]}", 1,
     "candidate anthropic/x received 0 requests (expected in candidates_used)"},
    {"{\"candidates_not_used\":[\"bytez/k\"]}", 1,
     "candidate bytez/k received 2 requests (expected in candidates_not_used)"},
    {"{\"final_message\":{\"task\":1,\"contains\":\"API key\"}}", 0, NULL},
    {"{\"final_message\":{\"task\":1,\"contains\":\"quota\"}}", 1,
     "final message task 1: \"Every API key was rejected (401)\" does not contain \"quota\""},
    {"{\"final_message\":{\"task\":0,\"contains\":\"x\"}}", 1,
     "final message task 0: the task succeeded, expected a failure saying \"x\""},
    {"{\"rotation_order\":{\"task\":0,\"candidates\":[\"groq/a\",\"groq/b\",\"openai/c\"]}}", 0,
     NULL},
    {"{\"rotation_order\":{\"task\":0,\"candidates\":[\"groq/a\",\"openai/c\"]}}", 1,
     "rotation task 0: went groq/a -> groq/b -> openai/c, expected groq/a -> openai/c"},
    {"{\"rotation_order\":{\"task\":1,\"candidates\":[\"bytez/k\"]}}", 0, NULL},
    {"{\"rotation_order\":{\"task\":0,\"candidates\":[\"groq/a\"],\"prefix\":true}}", 0, NULL},
    {"{\"max_task_duration_s\":7.5}", 0, NULL},
    {"{\"max_task_duration_s\":5}", 1, "task 0 took 7.5 s > 5.0 s"},
    {"{\"candidate_requests\":[{\"candidate\":\"bytez/k\",\"min\":2,\"max\":2}]}", 0, NULL},
    {"{\"candidate_requests\":[{\"candidate\":\"groq/a\",\"min\":1},"
     "{\"candidate\":\"bytez/k\",\"max\":1}]}",
     1, "candidate bytez/k: 2 requests > 1"},
    {"{\"candidate_requests\":{\"candidate\":\"anthropic/x\",\"min\":1}}", 1,
     "candidate anthropic/x: 0 requests < 1"},
};

static void each_expectation_fails_with_its_line(void **state)
{
    (void)state;
    rep_run run;
    load_good(&run);
    for (size_t i = 0; i < sizeof expect_cases / sizeof expect_cases[0]; i++) {
        const struct expect_case *c = &expect_cases[i];
        rep_verdicts vs;
        int failed = check_text(&run, c->expect, &vs);
        if (failed != c->failed || (c->line && !has_failure(&vs, c->line)))
            fail_msg("case %zu %s: %d failed, want %d with \"%s\"", i, c->expect, failed, c->failed,
                     c->line ? c->line : "");
        assert_true(vs.n > 0);
        rep_verdicts_free(&vs);
    }
    rep_run_free(&run);
}

/* A huge delay (a Retry-After clamped to 100 years, or 1e308) prints with 3
 * significant digits, not 40 digits and no unit. */
static void huge_delays_print_readably(void **state)
{
    (void)state;
    static const char text[] = START WAIT(1, 0, 1, 3153600000, 1) WAIT(2, 0, 2, 1e308, 1);
    rep_run run;
    cm_err err = {{0}};
    assert_int_equal(rep_run_from_text("mem", text, strlen(text), &run, &err), 0);
    rep_verdicts vs;
    assert_int_equal(check_text(&run, "{\"ladder\":{\"task\":0,\"waits_s\":[0.3,1]}}", &vs), 2);
    assert_true(has_failure(&vs, "ladder task 0: attempt 1 waited 3.15e+09 s, expected 0.3 s "
                                 "+/- 0.001 s"));
    assert_true(has_failure(&vs, "ladder task 0: attempt 2 waited 1e+308 s, expected 1.0 s "
                                 "+/- 0.001 s"));
    rep_verdicts_free(&vs);
    rep_run_free(&run);
}

/* A ladder with two wrong waits is one failed expectation with two lines. */
static void expectations_are_counted_not_lines(void **state)
{
    (void)state;
    rep_run run;
    load_good(&run);
    rep_verdicts vs;
    int failed = check_text(&run,
                            "{\"ladder\":{\"task\":0,\"waits_s\":[1,1]},"
                            "\"max_attempts\":2,\"max_total_wait_s\":100}",
                            &vs);
    assert_int_equal(failed, 3);
    assert_int_equal(vs.n, 4);
    assert_int_equal(vs.n_expect, 3);
    assert_int_equal(vs.failed_expect, 2);
    assert_int_equal(vs.run_failed, 0);
    rep_verdicts_free(&vs);
    rep_run_free(&run);
}

/* good_trace with a start event that gives no "tasks" (into buf). */
static const char *trace_without_start_tasks(char *buf, size_t size)
{
    snprintf(buf, size, "{\"t\":0,\"event\":\"start\"," FORMAT "\"scenario_name\":\"s\"}\n%s",
             good_trace + strlen(START));
    return buf;
}

static void partial_run_fails_the_check(void **state)
{
    (void)state;
    char text[4000];
    const char *dir = write_run("partial", trace_without_start_tasks(text, sizeof text));
    char path[500];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"tasks\": 4, \"successes\": 1, \"partial\": true}\n", f);
    fclose(f);
    rep_run run;
    cm_err err = {{0}};
    assert_int_equal(rep_run_load(dir, &run, &err), 0);
    assert_num_equal(rep_run_task_count(&run), 4); /* the summary's count wins */
    rep_verdicts vs;
    assert_int_equal(check_text(&run, "{\"success_rate\":{\"min\":0.2}}", &vs), 1);
    assert_true(has_failure(&vs, "the run was interrupted (summary.json says partial): its "
                                 "numbers are incomplete"));
    assert_true(vs.n_expect == 1 && vs.failed_expect == 0 && vs.run_failed == 1);
    rep_verdicts_free(&vs);
    rep_run_free(&run);
}

/* Writes DIR/summary.json = text. */
static void write_summary(const char *dir, const char *text)
{
    char path[500];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A summary of another run than the trace beside it (a second run into the
 * same folder that died before its summary) is bad input naming both: the
 * report would show the old run's numbers under the new run's name. The
 * fields either file lacks are not compared; a partial summary of the same
 * run, or a trace cut at its last line, is the same run. */
static void summary_of_another_run_is_bad_input(void **state)
{
    (void)state;
    static const char start[] =
        "{\"t\":0,\"event\":\"start\"," FORMAT "\"scenario\":\"sc/b.json\",\"scenario_name\":"
        "\"b\",\"policy\":\"p.json\",\"policy_name\":\"p\",\"seed\":7,\"mode\":\"sim\","
        "\"tasks\":2}\n";
    char text[4000];
    snprintf(text, sizeof text, "%s%s", start, good_trace + strlen(START));
    static const struct {
        const char *summary, *says; /* says NULL: loads */
    } cases[] = {
        {"{\"scenario\":\"sc/a.json\",\"scenario_name\":\"a\",\"seed\":3,\"tasks\":1}",
         "summary.json (scenario a, seed 3, tasks 1) does not match trace.jsonl (scenario b, "
         "seed 7, tasks 2): the folder mixes two runs"},
        {"{\"scenario\":\"sc/b.json\",\"seed\":8,\"tasks\":2}",
         "summary.json (scenario sc/b.json, seed 8, tasks 2) does not match trace.jsonl (scenario "
         "sc/b.json, seed 7, tasks 2): the folder mixes two runs"},
        {"{\"scenario\":\"sc/b.json\",\"seed\":7,\"tasks\":2,\"mode\":\"mock\","
         "\"policy\":\"q.json\"}",
         "summary.json (scenario sc/b.json, seed 7, tasks 2, mode mock, policy q.json) does not "
         "match trace.jsonl (scenario sc/b.json, seed 7, tasks 2, mode sim, policy p.json): the "
         "folder mixes two runs"},
        {"{\"scenario\":\"sc/b.json\",\"scenario_name\":\"b\",\"seed\":7,\"tasks\":2,"
         "\"mode\":\"sim\",\"policy\":\"p.json\",\"policy_name\":\"p\",\"partial\":true}",
         NULL},
        {"{\"tasks\":2,\"successes\":1}", NULL}, /* no identity to compare */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *dir = write_run("mixed", text);
        write_summary(dir, cases[i].summary);
        rep_run run;
        cm_err err = {{0}};
        char want[600];
        snprintf(want, sizeof want, "%s: %s", dir, cases[i].says ? cases[i].says : "");
        int rc = rep_run_load(dir, &run, &err);
        if (cases[i].says && (rc != -1 || strcmp(err.msg, want) != 0))
            fail_msg("case %zu: got %d \"%s\", want \"%s\"", i, rc, err.msg, want);
        if (!cases[i].says && rc != 0)
            fail_msg("case %zu: %s", i, err.msg);
        rep_run_free(&run);
    }
    /* The same run, its trace cut at the last line: still one run. */
    snprintf(text + strlen(text), sizeof text - strlen(text), "{\"t\":9,\"event\":\"se");
    const char *dir = write_run("mixed", text);
    write_summary(dir, cases[3].summary);
    rep_run run;
    cm_err err = {{0}};
    if (rep_run_load(dir, &run, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(run.cut_line, 17);
    rep_run_free(&run);
}

static void bad_summary_is_bad_input(void **state)
{
    (void)state;
    const char *dir = write_run("badsummary", good_trace);
    char path[500];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"tasks\": \"four\"}\n", f);
    fclose(f);
    rep_run run;
    cm_err err = {{0}};
    assert_int_equal(rep_run_load(dir, &run, &err), -1);
    assert_non_null(strstr(err.msg, "summary.json:1:11: tasks: must be a number"));
}

static void quantiles_use_nearest_rank(void **state)
{
    (void)state;
    double v[] = {5, 1, 4, 2, 3};
    rep_sort(v, 5);
    assert_true(v[0] == 1 && v[4] == 5);
    assert_num_equal(rep_quantile(v, 5, 0.5), 3);
    assert_num_equal(rep_quantile(v, 5, 0.99), 5);
    assert_num_equal(rep_quantile(v, 5, 0.0), 1);
    assert_num_equal(rep_quantile(v, 0, 0.5), 0);
    char buf[64];
    assert_string_equal(rep_claim_source("001_9d9c.txt", buf, sizeof buf), "seed 001");
    assert_string_equal(rep_claim_source("blog post", buf, sizeof buf), "blog post");
    assert_string_equal(rep_claim_source("", buf, sizeof buf), "the seed document");
}

/* Writes text into tmp_root/name. */
static void write_file(const char *name, const char *text)
{
    char path[500];
    snprintf(path, sizeof path, "%s/%s", tmp_root, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A run of tmp_root/sc.json (default policy "pol.json") with policy `policy`. */
static void load_policy_run(const char *name, const char *policy, rep_run *run)
{
    char text[4000];
    write_file("sc.json",
               "{\"kind\": \"scenario\", \"name\": \"s\", \"policy\": \"pol.json\",\n"
               " \"expect\": {\"max_attempts\": 2, \"candidates_used\": [\"groq/a\"]}}\n");
    write_file("pol.json", "{}");
    write_file("other.json", "{}");
    snprintf(text, sizeof text,
             "{\"t\":0,\"event\":\"start\"," FORMAT
             "\"scenario\":\"%s/sc.json\",\"scenario_name\":\"s\","
             "\"policy\":\"%s\",\"policy_name\":\"p\",\"tasks\":2}\n%s",
             tmp_root, policy, strchr(good_trace, '\n') + 1);
    cm_err err = {{0}};
    if (rep_run_load(write_run(name, text), run, &err) != 0)
        fail_msg("%s", err.msg);
}

static void own_policy_is_the_scenarios_file(void **state)
{
    (void)state;
    char path[400];
    rep_run run;
    snprintf(path, sizeof path, "%s/../%s/pol.json", tmp_root, strrchr(tmp_root, '/') + 1);
    load_policy_run("own", path, &run); /* another spelling of the same file */
    assert_true(rep_run_own_policy(&run));
    assert_false(rep_run_has_expect_file(&run));
    assert_true(rep_run_checked(&run));
    rep_run_free(&run);
    snprintf(path, sizeof path, "%s/other.json", tmp_root);
    load_policy_run("other", path, &run);
    assert_false(rep_run_own_policy(&run));
    assert_false(rep_run_checked(&run));
    rep_run_free(&run);
    load_policy_run("gone", "somewhere/else/pol.json", &run); /* unresolvable: by file name */
    assert_true(rep_run_own_policy(&run));
    rep_run_free(&run);
}

static void run_folder_expect_wins_and_flag_overrides(void **state)
{
    (void)state;
    char path[400];
    rep_run run;
    cm_expect e;
    rep_expect_from from;
    cm_err err = {{0}};
    snprintf(path, sizeof path, "%s/other.json", tmp_root);
    load_policy_run("withexpect", path, &run);
    assert_int_equal(rep_run_expect_load(&run, NULL, &e, &from, &err), 1);
    assert_int_equal(from, REP_EXPECT_SCENARIO);
    assert_int_equal(e.n_used, 1);
    cm_expect_free(&e);
    write_file("withexpect/expect.json", "{\"kind\": \"expect\", \"max_attempts\": 9}");
    assert_true(rep_run_checked(&run));
    assert_int_equal(rep_run_expect_load(&run, NULL, &e, &from, &err), 1);
    assert_int_equal(from, REP_EXPECT_RUN_DIR);
    assert_true(e.has_max_attempts && e.max_attempts == 9 && e.n_used == 0);
    cm_expect_free(&e);
    write_file("flag.json", "{\"kind\": \"expect\", \"max_calls_per_success\": 3}");
    snprintf(path, sizeof path, "%s/flag.json", tmp_root);
    assert_int_equal(rep_run_expect_load(&run, path, &e, &from, &err), 1);
    assert_int_equal(from, REP_EXPECT_GIVEN);
    assert_true(e.has_max_calls_per_success && !e.has_max_attempts);
    cm_expect_free(&e);
    write_file("withexpect/expect.json", "{\"kind\": \"expect\",\n \"max_attempts\": 0}");
    assert_int_equal(rep_run_expect_load(&run, NULL, &e, &from, &err), -1);
    assert_non_null(strstr(err.msg, "withexpect/expect.json:2:18: max_attempts: must be between"));
    assert_true(cm_expect_empty(&e));
    rep_run_free(&run);
}

static void task_duration_from_first_send_to_done(void **state)
{
    (void)state;
    rep_run run;
    load_good(&run);
    assert_num_equal(rep_task_duration(&run, 0), 7.5);
    assert_num_equal(rep_task_duration(&run, 1), 2.0);
    assert_num_equal(rep_task_duration(&run, 2), -1);
    rep_stats s;
    rep_stats_compute(&run, &s);
    assert_num_equal(s.longest_task_s, 7.5);
    rep_run_free(&run);
}

/* respects_retry_after: a send before the previous error answer's
 * Retry-After has elapsed is listed, one line each; on time passes. */
static void retry_after_sent_early_is_listed(void **state)
{
    (void)state;
    static const char trace[] = START SEND(
        0, 0, 1, "p",
        "m") "{\"t\":1,\"event\":\"response\",\"task\":0,\"attempt\":1,\"provider\":\"p\","
             "\"model\":\"m\",\"status\":429,\"retry_after\":2}\n" SEND(
                 2.5, 0, 2, "p", "m") "{\"t\":2.6,\"event\":\"response\",\"task\":0,\"attempt\":2,"
                                      "\"provider\":\"p\","
                                      "\"model\":\"m\",\"status\":503,\"retry_after\":5}\n" SEND(
                                          7.6, 0, 3, "p", "m") RESP(8, 0, 3, "p", "m", 200)
                                          DONE(8, 0, "success", "") SEND(0, 1, 1, "p", "m")
                                              RESP(0, 1, 1, "p", "m", 200)
                                                  DONE(0, 1, "success", "");
    rep_run run;
    cm_err err = {{0}};
    if (rep_run_load(write_run("ra", trace), &run, &err) != 0)
        fail_msg("%s", err.msg);
    rep_verdicts vs;
    assert_int_equal(check_text(&run, "{\"respects_retry_after\": true}", &vs), 1);
    assert_true(has_failure(&vs, "retry-after task 0: attempt 2 sent 1.5 s after a 429 that said "
                                 "Retry-After 2.0 s (0.5 s early)"));
    rep_verdicts_free(&vs);
    assert_int_equal(check_text(&run, "{\"respects_retry_after\": {\"tolerance_s\": 0.5}}", &vs),
                     0);
    rep_verdicts_free(&vs);
    assert_int_equal(check_text(&run, "{\"respects_retry_after\": false}", &vs), 0);
    assert_int_equal(vs.n_expect, 0);
    rep_verdicts_free(&vs);
    rep_run_free(&run);
}

/* A stream cut after 12 tokens, sent again (task 0); ttfts 0.4, 0.6, 2.5. */
#define SRESP(t, task, att, how, tok, ttft)                                                        \
    "{\"t\":" #t ",\"event\":\"response\",\"task\":" #task ",\"attempt\":" #att                    \
    ",\"provider\":\"o\",\"model\":\"m\",\"status\":200,\"stream\":\"" how "\",\"tokens\":" #tok   \
    ",\"ttft\":" #ttft "}\n"
static const char stream_trace[] =
    START SEND(0, 0, 1, "o", "m") SRESP(1, 0, 1, "cut", 12, 0.6) WAIT(1, 0, 1, 1, -1)
        SEND(2, 0, 2, "o", "m") SRESP(3, 0, 2, "complete", 30, 0.4) DONE(3, 0, "success", "")
            SEND(0, 1, 1, "o", "m") SRESP(4, 1, 1, "complete", 9, 2.5) DONE(4, 1, "success", "");

static void streams_bound_ttft_and_resends(void **state)
{
    (void)state;
    rep_run run;
    cm_err err = {{0}};
    assert_int_equal(rep_run_from_text("mem", stream_trace, strlen(stream_trace), &run, &err), 0);
    assert_int_equal(run.streams, 3);
    cm_expect e = {0};
    e.ttft[0] = (cm_expect_ttft){50, 0.6};
    e.ttft[1] = (cm_expect_ttft){99, 2.0};
    e.n_ttft = 2;
    e.has_max_resends_after_tokens = true;
    e.max_resends_after_tokens = 0;
    rep_verdicts vs = {0};
    assert_int_equal(rep_check_run(&run, &e, &vs), 2);
    assert_int_equal(vs.n_expect, 3);
    assert_string_equal(vs.v[0].name, "ttft p50");
    assert_true(vs.v[0].ok);
    assert_string_equal(vs.v[1].text, "ttft p99 2.5 s > 2.0 s (3 streamed responses)");
    assert_string_equal(vs.v[2].name, "max_resends_after_tokens");
    assert_string_equal(vs.v[2].text, "1 re-send after tokens > 0: task 0 sent attempt 2 after "
                                      "attempt 1 received 12 tokens and ended cut");
    rep_verdicts_free(&vs);
    e.max_resends_after_tokens = 1;
    e.n_ttft = 0;
    assert_int_equal(rep_check_run(&run, &e, &vs), 0);
    rep_verdicts_free(&vs);
    rep_run_free(&run);
}

static void ks_distance_of_samples(void **state)
{
    (void)state;
    const double a[] = {1, 2, 3, 4}, b[] = {1, 2, 3, 4}, c[] = {5, 6}, d[] = {2, 4};
    assert_true(rep_cmp_ks(a, 4, b, 4) == 0);
    assert_true(rep_cmp_ks(a, 4, c, 2) == 1);
    assert_true(rep_cmp_ks(a, 4, d, 2) == 0.25); /* at 1: 0.25 vs 0; at 2: 0.5 vs 0.5 ... */
    assert_true(rep_cmp_ks(NULL, 0, NULL, 0) == 0);
    assert_true(rep_cmp_ks(a, 4, NULL, 0) == 1);
}

static void compare_fails_only_what_got_worse(void **state)
{
    (void)state;
    double wa[] = {1, 2, 4}, wb[] = {1, 2, 4}, da[] = {10, 20, 30}, db[] = {10, 20, 60};
    rep_cmp_run a = {100, 0.91, 1.95, 2.14, wa, 3, da, 3};
    rep_cmp_run b = {100, 0.86, 1.90, 2.20, wb, 3, db, 3};
    rep_cmp_limits lim = REP_CMP_LIMITS_DEFAULT;
    rep_cmp_row rows[REP_CMP_ROWS];
    size_t bad = rep_cmp_judge(&a, &b, &lim, rows);
    assert_int_equal(bad, 3); /* success -5 pts; p95 and p99 20 -> 60 s */
    assert_string_equal(rows[0].name, "success_rate");
    assert_false(rows[0].ok);
    assert_string_equal(
        rows[0].text, "success rate 91.0% -> 86.0% (-5.0 pts; allowed -2 pts): worse than allowed");
    assert_true(rows[1].ok && rows[2].ok && rows[3].ok && rows[4].ok);
    assert_false(rows[5].ok || rows[6].ok);
    lim.drop_success_pts = 5.5;
    lim.rise_duration_pct = 250;
    assert_int_equal(rep_cmp_judge(&a, &b, &lim, rows), 0);
    b.calls_per_success = -1; /* no success after some */
    assert_int_equal(rep_cmp_judge(&a, &b, &lim, rows), 1);
    assert_false(rows[2].ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_events_tasks_and_candidates),
        cmocka_unit_test(malformed_lines_name_their_line),
        cmocka_unit_test(unknown_events_and_blank_lines_are_skipped),
        cmocka_unit_test(control_characters_never_reach_the_outputs),
        cmocka_unit_test(trace_text_in_memory),
        cmocka_unit_test(invalid_utf8_becomes_replacement_characters),
        cmocka_unit_test(task_past_the_start_count_is_bad_input),
        cmocka_unit_test(task_ids_reach_the_scenario_limit),
        cmocka_unit_test(task_table_holds_the_tasks_in_the_trace),
        cmocka_unit_test(trace_format_is_read),
        cmocka_unit_test(cut_last_line_is_skipped),
        cmocka_unit_test(line_limit_is_one_mib),
        cmocka_unit_test(deep_line_names_the_nesting_limit),
        cmocka_unit_test(each_expectation_fails_with_its_line),
        cmocka_unit_test(expectations_are_counted_not_lines),
        cmocka_unit_test(huge_delays_print_readably),
        cmocka_unit_test(partial_run_fails_the_check),
        cmocka_unit_test(bad_summary_is_bad_input),
        cmocka_unit_test(summary_of_another_run_is_bad_input),
        cmocka_unit_test(quantiles_use_nearest_rank),
        cmocka_unit_test(own_policy_is_the_scenarios_file),
        cmocka_unit_test(run_folder_expect_wins_and_flag_overrides),
        cmocka_unit_test(task_duration_from_first_send_to_done),
        cmocka_unit_test(streams_bound_ttft_and_resends),
        cmocka_unit_test(ks_distance_of_samples),
        cmocka_unit_test(compare_fails_only_what_got_worse),
        cmocka_unit_test(retry_after_sent_early_is_listed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
