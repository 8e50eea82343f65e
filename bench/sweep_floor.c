/* sweep_floor.c: `make bench` part: the simulation's own cost per run, the
 * floor under any sweep: rl_sim_run of one scenario with its own policy
 * (loaded once), no trace, on J threads for about S seconds, each thread
 * with its own seeds. Prints {"runs_per_s":..,"runs_per_cpu_s":..,"threads":..,
 * "attempts_per_run":..}: runs per CPU second holds still on a busy machine.
 * Usage: sweep_floor SCENARIO THREADS SECONDS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/core/engine.h"
#include "engine/sim/sim.h"
#include "mockserver/scenario/scenario.h"

typedef struct job {
    const mock_scenario *sc;
    const rl_policy *p;
    double until;
    unsigned long runs, attempts;
    uint64_t seed;
} job;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *loop(void *arg)
{
    job *j = arg;
    while (now_s() < j->until) {
        rl_sim_config cfg = {.scenario = j->sc, .policy = j->p, .seed = j->seed++};
        rl_drv_result r;
        cm_err err;
        if (rl_sim_run(&cfg, &r, &err) != 0) {
            fprintf(stderr, "sweep_floor: %s\n", err.msg);
            exit(3);
        }
        j->runs++;
        j->attempts += r.attempts;
        cJSON_Delete(r.run_json);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sweep_floor SCENARIO THREADS SECONDS\n");
        return 2;
    }
    int n = atoi(argv[2]);
    double secs = atof(argv[3]);
    cm_err err;
    mock_scenario *sc = NULL;
    rl_policy *p = NULL;
    if (n < 1 || n > 64 || mock_scenario_load(argv[1], &sc, &err) != 0 ||
        rl_policy_load(mock_scenario_policy_path(sc), &p, &err) != 0) {
        fprintf(stderr, "sweep_floor: bad arguments or %s\n", err.msg);
        return 2;
    }
    job jobs[64];
    pthread_t t[64];
    double t0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < n; i++) {
        jobs[i] = (job){.sc = sc, .p = p, .until = t0 + secs, .seed = 1000000u * (uint64_t)i};
        pthread_create(&t[i], NULL, loop, &jobs[i]);
    }
    unsigned long runs = 0, attempts = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        runs += jobs[i].runs;
        attempts += jobs[i].attempts;
    }
    double dt = now_s() - t0, cpu = cpu_s() - c0;
    printf("{\"runs_per_s\": %.0f, \"runs_per_cpu_s\": %.0f, \"threads\": %d, "
           "\"attempts_per_run\": %.0f}\n",
           runs / dt, runs / cpu, n, runs ? (double)attempts / runs : 0);
    rl_policy_free(p);
    mock_scenario_free(sc);
    return 0;
}
