/* cmd_sim.c: `retrylab sim`: loads the scenario and policy, runs the
 * simulation into DIR/trace.jsonl and DIR/summary.json, prints one line. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rng.h"
#include "engine/cli/cli.h"
#include "engine/cli/job.h"
#include "engine/cli/scenario_policy.h"
#include "engine/core/engine.h"
#include "engine/sim/sim.h"
#include "mockserver/scenario/scenario.h"

typedef struct sim_args {
    const char *scenario;
    const char *policy;
    const char *out;
    uint64_t seed;
    bool has_seed;
    bool quiet;
    rl_trace_level trace;
} sim_args;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: retrylab sim SCENARIO [--policy POLICY] [--seed N] [--out DIR]\n"
            "                    [--trace none|summary|full] [--quiet]\n"
            "  Runs the scenario's workload against its providers in virtual time and writes\n"
            "  DIR/trace.jsonl and DIR/summary.json (DIR defaults to out/runs/SCENARIO-NAME).\n"
            "  --policy  policy file (default: the scenario's \"policy\")\n"
            "  --seed    run seed, 0 to 2^53 - 1 (default: the scenario's \"seed\")\n"
            "  --out     run directory, created if missing (default: out/runs/SCENARIO-NAME)\n"
            "  --trace   what trace.jsonl holds: every event (full, the default), the start and\n"
            "            one line per task (summary), or the start only (none)\n"
            "  --quiet   no progress line on stderr (default: a progress line on a terminal)\n"
            "  Exit 0 done; 2 bad input (file:line:col or the flag); 3 runtime failure;\n"
            "  128 + the signal when stopped by one (the run folder holds a partial run).\n");
}

/* Handles option `o` with value `v` (NULL when missing): 0, or 2 after a message. */
static int parse_option(const char *o, const char *v, sim_args *a)
{
    if (strcmp(o, "--policy") != 0 && strcmp(o, "--out") != 0 && strcmp(o, "--seed") != 0 &&
        strcmp(o, "--trace") != 0) {
        fprintf(stderr, "retrylab sim: unknown option '%s'\n", o);
        return CM_EXIT_BAD_INPUT;
    }
    if (!v) {
        fprintf(stderr, "retrylab sim: %s: needs a value\n", o);
        return CM_EXIT_BAD_INPUT;
    }
    if (strcmp(o, "--policy") == 0) {
        a->policy = v;
    } else if (strcmp(o, "--out") == 0) {
        a->out = v;
    } else if (strcmp(o, "--trace") == 0) {
        if (rl_trace_level_parse(v, &a->trace) != 0) {
            fprintf(stderr, "retrylab sim: --trace: none, summary or full, not '%s'\n", v);
            return CM_EXIT_BAD_INPUT;
        }
    } else if (strcmp(o, "--seed") == 0) {
        if (rl_cli_parse_seed(v, &a->seed) != 0) {
            fprintf(stderr, "retrylab sim: --seed: not a whole number from 0 to %lld: '%s'\n",
                    (long long)CM_SEED_MAX, v);
            return CM_EXIT_BAD_INPUT;
        }
        a->has_seed = true;
    }
    return 0;
}

/* 0 ok, 1 --help, 2 bad arguments (message printed). */
static int parse_args(int argc, char **argv, sim_args *a)
{
    memset(a, 0, sizeof *a);
    a->trace = RL_TRACE_FULL;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0)
            return 1;
        if (strcmp(o, "--quiet") == 0 || strcmp(o, "-q") == 0) {
            a->quiet = true;
        } else if (o[0] == '-' && o[1] != '\0') {
            const char *v = i + 1 < argc ? argv[++i] : NULL;
            if (parse_option(o, v, a) != 0)
                return CM_EXIT_BAD_INPUT;
        } else if (a->scenario) {
            fprintf(stderr, "retrylab sim: one scenario only (got '%s' and '%s')\n", a->scenario,
                    o);
            return CM_EXIT_BAD_INPUT;
        } else {
            a->scenario = o;
        }
    }
    if (!a->scenario) {
        fprintf(stderr, "retrylab sim: which scenario?\n");
        return CM_EXIT_BAD_INPUT;
    }
    return 0;
}

/* RL_SIM_RAISE_AFTER=N (tests only): the run signals itself after N events. */
static uint64_t raise_after_from_env(void)
{
    const char *v = getenv("RL_SIM_RAISE_AFTER");
    uint64_t n = 0;
    return v && rl_cli_parse_u64(v, &n) == 0 ? n : 0;
}

typedef struct sim_job {
    sim_args args;
    mock_scenario *sc;
    rl_policy *policy;
    const char *policy_path;
    uint64_t seed;
} sim_job;

/* Loads the scenario and the policy. 0, or the exit code (2) after a message. */
static int load_inputs(sim_job *j)
{
    cm_err err;
    if (mock_scenario_load(j->args.scenario, &j->sc, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    if (rl_scenario_policy_pick("retrylab sim", j->args.scenario, j->args.policy,
                                mock_scenario_policy_path(j->sc), &j->policy_path, &j->policy,
                                &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    j->seed = j->args.has_seed ? j->args.seed : mock_scenario_seed(j->sc);
    return 0;
}

/* Runs the loaded job; returns the exit code. */
static int run_job(sim_job *j)
{
    const mock_workload *w = mock_scenario_workload(j->sc);
    rl_job job = {.cmd = "retrylab sim",
                  .mode = "sim",
                  .scenario = j->args.scenario,
                  .scenario_name = mock_scenario_name(j->sc),
                  .policy_path = j->policy_path,
                  .policy = j->policy,
                  .seed = j->seed,
                  .tasks = (uint64_t)(w->clients * w->tasks_per_client),
                  .time_scale = 1.0,
                  .trace_level = j->args.trace};
    int rc = rl_job_open(&job, j->args.out);
    if (rc != 0)
        return rc;
    rl_sim_config cfg = {.scenario = j->sc,
                         .policy = j->policy,
                         .seed = j->seed,
                         .trace = job.trace,
                         .progress = !j->args.quiet && isatty(STDERR_FILENO),
                         .stop = &rl_cli_stop,
                         .raise_after = raise_after_from_env()};
    rl_drv_result r;
    cm_err err;
    int sr = rl_sim_run(&cfg, &r, &err);
    return rl_job_close(&job, sr, &err, &r, NULL);
}

int rl_cmd_sim(int argc, char **argv)
{
    rl_cli_catch_signals(); /* first: a signal from now on leaves a partial run, not none */
    sim_job j;
    memset(&j, 0, sizeof j);
    int rc = parse_args(argc, argv, &j.args);
    if (rc == 1) {
        usage(stdout);
        return 0;
    }
    if (rc != 0) {
        usage(stderr);
        return CM_EXIT_BAD_INPUT;
    }
    rc = load_inputs(&j);
    if (rc == 0)
        rc = run_job(&j);
    rl_policy_free(j.policy);
    mock_scenario_free(j.sc);
    return rc;
}
