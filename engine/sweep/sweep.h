/* sweep.h: what `retrylab sweep` and `retrylab sweep-merge` share: the grid
 * of varied fields (--vary PATH=VALUES), the figures of one variant, the
 * Pareto front, the objective, and the files of a sweep folder
 * (sweep.csv, rows.jsonl, sweep.json). engine/README.md ("retrylab sweep")
 * is the user's reference. */
#ifndef RL_SWEEP_H
#define RL_SWEEP_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "common/expect.h"
#include "common/jsonpos.h"

/* A grid larger than this is refused before anything runs. */
#define SW_MAX_VARIANTS 10000000ull
#define SW_MAX_AXES 16
#define SW_PATH_MAX 256
#define SW_VALUE_TEXT 64 /* a value as the CSV shows it, NUL included */

/* ---- values and JSON paths (path.c) ---- */

typedef enum sw_vtype { SW_NUM, SW_BOOL, SW_STR } sw_vtype;

typedef struct sw_value {
    sw_vtype type;
    double num;
    bool b;
    char text[SW_VALUE_TEXT]; /* the value as written: "0.5", "true", "full" */
} sw_value;

/* A value as given on the command line: true/false a bool, a number (strtod,
 * finite) a number, anything else a string. 0, or -1 (empty, too long). */
int sw_value_parse(const char *s, size_t len, sw_value *out);
/* The shortest text that reads back as v exactly (%.15g, else %.17g). */
void sw_num_text(double v, char *out, size_t size);
/* A new cJSON node holding v; NULL when out of memory. */
cJSON *sw_value_json(const sw_value *v);

/* A path into a JSON document: "backoff.base_s",
 * "providers[0].windows[1].limit", "classify.429". */
typedef struct sw_step {
    bool index; /* [n] rather than .name */
    size_t n;
    char name[64];
} sw_step;
typedef struct sw_path {
    sw_step steps[16];
    size_t n;
} sw_path;

/* 0, or -1 with err ("... is not a path: ..."). */
int sw_path_parse(const char *text, sw_path *out, cm_err *err);
/* Finds the node `p` names under root; NULL when some step is missing. */
cJSON *sw_path_find(cJSON *root, const sw_path *p);
/* Sets the field `p` names to a copy of v, creating missing object members
 * on the way (never array items). 0, or -1 with err (a step through a
 * non-object, an index past the end, a path naming an object or array). */
int sw_path_set(cJSON *root, const sw_path *p, const sw_value *v, cm_err *err);

/* ---- the grid (grid.c) ---- */

typedef enum sw_target { SW_POLICY, SW_SCENARIO } sw_target;

typedef struct sw_axis {
    const char *spec; /* the argument as given: "backoff.base_s=0.5,1,2" */
    sw_target target;
    char path_text[SW_PATH_MAX];
    char column[SW_PATH_MAX + 16]; /* "backoff.base_s" or "scenario:limit..." */
    sw_path path;
    sw_value *values; /* owned */
    size_t n;
    bool existed;  /* the field is in the original file */
    long current;  /* index of the file's own value among values, or -1 */
    int line, col; /* where the field is in the original file, 0 if absent */
} sw_axis;

typedef struct sw_grid {
    sw_axis axes[SW_MAX_AXES]; /* scenario axes first, then policy axes; last varies fastest */
    size_t n;
    uint64_t total; /* product of the axes' value counts */
} sw_grid;

/* Adds the axis of one --vary (target SW_POLICY) or --vary-scenario spec
 * "PATH=V1,V2,..." or "PATH=LO..HI:STEP" (STEP > 0) or "PATH=LO..HI:*F"
 * (F > 1: LO, LO*F, ... up to HI). 0, or -1 with err quoting the spec. */
int sw_grid_add(sw_grid *g, const char *spec, sw_target target, cm_err *err);
/* Orders the axes (scenario first, stably) and computes total; -1 with err
 * when the grid is over SW_MAX_VARIANTS or a path is given twice. */
int sw_grid_finish(sw_grid *g, cm_err *err);
void sw_grid_free(sw_grid *g);
/* Fills a's existed, line, col and current from the file `doc` it varies. */
void sw_axis_locate(sw_axis *a, const cm_json *doc);
/* Variant i's value index on each axis (idx[g->n]). */
void sw_grid_index(const sw_grid *g, uint64_t i, size_t *idx);
/* True when variant i has the same scenario values as variant j. */
bool sw_grid_same_scenario(const sw_grid *g, uint64_t i, uint64_t j);

