/* sim_bench.c: `make bench` part: simulated attempts per second on one core
 * for a scenario (bench/data/sim-10k.json: 10,000 tasks), through rl_sim_run
 * with the trace written to a file, with no trace, and with no trace and the
 * headers of every answer written and parsed (what rl_headers_known spares).
 * Prints one JSON object: {"tasks":..,"attempts":..,"attempts_per_s":..,
 * "attempts_per_s_no_trace":..,"attempts_per_s_parsing_headers":..}.
 * Usage: sim_bench SCENARIO TRACE_PATH [REPEATS [POLICY]]: POLICY replaces
 * the policy the scenario names. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/core/engine.h"
#include "engine/driver/trace.h"
#include "engine/sim/sim.h"
#include "mockserver/scenario/scenario.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best wall time over `repeats` runs; 0 on success, -1 after a message. */
static int measure(const mock_scenario *sc, const rl_policy *p, const char *trace_path,
                   bool parse_text, long repeats, double *best, rl_drv_result *res)
{
    *best = 1e300;
    for (long i = 0; i < repeats; i++) {
        cm_err err;
        rl_trace *tr = NULL;
        if (trace_path && rl_trace_open(trace_path, &tr, &err) != 0) {
            fprintf(stderr, "sim_bench: %s\n", err.msg);
            return -1;
        }
        rl_sim_config cfg = {.scenario = sc,
                             .policy = p,
                             .seed = mock_scenario_seed(sc),
                             .trace = tr,
                             .parse_text = parse_text};
        double t0 = now_s();
        int rc = rl_sim_run(&cfg, res, &err);
        rc |= rl_trace_close(tr);
        double dt = now_s() - t0;
        if (rc != 0) {
            fprintf(stderr, "sim_bench: %s\n", err.msg);
            return -1;
        }
        cJSON_Delete(res->run_json);
        if (dt < *best)
            *best = dt;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: sim_bench SCENARIO TRACE_PATH [REPEATS [POLICY]]\n");
        return 2;
    }
    char *end = NULL;
    long repeats = argc > 3 ? strtol(argv[3], &end, 10) : 5;
    if (repeats < 1 || repeats > 1000 || (end && *end)) {
        fprintf(stderr, "sim_bench: REPEATS: 1..1000\n");
        return 2;
    }
    cm_err err;
    mock_scenario *sc = NULL;
    rl_policy *p = NULL;
    if (mock_scenario_load(argv[1], &sc, &err) != 0 ||
        rl_policy_load(argc > 4 ? argv[4] : mock_scenario_policy_path(sc), &p, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    rl_drv_result with, without, parsed;
    double t_with, t_without, t_parsed;
    int rc = measure(sc, p, argv[2], false, repeats, &t_with, &with) ||
             measure(sc, p, NULL, false, repeats, &t_without, &without) ||
             measure(sc, p, NULL, true, repeats, &t_parsed, &parsed);
    if (rc == 0)
        printf("{\"tasks\": %llu, \"attempts\": %llu, \"wall_s\": %.6f, \"attempts_per_s\": %.0f, "
               "\"wall_s_no_trace\": %.6f, \"attempts_per_s_no_trace\": %.0f, "
               "\"attempts_per_s_parsing_headers\": %.0f}\n",
               (unsigned long long)with.tasks, (unsigned long long)with.attempts, t_with,
               (double)with.attempts / t_with, t_without, (double)without.attempts / t_without,
               (double)parsed.attempts / t_parsed);
    rl_policy_free(p);
    mock_scenario_free(sc);
    return rc ? 3 : 0;
}
