/* cmd_sweep.c: `retrylab sweep`: every combination of the varied policy
 * (and scenario) fields, each with N seeds, in virtual time on worker
 * threads, into DIR/sweep.csv, DIR/rows.jsonl and DIR/sweep.json, with the
 * Pareto front marked and, given an objective, the best variant written
 * as a policy file. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/io/file.h"
#include "common/jsonpos.h"
#include "engine/cli/cli.h"
#include "engine/driver/driver.h"
#include "engine/driver/rundir.h"
#include "engine/driver/trace.h"
#include "engine/sweep/sweep.h"

#define MAX_SPECS 32
#define MAX_PEERS 64

static void usage(FILE *to)
{
    fprintf(
        to,
        "usage: retrylab sweep SCENARIO [--policy POLICY] --vary PATH=V1,V2,...\n"
        "                      [--vary PATH=LO..HI:STEP] [--vary-scenario PATH=VALUES]\n"
        "                      [--seeds N] [--seed S] [--jobs J] [--out DIR] [--shard K/N]\n"
        "                      [--objective TEXT] [--expect FILE] [--peers DIR] [--quiet]\n"
        "  Plays every combination of the varied fields against the scenario, each with\n"
        "  N seeds, in virtual time, and writes one row per variant to DIR/sweep.csv and\n"
        "  DIR/rows.jsonl (success rate with its 95%% confidence interval, calls per\n"
        "  success, waits, task duration percentiles, 429s per minute, expectations),\n"
        "  the Pareto front (success max, calls per success min, p95 duration min) and\n"
        "  DIR/sweep.json. `retrylab report DIR` draws it.\n"
        "  --policy         policy file (default: the scenario's \"policy\")\n"
        "  --vary           a policy field by its JSON path and its values: a list\n"
        "                   V1,V2 (numbers, true/false, words), LO..HI:STEP or LO..HI:*F\n"
        "                   (LO, LO*F, ... <= HI); repeat for more fields (at least one\n"
        "                   --vary or --vary-scenario; at most 16; grid <= 10,000,000)\n"
        "  --vary-scenario  a scenario field the same way, e.g.\n"
        "                   providers[0].windows[0].limit=5..20:5\n"
        "  --seeds          seeds per variant, 1 to 100000 (default 5)\n"
        "  --seed           the first seed, 0 to 2^53 - 1 (default: the scenario's \"seed\");\n"
        "                   variant runs use seeds S, S+1, ..., S+N-1\n"
        "  --jobs           worker threads, 1 to 256 (default: the number of cores)\n"
        "  --out            sweep folder, created if missing (default out/sweeps/SCENARIO-NAME)\n"
        "  --shard          K/N: run only the K-th of N equal slices of the grid, K from 0\n"
        "                   to N-1 (default 0/1: all); join slices with retrylab sweep-merge\n"
        "  --objective      pick the best variant, e.g. 'max success_rate;\n"
        "                   calls_per_success<=2; p95_duration_s<=60' (clauses: max COLUMN,\n"
        "                   min COLUMN, COLUMN<=X, >=, <, >, ==, expect); writes\n"
        "                   DIR/best-policy.json (default: none)\n"
        "  --expect         judge runs by this expect file (default: the scenario's expect)\n"
        "  --peers          also run every policy preset in this folder with the policy's\n"
        "                   candidates, as points in the picture, but those that retry\n"
        "                   without end (default: none)\n"
        "  --quiet          no progress line on stderr (default: one on a terminal)\n"
        "  Exit 0 done; 1 no variant meets the objective; 2 bad input (the --vary or\n"
        "  flag is quoted, or file:line:col); 3 runtime failure; 130/143 stopped by\n"
        "  SIGINT/SIGTERM (the rows so far are kept, sweep.json says partial).\n");
}

typedef struct sweep_args {
    const char *scenario, *policy, *out, *objective, *expect, *peers;
    const char *vary[MAX_SPECS], *vary_scenario[MAX_SPECS];
    size_t n_vary, n_vary_scenario;
    uint64_t seeds, seed, jobs, shard, shards;
    bool has_seed, quiet;
} sweep_args;

/* ---- arguments ---- */

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "retrylab sweep: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CM_EXIT_BAD_INPUT;
}