/* Shard k of n (0-based): variants [first, end). */
void sw_shard_range(uint64_t total, uint64_t k, uint64_t n, uint64_t *first, uint64_t *end);

/* ---- the figures of a variant (stats.c) ---- */

#define SW_METRICS(X)                                                                              \
    X(SUCCESS_RATE, "success_rate")           /* mean over seeds of successes / tasks */           \
    X(SUCCESS_CI_LOW, "success_ci_low")       /* 95% confidence interval, low end */               \
    X(SUCCESS_CI_HIGH, "success_ci_high")     /* and high end */                                   \
    X(CALLS_PER_SUCCESS, "calls_per_success") /* attempts / successes, all seeds */                \
    X(ATTEMPTS_PER_RUN, "attempts_per_run")   /* mean attempts of one run */                       \
    X(WAIT_PER_RUN, "wait_per_run_s")         /* mean planned wait of one run (all tasks) */       \
    X(P95_WAIT, "p95_wait_s")                 /* per task planned wait, 95th percentile */         \
    X(P50_DURATION, "p50_duration_s")         /* task duration (start to done) */                  \
    X(P95_DURATION, "p95_duration_s")                                                              \
    X(P99_DURATION, "p99_duration_s")                                                              \
    X(RATE_LIMITED_PER_MIN, "rate_limited_per_min") /* 429s per minute of scenario time */         \
    X(RATE_LIMITED_SHARE, "rate_limited_share")     /* 429s / attempts */
typedef enum sw_metric {
#define X(name, text) SW_M_##name,
    SW_METRICS(X)
#undef X
        SW_M_COUNT
} sw_metric;
const char *sw_metric_name(sw_metric m);
/* The metric called `name`, or -1. */
int sw_metric_find(const char *name);

/* The expectation kinds a run without a trace is judged by; the others
 * (ladder, final_message, rotation_order) need the trace and are skipped. */
#define SW_EXPECTS(X)                                                                              \
    X(SUCCESS_RATE, "success_rate")                                                                \
    X(MAX_ATTEMPTS, "max_attempts")                                                                \
    X(MAX_TOTAL_WAIT, "max_total_wait_s")                                                          \
    X(MAX_DURATION, "max_task_duration_s")                                                         \
    X(MAX_CALLS, "max_calls_per_success")                                                          \
    X(USED, "candidates_used")                                                                     \
    X(NOT_USED, "candidates_not_used")                                                             \
    X(REQUESTS, "candidate_requests")
typedef enum sw_expect_kind {
#define X(name, text) SW_E_##name,
    SW_EXPECTS(X)
#undef X
        SW_E_COUNT
} sw_expect_kind;
const char *sw_expect_name(sw_expect_kind k);
/* Which kinds e asserts (bit k), and which kinds it asserts that need a
 * trace (comma-separated names into `skipped`, "" when none). */
unsigned sw_expect_judged(const cm_expect *e, char *skipped, size_t size);

/* One run (one seed) of a variant, as the sweep collects it. */
typedef struct sw_run {
    uint64_t tasks, successes, attempts, rate_limited;
    double wait_s, scenario_s;
    uint32_t max_attempts;             /* most sends of one task */
    double max_wait_s, max_duration_s; /* most of one task */
    const cJSON *candidates;           /* summary.json "candidates" (requests per candidate) */
} sw_run;

/* The failed expectation kinds of one run (bit k set: kind k failed). */
unsigned sw_expect_run(const cm_expect *e, const sw_run *r);

/* A finished variant. */
typedef struct sw_row {
    uint64_t variant;
    bool ok; /* false: error holds why, no figures */
    char error[256];
    uint32_t seeds;
    uint64_t tasks;                   /* per run */
    double m[SW_M_COUNT];             /* INFINITY for calls_per_success without success */
    int expect;                       /* -1 nothing judged, 1 all hold, 0 some failed */
    uint32_t expect_fail[SW_E_COUNT]; /* runs in which kind k failed */
} sw_row;

/* What a variant's seeds add up to, kept by the worker between seeds. */
typedef struct sw_acc {
    double *rates; /* per seed */
    double *durations, *waits;
    size_t n_rates, n_tasks, cap_rates, cap_tasks;
    uint64_t tasks, successes, attempts, rate_limited;
    double wait_s, minutes;
    uint32_t expect_fail[SW_E_COUNT];
    unsigned judged;
} sw_acc;

