/* job.c: the run folder and record of sim and run. */
#include "engine/cli/job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/cli/cli.h"
#include "engine/driver/summary.h"

static void write_start(const rl_job *j)
{
    char sd[RL_DIGEST_LEN], pd[RL_DIGEST_LEN], cwd[4096];
    rl_trace_digest_file(j->scenario, sd);
    rl_trace_digest_file(j->policy_path, pd);
    rl_trace_start_info si = {
        .scenario = j->scenario,
        .scenario_name = j->scenario_name,
        .policy = j->policy_path,
        .policy_name = rl_policy_name(j->policy),
        .seed = j->seed,
        .mode = j->mode,
        .time_scale = j->time_scale,
        .scenario_digest = sd,
        .policy_digest = pd,
        .tasks = j->tasks,
        .target = j->target,
        /* relative paths in the trace resolve against it, from any folder */
        .cwd = getcwd(cwd, sizeof cwd),
    };
    rl_trace_start(j->trace, &si);
}

/* The trace size worth a warning: 1 GiB, or RL_TRACE_WARN_BYTES (tests). */
static uint64_t big_trace_bytes(void)
{
    uint64_t n = 0;
    const char *v = getenv("RL_TRACE_WARN_BYTES");
    return v && rl_cli_parse_u64(v, &n) == 0 && n > 0 ? n : UINT64_C(1) << 30;
}

int rl_job_open(rl_job *j, const char *out)
{
    const char *cmd = strchr(j->cmd, ' ') ? strchr(j->cmd, ' ') + 1 : j->cmd;
    int rc = rl_rundir_prepare(&j->rd, cmd, out, j->scenario_name);
    if (rc != 0)
        return rc;
    snprintf(j->partial, sizeof j->partial, "%s.partial", j->rd.trace);
    cm_err err;
    if (rl_trace_open(j->partial, &j->trace, &err) != 0) {
        fprintf(stderr, "%s: %s\n", j->cmd, err.msg);
        return CM_EXIT_RUNTIME;
    }
    rl_trace_set_level(j->trace, j->trace_level);
    write_start(j);
    uint64_t big = big_trace_bytes();
    rl_trace_set_warn(j->trace, big);
    /* an attempt writes about three lines of ~170 bytes, a task at least one */
    if (j->trace_level == RL_TRACE_FULL && j->tasks * 500 > big) {
        char size[32];
        rl_drv_size_text(big, size, sizeof size);
        fprintf(stderr,
                "%s: warning: %llu tasks will write a trace of more than %s; --trace "
                "summary writes one line per task, --trace none only the start\n",
                j->cmd, (unsigned long long)j->tasks, size);
    }
    j->wall_start = rl_drv_wall_us();
    return 0;
}

static int write_summary(const rl_job *j, const rl_drv_result *r, double wall_s, const cJSON *extra)
{
    rl_summary s = {
        .tasks = r->tasks,
        .tasks_done = r->tasks_done,
        .successes = r->successes,
        .attempts = r->attempts,
        .total_wait = r->total_wait,
        .scenario_time = r->end_time,
        .partial = r->interrupted,
        .seed = j->seed,
        .scenario = j->scenario,
        .scenario_name = j->scenario_name,
        .policy = j->policy_path,
        .policy_name = rl_policy_name(j->policy),
        .mode = j->mode,
        .time_scale = j->time_scale,
        .wall_s = wall_s,
    };
    if (r->run_json)
        cJSON_AddNumberToObject(r->run_json, "transport_errors", (double)r->transport_errors);
    cJSON *merged = r->run_json;
    for (const cJSON *m = extra ? extra->child : NULL; merged && m; m = m->next)
        if (m->string && !cJSON_HasObjectItem(merged, m->string))
            cJSON_AddItemToObject(merged, m->string, cJSON_Duplicate(m, true));
    cm_err err;
    if (rl_summary_write(j->rd.summary, &s, merged, &err) != 0) {
        fprintf(stderr, "%s: %s\n", j->cmd, err.msg);
        return CM_EXIT_RUNTIME;
    }
    return 0;
}

static void print_line(const rl_job *j, const rl_drv_result *r, double wall_s)
{
    double rate = r->tasks ? 100.0 * (double)r->successes / (double)r->tasks : 0.0;
    char errors[64] = "";
    if (strcmp(j->mode, "sim") == 0)
        printf("sim: ");
    else {
        printf("run (%s): ", j->mode);
        snprintf(errors, sizeof errors, " (%llu transport errors)",
                 (unsigned long long)r->transport_errors);
    }
    printf("%llu tasks, %.1f%% success, %llu attempts%s, scenario time %.3f s, wall %.3f s%s"
           " -> %s\n",
           (unsigned long long)r->tasks, rate, (unsigned long long)r->attempts, errors,
           cm_s_from_us(r->end_time), wall_s, r->interrupted ? " (interrupted)" : "", j->rd.dir);
    fflush(stdout);
}

/* The trace takes its name once its run is whole: after its summary. */
static int name_files(const rl_job *j)
{
    if (rename(j->partial, j->rd.trace) == 0)
        return 0;
    fprintf(stderr, "%s: %s: cannot rename to %s: %s\n", j->cmd, j->partial, j->rd.trace,
            strerror(errno));
    return CM_EXIT_RUNTIME;
}

int rl_job_close(rl_job *j, int run_rc, const cm_err *err, rl_drv_result *r, const cJSON *extra)
{
    double wall_s = (double)(rl_drv_wall_us() - j->wall_start) / 1e6;
    rl_trace_flush(j->trace);
    int why = rl_trace_failed(j->trace);
    int closed = rl_trace_close(j->trace);
    j->trace = NULL;
    int rc = 0;
    if (run_rc != 0) {
        fprintf(stderr, "%s: %s\n", j->cmd, err->msg);
        rc = cm_exit_of(run_rc);
    } else if (closed != 0 || why != 0) {
        fprintf(stderr,
                "%s: %s: cannot write: %s; the run stopped, and %s keeps the run it "
                "held before\n",
                j->cmd, j->rd.trace, strerror(why ? why : EIO), j->rd.dir);
        rc = CM_EXIT_RUNTIME;
    }
    if (rc == 0)
        rc = write_summary(j, r, wall_s, extra);
    /* The summary first, then the trace: between the two renames a reader
     * meets a summary and a trace of different runs, which check and report
     * refuse (their start event and summary disagree) rather than mix. */
    if (rc == 0)
        rc = name_files(j);
    if (rc != 0)
        remove(j->partial);
    cJSON_Delete(r->run_json);
    r->run_json = NULL;
    if (rc != 0)
        return rc;
    print_line(j, r, wall_s);
    if (r->interrupted)
        return 128 + (int)rl_cli_stop;
    if (r->runaway) {
        fprintf(stderr, "%s: a task never finished (engine loop); see the trace\n", j->cmd);
        return CM_EXIT_RUNTIME;
    }
    return 0;
}