static int parse_shard(const char *v, sweep_args *a)
{
    const char *slash = strchr(v, '/');
    char k[32];
    if (!slash || (size_t)(slash - v) >= sizeof k)
        return -1;
    memcpy(k, v, (size_t)(slash - v));
    k[slash - v] = '\0';
    if (rl_cli_parse_u64(k, &a->shard) != 0 || rl_cli_parse_u64(slash + 1, &a->shards) != 0)
        return -1;
    return a->shards >= 1 && a->shards <= 1000000 && a->shard < a->shards ? 0 : -1;
}

static int parse_number(const char *o, const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (rl_cli_parse_u64(v, out) != 0 || *out < lo || *out > hi) {
        fprintf(stderr, "retrylab sweep: %s: not a whole number from %llu to %llu: '%s'\n", o,
                (unsigned long long)lo, (unsigned long long)hi, v);
        return CM_EXIT_BAD_INPUT;
    }
    return 0;
}

static int add_spec(const char **list, size_t *n, const char *o, const char *v)
{
    if (*n == MAX_SPECS)
        return bad("%s: at most 32 given (%s)", o, v);
    list[(*n)++] = v;
    return 0;
}

/* Handles option o with value v. 0, or 2 after a message. */
static int parse_option(const char *o, const char *v, sweep_args *a)
{
    static const char *const flags[] = {"--policy",    "--vary",   "--vary-scenario", "--seeds",
                                        "--seed",      "--jobs",   "--out",           "--shard",
                                        "--objective", "--expect", "--peers",         NULL};
    size_t f = 0;
    while (flags[f] && strcmp(flags[f], o) != 0)
        f++;
    if (!flags[f])
        return bad("unknown option '%s'", o);
    if (!v)
        return bad("%s: needs a value", o);
    switch (f) {
    case 0:
        a->policy = v;
        return 0;
    case 1:
        return add_spec(a->vary, &a->n_vary, o, v);
    case 2:
        return add_spec(a->vary_scenario, &a->n_vary_scenario, o, v);
    case 3:
        return parse_number(o, v, 1, 100000, &a->seeds);
    case 4:
        a->has_seed = true;
        return parse_number(o, v, 0, (uint64_t)CM_SEED_MAX, &a->seed);
    case 5:
        return parse_number(o, v, 1, 256, &a->jobs);
    case 6:
        a->out = v;
        return v[0] ? 0 : bad("--out: an empty folder name");
    case 7:
        return parse_shard(v, a) == 0
                   ? 0
                   : bad("--shard: '%s' is not K/N with 0 <= K < N <= 1000000", v);
    case 8:
        a->objective = v;
        return 0;
    case 9:
        a->expect = v;
        return 0;
    default:
        a->peers = v;
        return 0;
    }
}

/* 0 ok, 1 --help, 2 bad arguments (message printed). */
static int parse_args(int argc, char **argv, sweep_args *a)
{
    memset(a, 0, sizeof *a);
    a->seeds = 5;
    a->shards = 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    a->jobs = cpus > 0 ? (uint64_t)(cpus > 256 ? 256 : cpus) : 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--quiet") == 0 || strcmp(o, "-q") == 0) {
            a->quiet = true;
        } else if (o[0] == '-' && o[1] != '\0') {
            const char *v = i + 1 < argc ? argv[++i] : NULL;
            if (parse_option(o, v, a) != 0)
                return CM_EXIT_BAD_INPUT;
        } else if (a->scenario) {
            return bad("one scenario only (got '%s' and '%s')", a->scenario, o);
        } else {
            a->scenario = o;
        }
    }
    if (!a->scenario)
        return bad("which scenario?");
    if (a->n_vary + a->n_vary_scenario == 0)
        return bad("nothing to vary: give --vary PATH=VALUES (e.g. --vary "
                   "backoff.base_s=0.5,1,2)");
    return 0;
}