void sw_acc_reset(sw_acc *a);
void sw_acc_free(sw_acc *a);
/* One task's end. 0, or -1 when out of memory. */
int sw_acc_task(sw_acc *a, double duration_s, double wait_s);
/* One finished run. 0, or -1 when out of memory. */
int sw_acc_run(sw_acc *a, const sw_run *r, const cm_expect *e);
/* The row of the seeds added so far (reorders the accumulator's arrays). */
void sw_acc_row(sw_acc *a, sw_row *row);

/* The two-sided 95% Student t quantile for `df` degrees of freedom. */
double sw_t95(uint64_t df);
/* The q-quantile (0..1, nearest rank) of v[n]; reorders v. NAN when n = 0. */
double sw_quantile(double *v, size_t n, double q);

/* ---- the Pareto front (success_rate max, calls_per_success min,
 *      p95_duration_s min) ---- */

typedef struct sw_front_item {
    uint64_t variant;
    double rate, calls, p95;
    uint64_t csv_at, jsonl_at; /* byte offset of its pareto digit in each file */
} sw_front_item;

typedef struct sw_front {
    sw_front_item *items; /* owned */
    size_t n, cap;
} sw_front;

/* Offers a row: it joins the front unless a member dominates it, and drops
 * the members it dominates. 0, or -1 when out of memory. */
int sw_front_offer(sw_front *f, const sw_front_item *it);
void sw_front_free(sw_front *f);

/* ---- the objective: "max success_rate; calls_per_success<=2; expect" ---- */

typedef struct sw_clause {
    int metric; /* sw_metric */
    char op[3]; /* "<=", ">=", "<", ">", "==" */
    double value;
} sw_clause;

typedef struct sw_objective {
    const char *text; /* as given, NULL: none */
    int goal;         /* sw_metric to maximise or minimise */
    bool maximise;
    bool need_expect; /* the clause "expect": the summary-level expectations hold */
    sw_clause c[16];
    size_t n;
} sw_objective;

/* 0, or -1 with err naming the clause. */
int sw_objective_parse(const char *text, sw_objective *out, cm_err *err);
/* True when row r meets every constraint. */
bool sw_objective_feasible(const sw_objective *o, const sw_row *r);
/* True when feasible a beats feasible b (ties: success, calls, p95, index). */
bool sw_objective_better(const sw_objective *o, const sw_row *a, const sw_row *b);

/* ---- the files of a sweep folder (out.c) ---- */

/* One output file whose lines reach the disk whole only: lines gather in
 * a buffer that is written out at line ends (even a SIGKILL leaves whole
 * lines). */
typedef struct sw_file {
    int fd;
    char *buf;
    size_t len;
    uint64_t at; /* bytes written or buffered */
} sw_file;

/* The rows of a sweep as they are written: DIR/sweep.csv and
 * DIR/rows.jsonl, in variant order. */
typedef struct sw_out {
    sw_file csv, jsonl;
    uint64_t rows;
    bool failed;
} sw_out;

/* Creates DIR/sweep.csv (its header line) and DIR/rows.jsonl. 0, or -1 with err. */
int sw_out_open(sw_out *o, const char *dir, const sw_grid *g, cm_err *err);
/* Writes row r (pareto 0) in both files; fills *it with its front item. */
void sw_out_row(sw_out *o, const sw_grid *g, const sw_row *r, sw_front_item *it);
/* Writes a line already formatted (merge), returning the offset it starts at. */
uint64_t sw_out_csv_line(sw_out *o, const char *line, size_t len);
uint64_t sw_out_jsonl_line(sw_out *o, const char *line, size_t len);
/* Writes what is buffered (whole lines). */
void sw_out_flush(sw_out *o);
/* Marks every front member's pareto digit 1, closes both files. 0, or -1 with err. */
int sw_out_close(sw_out *o, const sw_front *f, cm_err *err);

/* Formats the JSON object of a row ("{"variant":..,"pareto":0,...}") into
 * out; returns its length. */
size_t sw_row_json(const sw_grid *g, const sw_row *r, char *out, size_t size);
/* The CSV header and row (no newline) into out; returns the length. */
size_t sw_csv_header(const sw_grid *g, char *out, size_t size);
size_t sw_row_csv(const sw_grid *g, const sw_row *r, char *out, size_t size);

/* Splits a CSV line in place into at most max fields (quoted fields
 * unquoted). Returns the number of fields. */
size_t sw_csv_split(char *line, char **fields, size_t max);

