/* run_expect.c: finds the expectations that judge a run and decides whether
 * the report judges it (own policy, or its own expect.json). */
#include "reports/run_expect.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void expect_path(const rep_run *run, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", run->dir, REP_EXPECT_FILE_NAME);
}

bool rep_run_has_expect_file(const rep_run *run)
{
    char path[REP_PATH_MAX + 32];
    struct stat st;
    expect_path(run, path, sizeof path);
    return stat(path, &st) == 0; /* a FIFO or a folder there is refused when loaded */
}

int rep_run_expect_load(const rep_run *run, const char *file, cm_expect *e, rep_expect_from *from,
                        cm_err *err)
{
    char path[REP_PATH_MAX + 32];
    memset(e, 0, sizeof *e);
    *from = REP_EXPECT_NONE;
    if (file || rep_run_has_expect_file(run)) {
        if (!file)
            expect_path(run, path, sizeof path);
        if (cm_expect_load(file ? file : path, e, err) != 0)
            return -1;
        *from = file ? REP_EXPECT_GIVEN : REP_EXPECT_RUN_DIR;
        return 1;
    }
    const cJSON *node = rep_run_expect_node(run);
    if (!node)
        return 0;
    if (cm_expect_parse(run->scenario, node, "expect", e, err) != 0)
        return -1;
    *from = REP_EXPECT_SCENARIO;
    return 1;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The scenario's "policy" joined to the scenario file's folder, into buf. */
static bool scenario_policy(const rep_run *run, char *buf, size_t size)
{
    const cJSON *root = run->scenario ? cm_json_root(run->scenario) : NULL;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "policy");
    if (!cJSON_IsString(p) || !p->valuestring[0])
        return false;
    return rep_run_scenario_relative(run, p->valuestring, buf, size);
}

bool rep_run_scenario_relative(const rep_run *run, const char *rel, char *buf, size_t size)
{
    const char *sc = run->scenario_file[0] ? run->scenario_file : run->scenario_path;
    const char *slash = strrchr(sc, '/');
    int dir_len = slash ? (int)(slash - sc) : 0;
    int n = rel[0] == '/' || !slash ? snprintf(buf, size, "%s", rel)
                                    : snprintf(buf, size, "%.*s/%s", dir_len, sc, rel);
    return n > 0 && (size_t)n < size;
}

bool rep_run_same_file(const char *x, const char *y)
{
    char a[PATH_MAX], b[PATH_MAX];
    if (realpath(x, a) && realpath(y, b))
        return strcmp(a, b) == 0;
    return strcmp(base_name(x), base_name(y)) == 0;
}

bool rep_run_own_policy(const rep_run *run)
{
    char want[2 * REP_PATH_MAX];
    if (!run->policy_path[0] || !scenario_policy(run, want, sizeof want))
        return false;
    return rep_run_same_file(want, run->policy_file[0] ? run->policy_file : run->policy_path);
}

bool rep_run_checked(const rep_run *run)
{
    return rep_run_has_expect_file(run) || rep_run_own_policy(run);
}
