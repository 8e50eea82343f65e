/* summary.c: summary.json built with cJSON and renamed into place. */
#include "engine/driver/summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool add_str(cJSON *o, const char *name, const char *v)
{
    return !v || cJSON_AddStringToObject(o, name, v) != NULL;
}

static bool add_num(cJSON *o, const char *name, double v)
{
    return cJSON_AddNumberToObject(o, name, v) != NULL;
}

static bool add_totals(cJSON *o, const rl_summary *s)
{
    double rate = s->tasks ? (double)s->successes / (double)s->tasks : 0.0;
    return add_num(o, "tasks", (double)s->tasks) &&
           add_num(o, "tasks_done", (double)s->tasks_done) &&
           add_num(o, "successes", (double)s->successes) &&
           add_num(o, "failures", (double)(s->tasks_done - s->successes)) &&
           add_num(o, "success_rate", rate) && add_num(o, "attempts", (double)s->attempts) &&
           add_num(o, "total_wait_s", cm_s_from_us(s->total_wait)) &&
           add_num(o, "scenario_time_s", cm_s_from_us(s->scenario_time)) &&
           cJSON_AddBoolToObject(o, "partial", s->partial) != NULL;
}

static bool add_run(cJSON *o, const rl_summary *s)
{
    return add_num(o, "seed", (double)s->seed) && add_str(o, "scenario", s->scenario) &&
           add_str(o, "scenario_name", s->scenario_name) && add_str(o, "policy", s->policy) &&
           add_str(o, "policy_name", s->policy_name) && add_str(o, "mode", s->mode) &&
           add_num(o, "time_scale", s->time_scale) && add_num(o, "wall_s", s->wall_s);
}

static bool add_extra(cJSON *o, const cJSON *extra)
{
    if (!extra)
        return true;
    for (const cJSON *m = extra->child; m; m = m->next) {
        if (!m->string || cJSON_HasObjectItem(o, m->string))
            continue; /* the run's own totals win over a same-named member */
        cJSON *copy = cJSON_Duplicate(m, true);
        if (!copy || !cJSON_AddItemToObject(o, m->string, copy)) {
            cJSON_Delete(copy);
            return false;
        }
    }
    return true;
}

cJSON *rl_summary_json(const rl_summary *s, const cJSON *extra)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (!add_totals(o, s) || !add_run(o, s) || !add_extra(o, extra)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int write_text(const char *path, const char *text, cm_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err->msg, sizeof err->msg, "%.400s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, f) != n || fputc('\n', f) == EOF;
    int saved = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (bad) {
        snprintf(err->msg, sizeof err->msg, "%.400s: cannot write: %s", path, strerror(saved));
        remove(path);
        return -1;
    }
    return 0;
}

int rl_summary_write(const char *path, const rl_summary *s, const cJSON *extra, cm_err *err)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        snprintf(err->msg, sizeof err->msg, "%s: cannot write: path too long", path);
        return -1;
    }
    cJSON *o = rl_summary_json(s, extra);
    char *text = o ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    if (!text) {
        snprintf(err->msg, sizeof err->msg, "%s: cannot write: out of memory", path);
        return -1;
    }
    int rc = write_text(tmp, text, err);
    free(text);
    if (rc == 0 && rename(tmp, path) != 0) {
        snprintf(err->msg, sizeof err->msg, "%.400s: cannot write: %s", path, strerror(errno));
        remove(tmp);
        rc = -1;
    }
    return rc;
}