/* Writes `text` to `path` through path.tmp and a rename. 0, or -1 with err. */
int sw_write_file(const char *path, const char *text, size_t len, cm_err *err);

/* The policy text with variant `idx`'s policy values set: each field that
 * is in the file replaced where it stands (the rest of the file as it was);
 * when some field is not in the file, the whole document printed again.
 * Caller frees; NULL when out of memory. */
char *sw_policy_text_for(const char *text, const cJSON *root, const sw_grid *g, const size_t *idx);

/* ---- sweep.json (meta.c) ---- */

typedef struct sw_meta {
    const char *state; /* "running", "done", "interrupted", "failed" */
    bool partial;      /* fewer rows than the slice holds */
    const char *scenario, *scenario_name, *scenario_digest;
    const char *policy, *policy_name, *policy_digest, *policy_text;
    const sw_grid *g;
    uint32_t seeds;
    uint64_t first_seed;
    uint64_t shard, shards, first, end; /* this folder's slice [first, end) */
    uint64_t rows, errors;              /* rows written; rows with an error */
    uint64_t current;                   /* the variant with the policy's own values */
    bool has_current;
    const sw_front *front;
    const char *objective;
    const sw_row *best; /* NULL: none (best_note says why when an objective was given) */
    const char *best_file, *best_note;
    const cJSON *points; /* array of {label, policy, figures}; may be NULL */
    const char *expect_source;
    unsigned judged;
    const char *skipped;
    double wall_s, runs_per_s;
    long max_rss_kib;
} sw_meta;

/* Writes DIR/sweep.json (through a temporary file and a rename). 0, or -1 with err. */
int sw_meta_write(const char *dir, const sw_meta *m, cm_err *err);
/* {"label", "policy", "policy_name", figures..., "expect"} for the points of
 * the picture (the policy as it is, the peers' presets). Caller frees. */
cJSON *sw_point_json(const char *label, const char *policy, const char *policy_name,
                     const sw_row *r);

/* ---- running variants (run.c) ---- */

#include <signal.h>

#include "engine/core/engine.h"
#include "mockserver/scenario/scenario.h"

/* What every worker reads and none writes. */
typedef struct sw_plan {
    const sw_grid *g;
    const char *policy_path;  /* for messages and cm_json names */
    const cJSON *policy_root; /* the policy, every varied field present */
    const char *scenario_path;
    const cJSON *scenario_root;    /* the scenario likewise (used when it has varied fields) */
    const mock_scenario *scenario; /* the scenario as loaded */
    uint64_t first_seed;
    uint32_t seeds;
    const cm_expect *expect; /* NULL: nothing judged */
    volatile sig_atomic_t *stop;
} sw_plan;

/* A policy or scenario from a JSON tree: printed and loaded again, so
 * every check of the loaders applies. 0, or -1 with err (the loader's
 * message). On success free *doc after the policy (cm_json_free). */
int sw_policy_from_tree(const cJSON *root, const char *name, cm_json **doc, rl_policy **out,
                        cm_err *err);
/* A loader's message about a printed tree without its "NAME:LINE:COL: "
 * (the place is in the printed text, not in the user's file). */
const char *sw_unplaced(const char *msg, const char *name);
int sw_scenario_from_tree(const cJSON *root, const char *name, mock_scenario **out, cm_err *err);

/* Runs `pol` on `sc` with the plan's seeds into *row (row->variant is the
 * caller's). 0; 1 when stopped (no row); -1 with err when out of memory. A
 * run the simulation refuses gives a row with ok false and its error. */
int sw_eval(const sw_plan *p, const mock_scenario *sc, const rl_policy *pol, sw_acc *acc,
            sw_row *row, cm_err *err);

/* Where finished rows go, in variant order, on the calling thread. */
typedef struct sw_sink {
    int (*row)(void *ctx, const sw_row *r); /* 0, or -1 to stop (a write failed) */
    void (*tick)(void *ctx, uint64_t rows); /* about four times a second */
    void *ctx;
} sw_sink;

/* Runs variants [first, end) on `jobs` threads, handing rows to sink in
 * order (at most a few thousand rows wait for a slow one: memory stays
 * flat). 0 when all ran; 1 when stopped (p->stop, or the sink): the rows
 * handed over are a whole prefix; -1 with err on a runtime failure. */
int sw_pool_run(const sw_plan *p, uint64_t first, uint64_t end, int jobs, const sw_sink *sink,
                cm_err *err);

#endif
