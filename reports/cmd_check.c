/* cmd_check.c: `retrylab check DIR... [--expect FILE] [--format text|json|junit]
 * [--junit FILE] [--annotations github] [--strict]`: the CI verdict on runs. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/expect.h"
#include "reports/check.h"
#include "reports/reports.h"
#include "reports/results.h"
#include "reports/run_expect.h"
#include "reports/run_load.h"

#define MAX_DIRS 4096

static const char usage[] =
    "usage: retrylab check DIR... [--expect FILE] [--format text|json|junit] [--junit FILE]\n"
    "                      [--annotations github] [--strict]\n"
    "  Checks each run folder (trace.jsonl, summary.json) against its expectations:\n"
    "  FILE, else DIR/expect.json, else the \"expect\" of the scenario the trace names\n"
    "  (found from any folder: where the run ran, here, or above the run folder).\n"
    "  --expect       an expect file (\"kind\": \"expect\") for every DIR (default: each\n"
    "                 run's own, as above)\n"
    "  --format       what stdout gets: text (failed lines and one summary per run, the\n"
    "                 default), json (every verdict) or junit (JUnit XML: a testsuite per\n"
    "                 run, a testcase per expectation)\n"
    "  --junit        also write JUnit XML to FILE (default: none)\n"
    "  --annotations  github: one ::error line per failed expectation (with --format\n"
    "                 text), pointing at the scenario or expect file (default: none)\n"
    "  --strict       a scenario or policy file that changed since the run fails it\n"
    "                 (default: a warning on stderr)\n"
    "  Exit 0 every expectation of every run holds; 1 one fails (the diff is printed);\n"
    "  2 bad input (a DIR, an expect that states nothing, a flag); 3 runtime failure\n"
    "  (out of memory, the --junit FILE cannot be written). The worst code wins.\n";

typedef enum check_format { FMT_TEXT, FMT_JSON, FMT_JUNIT } check_format;

typedef struct check_args {
    const char **dirs;
    size_t n;
    const char *expect;
    const char *junit;
    check_format format;
    bool github;
    bool strict;
} check_args;

/* One run folder checked. */
typedef struct checked {
    const char *dir;
    int rc;           /* its exit code: 0 pass, 1 fail, 2 bad input, 3 runtime */
    char error[1200]; /* rc 2 or 3: why */
    bool loaded;
    rep_run run;
    bool have; /* expectations loaded */
    cm_expect e;
    rep_expect_from from;
    rep_verdicts vs;
    char note[700]; /* another policy than the scenario's (a note, not a failure) */
} checked;

static int bad_flag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_flag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "retrylab check: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n%s", usage);
    va_end(ap);
    return CM_EXIT_BAD_INPUT;
}

/* Handles option argv[*i] (its value argv[*i + 1]): 0, or 2 after a message. */
static int parse_option(int argc, char **argv, int *i, check_args *a)
{
    const char *o = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (strcmp(o, "--strict") == 0) {
        a->strict = true;
        return 0;
    }
    if (strcmp(o, "--expect") && strcmp(o, "--format") && strcmp(o, "--junit") &&
        strcmp(o, "--annotations"))
        return bad_flag("unknown option \"%s\"", o);
    if (!v)
        return bad_flag("%s: needs a value", o);
    (*i)++;
    if (strcmp(o, "--expect") == 0)
        a->expect = v;
    else if (strcmp(o, "--junit") == 0)
        a->junit = v;
    else if (strcmp(o, "--annotations") == 0) {
        if (strcmp(v, "github") != 0)
            return bad_flag("--annotations: github is the one style, not \"%s\"", v);
        a->github = true;
    } else if (strcmp(v, "text") == 0)
        a->format = FMT_TEXT;
    else if (strcmp(v, "json") == 0)
        a->format = FMT_JSON;
    else if (strcmp(v, "junit") == 0)
        a->format = FMT_JUNIT;
    else
        return bad_flag("--format: text, json or junit, not \"%s\"", v);
    return 0;
}

