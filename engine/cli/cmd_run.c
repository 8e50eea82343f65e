/* cmd_run.c: `retrylab run`: the engine over real HTTP, against a mockserver
 * (SCENARIO --target URL, scaled time) or live providers (--live PROVIDERS,
 * real time, keys from the environment). Writes DIR/trace.jsonl and
 * DIR/summary.json in the format `sim` writes, and prints one line. */
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/io/fdlimit.h"
#include "engine/cli/cli.h"
#include "engine/cli/job.h"
#include "engine/cli/scenario_policy.h"
#include "engine/core/engine.h"
#include "engine/driver/trace.h"
#include "engine/driver/workload.h"
#include "engine/http/providers.h"
#include "engine/http/runner.h"
#include "engine/http/target.h"
#include "mockserver/scenario/scenario.h"

#define LIVE_TASKS_MAX 100000

typedef struct run_args {
    const char *scenario, *policy, *target, *live, *live_scenario, *out;
    rl_trace_level trace;
    double time_scale;
    uint64_t seed, tasks, concurrency, max_connections;
    bool has_seed, has_scale, has_tasks, has_concurrency, quiet;
} run_args;

typedef struct run_job {
    run_args a;
    mock_scenario *sc;
    mock_scenario *live_sc; /* --live --scenario: the workload and expectations */
    rl_providers *prov;
    rl_policy *policy;
    const char *policy_path;
    uint64_t seed;
    rl_http_target *targets;
    const char **key_values; /* all targets' keys, one array */
    cm_us *start;
    size_t ntasks;
    char base_urls[64][600];
    int64_t epoch_unix_us; /* what the mockserver's t = 0 stands for (its reset answer) */
} run_job;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: retrylab run SCENARIO [--policy POLICY] --target URL [--time-scale X]\n"
            "                    [--concurrency N] [--max-connections N] [--seed N] [--out DIR]\n"
            "                    [--trace LEVEL] [--quiet]\n"
            "       retrylab run --live PROVIDERS [--scenario S] [--policy POLICY] [--tasks N]\n"
            "                    [--concurrency N] [--max-connections N] [--seed N] [--out DIR]\n"
            "                    [--quiet]\n"
            "  Runs the engine over real HTTP and writes DIR/trace.jsonl and DIR/summary.json.\n"
            "  Against a mockserver (--target), the run first checks GET /__admin/state (its\n"
            "  --time-scale must equal ours) and then POSTs /__admin/reset, so both sides\n"
            "  start at scenario t=0. --live: real endpoints from a providers file; keys only\n"
            "  from environment variables; every task costs real requests.\n"
            "  --policy POLICY      policy file (default: the scenario's \"policy\"; required\n"
            "                       with --live)\n"
            "  --target URL         the mockserver, http://HOST:PORT (required without --live)\n"
            "  --time-scale X       scenario seconds per wall second, as the mockserver's\n"
            "                       (default 1; not with --live)\n"
            "  --live PROVIDERS     providers file of real https:// endpoints; each response\n"
            "                       event keeps its evidence (error type and code, request\n"
            "                       id, rate-limit headers the engine does not read)\n"
            "  --scenario S         --live only: the tasks and their arrivals from S's\n"
            "                       workload, its expectations for check, its policy when\n"
            "                       --policy is absent; the run is filed under S's name\n"
            "  --tasks N            --live only, without --scenario: tasks to run (default 1),\n"
            "                       all due at t=0\n"
            "  --concurrency N      tasks under way at once at most (mock default: all,\n"
            "                       live default: 1); the others wait to start\n"
            "  --max-connections N  requests on the wire at once, one kept-alive connection\n"
            "                       each (default 256); more wait for a free one\n"
            "  --seed N             run seed, 0 to 2^53 - 1 (default: the scenario's \"seed\"; "
            "live: 0)\n"
            "  --out DIR            run directory, created if missing (default:\n"
            "                       out/runs/SCENARIO-NAME; live: out/runs/live, with\n"
            "                       --scenario out/runs/SCENARIO-NAME-live)\n"
            "  --trace LEVEL        what trace.jsonl holds: full (every event, the default),\n"
            "                       summary (the start and one line per task), none (the start)\n"
            "  --quiet              no progress line (default: one on a terminal)\n"
            "  Exit 0 done; 2 bad input (file:line:col or the flag); 3 runtime failure\n"
            "  (mockserver unreachable, cannot write DIR).\n");
}

