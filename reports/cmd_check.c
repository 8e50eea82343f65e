/* cmd_check.c: `retrylab check DIR [--expect FILE]`: the CI verdict on a run. */
#include <stdio.h>
#include <string.h>

#include "common/expect.h"
#include "reports/check.h"
#include "reports/reports.h"
#include "reports/run_expect.h"
#include "reports/run_load.h"

static const char usage[] =
    "usage: retrylab check DIR [--expect FILE]\n"
    "  Checks the run in DIR (trace.jsonl, summary.json) against expectations: FILE\n"
    "  (a JSON object with \"kind\": \"expect\"), else DIR/expect.json (the same), else\n"
    "  the scenario's \"expect\" (the trace's start event names the scenario).\n"
    "  Exit 0 when all hold; 1 with one line per failed expectation; 2 on bad input\n"
    "  (an expect that states no expectation is bad input).\n";

typedef struct check_args {
    const char *dir;
    const char *expect;
} check_args;

/* 0 parsed, 1 help printed, 2 bad flag. */
static int parse_args(int argc, char **argv, check_args *a)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        } else if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc) {
            a->expect = argv[++i];
        } else if (strcmp(argv[i], "--expect") == 0) {
            fprintf(stderr, "retrylab check: --expect: needs a value (a FILE)\n%s", usage);
            return 2;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "retrylab check: unknown option \"%s\"\n%s", argv[i], usage);
            return 2;
        } else if (a->dir) {
            fprintf(stderr, "retrylab check: one run directory only (got \"%s\" and \"%s\")\n%s",
                    a->dir, argv[i], usage);
            return 2;
        } else {
            a->dir = argv[i];
        }
    }
    if (!a->dir) {
        fprintf(stderr, "retrylab check: no run directory given\n%s", usage);
        return 2;
    }
    return 0;
}

/* The expectations: --expect FILE, else DIR/expect.json, else the run's
 * scenario. 0 or 2. */
static int load_expect(const rep_run *run, const char *file, cm_expect *e)
{
    cm_err err = {{0}};
    rep_expect_from from;
    int rc = rep_run_expect_load(run, file, e, &from, &err);
    if (rc == 1 && !cm_expect_empty(e)) {
        if (from == REP_EXPECT_SCENARIO && !rep_run_own_policy(run)) /* report leaves it "-" */
            fprintf(stderr,
                    "retrylab check: note: %s used policy %s, not its scenario's own: "
                    "judged by the scenario's expectations, which were written for that policy "
                    "(the report does not check such a run; pass --expect FILE for its own)\n",
                    run->dir, run->policy_name[0] ? run->policy_name : run->policy_path);
        return 0;
    }
    if (rc == 1) { /* an empty expect would turn CI green without checking anything */
        if (from == REP_EXPECT_SCENARIO)
            fprintf(stderr, "retrylab check: %s: expect: states no expectation\n",
                    run->scenario_path);
        else if (from == REP_EXPECT_GIVEN)
            fprintf(stderr, "retrylab check: %s: states no expectation\n", file);
        else
            fprintf(stderr, "retrylab check: %s/%s: states no expectation\n", run->dir,
                    REP_EXPECT_FILE_NAME);
        cm_expect_free(e);
        return 2;
    }
    if (rc < 0)
        fprintf(stderr, "retrylab check: %s\n", err.msg);
    else
        fprintf(stderr,
                "retrylab check: %s: no expectations: no %s in the run folder and %s; "
                "pass --expect FILE\n",
                run->dir, REP_EXPECT_FILE_NAME,
                run->scenario ? "the scenario has no \"expect\"" : run->scenario_note);
    return 2;
}

/* Prints every failed line, then one summary counting expectations (not
 * lines: a ladder with three wrong waits is one failed expectation). */
static int report(const rep_run *run, const rep_verdicts *vs)
{
    for (size_t i = 0; i < vs->n; i++)
        if (!vs->v[i].ok)
            printf("%s\n", vs->v[i].text);
    if (vs->n == 0) {
        printf("check %s: the expectations assert nothing\n", run->dir);
        return 0;
    }
    const char *s = vs->n_expect == 1 ? "" : "s";
    if (vs->failed_expect) {
        printf("check %s: %zu of %zu expectation%s failed%s\n", run->dir, vs->failed_expect,
               vs->n_expect, s, vs->run_failed ? ", and the run itself fails (above)" : "");
        return 1;
    }
    if (vs->run_failed) {
        printf("check %s: the run itself fails (above); all %zu expectation%s hold on what it "
               "recorded\n",
               run->dir, vs->n_expect, s);
        return 1;
    }
    printf("check %s: all %zu expectation%s hold\n", run->dir, vs->n_expect, s);
    return 0;
}

int rep_cmd_check(int argc, char **argv)
{
    check_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc == 1 ? 0 : 2;
    rep_run run;
    cm_err err = {{0}};
    if (rep_run_load(a.dir, &run, &err) != 0) {
        fprintf(stderr, "retrylab check: %s\n", err.msg);
        return 2;
    }
    rep_run_warn_cut(&run, "check");
    if (run.n_ev == 0) { /* an empty trace must not pass every per-task expectation */
        fprintf(stderr, "retrylab check: %s/trace.jsonl: no events: nothing to check\n", a.dir);
        rep_run_free(&run);
        return 2;
    }
    cm_expect e;
    rc = load_expect(&run, a.expect, &e);
    if (rc == 0) {
        rep_verdicts vs = {0};
        if (rep_check_run(&run, &e, &vs) < 0) {
            fprintf(stderr, "retrylab check: out of memory\n");
            rc = 3;
        } else {
            rc = report(&run, &vs);
        }
        rep_verdicts_free(&vs);
        cm_expect_free(&e);
    }
    rep_run_free(&run);
    return rc;
}