/* 0 parsed, 1 help printed, 2 bad arguments (message printed). */
static int parse_args(int argc, char **argv, check_args *a)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            if (parse_option(argc, argv, &i, a))
                return 2;
        } else if (a->n == MAX_DIRS) {
            return bad_flag("too many run folders (limit 4096) at \"%s\"", argv[i]);
        } else {
            a->dirs[a->n++] = argv[i];
        }
    }
    if (!a->n) {
        fprintf(stderr, "retrylab check: no run directory given\n%s", usage);
        return 2;
    }
    if (a->github && a->format != FMT_TEXT) {
        fprintf(stderr, "retrylab check: --annotations github goes with --format text (stdout "
                        "holds the annotations); write the XML with --junit FILE\n");
        return 2;
    }
    return 0;
}

/* Why an expect states nothing, into c->error. */
static void empty_expect(checked *c, const char *file)
{
    if (c->from == REP_EXPECT_SCENARIO)
        snprintf(c->error, sizeof c->error, "%.500s: expect: states no expectation",
                 c->run.scenario_file);
    else if (c->from == REP_EXPECT_GIVEN)
        snprintf(c->error, sizeof c->error, "%.500s: states no expectation", file);
    else
        snprintf(c->error, sizeof c->error, "%.500s/%s: states no expectation", c->dir,
                 REP_EXPECT_FILE_NAME);
}

/* The expectations: --expect FILE, else DIR/expect.json, else the run's
 * scenario. 0, or 2 with c->error. */
static int load_expect(checked *c, const char *file)
{
    cm_err err = {{0}};
    const rep_run *run = &c->run;
    int rc = rep_run_expect_load(run, file, &c->e, &c->from, &err);
    if (rc == 1 && !cm_expect_empty(&c->e)) {
        c->have = true;
        if (c->from == REP_EXPECT_SCENARIO && !rep_run_own_policy(run)) /* report leaves it "-" */
            snprintf(c->note, sizeof c->note,
                     "note: %.200s used policy %.200s, not its scenario's own: judged by the "
                     "scenario's expectations, which were written for that policy (the report "
                     "does not check such a run; pass --expect FILE for its own)",
                     run->dir, run->policy_name[0] ? run->policy_name : run->policy_path);
        return 0;
    }
    if (rc == 1) /* an empty expect would turn CI green without checking anything */
        empty_expect(c, file);
    else if (rc < 0)
        snprintf(c->error, sizeof c->error, "%s", err.msg);
    else
        snprintf(c->error, sizeof c->error,
                 "%.300s: no expectations: no %s in the run folder and %.240s; pass --expect "
                 "FILE",
                 run->dir, REP_EXPECT_FILE_NAME,
                 run->scenario ? "the scenario has no \"expect\"" : run->scenario_note);
    cm_expect_free(&c->e);
    return 2;
}

static void check_one(checked *c, const check_args *a)
{
    cm_err err = {{0}};
    if (rep_run_load(c->dir, &c->run, &err) != 0) {
        snprintf(c->error, sizeof c->error, "%s", err.msg);
        c->rc = 2;
        return;
    }
    c->loaded = true;
    if (c->run.n_ev == 0) { /* an empty trace must not pass every per-task expectation */
        snprintf(c->error, sizeof c->error, "%.500s/trace.jsonl: no events: nothing to check",
                 c->dir);
        c->rc = 2;
        return;
    }
    if ((c->rc = load_expect(c, a->expect)) != 0)
        return;
    rep_check_opts o = {a->strict};
    if (rep_check_run_opts(&c->run, &c->e, &o, &c->vs) < 0) {
        snprintf(c->error, sizeof c->error, "out of memory");
        c->rc = 3;
        return;
    }
    c->rc = c->vs.failed ? 1 : 0;
}