static int parse_scale(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(x) || x <= 0 || x > 1e9)
        return -1;
    *out = x;
    return 0;
}

/* Whether `o` is one of run's flags that take a value. */
static bool known_flag(const char *o)
{
    static const char *const flags[] = {
        "--policy", "--target",      "--live",  "--out",      "--time-scale",     "--seed",
        "--tasks",  "--concurrency", "--trace", "--scenario", "--max-connections"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strcmp(o, flags[i]) == 0)
            return true;
    return false;
}

/* One "--flag value": 0, or 2 after a message. */
static int take_value(run_args *a, const char *o, const char *v)
{
    const char **s = strcmp(o, "--policy") == 0     ? &a->policy
                     : strcmp(o, "--target") == 0   ? &a->target
                     : strcmp(o, "--live") == 0     ? &a->live
                     : strcmp(o, "--scenario") == 0 ? &a->live_scenario
                     : strcmp(o, "--out") == 0      ? &a->out
                                                    : NULL;
    if (s) {
        *s = v;
        return 0;
    }
    int bad = 0;
    if (strcmp(o, "--trace") == 0)
        bad = rl_trace_level_parse(v, &a->trace) != 0;
    else if (strcmp(o, "--time-scale") == 0)
        bad = parse_scale(v, &a->time_scale) != 0 || !(a->has_scale = true);
    else if (strcmp(o, "--seed") == 0)
        bad = rl_cli_parse_seed(v, &a->seed) != 0 || !(a->has_seed = true);
    else if (strcmp(o, "--tasks") == 0)
        bad = rl_cli_parse_u64(v, &a->tasks) != 0 || a->tasks < 1 || a->tasks > LIVE_TASKS_MAX ||
              !(a->has_tasks = true);
    else if (strcmp(o, "--max-connections") == 0)
        bad = rl_cli_parse_u64(v, &a->max_connections) != 0 || a->max_connections < 1 ||
              a->max_connections > 100000;
    else if (strcmp(o, "--concurrency") == 0)
        bad = rl_cli_parse_u64(v, &a->concurrency) != 0 || a->concurrency < 1 ||
              a->concurrency > 10000000 || !(a->has_concurrency = true);
    else {
        fprintf(stderr, "retrylab run: unknown option '%s'\n", o);
        return CM_EXIT_BAD_INPUT;
    }
    if (bad)
        fprintf(stderr, "retrylab run: %s: bad value '%s'\n", o, v);
    return bad ? 2 : 0;
}

/* Which flags go with which form. 0, or 2 after a message. */
static int check_form(const run_args *a)
{
    const char *why = NULL;
    if (a->live && a->scenario)
        why = "--live takes no SCENARIO";
    else if (a->live && !a->policy && !a->live_scenario)
        why = "--live needs --policy POLICY (or --scenario S that names one)";
    else if (a->live_scenario && !a->live)
        why = "--scenario is for --live runs (against a mockserver, give SCENARIO itself)";
    else if (a->live_scenario && a->has_tasks)
        why = "--tasks and --scenario: the scenario's workload says how many tasks";
    else if (a->live && (a->target || a->has_scale))
        why = "--live talks to real endpoints: no --target, no --time-scale";
    else if (!a->live && !a->scenario)
        why = "which scenario? (or --live PROVIDERS)";
    else if (!a->live && !a->target)
        why = "--target URL is required (the mockserver, e.g. http://127.0.0.1:8080)";
    else if (a->target && strncmp(a->target, "http://", 7) != 0 &&
             strncmp(a->target, "https://", 8) != 0)
        why = "--target: not an http:// or https:// URL (e.g. http://127.0.0.1:8080)";
    else if (!a->live && a->has_tasks)
        why = "--tasks is for --live runs (a scenario's workload says how many)";
    if (why)
        fprintf(stderr, "retrylab run: %s\n", why);
    return why ? 2 : 0;
}

/* 0 ok, 1 --help, 2 bad arguments (message printed). */
static int parse_args(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    a->time_scale = 1.0;
    a->trace = RL_TRACE_FULL;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0)
            return 1;
        if (strcmp(o, "--quiet") == 0 || strcmp(o, "-q") == 0) {
            a->quiet = true;
        } else if (o[0] == '-' && o[1] != '\0') {
            if (!known_flag(o)) {
                fprintf(stderr, "retrylab run: unknown option '%s'\n", o);
                return CM_EXIT_BAD_INPUT;
            }
            if (i + 1 >= argc) {
                fprintf(stderr, "retrylab run: %s: needs a value\n", o);
                return CM_EXIT_BAD_INPUT;
            }
            if (take_value(a, o, argv[++i]) != 0)
                return CM_EXIT_BAD_INPUT;
        } else if (a->scenario) {
            fprintf(stderr, "retrylab run: one scenario only (got '%s' and '%s')\n", a->scenario,
                    o);
            return CM_EXIT_BAD_INPUT;
        } else {
            a->scenario = o;
        }
    }
    return check_form(a);
}

