/* run_expect.h: which expectations judge a run, and whether the report
 * judges it at all: --expect FILE, else DIR/expect.json, else the scenario's
 * "expect"; a run with another policy than its scenario's own and no
 * expect.json is not checked by the report (its claims are not that run's). */
#ifndef REP_RUN_EXPECT_H
#define REP_RUN_EXPECT_H
#include <stdbool.h>
#include <stddef.h>

#include "common/expect.h"
#include "reports/run_load.h"

#define REP_EXPECT_FILE_NAME "expect.json"

/* Where a run's expectations came from. */
typedef enum rep_expect_from {
    REP_EXPECT_NONE,     /* none found */
    REP_EXPECT_GIVEN,    /* --expect FILE */
    REP_EXPECT_RUN_DIR,  /* DIR/expect.json */
    REP_EXPECT_SCENARIO, /* the scenario's "expect" */
} rep_expect_from;

/* Loads the expectations for `run` into *e: `file` when not NULL, else
 * DIR/expect.json when it exists, else the scenario's "expect". Returns 1
 * loaded (*from says where; the caller frees *e with cm_expect_free), 0 none
 * found (*from = REP_EXPECT_NONE, *e empty), -1 an expect is malformed or
 * unreadable (err holds "file:line:col: field: what is wrong", *e empty). */
int rep_run_expect_load(const rep_run *run, const char *file, cm_expect *e, rep_expect_from *from,
                        cm_err *err);

/* True when DIR/expect.json exists (of any kind: a FIFO or a folder there is
 * refused when loaded, not taken for no file). */
bool rep_run_has_expect_file(const rep_run *run);

/* True when the run used its scenario's own policy: the trace's policy path
 * and the scenario's "policy" (relative to the scenario file) name the same
 * file (by realpath; by file name when either cannot be resolved). */
bool rep_run_own_policy(const rep_run *run);

/* `rel` (a path in the run's scenario file) joined to that file's folder
 * (as found: rep_run_locate), into buf; an absolute `rel` as it is. False
 * when it does not fit. */
bool rep_run_scenario_relative(const rep_run *run, const char *rel, char *buf, size_t size);
/* Two paths name the same file (by realpath; by file name when either
 * cannot be resolved). */
bool rep_run_same_file(const char *x, const char *y);

/* True when the report checks the run: it has its own expect.json, or it
 * used its scenario's own policy. */
bool rep_run_checked(const rep_run *run);

#endif