/* Warnings on stderr: a cut last line, changed files, another policy. */
static void warn(const checked *c)
{
    if (!c->loaded)
        return;
    fflush(stdout);
    rep_run_warn_cut(&c->run, "check");
    rep_run_warn_changed(&c->run, "check");
    if (c->note[0])
        fprintf(stderr, "retrylab check: %s\n", c->note);
}

/* Prints every failed line, then one summary counting expectations (not
 * lines: a ladder with three wrong waits is one failed expectation). */
static void text_one(const checked *c)
{
    const rep_verdicts *vs = &c->vs;
    if (c->rc >= 2) {
        fflush(stdout); /* in order with the lines of the runs before */
        fprintf(stderr, "retrylab check: %s\n", c->error);
        return;
    }
    for (size_t i = 0; i < vs->n; i++)
        if (!vs->v[i].ok)
            printf("%s\n", vs->v[i].text);
    const char *s = vs->n_expect == 1 ? "" : "s";
    if (vs->n == 0)
        printf("check %s: the expectations assert nothing\n", c->dir);
    else if (vs->failed_expect)
        printf("check %s: %zu of %zu expectation%s failed%s\n", c->dir, vs->failed_expect,
               vs->n_expect, s, vs->run_failed ? ", and the run itself fails (above)" : "");
    else if (vs->run_failed)
        printf("check %s: the run itself fails (above); all %zu expectation%s hold on what it "
               "recorded\n",
               c->dir, vs->n_expect, s);
    else
        printf("check %s: all %zu expectation%s hold\n", c->dir, vs->n_expect, s);
}

/* The file an expectation of run c is stated in, for annotations. */
static const char *expect_file(const checked *c, const check_args *a, char *buf, size_t size)
{
    if (c->from == REP_EXPECT_GIVEN)
        return a->expect;
    if (c->from == REP_EXPECT_RUN_DIR) {
        snprintf(buf, size, "%s/%s", c->dir, REP_EXPECT_FILE_NAME);
        return buf;
    }
    if (!c->loaded)
        return c->dir;
    /* as typed: relative to the folder the run ran in, where CI runs too */
    return c->run.scenario_path[0] ? c->run.scenario_path : c->run.scenario_file;
}

/* The line of verdict v's key (and item) in the scenario's expect; 0 unknown. */
static int expect_line(const checked *c, const rep_verdict *v)
{
    const cJSON *node = c->from == REP_EXPECT_SCENARIO ? rep_run_expect_node(&c->run) : NULL;
    if (!node)
        return 0;
    const cJSON *k = v->key ? cJSON_GetObjectItemCaseSensitive(node, v->key) : NULL;
    if (k && cJSON_IsArray(k) && v->index >= 0)
        k = cJSON_GetArrayItem(k, v->index);
    int line = 0, col = 0;
    cm_json_pos(c->run.scenario, k ? k : node, &line, &col);
    return line;
}

/* The lines of expectation `id` (0: the run itself) joined by newlines into
 * buf; the first failed one in *first. */
static void expectation_lines(const rep_verdicts *vs, size_t id, char *buf, size_t size,
                              const char **first)
{
    size_t used = 0;
    buf[0] = '\0';
    *first = NULL;
    for (size_t i = 0; i < vs->n; i++) {
        if (vs->v[i].expectation != id || (id == 0 && vs->v[i].ok))
            continue;
        if (!*first && !vs->v[i].ok)
            *first = vs->v[i].text;
        if (used < size)
            used +=
                (size_t)snprintf(buf + used, size - used, "%s%s", used ? "\n" : "", vs->v[i].text);
    }
}

/* The suite of one run: a case per expectation, one for the run itself
 * when it fails, one error case when the run could not be checked. */