/* ---- inputs ---- */

/* The --policy flag's policy, else the scenario's. 0, or 2 after a message. */
static int load_policy(run_job *j)
{
    cm_err err;
    const mock_scenario *from = j->sc ? j->sc : j->live_sc;
    if (rl_scenario_policy_pick("retrylab run", j->a.scenario ? j->a.scenario : j->a.live_scenario,
                                j->a.policy, from ? mock_scenario_policy_path(from) : NULL,
                                &j->policy_path, &j->policy, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    return 0;
}

static int alloc_targets(run_job *j)
{
    size_t n = rl_policy_candidate_count(j->policy), nkeys = 0;
    for (size_t i = 0; i < n; i++) {
        rl_candidate_info ci;
        rl_policy_candidate(j->policy, i, &ci);
        nkeys += ci.nkeys;
    }
    j->targets = calloc(n ? n : 1, sizeof *j->targets);
    j->key_values = calloc(nkeys ? nkeys : 1, sizeof *j->key_values);
    if (!j->targets || !j->key_values || n > sizeof j->base_urls / sizeof j->base_urls[0]) {
        fprintf(stderr, "retrylab run: out of memory\n");
        return CM_EXIT_RUNTIME;
    }
    return 0;
}

/* Candidate i against the mockserver at --target. */
static void mock_target(run_job *j, size_t i, const char **keys)
{
    rl_candidate_info ci;
    rl_policy_candidate(j->policy, i, &ci);
    int pi = mock_scenario_provider_find(j->sc, ci.provider);
    if (pi < 0)
        fprintf(stderr,
                "retrylab run: warning: provider %s of the policy is not in the "
                "scenario; the mockserver will answer 404\n",
                ci.provider);
    rl_http_target *t = &j->targets[i];
    size_t n = strlen(j->a.target);
    while (n > 0 && j->a.target[n - 1] == '/')
        n--;
    snprintf(j->base_urls[i], sizeof j->base_urls[i], "%.*s/%s/v1", (int)n, j->a.target,
             ci.provider);
    t->base_url = j->base_urls[i];
    t->shape = pi >= 0 && mock_scenario_provider_shape(j->sc, (size_t)pi) == MOCK_SHAPE_ANTHROPIC
                   ? RL_SHAPE_ANTHROPIC
                   : RL_SHAPE_OPENAI;
    t->model = ci.model;
    t->nkeys = ci.nkeys;
    t->key_values = keys;
    for (size_t k = 0; k < ci.nkeys; k++) {
        keys[k] = rl_key_resolve(j->sc, ci.provider, ci.keys[k]);
        if (!keys[k])
            fprintf(stderr,
                    "retrylab run: warning: key %s (%s/%s) is not among the "
                    "scenario's test keys; sending none\n",
                    ci.keys[k], ci.provider, ci.model);
    }
}

/* Candidate i from the providers file; keys from the environment only. 0 or 2. */
static int live_target(run_job *j, size_t i, const char **keys)
{
    rl_candidate_info ci;
    rl_policy_candidate(j->policy, i, &ci);
    int pi = rl_providers_find(j->prov, ci.provider);
    if (pi < 0) {
        fprintf(stderr,
                "retrylab run: %s: provider %s (candidate %zu of the policy) is not in "
                "this providers file\n",
                j->a.live, ci.provider, i);
        return CM_EXIT_BAD_INPUT;
    }
    rl_provider_info pv;
    rl_providers_get(j->prov, (size_t)pi, &pv);
    j->targets[i] = (rl_http_target){.base_url = pv.base_url,
                                     .shape = pv.shape,
                                     .model = ci.model,
                                     .nkeys = ci.nkeys,
                                     .key_values = keys};
    for (size_t k = 0; k < ci.nkeys; k++) {
        const char *env = rl_providers_key_env(j->prov, (size_t)pi, ci.keys[k]);
        const char *v = getenv(env);
        if (!v || !*v) {
            fprintf(stderr, "retrylab run: key %s of %s: environment variable %s is not set\n",
                    ci.keys[k], ci.provider, env);
            return CM_EXIT_BAD_INPUT;
        }
        keys[k] = v;
    }
    return 0;
}

static int build_targets(run_job *j)
{
    int rc = alloc_targets(j);
    size_t used = 0;
    for (size_t i = 0; rc == 0 && i < rl_policy_candidate_count(j->policy); i++) {
        rl_candidate_info ci;
        rl_policy_candidate(j->policy, i, &ci);
        if (j->sc)
            mock_target(j, i, j->key_values + used);
        else
            rc = live_target(j, i, j->key_values + used);
        used += ci.nkeys;
    }
    return rc;
}

static int load_mock_inputs(run_job *j)
{
    cm_err err;
    if (mock_scenario_load(j->a.scenario, &j->sc, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    j->seed = j->a.has_seed ? j->a.seed : mock_scenario_seed(j->sc);
    int rc = load_policy(j);
    if (rc != 0)
        return rc;
    rl_schedule sched; /* the arrivals sim draws for this seed */
    if (rl_workload_schedule_run(mock_scenario_workload(j->sc), j->seed, &sched, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    j->start = sched.start;
    j->ntasks = sched.n;
    return build_targets(j);
}

/* --live --scenario S: S's workload schedule (as sim draws it for the seed). */
static int live_schedule(run_job *j)
{
    cm_err err;
    rl_schedule sched;
    if (rl_workload_schedule_run(mock_scenario_workload(j->live_sc), j->seed, &sched, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    if (sched.n > LIVE_TASKS_MAX) {
        fprintf(stderr, "retrylab run: %s: %zu tasks; a live run takes at most %d\n",
                j->a.live_scenario, sched.n, LIVE_TASKS_MAX);
        free(sched.start);
        return CM_EXIT_BAD_INPUT;
    }
    j->start = sched.start;
    j->ntasks = sched.n;
    return build_targets(j);
}

static int load_live_inputs(run_job *j)
{
    cm_err err;
    if (rl_providers_load(j->a.live, &j->prov, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    if (j->a.live_scenario && mock_scenario_load(j->a.live_scenario, &j->live_sc, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    j->seed = j->a.has_seed ? j->a.seed : j->live_sc ? mock_scenario_seed(j->live_sc) : 0;
    int rc = load_policy(j);
    if (rc != 0)
        return rc;
    if (j->live_sc)
        return live_schedule(j);
    j->ntasks = j->a.has_tasks ? (size_t)j->a.tasks : 1;
    j->start = calloc(j->ntasks, sizeof *j->start); /* all at t = 0, the cap spreads them */
    if (!j->start) {
        fprintf(stderr, "retrylab run: out of memory\n");
        return CM_EXIT_RUNTIME;
    }
    return build_targets(j);
}

/* ---- the run ---- */

/* Checks the mockserver's time scale (and scenario name): 0, or the exit code
 * after a message. */
static int check_target(run_job *j)
{
    cm_err err;
    rl_target_state st;
    int rc = rl_target_get_state(j->a.target, &st, &err);
    if (rc != 0) {
        fprintf(stderr, "retrylab run: %s\n", err.msg);
        return cm_exit_of(rc);
    }
    if (fabs(st.time_scale - j->a.time_scale) > 1e-9 * j->a.time_scale) {
        fprintf(stderr,
                "retrylab run: %s runs at --time-scale %g, this run at %g: start both "
                "with the same scale\n",
                j->a.target, st.time_scale, j->a.time_scale);
        return CM_EXIT_BAD_INPUT;
    }
    if (st.scenario[0] && strcmp(st.scenario, mock_scenario_name(j->sc)) != 0) {
        fprintf(stderr,
                "retrylab run: %s plays scenario \"%s\", not \"%s\": start the "
                "mockserver with this run's scenario file\n",
                j->a.target, st.scenario, mock_scenario_name(j->sc));
        return CM_EXIT_BAD_INPUT; /* its answers would measure another scenario */
    }
    return 0;
}

/* Resets the mockserver (model, journal, clock): 0 and *t0, or
 * CM_ERR_INPUT (not a mockserver) / CM_ERR_RUNTIME (unreachable) with err. */
static int reset_target(run_job *j, int64_t *t0, cm_err *err)
{
    return rl_target_reset(j->a.target, j->a.time_scale, t0, &j->epoch_unix_us, err);
}

static const char *mode_of(const run_job *j)
{
    return j->sc ? "mock" : "live";
}

static void config_of(const run_job *j, rl_trace *tr, int64_t t0, rl_http_config *c)
{
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    *c = (rl_http_config){
        .policy = j->policy,
        .seed = j->seed,
        .targets = j->targets,
        .ntargets = rl_policy_candidate_count(j->policy),
        .start = j->start,
        .ntasks = j->ntasks,
        .time_scale = j->sc ? j->a.time_scale : 1.0,
        .epoch_unix_us =
            j->sc ? j->epoch_unix_us : (int64_t)rt.tv_sec * CM_US_PER_S + rt.tv_nsec / 1000,
        .start_wall_us = t0,
        .trace = tr,
        .progress = !j->a.quiet && isatty(STDERR_FILENO),
        .stop = &rl_cli_stop,
        .tokens = j->sc ? mock_scenario_workload(j->sc)->tokens : 0,
        .concurrency = j->a.has_concurrency ? (size_t)j->a.concurrency
                       : j->sc              ? 0
                                            : 1,
        .max_connections = (size_t)j->a.max_connections, /* 0: the default */
        .name_attempts = j->sc != NULL, /* a mockserver reads it; live providers never see it */
        .evidence = j->sc == NULL,      /* live: what a provider said, raw */
    };
}

static int run_job_now(run_job *j)
{
    int rc = j->sc ? check_target(j) : 0;
    if (rc != 0)
        return rc;
    rl_job job = {.cmd = "retrylab run",
                  .mode = mode_of(j),
                  .scenario = j->sc        ? j->a.scenario
                              : j->live_sc ? j->a.live_scenario
                                           : j->a.live,
                  .scenario_name = j->sc        ? mock_scenario_name(j->sc)
                                   : j->live_sc ? mock_scenario_name(j->live_sc)
                                                : "live",
                  .policy_path = j->policy_path,
                  .policy = j->policy,
                  .seed = j->seed,
                  .tasks = j->ntasks,
                  .time_scale = j->sc ? j->a.time_scale : 1.0,
                  .target = j->sc ? j->a.target : NULL,
                  .trace_level = j->a.trace};
    int64_t t0 = 0;
    char live_out[RL_RUNDIR_MAX];
    const char *out = j->a.out;
    if (!out && j->live_sc) { /* beside the sim and mock runs of S, not over them */
        rl_rundir_default(mock_scenario_name(j->live_sc), live_out, sizeof live_out - 8);
        strcat(live_out, "-live");
        out = live_out;
    }
    if ((rc = rl_job_open(&job, out)) != 0)
        return rc;
    rl_drv_result r;
    memset(&r, 0, sizeof r);
    cm_err err;
    int hr = j->sc ? reset_target(j, &t0, &err) : 0;
    if (hr == 0) {
        rl_http_config cfg;
        config_of(j, job.trace, t0, &cfg);
        hr = rl_http_run(&cfg, &r, &err);
    }
    cJSON *extra = cJSON_CreateObject();
    if (extra && j->sc)
        cJSON_AddStringToObject(extra, "target", j->a.target);
    if (extra && j->live_sc)
        cJSON_AddStringToObject(extra, "providers", j->a.live);
    rc = rl_job_close(&job, hr, &err, &r, extra);
    cJSON_Delete(extra);
    return rc;
}

int rl_cmd_run(int argc, char **argv)
{
    rl_cli_catch_signals(); /* first: a signal from now on leaves a partial run, not none */
    run_job *j = calloc(1, sizeof *j);
    if (!j)
        return CM_EXIT_RUNTIME;
    int rc = parse_args(argc, argv, &j->a);
    if (rc == 1)
        usage(stdout);
    else if (rc != 0)
        usage(stderr);
    if (rc != 0) {
        free(j);
        return rc == 1 ? CM_EXIT_OK : CM_EXIT_BAD_INPUT;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    cm_raise_fd_limit();
    rc = j->a.live ? load_live_inputs(j) : load_mock_inputs(j);
    if (rc == 0)
        rc = run_job_now(j);
    free(j->start);
    free(j->targets);
    free(j->key_values);
    rl_policy_free(j->policy);
    rl_providers_free(j->prov);
    mock_scenario_free(j->sc);
    mock_scenario_free(j->live_sc);
    free(j);
    curl_global_cleanup();
    return rc;
}