/* ---- the job ---- */

typedef struct point {
    char label[160];
    const char *path;
    char name[200];
    rl_policy *policy;
    cm_json *doc;
    char *path_copy;
} point;

typedef struct sweep_job {
    sweep_args args;
    mock_scenario *sc;
    cm_json *sc_doc, *pol_doc; /* the files as loaded (positions of the fields) */
    char *pol_text;
    const char *policy_path;
    rl_policy *policy;
    sw_grid g;
    cJSON *pol_base, *sc_base; /* the trees with every varied field present */
    cm_expect expect;
    bool has_expect;
    const char *expect_source;
    sw_objective obj;
    point peers[MAX_PEERS];
    size_t n_peers;
    char dir[RL_RUNDIR_MAX];
    char sc_digest[RL_DIGEST_LEN], pol_digest[RL_DIGEST_LEN];
} sweep_job;

static int load_policy(sweep_job *j)
{
    cm_err err;
    size_t len;
    j->policy_path = j->args.policy ? j->args.policy : mock_scenario_policy_path(j->sc);
    if (!j->policy_path) {
        fprintf(stderr, "retrylab sweep: %s: the scenario names no policy; pass --policy POLICY\n",
                j->args.scenario);
        return CM_EXIT_BAD_INPUT;
    }
    if (cm_file_read(j->policy_path, CM_JSON_MAX_BYTES, &j->pol_text, &len, &err) != 0 ||
        !(j->pol_doc = cm_json_parse(j->policy_path, j->pol_text, len, &err)) ||
        rl_policy_from_json(j->pol_doc, &j->policy, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    return 0;
}

static int load_expect(sweep_job *j)
{
    cm_err err;
    const cJSON *node = mock_scenario_expect(j->sc);
    if (j->args.expect) {
        if (cm_expect_load(j->args.expect, &j->expect, &err) != 0) {
            fprintf(stderr, "%s\n", err.msg);
            return CM_EXIT_BAD_INPUT;
        }
        j->expect_source = j->args.expect;
    } else if (node) {
        if (cm_expect_parse(mock_scenario_doc(j->sc), node, "expect", &j->expect, &err) != 0) {
            fprintf(stderr, "%s\n", err.msg);
            return CM_EXIT_BAD_INPUT;
        }
        j->expect_source = "scenario";
    } else
        return 0;
    j->has_expect = true;
    return 0;
}

static int load_inputs(sweep_job *j)
{
    cm_err err;
    if (mock_scenario_load(j->args.scenario, &j->sc, &err) != 0 ||
        !(j->sc_doc = cm_json_load(j->args.scenario, &err))) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    int rc = load_policy(j);
    if (rc == 0)
        rc = load_expect(j);
    if (rc == 0 && j->args.objective && sw_objective_parse(j->args.objective, &j->obj, &err) != 0) {
        fprintf(stderr, "retrylab sweep: %s\n", err.msg);
        rc = CM_EXIT_BAD_INPUT;
    }
    if (rc == 0) {
        rl_trace_digest_file(j->args.scenario, j->sc_digest);
        rl_trace_digest_file(j->policy_path, j->pol_digest);
    }
    return rc;
}

/* ---- the grid ---- */

/* The loader's verdict on value v of axis a (others at their first value). */
static int check_value(sweep_job *j, const sw_axis *a, cJSON *scratch, const sw_value *v,
                       cm_err *err)
{
    if (sw_path_set(scratch, &a->path, v, err) != 0)
        return -1;
    if (a->target == SW_SCENARIO) {
        mock_scenario *sc = NULL;
        int rc = sw_scenario_from_tree(scratch, j->args.scenario, &sc, err);
        mock_scenario_free(sc);
        return rc;
    }
    cm_json *doc = NULL;
    rl_policy *p = NULL;
    int rc = sw_policy_from_tree(scratch, j->policy_path, &doc, &p, err);
    rl_policy_free(p);
    cm_json_free(doc);
    return rc;
}

/* Every value of axis a (evenly spaced 10,000 of a longer one, both ends
 * included) through the loader. 0, or 2 after a message quoting the --vary. */
static int check_axis(sweep_job *j, const sw_axis *a)
{
    cJSON *scratch = cJSON_Duplicate(a->target == SW_POLICY ? j->pol_base : j->sc_base, true);
    if (!scratch)
        return CM_EXIT_RUNTIME;
    size_t step = a->n > 10000 ? (a->n + 9998) / 9999 : 1;
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < a->n;
         k = k + step < a->n || k + 1 == a->n ? k + step : a->n - 1) {
        cm_err err;
        if (check_value(j, a, scratch, &a->values[k], &err) == 0)
            continue;
        const char *file = a->target == SW_POLICY ? j->policy_path : j->args.scenario;
        char at[64] = "";
        if (a->line > 0)
            snprintf(at, sizeof at, ":%d:%d", a->line, a->col);
        fprintf(stderr, "retrylab sweep: %s '%s': value %s: %s%s: %s\n",
                a->target == SW_POLICY ? "--vary" : "--vary-scenario", a->spec, a->values[k].text,
                file, at, sw_unplaced(err.msg, file));
        rc = CM_EXIT_BAD_INPUT;
    }
    cJSON_Delete(scratch);
    return rc;
}

static int build_grid(sweep_job *j)
{
    cm_err err;
    for (size_t i = 0; i < j->args.n_vary_scenario; i++)
        if (sw_grid_add(&j->g, j->args.vary_scenario[i], SW_SCENARIO, &err) != 0)
            return bad("%s", err.msg);
    for (size_t i = 0; i < j->args.n_vary; i++)
        if (sw_grid_add(&j->g, j->args.vary[i], SW_POLICY, &err) != 0)
            return bad("%s", err.msg);
    if (sw_grid_finish(&j->g, &err) != 0)
        return bad("%s", err.msg);
    j->pol_base = cJSON_Duplicate(cm_json_root(j->pol_doc), true);
    j->sc_base = j->args.n_vary_scenario ? cJSON_Duplicate(cm_json_root(j->sc_doc), true) : NULL;
    if (!j->pol_base || (j->args.n_vary_scenario && !j->sc_base))
        return CM_EXIT_RUNTIME;
    for (size_t i = 0; i < j->g.n; i++) {
        sw_axis *a = &j->g.axes[i];
        sw_axis_locate(a, a->target == SW_POLICY ? j->pol_doc : j->sc_doc);
        if (sw_path_set(a->target == SW_POLICY ? j->pol_base : j->sc_base, &a->path, &a->values[0],
                        &err) != 0) {
            fprintf(stderr, "retrylab sweep: %s '%s': %s\n",
                    a->target == SW_POLICY ? "--vary" : "--vary-scenario", a->spec, err.msg);
            return CM_EXIT_BAD_INPUT;
        }
    }
    for (size_t i = 0; i < j->g.n; i++) {
        int rc = check_axis(j, &j->g.axes[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- peers ---- */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Preset `path` with the policy's candidates ("NAME@POLICY"). 0, or 2 after a message. */
static int load_peer(sweep_job *j, const char *path, point *pt)
{
    cm_err err;
    cm_json *doc = cm_json_load(path, &err);
    if (!doc) {
        fprintf(stderr, "retrylab sweep: --peers: %s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    cJSON *root = cJSON_Duplicate(cm_json_root(doc), true);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    const cJSON *cands = cJSON_GetObjectItemCaseSensitive(cm_json_root(j->pol_doc), "candidates");
    snprintf(pt->label, sizeof pt->label, "%.100s",
             cJSON_IsString(name) ? name->valuestring : path);
    char label[sizeof pt->label];
    memcpy(label, pt->label, sizeof label);
    snprintf(pt->name, sizeof pt->name, "%.100s@%.90s", label, rl_policy_name(j->policy));
    int rc = 0;
    if (!root || !cJSON_IsObject(root) ||
        !cJSON_ReplaceItemInObjectCaseSensitive(root, "candidates", cJSON_Duplicate(cands, true)) ||
        !cJSON_ReplaceItemInObjectCaseSensitive(root, "name", cJSON_CreateString(pt->name))) {
        fprintf(stderr, "retrylab sweep: --peers: %s: not a policy with a name and candidates\n",
                path);
        rc = CM_EXIT_BAD_INPUT;
    } else if (sw_policy_from_tree(root, path, &pt->doc, &pt->policy, &err) != 0) {
        fprintf(stderr, "retrylab sweep: --peers: %s: %s\n", path, sw_unplaced(err.msg, path));
        rc = CM_EXIT_BAD_INPUT;
    }
    cJSON_Delete(root);
    cm_json_free(doc);
    return rc;
}

static int load_peers(sweep_job *j)
{
    if (!j->args.peers)
        return 0;
    DIR *d = opendir(j->args.peers);
    if (!d)
        return bad("--peers: %s: cannot open: %s", j->args.peers, strerror(errno));
    char *names[MAX_PEERS];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < MAX_PEERS;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0 && e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", j->args.peers, names[i]);
        point *pt = &j->peers[j->n_peers];
        if (rc == 0 && names[i] && (pt->path_copy = strdup(path))) {
            pt->path = pt->path_copy;
            j->n_peers++;
            rc = load_peer(j, pt->path, pt);
            /* tenacity's bare @retry on a scenario that refuses for long is
             * tens of millions of sends a run: it would take the sweep's time */
            if (rc == 0 && rl_policy_max_attempts(pt->policy) >= RL_MAX_ATTEMPTS) {
                if (!j->args.quiet)
                    fprintf(stderr,
                            "retrylab sweep: --peers: %s retries without end (%d attempts "
                            "stand for it): left out; sweep it with --policy\n",
                            names[i], RL_MAX_ATTEMPTS);
                rl_policy_free(pt->policy);
                cm_json_free(pt->doc);
                free(pt->path_copy);
                memset(pt, 0, sizeof *pt);
                j->n_peers--;
            }
        }
        free(names[i]);
    }
    if (rc == 0 && j->n_peers == 0)
        return bad("--peers: %s: no .json policy files in it", j->args.peers);
    return rc;
}

/* ---- the run ---- */

typedef struct writer {
    sweep_job *j;
    sw_out out;
    sw_front front;
    sw_row best;
    bool has_best;
    uint64_t rows, errors, todo;
    uint64_t raise_after; /* tests: raise(SIGINT) after this many rows; 0 never */
    int64_t t0, last_tick;
    bool progress, failed;
} writer;

static int on_row(void *ctx, const sw_row *r)
{
    writer *w = ctx;
    sw_front_item it;
    sw_out_row(&w->out, &w->j->g, r, &it);
    w->rows++;
    if (!r->ok)
        w->errors++;
    else if (sw_front_offer(&w->front, &it) != 0)
        w->failed = true;
    if (r->ok && w->j->args.objective && sw_objective_feasible(&w->j->obj, r) &&
        (!w->has_best || sw_objective_better(&w->j->obj, r, &w->best))) {
        w->best = *r;
        w->has_best = true;
    }
    if (w->raise_after && w->rows == w->raise_after)
        raise(SIGINT); /* the real handler path, for the interruption test */
    return w->out.failed || w->failed ? -1 : 0;
}

static void on_tick(void *ctx, uint64_t rows)
{
    writer *w = ctx;
    (void)rows;
    sw_out_flush(&w->out);
    if (!w->progress)
        return;
    double s = (double)(rl_drv_wall_us() - w->t0) / 1e6;
    double rate = s > 0 ? (double)w->rows / s : 0;
    fprintf(stderr, "\rsweep: %llu/%llu variants, %.0f runs/s, %.0f s left   ",
            (unsigned long long)w->rows, (unsigned long long)w->todo,
            rate * (double)w->j->args.seeds, rate > 0 ? (double)(w->todo - w->rows) / rate : 0.0);
}

static sw_plan plan_of(const sweep_job *j)
{
    return (sw_plan){.g = &j->g,
                     .policy_path = j->policy_path,
                     .policy_root = j->pol_base,
                     .scenario_path = j->args.scenario,
                     .scenario_root = j->sc_base,
                     .scenario = j->sc,
                     .first_seed = j->args.has_seed ? j->args.seed : mock_scenario_seed(j->sc),
                     .seeds = (uint32_t)j->args.seeds,
                     .expect = j->has_expect ? &j->expect : NULL,
                     .stop = &rl_cli_stop};
}

/* The policy as it is, then each peer: points of the picture. NULL when stopped. */
static cJSON *run_points(sweep_job *j, const sw_plan *p, int *rc)
{
    cJSON *arr = cJSON_CreateArray();
    sw_acc acc = {0};
    for (size_t i = 0; arr && i <= j->n_peers; i++) {
        sw_row row = {0};
        cm_err err;
        const rl_policy *pol = i == 0 ? j->policy : j->peers[i - 1].policy;
        int r = sw_eval(p, j->sc, pol, &acc, &row, &err);
        if (r != 0) {
            if (r < 0)
                fprintf(stderr, "retrylab sweep: %s\n", err.msg);
            *rc = r < 0 ? CM_EXIT_RUNTIME : 128 + (int)rl_cli_stop;
            cJSON_Delete(arr);
            arr = NULL;
            break;
        }
        cJSON_AddItemToArray(
            arr, i == 0 ? sw_point_json("current", j->policy_path, rl_policy_name(j->policy), &row)
                        : sw_point_json(j->peers[i - 1].label, j->peers[i - 1].path,
                                        j->peers[i - 1].name, &row));
    }
    sw_acc_free(&acc);
    return arr;
}

/* The variant that holds the policy's own value on every axis, if any. */
static bool current_variant(const sw_grid *g, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (g->axes[i].current < 0)
            return false;
        v = v * g->axes[i].n + (uint64_t)g->axes[i].current;
    }
    *out = v;
    return true;
}

static void fill_meta(const sweep_job *j, const writer *w, const sw_plan *p, sw_meta *m)
{
    uint64_t first, end;
    sw_shard_range(j->g.total, j->args.shard, j->args.shards, &first, &end);
    *m = (sw_meta){.state = "running",
                   .partial = true,
                   .scenario = j->args.scenario,
                   .scenario_name = mock_scenario_name(j->sc),
                   .scenario_digest = j->sc_digest,
                   .policy = j->policy_path,
                   .policy_name = rl_policy_name(j->policy),
                   .policy_digest = j->pol_digest,
                   .policy_text = j->pol_text,
                   .g = &j->g,
                   .seeds = p->seeds,
                   .first_seed = p->first_seed,
                   .shard = j->args.shard,
                   .shards = j->args.shards,
                   .first = first,
                   .end = end,
                   .rows = w->rows,
                   .errors = w->errors,
                   .front = &w->front,
                   .objective = j->args.objective,
                   .expect_source = j->expect_source};
    m->has_current = current_variant(&j->g, &m->current);
}

static long max_rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* DIR/best-policy.json: the policy file with the best variant's values. */
static int write_best(const sweep_job *j, const sw_row *best, char *path, size_t size)
{
    size_t idx[SW_MAX_AXES];
    sw_grid_index(&j->g, best->variant, idx);
    char *text = sw_policy_text_for(j->pol_text, cm_json_root(j->pol_doc), &j->g, idx);
    cm_err err;
    snprintf(path, size, "%s/best-policy.json", j->dir);
    int rc = text ? sw_write_file(path, text, strlen(text), &err) : -1;
    if (!text)
        cm_err_set(&err, "out of memory");
    free(text);
    if (rc != 0)
        fprintf(stderr, "retrylab sweep: %s\n", err.msg);
    return rc;
}

static void print_line(const sweep_job *j, const writer *w, double wall, const char *best)
{
    double runs = (double)w->rows * (double)j->args.seeds;
    printf("sweep: %llu variants x %llu seeds (%.0f runs) in %.3f s, %.0f runs/s; front: %zu "
           "variants%s%s%s -> %s\n",
           (unsigned long long)w->rows, (unsigned long long)j->args.seeds, runs, wall,
           wall > 0 ? runs / wall : 0.0, w->front.n, w->errors ? "; rows with an error: " : "",
           w->errors ? "see the error column" : "", best, j->dir);
    fflush(stdout);
}

/* Ends the sweep: marks, best policy, sweep.json, the line. The exit code. */
static int finish(sweep_job *j, writer *w, const sw_plan *p, cJSON *points, int pool_rc)
{
    cm_err err;
    int rc = 0;
    if (sw_out_close(&w->out, &w->front, &err) != 0) {
        fprintf(stderr, "retrylab sweep: %s/%s\n", j->dir, err.msg);
        rc = CM_EXIT_RUNTIME;
    }
    char best_path[RL_RUNDIR_MAX + 32] = "", best_line[RL_RUNDIR_MAX + 400] = "", note[600] = "";
    if (j->args.objective && w->has_best && write_best(j, &w->best, best_path, sizeof best_path))
        rc = CM_EXIT_RUNTIME;
    if (j->args.objective && w->has_best)
        snprintf(best_line, sizeof best_line, "; best: variant %llu -> %s",
                 (unsigned long long)w->best.variant, best_path);
    else if (j->args.objective)
        snprintf(note, sizeof note, "no variant meets the objective '%.500s'", j->args.objective);
    double wall = (double)(rl_drv_wall_us() - w->t0) / 1e6;
    sw_meta m;
    fill_meta(j, w, p, &m);
    m.state = pool_rc == 0 && rc == 0 ? "done" : pool_rc == 1 ? "interrupted" : "failed";
    m.partial = w->rows < m.end - m.first;
    m.best = w->has_best ? &w->best : NULL;
    m.best_file = w->has_best ? "best-policy.json" : NULL;
    m.best_note = note[0] ? note : NULL;
    m.points = points;
    m.wall_s = wall;
    m.runs_per_s = wall > 0 ? (double)w->rows * (double)p->seeds / wall : 0;
    m.max_rss_kib = max_rss_kib();
    char skipped[128] = "";
    m.judged = j->has_expect ? sw_expect_judged(&j->expect, skipped, sizeof skipped) : 0;
    m.skipped = skipped;
    if (sw_meta_write(j->dir, &m, &err) != 0) {
        fprintf(stderr, "retrylab sweep: %s\n", err.msg);
        rc = CM_EXIT_RUNTIME;
    }
    if (w->progress) {
        on_tick(w, w->rows); /* the last state of the line, then its end */
        fputc('\n', stderr);
    }
    print_line(j, w, wall, best_line);
    if (rc != 0)
        return rc;
    if (pool_rc == 1) {
        fprintf(stderr,
                "retrylab sweep: stopped: %s holds the %llu rows finished, marked partial\n",
                j->dir, (unsigned long long)w->rows);
        return rl_cli_stop ? 128 + (int)rl_cli_stop : CM_EXIT_RUNTIME;
    }
    if (note[0]) {
        fprintf(stderr, "retrylab sweep: %s\n", note);
        return CM_EXIT_CHECK_FAILED;
    }
    return 0;
}

static int run_sweep(sweep_job *j)
{
    sw_plan p = plan_of(j);
    writer w = {.j = j, .t0 = rl_drv_wall_us()};
    w.progress = !j->args.quiet && isatty(STDERR_FILENO);
    const char *ra = getenv("RL_SWEEP_RAISE_AFTER"); /* tests only */
    if (ra && rl_cli_parse_u64(ra, &w.raise_after) != 0)
        w.raise_after = 0;
    cm_err err;
    uint64_t first, end;
    sw_shard_range(j->g.total, j->args.shard, j->args.shards, &first, &end);
    w.todo = end - first;
    if (sw_out_open(&w.out, j->dir, &j->g, &err) != 0) {
        fprintf(stderr, "retrylab sweep: %s\n", err.msg);
        return CM_EXIT_RUNTIME;
    }
    sw_meta m;
    fill_meta(j, &w, &p, &m);
    if (sw_meta_write(j->dir, &m, &err) != 0) {
        fprintf(stderr, "retrylab sweep: %s\n", err.msg);
        sw_out_close(&w.out, NULL, &err);
        return CM_EXIT_RUNTIME;
    }
    int rc = 0;
    cJSON *points = run_points(j, &p, &rc);
    int pool_rc = 1;
    if (points) {
        sw_sink sink = {.row = on_row, .tick = on_tick, .ctx = &w};
        pool_rc = sw_pool_run(&p, first, end, (int)j->args.jobs, &sink, &err);
        if (pool_rc < 0)
            fprintf(stderr, "retrylab sweep: %s\n", err.msg);
        if (pool_rc == 1 && !rl_cli_stop && (w.out.failed || w.failed))
            fprintf(stderr, "retrylab sweep: %s: cannot write the rows\n", j->dir);
    }
    int frc = finish(j, &w, &p, points, pool_rc < 0 ? 2 : pool_rc);
    cJSON_Delete(points);
    sw_front_free(&w.front);
    if (pool_rc < 0)
        return CM_EXIT_RUNTIME;
    return rc ? rc : frc;
}

static int prepare_dir(sweep_job *j)
{
    if (j->args.out)
        snprintf(j->dir, sizeof j->dir, "%s", j->args.out);
    else {
        char runs[RL_RUNDIR_MAX];
        rl_rundir_default(mock_scenario_name(j->sc), runs, sizeof runs);
        snprintf(j->dir, sizeof j->dir, "out/sweeps/%.900s", runs + strlen("out/runs/"));
    }
    if (rl_rundir_make(j->dir) != 0) {
        fprintf(stderr, "retrylab sweep: %s: cannot create: %s\n", j->dir, strerror(errno));
        return CM_EXIT_RUNTIME;
    }
    return 0;
}

static void job_free(sweep_job *j)
{
    for (size_t i = 0; i < j->n_peers; i++) {
        rl_policy_free(j->peers[i].policy);
        cm_json_free(j->peers[i].doc);
        free(j->peers[i].path_copy);
    }
    cJSON_Delete(j->pol_base);
    cJSON_Delete(j->sc_base);
    sw_grid_free(&j->g);
    cm_expect_free(&j->expect);
    rl_policy_free(j->policy);
    cm_json_free(j->pol_doc);
    cm_json_free(j->sc_doc);
    free(j->pol_text);
    mock_scenario_free(j->sc);
}

int rl_cmd_sweep(int argc, char **argv)
{
    rl_cli_catch_signals();
    static sweep_job j;
    memset(&j, 0, sizeof j);
    int rc = parse_args(argc, argv, &j.args);
    if (rc == 1) {
        usage(stdout);
        return 0;
    }
    if (rc != 0) {
        fprintf(stderr, "(retrylab sweep --help lists every flag)\n");
        return CM_EXIT_BAD_INPUT;
    }
    rc = load_inputs(&j);
    if (rc == 0)
        rc = build_grid(&j);
    if (rc == 0)
        rc = load_peers(&j);
    if (rc == 0)
        rc = prepare_dir(&j);
    if (rc == 0)
        rc = run_sweep(&j);
    job_free(&j);
    return rc;
}