static int suite_of(const checked *c, const check_args *a, rep_tsuite *s)
{
    char file[REP_PATH_MAX + 32], lines[8192];
    const char *first;
    snprintf(s->name, sizeof s->name, "%s", c->dir);
    const char *where = expect_file(c, a, file, sizeof file);
    if (c->rc >= 2)
        return rep_tsuite_add(s, "run", REP_T_ERROR, c->error, NULL, where, 0);
    for (size_t i = 0; i < c->vs.n; i++) {
        const rep_verdict *v = &c->vs.v[i];
        if (v->expectation == 0 || (i > 0 && c->vs.v[i - 1].expectation == v->expectation))
            continue;
        expectation_lines(&c->vs, v->expectation, lines, sizeof lines, &first);
        if (rep_tsuite_add(s, v->name, first ? REP_T_FAIL : REP_T_PASS, first ? first : v->text,
                           lines, where, expect_line(c, v)))
            return -1;
    }
    if (!c->vs.run_failed)
        return 0;
    expectation_lines(&c->vs, 0, lines, sizeof lines, &first);
    return rep_tsuite_add(s, "run", REP_T_FAIL, first, lines, where, 0);
}

static const char *result_word(int rc)
{
    return rc == 0 ? "pass" : rc == 1 ? "fail" : rc == 2 ? "bad input" : "runtime failure";
}

static const char *from_word(rep_expect_from f)
{
    return f == REP_EXPECT_GIVEN      ? "file"
           : f == REP_EXPECT_RUN_DIR  ? "run folder"
           : f == REP_EXPECT_SCENARIO ? "scenario"
                                      : "none";
}

/* The JSON object of one run. */
static cJSON *json_run(const checked *c)
{
    cJSON *o = cJSON_CreateObject(), *checks = cJSON_CreateArray(), *runf = cJSON_CreateArray();
    cJSON *warn = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "dir", c->dir);
    cJSON_AddStringToObject(o, "result", result_word(c->rc));
    cJSON_AddNumberToObject(o, "exit", c->rc);
    if (c->rc >= 2)
        cJSON_AddStringToObject(o, "error", c->error);
    if (c->loaded) {
        cJSON_AddStringToObject(o, "scenario", c->run.scenario_path);
        cJSON_AddStringToObject(o, "scenario_file", c->run.scenario_file);
        cJSON_AddStringToObject(o, "policy", c->run.policy_path);
        cJSON_AddStringToObject(o, "policy_name", c->run.policy_name);
        if (c->run.scenario_changed)
            cJSON_AddItemToArray(warn, cJSON_CreateString("scenario file changed since the run"));
        if (c->run.policy_changed)
            cJSON_AddItemToArray(warn, cJSON_CreateString("policy file changed since the run"));
    }
    if (c->note[0])
        cJSON_AddItemToArray(warn, cJSON_CreateString(c->note));
    cJSON_AddStringToObject(o, "expectations_from", from_word(c->from));
    cJSON_AddNumberToObject(o, "expectations", (double)c->vs.n_expect);
    cJSON_AddNumberToObject(o, "failed", (double)c->vs.failed_expect);
    cJSON *cur = NULL;
    for (size_t i = 0; i < c->vs.n; i++) {
        const rep_verdict *v = &c->vs.v[i];
        if (v->expectation == 0) {
            cJSON_AddItemToArray(runf, cJSON_CreateString(v->text));
            continue;
        }
        if (!cur || cJSON_GetArraySize(checks) == 0 || i == 0 ||
            c->vs.v[i - 1].expectation != v->expectation) {
            cur = cJSON_CreateObject();
            cJSON_AddStringToObject(cur, "name", v->name);
            cJSON_AddBoolToObject(cur, "ok", true);
            cJSON_AddItemToObject(cur, "lines", cJSON_CreateArray());
            cJSON_AddItemToArray(checks, cur);
        }
        if (!v->ok)
            cJSON_ReplaceItemInObject(cur, "ok", cJSON_CreateBool(false));
        cJSON_AddItemToArray(cJSON_GetObjectItem(cur, "lines"), cJSON_CreateString(v->text));
    }
    cJSON_AddItemToObject(o, "checks", checks);
    cJSON_AddItemToObject(o, "run_failures", runf);
    cJSON_AddItemToObject(o, "warnings", warn);
    return o;
}

/* Totals and annotations after every run (text). */
static void text_end(const size_t counts[4], size_t n, const rep_tsuite *suites,
                     const check_args *a)
{
    if (a->github)
        rep_gh_annotate(stdout, suites, n);
    if (n > 1)
        printf("check: %zu runs: %zu pass, %zu fail, %zu bad input%s\n", n, counts[0], counts[1],
               counts[2], counts[3] ? ", and some could not be checked (above)" : "");
}

/* Checks one run and keeps what the outputs need of it (its suite, its JSON
 * object); the run itself is freed. Its exit code. */
static int run_one(const char *dir, const check_args *a, rep_tsuite *suite, cJSON *runs)
{
    checked *c = calloc(1, sizeof *c);
    if (!c)
        return 3;
    c->dir = dir;
    check_one(c, a);
    warn(c);
    if (a->format == FMT_TEXT)
        text_one(c);
    if (a->github && c->loaded && (c->run.scenario_changed || c->run.policy_changed))
        rep_gh_warning(stdout, c->run.scenario_changed ? c->run.scenario_path : c->run.policy_path,
                       c->dir, "a scenario or policy file changed since the run");
    int rc = c->rc;
    if (suite_of(c, a, suite) != 0)
        rc = 3;
    if (runs)
        cJSON_AddItemToArray(runs, json_run(c));
    cm_expect_free(&c->e);
    rep_verdicts_free(&c->vs);
    if (c->loaded)
        rep_run_free(&c->run);
    free(c);
    return rc;
}

/* Prints the JSON document; -1 when out of memory. */
static int json_print(cJSON *root, int rc)
{
    cJSON_AddNumberToObject(root, "exit", rc);
    char *text = cJSON_Print(root);
    if (!text)
        return -1;
    printf("%s\n", text);
    free(text);
    return 0;
}

static int check_all(const check_args *a, rep_tsuite *suites)
{
    size_t counts[4] = {0};
    int rc = 0;
    cJSON *root = NULL, *runs = NULL;
    if (a->format == FMT_JSON) {
        root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "kind", "check");
        runs = cJSON_AddArrayToObject(root, "runs");
    }
    for (size_t i = 0; i < a->n; i++) {
        int one = run_one(a->dirs[i], a, &suites[i], runs);
        counts[one]++;
        rc = one > rc ? one : rc;
    }
    if (a->format == FMT_TEXT)
        text_end(counts, a->n, suites, a);
    else if (a->format == FMT_JSON && json_print(root, rc) != 0)
        rc = 3;
    else if (a->format == FMT_JUNIT)
        rep_junit_write(stdout, "retrylab.check", suites, a->n);
    cJSON_Delete(root);
    cm_err err = {{0}};
    if (a->junit && rep_junit_save(a->junit, "retrylab.check", suites, a->n, &err) != 0) {
        fprintf(stderr, "retrylab check: %s\n", err.msg);
        rc = 3;
    }
    return rc;
}

int rep_cmd_check(int argc, char **argv)
{
    check_args a = {0};
    a.dirs = calloc((size_t)argc, sizeof *a.dirs);
    if (!a.dirs)
        return CM_EXIT_RUNTIME;
    int rc = parse_args(argc, argv, &a);
    if (rc) {
        free(a.dirs);
        return rc == 1 ? 0 : 2;
    }
    rep_tsuite *suites = calloc(a.n, sizeof *suites);
    rc = suites ? check_all(&a, suites) : CM_EXIT_RUNTIME;
    for (size_t i = 0; suites && i < a.n; i++)
        rep_tsuite_free(&suites[i]);
    free(suites);
    free(a.dirs);
    return rc;
}
